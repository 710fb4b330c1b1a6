//! Taking an attempt. The page is rendered on the server: an attempt in progress
//! becomes the `Quiz` island around its questions (rendered here, once: the island
//! never redraws them, it keeps answers on the device until acknowledged, pages
//! through the questions and counts down), a graded one its result. Without
//! JavaScript the quiz is one form, posted whole.
mod device;
pub mod outbox;
mod quiz;

use super::util::ErrorBox;
use crate::api;
use crate::domain::time::{format_hanoi, format_seconds};
use crate::domain::AttemptStatus;
use crate::error::AppError;
use crate::i18n::t;
use crate::model::{AttemptView, RefusedAnswer};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

pub use quiz::Quiz;

#[component]
pub fn AttemptPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.read_untracked().get("id").and_then(|s| Uuid::parse_str(&s).ok());
    let data = Resource::new(
        move || id,
        |id| async move {
            match id {
                Some(id) => api::get_attempt(id).await,
                None => Err(AppError::not_found(t().err_attempt_not_found)),
            }
        },
    );
    view! {
        <Title text=format!("{} — {}", t().btn_start, t().app_name) />
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(v) if v.status == AttemptStatus::InProgress => {
                        let meta = quiz::QuizMeta::of(&v);
                        view! {
                            <super::IslandHints island="quiz" />
                            <Quiz meta>
                                <QuizMarkup view=v />
                            </Quiz>
                        }.into_any()
                    }
                    Ok(v) => view! { <ResultView view=v refused=vec![] /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The quiz as the server draws it (the `Quiz` island brings it to life; without
/// JavaScript it is one form): the bar with progress and time left, the questions,
/// the navigation, the confirmation with the prediction, the overview. Elements the
/// island updates carry an `id`.
#[component]
fn QuizMarkup(view: AttemptView) -> impl IntoView {
    use crate::domain::time::format_duration;
    let n = view.items.len();
    let answered = view.items.iter().filter(|i| i.chosen_option_id.is_some()).count();
    let first_saved = view.items.first().is_some_and(|i| i.chosen_option_id.is_some());
    let left = view.deadline_at - view.server_now;
    let action = format!("/bai-thi/{}/nop", view.id);
    let overview = view
        .items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let done = item.chosen_option_id.is_some();
            let label = quiz::overview_label(i, done);
            view! {
                <li>
                    <button type="button" class=if done { "qbtn answered" } else { "qbtn" } data-i=i aria-label=label
                        aria-current=(i == 0).then_some("step")>
                        {i + 1}
                    </button>
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="quiz" id="quiz-main" aria-labelledby="quiz-title">
            <h1 id="quiz-title" class="quiz-title">{view.contest_title.clone()}" — "{view.round_title.clone()}</h1>
            <div class="quiz-bar">
                <div class="progress-wrap">
                    <label for="progress" class="sr-only">{t().answered}</label>
                    <progress id="progress" max=n value=answered></progress>
                    <span class="muted" id="answered-count">{format!("{answered}/{n} {}", t().answered)}</span>
                </div>
                <p class="timer" id="timer-box">
                    <span class="sr-only">{t().time_left}": "</span>
                    <span role="timer" id="timer" class="mono">{format_duration(left)}</span>
                </p>
            </div>
            <p class="outbox" id="outbox" role="status"></p>
            <p class="alert" role="status" id="time-up" hidden>{t().time_up}</p>
            <form id="quiz-form" class="quiz-form" method="post" action=action>
                <input type="hidden" name="attempt_id" value=view.id.to_string() />
                <fieldset class="questions" id="questions">
                    <legend class="sr-only">{t().overview}</legend>
                    <Questions items=view.items.clone() />
                </fieldset>
                <p id="save-state" class="save-state" aria-live="polite">{if first_saved { t().save_saved } else { "" }}</p>
                <div class="quiz-nav">
                    <button type="button" class="btn" id="btn-prev" disabled>{t().btn_prev}</button>
                    <button type="button" class="btn" id="btn-next" disabled=n < 2>{t().btn_next}</button>
                    <button type="button" class="btn btn-primary" id="btn-submit">{t().btn_submit}</button>
                </div>
                <div class="confirm card" id="confirm" role="region" aria-labelledby="confirm-h">
                    <h2 id="confirm-h">{t().confirm_submit}</h2>
                    <p class="alert" id="unanswered" hidden=answered == n>{format!("{} {}", t().unanswered_warning, n - answered)}</p>
                    {view.prediction_prompt.clone().map(|prompt| view! {
                        <div class="field">
                            <label for="prediction">{t().prediction_label}": "{prompt}</label>
                            <input id="prediction" name="prediction" type="number" inputmode="numeric" min="0" max="10000000" step="1"
                                aria-describedby="prediction-hint" />
                            <p class="hint" id="prediction-hint">{t().prediction_hint}</p>
                        </div>
                    })}
                    <p class="hint" role="status" id="submit-state" hidden></p>
                    <div class="actions">
                        <button type="submit" class="btn btn-primary" id="btn-confirm">{t().btn_confirm_submit}</button>
                        <button type="button" class="btn" id="btn-cancel">{t().btn_cancel}</button>
                    </div>
                </div>
            </form>
            <p class="alert" role="alert" id="quiz-error" hidden></p>
            <nav class="overview" aria-label=t().overview>
                <h2 class="sr-only">{t().overview}</h2>
                <ol>{overview}</ol>
            </nav>
        </section>
    }
}

/// The attempt's questions as radio groups named `answers[question]`, the first one
/// shown (`current`). Static: the browser's own radio buttons hold the choices.
#[component]
fn Questions(items: Vec<crate::model::ItemView>) -> impl IntoView {
    let n = items.len();
    items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let q = item.question_id;
            view! {
                <fieldset class=if i == 0 { "question current" } else { "question" } id=format!("q-{i}") aria-describedby="save-state">
                    <legend id=format!("stem-{q}")>
                        <span class="qnum">{format!("{} {}/{n}", t().question_n_of, i + 1)}</span>
                        <span class="stem">{item.stem}</span>
                    </legend>
                    <div class="options">
                        {item.options.into_iter().enumerate().map(|(k, o)| {
                            let input_id = format!("opt-{}", o.id);
                            let label_for = input_id.clone();
                            view! {
                                <label class="option" for=label_for>
                                    <input type="radio" id=input_id name=format!("answers[{q}]") value=o.id.to_string()
                                        checked=item.chosen_option_id == Some(o.id) />
                                    <span class="letter" aria-hidden="true">{["A", "B", "C", "D", "E", "F"].get(k).copied().unwrap_or("")}</span>
                                    <span class="text">{o.text}</span>
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
            }
        })
        .collect_view()
}

/// A graded attempt: score, time, rank; the answers and explanations once the round
/// has closed; and any answer the server refused at the end.
#[component]
pub fn ResultView(view: AttemptView, refused: Vec<RefusedAnswer>) -> impl IntoView {
    use leptos::either::Either;
    let Some(r) = view.result.clone() else {
        return Either::Left(view! { <ErrorBox error=AppError::internal() /> });
    };
    let position = |q: Uuid| view.items.iter().position(|i| i.question_id == q).map(|p| p + 1).unwrap_or(0);
    let refused_list = (!refused.is_empty()).then(|| {
        let lines: Vec<String> =
            refused.iter().map(|x| format!("{} {}: {}", t().question_n_of, position(x.question_id), x.message)).collect();
        view! {
            <div class="alert" role="alert" id="refused">
                <p>{t().refused_title}</p>
                <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
            </div>
        }
    });
    let review = r.review.clone().map(|review| {
        let items = view.items.clone();
        view! {
            <section aria-labelledby="review-h">
                <h2 id="review-h">{t().result_review}</h2>
                <ol class="review">
                    {review.into_iter().map(|ri| {
                        let item = items.iter().find(|i| i.question_id == ri.question_id).cloned();
                        let text_of = |id: Option<Uuid>| {
                            id.and_then(|id| item.as_ref().and_then(|i| i.options.iter().find(|o| o.id == id)).map(|o| o.text.clone()))
                        };
                        let correct = ri.chosen_option_id == Some(ri.correct_option_id);
                        view! {
                            <li class="review-item" class:correct=correct>
                                <p class="stem">{item.as_ref().map(|i| i.stem.clone())}</p>
                                <p>{t().your_answer}": " <strong>{text_of(ri.chosen_option_id).unwrap_or_else(|| t().no_answer.to_string())}</strong>
                                    {if correct { " ✓" } else { " ✗" }}</p>
                                <p>{t().correct_answer}": " <strong>{text_of(Some(ri.correct_option_id))}</strong></p>
                                <p><em>{t().explanation}": "</em>{ri.explanation}</p>
                                <p class="muted">{t().citation}": "{ri.source}" — "{ri.passage}</p>
                            </li>
                        }
                    }).collect_view()}
                </ol>
            </section>
        }
    });
    Either::Right(view! {
        <section class="card result" aria-labelledby="result-h">
            <p class="eyebrow">{view.contest_title.clone()}" — "{view.round_title.clone()}" · "{t().col_attempt}" "{view.seq}</p>
            <h1 id="result-h">{t().result_title}</h1>
            {refused_list}
            <dl class="stats">
                <div><dt>{t().result_score}</dt><dd id="score">{r.score}"/"{r.max_score}</dd></div>
                <div><dt>{t().result_time}</dt><dd>{format_seconds(r.time_used_ms)}</dd></div>
                <div><dt>{t().result_rank}</dt><dd>{r.rank.map(|k| format!("{k} {} {}", t().result_rank_of, r.ranked)).unwrap_or_else(|| "—".into())}</dd></div>
                {r.prediction.map(|p| view! { <div><dt>{t().result_prediction}</dt><dd>{p}</dd></div> })}
            </dl>
            <p class="muted">{crate::i18n::status_label(view.status)}" · "{format_hanoi(r.finished_at)}</p>
            {if r.review.is_none() { Some(view! { <p>{t().result_review_later}</p> }) } else { None }}
            <div class="actions">
                <a href=format!("/bang-xep-hang/{}", view.round_id) class="btn">{t().btn_leaderboard}</a>
                <a href="/" class="btn btn-primary">{t().back_home}</a>
            </div>
        </section>
        {review}
    })
}
