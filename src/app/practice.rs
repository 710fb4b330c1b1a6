//! Practice: untimed questions by topic or mixed, with the answer, the
//! explanation and the source as soon as one answers. Never counted.
//!
//! The page is rendered on the server with a first question; the `Drill` island
//! answers and moves on without reloading. Without JavaScript the same form is a
//! GET of `/luyen-tap?chu-de=&cau=&chon=`, answered by the server.
use super::rest;
use super::util::ErrorBox;
use crate::api;
use crate::error::AppError;
use crate::i18n::{source_title, t};
use crate::model::{PracticeFeedback, PracticeQuestion, TopicDto, TopicStat};
use leptos::either::{Either, EitherOf3};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

#[component]
pub fn PracticePage() -> impl IntoView {
    let query = use_query_map();
    let (topic, asked) = query.with_untracked(|q| {
        let topic = q.get("chu-de").filter(|s| !s.is_empty());
        let id = |k: &str| q.get(k).and_then(|s| Uuid::parse_str(&s).ok());
        (topic, id("cau").zip(id("chon")))
    });
    let topics = Resource::new(|| (), |_| api::list_topics());
    let first_topic = topic.clone();
    let first = Resource::new(
        || (),
        move |_| {
            let topic = first_topic.clone();
            async move {
                match asked {
                    Some((q, o)) => api::practice_checked(q, o).await.map(|(q, f)| (q, Some(f))),
                    None => api::practice_next(topic, vec![]).await.map(|q| (q, None)),
                }
            }
        },
    );
    let summary = Resource::new(|| (), |_| api::practice_summary());
    let current = topic.clone();
    view! {
        <Title text=format!("{} — {}", t().practice_title, t().app_name) />
        <section class="hero">
            <h1>{t().practice_title}</h1>
            <p>{t().practice_intro}</p>
        </section>
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || {
                let current = current.clone();
                Suspend::new(async move {
                    match topics.await {
                        Ok(list) => view! { <TopicNav topics=list current /> }.into_any(),
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || {
                let topic = topic.clone();
                Suspend::new(async move {
                    let summary = summary.await.ok().flatten();
                    match first.await {
                        Ok((question, feedback)) => view! {
                            <super::IslandHints island="drill" />
                            <Drill topic question feedback chose=asked.map(|(_, o)| o) summary />
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn TopicNav(topics: Vec<TopicDto>, current: Option<String>) -> impl IntoView {
    let link = |slug: Option<String>, name: String, current: &Option<String>| {
        let here = *current == slug;
        let href = slug.map(|s| format!("/luyen-tap?chu-de={s}")).unwrap_or_else(|| "/luyen-tap".into());
        view! { <li><a href=href class=if here { "chip current" } else { "chip" } aria-current=here.then_some("page")>{name}</a></li> }
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

#[derive(serde::Serialize)]
struct AnswerBody {
    question_id: Uuid,
    option_id: Uuid,
}

fn next_href(topic: &Option<String>) -> String {
    match topic {
        Some(s) => format!("/luyen-tap?chu-de={s}"),
        None => "/luyen-tap".into(),
    }
}

/// One question at a time: choose, check, read why, go on.
#[island(lazy)]
fn Drill(
    topic: Option<String>,
    question: PracticeQuestion,
    feedback: Option<PracticeFeedback>,
    chose: Option<Uuid>,
    summary: Option<Vec<TopicStat>>,
) -> impl IntoView {
    let recent = StoredValue::new(vec![question.question_id]);
    let chosen = RwSignal::new(chose);
    let question = RwSignal::new(Ok::<_, AppError>(question));
    let feedback = RwSignal::new(feedback.map(Ok::<_, AppError>));
    let summary = RwSignal::new(summary);
    let busy = RwSignal::new(false);
    let next_link = next_href(&topic);
    let load = move || {
        let topic = topic.clone();
        busy.set(true);
        spawn_local(async move {
            let recent_ids = recent.get_value().iter().map(|id| id.to_string()).collect::<Vec<_>>().join(",");
            let url = match &topic {
                Some(t) => format!("/api/v1/practice/next?topic={t}&recent={recent_ids}"),
                None => format!("/api/v1/practice/next?recent={recent_ids}"),
            };
            let r = rest::get::<PracticeQuestion>(&url).await;
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
            question.set(r);
            busy.set(false);
        });
    };
    let check = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (Ok(q), Some(o)) = (question.get_untracked(), chosen.get_untracked()) else { return };
        busy.set(true);
        spawn_local(async move {
            let body = AnswerBody { question_id: q.question_id, option_id: o };
            feedback.set(Some(rest::post::<_, PracticeFeedback>("/api/v1/practice/answer", &body).await));
            busy.set(false);
            // the summary follows (only a signed-in participant has one)
            if summary.with_untracked(|s| s.is_some()) {
                if let Ok(s) = rest::get::<Vec<TopicStat>>("/api/v1/me/practice").await {
                    summary.set(Some(s));
                }
            }
        });
    };
    let body = move || match question.get() {
        Err(error) => Either::Left(view! { <ErrorBox error /> }),
        Ok(q) => {
            let answered = move || feedback.with(|f| f.is_some());
            let fb = move || feedback.get().and_then(|f| f.ok());
            Either::Right(view! {
                <input type="hidden" name="cau" value=q.question_id.to_string() />
                <fieldset class="question">
                    <legend>
                        <span class="qnum">{q.topic_name.clone()}</span>
                        <span class="stem">{q.stem.clone()}</span>
                    </legend>
                    <div class="options">
                        {q.options.iter().map(|o| {
                            let oid = o.id;
                            let id = format!("p-{oid}");
                            let state = move || match fb() {
                                Some(f) if f.correct_option_id == oid => "option right",
                                Some(_) if chosen.get() == Some(oid) => "option wrong",
                                _ => "option",
                            };
                            view! {
                                <label class=state for=id.clone()>
                                    <input type="radio" id=id.clone() name="chon" value=oid.to_string() required
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
                    None => EitherOf3::A(view! {
                        <button type="submit" class="btn btn-primary" disabled=move || busy.get()>{t().practice_check}</button>
                    }),
                    Some(Err(error)) => EitherOf3::B(view! { <ErrorBox error /> }),
                    Some(Ok(f)) => EitherOf3::C(view! {
                        <div class=if f.correct { "feedback right" } else { "feedback wrong" } role="status">
                            <p class="verdict"><strong>{if f.correct { t().practice_right } else { t().practice_wrong }}</strong></p>
                            <p><em>{t().explanation}": "</em>{f.explanation.clone()}</p>
                            <p class="cite">{t().citation}": "{source_title(&f.source).to_string()}" — "{f.passage.clone()}</p>
                        </div>
                    }),
                }}
            })
        }
    };
    view! {
        <section class="card practice" aria-live="polite">
            <form method="get" action="/luyen-tap" on:submit=check>
                {topic_input(&next_link)}
                {body}
            </form>
            <div class="actions">
                <button type="button" class="btn script-only" on:click=move |_| load() disabled=move || busy.get()>{t().practice_next}</button>
                <a class="btn noscript-only" href=next_link.clone()>{t().practice_next}</a>
            </div>
        </section>
        {move || match summary.get() {
            Some(stats) => Either::Left(view! { <SummaryTable stats /> }),
            None => Either::Right(view! { <p class="muted">{t().practice_login_hint}</p> }),
        }}
    }
}

/// The topic, carried by the plain form.
fn topic_input(next_link: &str) -> Option<impl IntoView> {
    next_link.strip_prefix("/luyen-tap?chu-de=").map(|slug| view! { <input type="hidden" name="chu-de" value=slug.to_string() /> })
}

#[component]
fn SummaryTable(stats: Vec<TopicStat>) -> impl IntoView {
    let weakest = stats.first().cloned();
    view! {
        <section aria-labelledby="sum-h" class="card">
            <h2 id="sum-h">{t().practice_summary}</h2>
            {weakest.map(|w| view! {
                <p>{t().practice_weakest}": " <a href=format!("/luyen-tap?chu-de={}", w.slug)>{w.name.clone()}</a></p>
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
                                <td><a href=format!("/luyen-tap?chu-de={}", s.slug)>{s.name.clone()}</a></td>
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
