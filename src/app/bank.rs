//! Organizers' question bank: filter, edit (versioned), retire, topics, and
//! import/export in CSV and XLSX with a preview before anything changes.
//! Lazy islands: this code loads only on the bank's pages.
use super::util::ErrorBox;
use crate::api;
use crate::domain::question::QuestionDraft;
use crate::i18n::{difficulty_label, t};
use crate::model::{BankFilter, BankItem, BankPage, ImportDone, ImportPreview, TopicDto};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

#[component]
pub fn BankListPage() -> impl IntoView {
    let query = use_query_map();
    let filter = query.with_untracked(|q| {
        let get = |k: &str| q.get(k).filter(|v| !v.is_empty());
        BankFilter {
            q: get("q"),
            topic: get("topic"),
            difficulty: get("difficulty").and_then(|d| d.parse().ok()),
            status: get("status"),
            page: get("page").and_then(|p| p.parse().ok()),
        }
    });
    view! {
        <Title text=format!("{} — {}", t().bank_title, t().app_name) />
        <h1>{t().bank_title}</h1>
        <crate::app::organizer::Console part=crate::app::organizer::Part::Bank(filter) />
    }
}

#[component]
pub(crate) fn BankConsole(filter: BankFilter) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let f = filter.clone();
    let data = Resource::new(move || refresh.get(), move |_| api::bank_list(f.clone()));
    view! {
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || {
                let filter = filter.clone();
                Suspend::new(async move {
                    match data.await {
                        Ok(page) => view! { <Bank page filter refresh /> }.into_any(),
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

fn page_href(f: &BankFilter, page: usize) -> String {
    let enc = |s: &str| s.replace('%', "%25").replace('&', "%26").replace(' ', "+").replace('#', "%23");
    let mut parts = vec![format!("page={page}")];
    if let Some(q) = &f.q {
        parts.push(format!("q={}", enc(q)));
    }
    if let Some(v) = &f.topic {
        parts.push(format!("topic={}", enc(v)));
    }
    if let Some(v) = f.difficulty {
        parts.push(format!("difficulty={v}"));
    }
    if let Some(v) = &f.status {
        parts.push(format!("status={}", enc(v)));
    }
    format!("/quan-tri/cau-hoi?{}", parts.join("&"))
}

#[component]
fn Bank(page: BankPage, filter: BankFilter, refresh: RwSignal<u32>) -> impl IntoView {
    let topics = page.topics.clone();
    let topic_name = {
        let topics = topics.clone();
        move |slug: &str| topics.iter().find(|t| t.slug == slug).map(|t| t.name.clone()).unwrap_or_else(|| slug.to_string())
    };
    let status_action = Action::new(move |(id, retired): &(Uuid, bool)| {
        let (id, retired) = (*id, *retired);
        async move {
            let r = api::bank_set_status(id, retired).await;
            refresh.update(|n| *n += 1);
            r
        }
    });
    let sel = |v: Option<&str>, want: &str| v == Some(want);
    view! {
        <form method="get" action="/quan-tri/cau-hoi" class="card filters" role="search">
            <div class="field">
                <label for="f-q">{t().bank_search}</label>
                <input id="f-q" name="q" type="search" value=filter.q.clone().unwrap_or_default() />
            </div>
            <div class="row">
                <div class="field">
                    <label for="f-topic">{t().bank_topic}</label>
                    <select id="f-topic" name="topic">
                        <option value="">{t().bank_all}</option>
                        {topics.iter().map(|tp| view! {
                            <option value=tp.slug.clone() selected=sel(filter.topic.as_deref(), &tp.slug)>{tp.name.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-diff">{t().bank_difficulty}</label>
                    <select id="f-diff" name="difficulty">
                        <option value="">{t().bank_all}</option>
                        {(1..=3).map(|d| view! { <option value=d.to_string() selected=filter.difficulty == Some(d)>{difficulty_label(d)}</option> }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-status">{t().bank_status}</label>
                    <select id="f-status" name="status">
                        <option value="">{t().bank_all}</option>
                        <option value="active" selected=sel(filter.status.as_deref(), "active")>{t().bank_active}</option>
                        <option value="retired" selected=sel(filter.status.as_deref(), "retired")>{t().bank_retired}</option>
                    </select>
                </div>
            </div>
            <button type="submit" class="btn">{t().bank_filter}</button>
        </form>
        <div class="actions">
            <a href="/quan-tri/cau-hoi/moi" class="btn btn-primary">{t().bank_new}</a>
            <a class="btn" href="/api/v1/admin/questions/files/export.xlsx" download="">{t().bank_export}" (XLSX)"</a>
            <a class="btn" href="/api/v1/admin/questions/files/export.csv" download="">{t().bank_export}" (CSV)"</a>
        </div>
        <p class="muted" id="bank-count">{page.total}" "{t().bank_total}" · "{t().bank_page}" "{page.page}"/"{page.pages}</p>
        {move || status_action.value().get().and_then(|r| r.err()).map(|error| view! { <ErrorBox error /> })}
        <div class="table-wrap">
            <table class="bank">
                <thead><tr>
                    <th scope="col">{t().bank_key}</th>
                    <th scope="col">{t().bank_stem}</th>
                    <th scope="col">{t().bank_topic}</th>
                    <th scope="col">{t().bank_difficulty}</th>
                    <th scope="col">{t().bank_status}</th>
                    <th scope="col">{t().bank_version}</th>
                    <th scope="col"><span class="sr-only">{t().bank_edit}</span></th>
                </tr></thead>
                <tbody>
                    {page.items.into_iter().map(|q| {
                        let retired = q.status == "retired";
                        let id = q.id;
                        view! {
                            <tr class:retired=retired>
                                <td class="mono">{q.key.clone().unwrap_or_default()}</td>
                                <td>{q.stem.clone()}</td>
                                <td>{topic_name(&q.topic)}</td>
                                <td>{difficulty_label(q.difficulty)}</td>
                                <td>{if retired { t().bank_retired } else { t().bank_active }}</td>
                                <td>{q.version}</td>
                                <td class="row-actions">
                                    <a href=format!("/quan-tri/cau-hoi/{id}")>{t().bank_edit}</a>
                                    <button type="button" class="btn btn-quiet btn-small" on:click=move |_| { status_action.dispatch((id, !retired)); }>
                                        {if retired { t().bank_restore } else { t().bank_retire }}
                                    </button>
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <nav class="actions" aria-label=t().bank_page>
            {(page.page > 1).then(|| view! { <a href=page_href(&filter, page.page - 1) class="btn">{t().bank_prev}</a> })}
            {(page.page < page.pages).then(|| view! { <a href=page_href(&filter, page.page + 1) class="btn">{t().bank_next}</a> })}
        </nav>
        <Import refresh />
        <Topics topics=page.topics refresh />
    }
}

#[component]
fn Import(refresh: RwSignal<u32>) -> impl IntoView {
    let preview = Action::new_local(|data: &super::util::FormData| api::bank_preview_import(data.clone().into()));
    let commit = Action::new(move |id: &Uuid| {
        let id = *id;
        async move {
            let r: Result<ImportDone, _> = api::bank_commit_import(id).await;
            refresh.update(|n| *n += 1);
            r
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(data) = super::util::form_data(ev) {
            commit.value().set(None);
            preview.dispatch_local(data);
        }
    };
    view! {
        <section class="card" aria-labelledby="import-h">
            <h2 id="import-h">{t().bank_import}</h2>
            <p class="muted">{t().bank_import_hint}" "
                <a href="/api/v1/admin/questions/files/template.xlsx" download="">{t().bank_template}" XLSX"</a>" · "
                <a href="/api/v1/admin/questions/files/template.csv" download="">{t().bank_template}" CSV"</a>
            </p>
            <form on:submit=on_submit class="form">
                <div class="field">
                    <label for="bank-file">{t().bank_file}</label>
                    <input id="bank-file" name="file" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" required />
                </div>
                <button type="submit" class="btn btn-primary" disabled=move || preview.pending().get()>{t().bank_upload}</button>
            </form>
            <Show when=move || preview.pending().get() || commit.pending().get()>
                <p role="status">
                    <progress aria-label=t().bank_checking></progress>" "
                    {move || if commit.pending().get() { t().bank_importing } else { t().bank_checking }}
                </p>
            </Show>
            {move || preview.value().get().map(|r| match r {
                Err(error) => view! { <ErrorBox error /> }.into_any(),
                Ok(p) => view! { <Preview p commit /> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn Preview(p: ImportPreview, commit: Action<Uuid, Result<ImportDone, crate::error::AppError>>) -> impl IntoView {
    let id = p.import_id;
    view! {
        <div class="preview" aria-live="polite">
            <h3>{t().bank_preview}": "{p.file_name.clone()}</h3>
            {p.file_error.clone().map(|e| view! { <p class="alert" role="alert">{e}</p> })}
            {(!p.row_errors.is_empty()).then(|| view! {
                <div role="alert">
                    <p class="alert">{t().bank_errors}" "{p.row_errors.len()}"/"{p.rows}" "{t().bank_rows}</p>
                    <div class="table-wrap">
                        <table id="import-errors">
                            <thead><tr><th scope="col">{t().bank_row}</th><th scope="col">{t().bank_errors}</th></tr></thead>
                            <tbody>
                                {p.row_errors.iter().map(|e| view! {
                                    <tr><td>{e.row}</td><td>{e.reasons.join("; ")}</td></tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                </div>
            })}
            {id.map(|id| view! {
                <p id="import-summary">{p.rows}" "{t().bank_rows}": "{p.creates}" "{t().bank_creates}", "{p.updates}" "{t().bank_updates}", "{p.unchanged}" "{t().bank_unchanged}"."</p>
                {move || match commit.value().get() {
                    None => view! {
                        <button type="button" class="btn btn-primary" on:click=move |_| { commit.dispatch(id); } disabled=move || commit.pending().get()>
                            {t().bank_confirm_import}
                        </button>
                    }.into_any(),
                    Some(Ok(done)) => view! {
                        <p class="ok" role="status">{t().bank_imported}": "{done.creates}" "{t().bank_creates}", "{done.updates}" "{t().bank_updates}"."</p>
                    }.into_any(),
                    Some(Err(error)) => view! { <ErrorBox error /> }.into_any(),
                }}
            })}
        </div>
    }
}

#[component]
fn Topics(topics: Vec<TopicDto>, refresh: RwSignal<u32>) -> impl IntoView {
    let add = ServerAction::<api::AddTopic>::new();
    Effect::new(move |prev: Option<usize>| {
        let v = add.version().get();
        if prev.is_some_and(|p| p != v) && matches!(add.value().get_untracked(), Some(Ok(()))) {
            refresh.update(|n| *n += 1);
        }
        v
    });
    view! {
        <section class="card" aria-labelledby="topics-h">
            <h2 id="topics-h">{t().bank_topics}</h2>
            <ul>{topics.into_iter().map(|tp| view! { <li><span class="mono">{tp.slug}</span>" — "{tp.name}</li> }).collect_view()}</ul>
            <ActionForm action=add attr:class="form">
                <div class="row">
                    <div class="field"><label for="t-slug">{t().bank_topic_slug}</label><input id="t-slug" name="slug" type="text" required maxlength="40" pattern="[a-z0-9-]+" /></div>
                    <div class="field"><label for="t-name">{t().bank_topic_name}</label><input id="t-name" name="name" type="text" required maxlength="120" /></div>
                </div>
                {super::util::action_error(move || add.value().get())}
                <button type="submit" class="btn">{t().bank_topic_add}</button>
            </ActionForm>
        </section>
    }
}

#[component]
pub fn BankEditPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.read_untracked().get("id").and_then(|s| Uuid::parse_str(&s).ok());
    view! {
        <Title text=format!("{} — {}", t().bank_title, t().app_name) />
        <p class="eyebrow"><a href="/quan-tri/cau-hoi">{t().bank_title}</a></p>
        <crate::app::organizer::Console part=crate::app::organizer::Part::BankEdit(id) />
    }
}

#[component]
pub(crate) fn BankEditor(id: Option<Uuid>) -> impl IntoView {
    let data = Resource::new(
        || (),
        move |_| async move {
            let topics = api::list_topics().await?;
            let item = match id {
                Some(id) => Some(api::bank_get(id).await?),
                None => None,
            };
            Ok::<_, crate::error::AppError>((topics, item))
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((topics, item)) => view! { <EditForm topics item /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn EditForm(topics: Vec<TopicDto>, item: Option<BankItem>) -> impl IntoView {
    let id = item.as_ref().map(|i| i.id);
    let heading = match &item {
        Some(i) => format!("{} {} · {} {}", t().bank_edit, i.key.clone().unwrap_or_default(), t().bank_version, i.version),
        None => t().bank_new.to_string(),
    };
    let get = |f: fn(&BankItem) -> String| item.as_ref().map(f).unwrap_or_default();
    let stem = RwSignal::new(get(|i| i.stem.clone()));
    let explanation = RwSignal::new(get(|i| i.explanation.clone()));
    let source = RwSignal::new(get(|i| i.source.clone()));
    let passage = RwSignal::new(get(|i| i.passage.clone()));
    let group = RwSignal::new(get(|i| i.group.clone()));
    let topic =
        RwSignal::new(item.as_ref().map(|i| i.topic.clone()).unwrap_or_else(|| topics.first().map(|t| t.slug.clone()).unwrap_or_default()));
    let difficulty = RwSignal::new(item.as_ref().map(|i| i.difficulty).unwrap_or(2));
    let correct = RwSignal::new(item.as_ref().map(|i| i.correct).unwrap_or(0));
    let options: Vec<RwSignal<String>> =
        (0..6).map(|k| RwSignal::new(item.as_ref().and_then(|i| i.options.get(k).cloned()).unwrap_or_default())).collect();
    let opts = options.clone();
    let save = Action::new(move |_: &()| {
        let mut texts: Vec<String> = opts.iter().map(|o| o.get_untracked()).collect();
        while texts.len() > 2 && texts.last().is_some_and(|s| s.trim().is_empty()) {
            texts.pop();
        }
        let draft = QuestionDraft {
            key: None,
            topic: topic.get_untracked(),
            difficulty: difficulty.get_untracked(),
            stem: stem.get_untracked(),
            options: texts,
            correct: correct.get_untracked(),
            explanation: explanation.get_untracked(),
            source: source.get_untracked(),
            passage: passage.get_untracked(),
            group: group.get_untracked(),
        };
        async move { api::bank_save(id, draft).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(saved)) = save.value().get() {
            if id.is_none() {
                let _ = window().location().set_href(&format!("/quan-tri/cau-hoi/{saved}"));
            }
        }
    });
    let text_field = |fid: &'static str, label: &'static str, sig: RwSignal<String>, rows: u32| {
        view! {
            <div class="field">
                <label for=fid>{label}</label>
                <textarea id=fid rows=rows prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev))></textarea>
            </div>
        }
    };
    view! {
        <section class="card">
            <h1>{heading}</h1>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
                {text_field("q-stem", t().bank_stem, stem, 3)}
                <fieldset class="field">
                    <legend>{t().bank_option}" · "{t().bank_correct}</legend>
                    {options.iter().enumerate().map(|(k, sig)| {
                        let sig = *sig;
                        let oid = format!("q-opt-{k}");
                        let label_for = oid.clone();
                        view! {
                            <div class="option-edit">
                                <input type="radio" name="correct" id=format!("q-correct-{k}") aria-label=format!("{} {}: {}", t().bank_option, k + 1, t().bank_correct)
                                    prop:checked=move || correct.get() == k on:change=move |_| correct.set(k) />
                                <label for=label_for class="sr-only">{t().bank_option}" "{k + 1}</label>
                                <input type="text" id=oid placeholder=format!("{} {}", t().bank_option, k + 1)
                                    prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) />
                            </div>
                        }
                    }).collect_view()}
                </fieldset>
                <div class="row">
                    <div class="field">
                        <label for="q-topic">{t().bank_topic}</label>
                        <select id="q-topic" on:change=move |ev| topic.set(event_target_value(&ev))>
                            {topics.iter().map(|tp| {
                                let slug = tp.slug.clone();
                                let s2 = slug.clone();
                                view! { <option value=slug selected=move || topic.get() == s2>{tp.name.clone()}</option> }
                            }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="q-diff">{t().bank_difficulty}</label>
                        <select id="q-diff" on:change=move |ev| difficulty.set(event_target_value(&ev).parse().unwrap_or(2))>
                            {(1..=3).map(|d| view! { <option value=d.to_string() selected=move || difficulty.get() == d>{difficulty_label(d)}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
                {text_field("q-expl", t().bank_explanation, explanation, 3)}
                {text_field("q-source", t().bank_source, source, 1)}
                {text_field("q-passage", t().bank_passage, passage, 2)}
                {text_field("q-group", t().bank_group, group, 1)}
                {move || save.value().get().map(|r| match r {
                    Ok(_) => view! { <p class="ok" role="status">{t().bank_saved}</p> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                })}
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>{t().bank_save}</button>
            </form>
        </section>
    }
}
