//! Taking an attempt. The page is rendered on the server: an attempt in progress
//! becomes the `Quiz` island around its questions (rendered here, once: the island
//! never redraws them, it keeps answers on the device until acknowledged, pages
//! through the questions and counts down), a graded one its result. Without
//! JavaScript the quiz is one form, posted whole.
pub mod outbox;
mod quiz;
mod store;

use super::api;
use super::util::ErrorBox;
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
                                <Questions items=v.items />
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
        let lines: Vec<String> = refused
            .iter()
            .map(|x| format!("{} {}: {}", t().question_n_of, position(x.question_id), x.message))
            .collect();
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
