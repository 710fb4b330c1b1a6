//! The organizer console: contests and their rounds (weekly helper, close early,
//! publish, export, clone), the audit log; and the public published results.
//! The interactive pages are lazy islands: their code loads only on these pages.
use super::util::{action_error, ErrorBox};
use crate::api;
use crate::domain::time::{format_hanoi, MINUTE};
use crate::domain::RoundStatus;
use crate::i18n::{round_status_label, t};
use crate::model::{AdminRound, ContestDto, ContestInput, UnitDto};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

use super::round_edit::{RoundEdit, Weekly};

#[component]
pub fn ContestsPage() -> impl IntoView {
    view! {
        <Title text=format!("{} — {}", t().contests_title, t().app_name) />
        <h1>{t().contests_title}</h1>
        <crate::app::organizer::Console part=crate::app::organizer::Part::Contests />
    }
}

#[component]
pub(crate) fn ContestsConsole() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let data = Resource::new(
        move || refresh.get(),
        |_| async move { Ok::<_, crate::error::AppError>((api::admin_contests().await?, api::list_units().await?)) },
    );
    view! {
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((contests, units)) => view! { <ContestList contests /> <NewContest units refresh /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ContestList(contests: Vec<ContestDto>) -> impl IntoView {
    if contests.is_empty() {
        return view! { <p class="muted">{t().contest_none}</p> }.into_any();
    }
    view! {
        <ul class="contest-list">
            {contests.into_iter().map(|c| view! {
                <li class="card">
                    <h2><a href=format!("/quan-tri/cuoc-thi/{}", c.id)>{c.title.clone()}</a></h2>
                    <p class="muted">{c.rounds.len()}" "{t().contest_rounds}</p>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn NewContest(units: Vec<UnitDto>, refresh: RwSignal<u32>) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let rules = RwSignal::new(String::new());
    let audience = RwSignal::new(String::new());
    let visibility = RwSignal::new("public".to_string());
    let tiers = RwSignal::new(t().prizes_default.to_string());
    let collective = RwSignal::new("3".to_string());
    let collective_by = RwSignal::new("participation_rate".to_string());
    let save = Action::new(move |_: &()| {
        let prizes = crate::model::Prizes {
            individual: parse_tiers(&tiers.get_untracked()),
            collective: collective.get_untracked().trim().parse::<usize>().ok().filter(|n| *n > 0).map(|count| {
                crate::model::CollectivePrize { label: t().prize_collective.into(), count, by: collective_by.get_untracked() }
            }),
        };
        let input = ContestInput {
            title: title.get_untracked(),
            description: description.get_untracked(),
            rules: rules.get_untracked(),
            audience_unit_id: Uuid::parse_str(&audience.get_untracked()).ok(),
            visibility: visibility.get_untracked(),
            prizes,
        };
        async move {
            let r = api::admin_save_contest(None, input).await;
            if r.is_ok() {
                refresh.update(|n| *n += 1);
            }
            r
        }
    });
    view! {
        <section class="card" aria-labelledby="new-contest-h">
            <h2 id="new-contest-h">{t().contest_new}</h2>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
                <div class="field">
                    <label for="c-title">{t().contest_title_field}</label>
                    <input id="c-title" type="text" required maxlength="200" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="c-desc">{t().contest_description}</label>
                    <textarea id="c-desc" rows="2" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                </div>
                <div class="field">
                    <label for="c-rules">{t().contest_rules}</label>
                    <textarea id="c-rules" rows="3" prop:value=move || rules.get() on:input=move |ev| rules.set(event_target_value(&ev))></textarea>
                </div>
                <div class="row">
                    <div class="field">
                        <label for="c-audience">{t().contest_audience}</label>
                        <select id="c-audience" on:change=move |ev| audience.set(event_target_value(&ev))>
                            <option value="">{t().contest_audience_all}</option>
                            {units.into_iter().map(|u| view! { <option value=u.id.to_string()>{u.name}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="c-vis">{t().contest_visibility}</label>
                        <select id="c-vis" on:change=move |ev| visibility.set(event_target_value(&ev))>
                            <option value="public">{t().contest_public}</option>
                            <option value="private">{t().contest_private}</option>
                        </select>
                    </div>
                </div>
                <div class="field">
                    <label for="c-prizes">{t().prizes_individual}</label>
                    <textarea id="c-prizes" rows="4" aria-describedby="c-prizes-hint" prop:value=move || tiers.get() on:input=move |ev| tiers.set(event_target_value(&ev))></textarea>
                    <p class="hint" id="c-prizes-hint">{t().prizes_hint}</p>
                </div>
                <div class="row">
                    <div class="field">
                        <label for="c-coll">{t().prizes_collective_count}</label>
                        <input id="c-coll" type="number" min="0" prop:value=move || collective.get() on:input=move |ev| collective.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for="c-coll-by">{t().prizes_collective_by}</label>
                        <select id="c-coll-by" on:change=move |ev| collective_by.set(event_target_value(&ev))>
                            <option value="participation_rate">{t().col_rate}</option>
                            <option value="attempts">{t().col_attempts}</option>
                        </select>
                    </div>
                </div>
                {action_error(move || save.value().get())}
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>{t().contest_create}</button>
            </form>
        </section>
    }
}

#[component]
pub fn ContestPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.read_untracked().get("id").and_then(|s| Uuid::parse_str(&s).ok());
    view! {
        <Title text=format!("{} — {}", t().contests_title, t().app_name) />
        <p class="eyebrow"><a href="/quan-tri/cuoc-thi">{t().contests_title}</a></p>
        {match id {
            Some(id) => view! { <crate::app::organizer::Console part=crate::app::organizer::Part::Contest(id) /> }.into_any(),
            None => view! { <ErrorBox error=crate::error::AppError::not_found(t().err_contest_not_found) /> }.into_any(),
        }}
    }
}

#[component]
pub(crate) fn ContestConsole(id: Uuid) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let data = Resource::new(move || refresh.get(), move |_| api::admin_contest(id));
    view! {
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(c) => view! { <Contest contest=c refresh /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Contest(contest: ContestDto, refresh: RwSignal<u32>) -> impl IntoView {
    let act = Action::new(move |(id, action): &(Uuid, String)| {
        let (id, action) = (*id, action.clone());
        async move {
            let r = api::admin_round_action(id, action).await;
            refresh.update(|n| *n += 1);
            r
        }
    });
    let id = contest.id;
    view! {
        <h1>{contest.title.clone()}</h1>
        {(!contest.description.is_empty()).then(|| view! { <p>{contest.description.clone()}</p> })}
        <section aria-labelledby="rounds-h">
            <h2 id="rounds-h">{t().contest_rounds}</h2>
            {move || act.value().get().map(|r| match r {
                Ok(()) => view! { <p class="ok" role="status">{t().done}</p> }.into_any(),
                Err(error) => view! { <ErrorBox error /> }.into_any(),
            })}
            {if contest.rounds.is_empty() {
                view! { <p class="muted">{t().contest_no_rounds}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table>
                            <thead><tr>
                                <th scope="col">{t().col_round}</th>
                                <th scope="col">{t().round_window}</th>
                                <th scope="col">{t().col_status}</th>
                                <th scope="col"><span class="sr-only">{t().audit_action}</span></th>
                            </tr></thead>
                            <tbody>
                                {contest.rounds.into_iter().map(|r| view! { <RoundRow r act /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
        <p class="actions">
            <a class="btn" href=format!("/api/v1/admin/contests/{id}/export.xlsx") download="">{t().contest_export}</a>
            <a class="btn" href=format!("/quan-tri/phan-tich/cuoc-thi/{id}")>{t().items_contest_link}</a>
        </p>
        <Weekly contest_id=id refresh />
    }
}

#[component]
fn RoundRow(r: AdminRound, act: Action<(Uuid, String), Result<(), crate::error::AppError>>) -> impl IntoView {
    let id = r.id;
    let label = format!("{} ({})", r.title, round_status_label(r.status));
    let published = r.published_at.is_some();
    view! {
        <tr>
            <td>{r.title.clone()}<br /><span class="muted">{r.input.question_count}" "{t().round_questions}", "{r.input.duration_ms / MINUTE}" "{t().round_duration}</span></td>
            <td>{format_hanoi(r.input.opens_at)}" – "{format_hanoi(r.input.closes_at)}</td>
            <td>{round_status_label(r.status)}{published.then(|| format!(" · {}", t().round_published))}</td>
            <td class="row-actions" aria-label=label>
                {(r.status == RoundStatus::Open).then(|| view! {
                    <button type="button" class="btn btn-small" on:click=move |_| {
                        if window().confirm_with_message(t().confirm_close).unwrap_or(false) {
                            act.dispatch((id, "close".into()));
                        }
                    }>{t().round_close}</button>
                })}
                {(r.status == RoundStatus::Closed && !published).then(|| view! {
                    <button type="button" class="btn btn-small btn-primary" on:click=move |_| { act.dispatch((id, "publish".into())); }>{t().round_publish}</button>
                })}
                {published.then(|| view! { <a href=format!("/ket-qua/{id}")>{t().round_results}</a> })}
                <a href=format!("/api/v1/admin/rounds/{id}/export.xlsx") download="">{t().round_export}</a>
                {(r.status == RoundStatus::Closed).then(|| view! { <a href=format!("/quan-tri/phan-tich/{id}")>{t().items_link}</a> })}
                <button type="button" class="btn btn-small btn-quiet" on:click=move |_| { act.dispatch((id, "clone".into())); }>{t().round_clone}</button>
            </td>
        </tr>
        {(!published).then(|| view! {
            <tr class="edit-row">
                <td colspan="4">
                    <details>
                        <summary>{t().round_edit}" "{r.title.clone()}</summary>
                        <RoundEdit id input=r.input.clone() started=r.status != RoundStatus::Upcoming />
                    </details>
                </td>
            </tr>
        })}
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| api::admin_audit());
    view! {
        <Title text=format!("{} — {}", t().audit_title, t().app_name) />
        <h1>{t().audit_title}</h1>
        <p class="actions"><a class="btn" href="/api/v1/admin/audit.csv" download="">{t().audit_export}</a></p>
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(list) => view! {
                        <div class="table-wrap">
                            <table>
                                <thead><tr>
                                    <th scope="col">{t().audit_when}</th>
                                    <th scope="col">{t().audit_who}</th>
                                    <th scope="col">{t().audit_action}</th>
                                    <th scope="col">{t().audit_object}</th>
                                    <th scope="col">{t().audit_change}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|e| view! {
                                        <tr>
                                            <td>{format_hanoi(e.at)}</td>
                                            <td>{e.actor}</td>
                                            <td class="mono">{e.action}</td>
                                            <td class="mono">{e.entity}" "{e.entity_id}</td>
                                            <td class="mono small">{e.before.unwrap_or_default()}" → "{e.after.unwrap_or_default()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Public, frozen results of a round (phone numbers masked).
#[component]
pub fn ResultsPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.read().get("id").and_then(|s| Uuid::parse_str(&s).ok()),
        |id| async move {
            match id {
                Some(id) => api::get_results(id).await,
                None => Err(crate::error::AppError::not_found(t().err_not_published)),
            }
        },
    );
    view! {
        <Title text=format!("{} — {}", t().results_title, t().app_name) />
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(r) => view! {
                        <section class="card" aria-labelledby="results-h">
                            <h1 id="results-h">{t().results_title}" — "{r.leaderboard.round_title.clone()}</h1>
                            <p class="muted">{t().results_published_at}" "{format_hanoi(r.published_at)}" · "{r.leaderboard.participants}" "{t().participants_count}</p>
                            <super::leaderboard::EntriesTable entries=r.leaderboard.entries id="results" />
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "Giải Nhất: 1" per line → prize tiers (lines that do not parse are skipped).
fn parse_tiers(text: &str) -> Vec<crate::model::PrizeTier> {
    text.lines()
        .filter_map(|l| {
            let (label, count) = l.rsplit_once(':')?;
            let count = count.trim().parse::<usize>().ok()?;
            (!label.trim().is_empty() && count > 0).then(|| crate::model::PrizeTier { label: label.trim().to_string(), count })
        })
        .collect()
}
