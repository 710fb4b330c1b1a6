//! Item analysis for organizers: how each question of a closed round (or of a
//! contest's closed rounds) worked, each flag explained, linking to the question in
//! the bank. Rendered on the server; the columns sort through links (`?sap-xep=`),
//! so the page needs no script.
use super::util::{decimal as number, ErrorBox};
use crate::api;
use crate::domain::items::option_letter as letter;
use crate::domain::time::format_hanoi;
use crate::i18n::t;
use crate::model::{ItemAnalysis, ItemRow};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

#[component]
pub fn ItemsPage() -> impl IntoView {
    view! { <Items contest=false /> }
}

#[component]
pub fn ContestItemsPage() -> impl IntoView {
    view! { <Items contest=true /> }
}

/// How the table is sorted: by a column's key, the worst first where that makes sense.
fn sort(items: &mut [ItemRow], by: &str) {
    let f = |x: Option<f64>| x.unwrap_or(f64::INFINITY);
    match by {
        "ma" => items.sort_by(|a, b| a.key.cmp(&b.key)),
        "luot" => items.sort_by(|a, b| b.stats.served.cmp(&a.stats.served)),
        "ti-le" => items.sort_by(|a, b| a.stats.facility.total_cmp(&b.stats.facility)),
        "phan-biet" => items.sort_by(|a, b| f(a.stats.discrimination).total_cmp(&f(b.stats.discrimination))),
        "nhom" => items.sort_by(|a, b| f(a.stats.upper_lower).total_cmp(&f(b.stats.upper_lower))),
        // the questions to look at first (as computed)
        _ => {}
    }
}

#[component]
fn Items(contest: bool) -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || params.with(|p| p.get("id").and_then(|s| s.parse::<Uuid>().ok()));
    let data = Resource::new(id, move |id| async move {
        match id {
            Some(id) => api::admin_items(id, contest).await,
            None => Err(crate::error::AppError::not_found(t().err_round_not_found)),
        }
    });
    let by = move || query.with(|q| q.get("sap-xep").unwrap_or_default());
    view! {
        <Title text=format!("{} — {}", t().items_title, t().app_name) />
        <h1>{t().items_title}</h1>
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(a) => view! { <Analysis a by=by() contest /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Analysis(a: ItemAnalysis, by: String, contest: bool) -> impl IntoView {
    let base = if contest { format!("/quan-tri/phan-tich/cuoc-thi/{}", a.scope_id) } else { format!("/quan-tri/phan-tich/{}", a.scope_id) };
    let export = if contest {
        format!("/api/v1/admin/contests/{}/items.xlsx", a.scope_id)
    } else {
        format!("/api/v1/admin/rounds/{}/items.xlsx", a.scope_id)
    };
    let mut items = a.items;
    sort(&mut items, &by);
    let cols = t().items_columns;
    // a header that sorts by its column (the current one marked for screen readers)
    let head = |label: &'static str, key: &'static str| {
        let current = by == key;
        view! {
            <th scope="col" aria-sort=if current { "ascending" } else { "none" }>
                <a href=format!("{base}?sap-xep={key}")>{label}</a>
            </th>
        }
    };
    view! {
        <p class="lead">{a.title}</p>
        <p>{a.respondents}" "{t().items_summary}" "{format_hanoi(a.computed_at)}"."</p>
        <p class="actions"><a class="btn" href=export download="">{t().items_export}</a></p>
        <details class="card">
            <summary>{t().items_legend_title}</summary>
            <ul>{t().items_legend.iter().map(|l| view! { <li>{*l}</li> }).collect_view()}</ul>
        </details>
        {items.is_empty().then(|| view! { <p class="card">{t().items_none}</p> })}
        <div class="table-wrap">
            <table class="items">
                <thead><tr>
                    {head(cols[0], "ma")}
                    <th scope="col">{cols[2]}</th>
                    {head(cols[3], "luot")}
                    {head(cols[4], "ti-le")}
                    {head(cols[5], "phan-biet")}
                    {head(cols[6], "nhom")}
                    <th scope="col">{cols[8]}</th>
                    <th scope="col">{cols[12]}</th>
                    {head(cols[13], "canh-bao")}
                </tr></thead>
                <tbody>
                    {items.into_iter().map(|r| {
                        let s = r.stats;
                        view! {
                            <tr class:flagged=!s.flags.is_empty()>
                                <td class="mono">
                                    <a href=format!("/quan-tri/cau-hoi/{}", r.question_id) title=t().items_edit>
                                        {r.key.clone().unwrap_or_else(|| t().items_edit.to_string())}
                                    </a>
                                </td>
                                <td>{r.stem}</td>
                                <td class="num">{s.served}</td>
                                <td class="num">{number(s.facility * 100.0, 0)}" %"</td>
                                <td class="num">{s.discrimination.map(|d| number(d, 2)).unwrap_or_else(|| "—".into())}</td>
                                <td class="num">{s.upper_lower.map(|d| number(d, 2)).unwrap_or_else(|| "—".into())}</td>
                                <td>
                                    <ul class="plain">
                                        {s.options.iter().enumerate().map(|(i, o)| {
                                            let text = format!("{}. {}: {} ({}/{})", letter(i), r.options.get(i).cloned().unwrap_or_default(), o.chosen, o.upper, o.lower);
                                            if i == r.correct { view! { <li><strong>{text}</strong></li> }.into_any() } else { view! { <li>{text}</li> }.into_any() }
                                        }).collect_view()}
                                    </ul>
                                </td>
                                <td class="num">{s.mean_time_ms.map(|ms| number(ms / 1000.0, 1)).unwrap_or_else(|| "—".into())}</td>
                                <td>
                                    <ul class="plain">{r.flag_notes.into_iter().map(|n| view! { <li>{n}</li> }).collect_view()}</ul>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
