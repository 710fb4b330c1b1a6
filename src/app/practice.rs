//! Practice: untimed questions by topic or mixed, with the answer, the
//! explanation and the source as soon as one answers. Never counted.
use super::api;
use super::util::ErrorBox;
use crate::error::AppError;
use crate::i18n::{source_title, t};
use crate::model::{PracticeFeedback, PracticeQuestion, TopicDto, TopicStat};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_query_map};
use uuid::Uuid;

#[component]
pub fn PracticePage() -> impl IntoView {
    let query = use_query_map();
    let topic = move || query.read().get("chu-de").filter(|s| !s.is_empty());
    let topics = Resource::new(|| (), |_| api::list_topics());
    // Counts answers given here, so that the summary follows them.
    let answered = RwSignal::new(0u32);
    view! {
        <Title text=format!("{} — {}", t().practice_title, t().app_name) />
        <section class="hero">
            <h1>{t().practice_title}</h1>
            <p>{t().practice_intro}</p>
        </section>
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match topics.await {
                    Ok(list) => view! { <TopicNav topics=list current=topic() /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
        {move || view! { <Drill topic=topic() answered /> }}
        <Summary answered />
    }
}

#[component]
fn TopicNav(topics: Vec<TopicDto>, current: Option<String>) -> impl IntoView {
    let link = |slug: Option<String>, name: String, current: &Option<String>| {
        let here = *current == slug;
        let href = slug.map(|s| format!("/luyen-tap?chu-de={s}")).unwrap_or_else(|| "/luyen-tap".into());
        view! { <li><A href=href attr:class=if here { "chip current" } else { "chip" } attr:aria-current=here.then_some("page")>{name}</A></li> }
    };
    view! {
        <nav aria-label=t().practice_choose_topic class="chips">
            <ul>
                {link(None, t().practice_mixed.to_string(), &current)}
                {topics.into_iter().map(|tp| link(Some(tp.slug), tp.name, &current)).collect_view()}
            </ul>
        </nav>
    }
}

/// One question at a time: choose, check, read why, go on.
#[component]
fn Drill(topic: Option<String>, answered: RwSignal<u32>) -> impl IntoView {
    let recent = StoredValue::new(Vec::<Uuid>::new());
    let question = RwSignal::new(None::<Result<PracticeQuestion, AppError>>);
    let chosen = RwSignal::new(None::<Uuid>);
    let feedback = RwSignal::new(None::<Result<PracticeFeedback, AppError>>);
    let busy = RwSignal::new(false);
    let load = {
        let topic = topic.clone();
        move || {
            let topic = topic.clone();
            busy.set(true);
            spawn_local(async move {
                let r = api::practice_next(topic, recent.get_value()).await;
                if let Ok(q) = &r {
                    recent.update_value(|v| {
                        v.push(q.question_id);
                        if v.len() > 30 {
                            v.remove(0);
                        }
                    });
                }
                chosen.set(None);
                feedback.set(None);
                question.set(Some(r));
                busy.set(false);
            });
        }
    };
    // The first question loads in the browser (practice is drawn at random).
    let first = load.clone();
    Effect::new(move |_| first());
    let check = move || {
        let (Some(Ok(q)), Some(o)) = (question.get_untracked(), chosen.get_untracked()) else { return };
        busy.set(true);
        spawn_local(async move {
            feedback.set(Some(api::practice_answer(q.question_id, o).await));
            busy.set(false);
            answered.update(|n| *n += 1);
        });
    };
    view! {
        <section class="card practice" aria-live="polite">
            {move || match question.get() {
                None => view! { <p>{t().loading}</p> }.into_any(),
                Some(Err(error)) => view! { <ErrorBox error /> }.into_any(),
                Some(Ok(q)) => {
                    let answered = move || feedback.get().is_some();
                    let fb = move || feedback.get().and_then(|f| f.ok());
                    view! {
                        <fieldset class="question">
                            <legend>
                                <span class="qnum">{q.topic_name.clone()}</span>
                                <span class="stem">{q.stem.clone()}</span>
                            </legend>
                            <div class="options">
                                {q.options.iter().map(|o| {
                                    let oid = o.id;
                                    let id = format!("p-{oid}");
                                    let label_for = id.clone();
                                    let state = move || match fb() {
                                        Some(f) if f.correct_option_id == oid => "option right",
                                        Some(_) if chosen.get() == Some(oid) => "option wrong",
                                        _ => "option",
                                    };
                                    view! {
                                        <label class=state for=label_for>
                                            <input type="radio" id=id name="practice" value=oid.to_string()
                                                prop:checked=move || chosen.get() == Some(oid)
                                                prop:disabled=answered
                                                on:change=move |_| chosen.set(Some(oid)) />
                                            <span class="text">{o.text.clone()}</span>
                                        </label>
                                    }
                                }).collect_view()}
                            </div>
                        </fieldset>
                        {move || match feedback.get() {
                            None => view! {
                                <button type="button" class="btn btn-primary" on:click=move |_| check()
                                    disabled=move || chosen.get().is_none() || busy.get()>{t().practice_check}</button>
                            }.into_any(),
                            Some(Err(error)) => view! { <ErrorBox error /> }.into_any(),
                            Some(Ok(f)) => view! {
                                <div class=if f.correct { "feedback right" } else { "feedback wrong" } role="status">
                                    <p class="verdict"><strong>{if f.correct { t().practice_right } else { t().practice_wrong }}</strong></p>
                                    <p><em>{t().explanation}": "</em>{f.explanation.clone()}</p>
                                    <p class="cite">{t().citation}": "{source_title(&f.source).to_string()}" — "{f.passage.clone()}</p>
                                </div>
                            }.into_any(),
                        }}
                    }.into_any()
                }
            }}
            <div class="actions">
                <button type="button" class="btn" on:click={
                    let load = load.clone();
                    move |_| load()
                } disabled=move || busy.get()>{t().practice_next}</button>
            </div>
        </section>
    }
}

#[component]
fn Summary(answered: RwSignal<u32>) -> impl IntoView {
    let summary = Resource::new(move || answered.get(), |_| api::practice_summary());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match summary.await {
                    Ok(Some(stats)) => view! { <SummaryTable stats /> }.into_any(),
                    Ok(None) => view! { <p class="muted">{t().practice_login_hint}</p> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn SummaryTable(stats: Vec<TopicStat>) -> impl IntoView {
    let weakest = stats.first().cloned();
    view! {
        <section aria-labelledby="sum-h" class="card">
            <h2 id="sum-h">{t().practice_summary}</h2>
            {weakest.map(|w| view! {
                <p>{t().practice_weakest}": " <A href=format!("/luyen-tap?chu-de={}", w.slug)>{w.name.clone()}</A></p>
            })}
            <div class="table-wrap">
                <table>
                    <thead><tr>
                        <th scope="col">{t().bank_topic}</th>
                        <th scope="col">{t().practice_answered}</th>
                        <th scope="col">{t().practice_correct_rate}</th>
                    </tr></thead>
                    <tbody>
                        {stats.into_iter().map(|s| view! {
                            <tr>
                                <td><A href=format!("/luyen-tap?chu-de={}", s.slug)>{s.name.clone()}</A></td>
                                <td>{s.answered}</td>
                                <td>{if s.answered == 0 { t().practice_none_yet.to_string() } else { format!("{}/{} ({}%)", s.correct, s.answered, s.correct * 100 / s.answered) }}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </section>
    }
}
