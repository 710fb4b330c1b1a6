//! Taking an attempt: one question per screen, answers saved as they are chosen,
//! a countdown on the server's clock, submit or auto-submit; then the result.
use super::api;
use super::util::{client_now, retryable, server_clock, sleep_ms, ErrorBox};
use crate::domain::time::{format_duration, format_hanoi, format_seconds};
use crate::domain::AttemptStatus;
use crate::error::{AppError, ErrorCode};
use crate::i18n::t;
use crate::model::{AttemptView, ItemView};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use uuid::Uuid;

#[component]
pub fn AttemptPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.read().get("id").and_then(|s| Uuid::parse_str(&s).ok());
    let reload = RwSignal::new(0u32);
    let data = Resource::new(
        move || (id(), reload.get()),
        |(id, _)| async move {
            match id {
                Some(id) => api::get_attempt(id).await,
                None => Err(AppError::not_found(t().err_attempt_not_found)),
            }
        },
    );
    let done = RwSignal::new(None::<AttemptView>);
    view! {
        <Title text=format!("{} — {}", t().btn_start, t().app_name) />
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                let loaded = data.await;
                if let Some(v) = done.get() {
                    return view! { <ResultView view=v /> }.into_any();
                }
                match loaded {
                    Ok(v) if v.status == AttemptStatus::InProgress => view! {
                        <Quiz
                            view=v
                            on_done=Callback::new(move |v| done.set(Some(v)))
                            on_stale=Callback::new(move |_| reload.update(|n| *n += 1))
                        />
                    }.into_any(),
                    Ok(v) => view! { <ResultView view=v /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Save {
    Saving,
    Saved,
    Retrying,
    Failed(String),
}

#[component]
fn Quiz(view: AttemptView, on_done: Callback<AttemptView>, on_stale: Callback<()>) -> impl IntoView {
    let attempt_id = view.id;
    let deadline = view.deadline_at;
    let n = view.items.len();
    let items: Arc<Vec<ItemView>> = Arc::new(view.items);
    let answers =
        RwSignal::new(items.iter().filter_map(|i| i.chosen_option_id.map(|o| (i.question_id, o))).collect::<HashMap<Uuid, Uuid>>());
    let saves = RwSignal::new(answers.get_untracked().keys().map(|q| (*q, Save::Saved)).collect::<HashMap<Uuid, Save>>());
    let in_flight = StoredValue::new(HashSet::<Uuid>::new());
    let current = RwSignal::new(0usize);
    let submitting = RwSignal::new(false);
    let confirming = RwSignal::new(false);
    let submit_error = RwSignal::new(None::<AppError>);
    let prediction = RwSignal::new(String::new());
    let (now, offset) = server_clock(view.server_now, 250);
    let remaining = move || deadline - now.get();

    // Measure the clock offset precisely once hydrated (the page may have taken a while to load).
    Effect::new(move |_| {
        spawn_local(async move {
            let t0 = client_now();
            if let Ok(server) = api::server_time().await {
                let t1 = client_now();
                offset.set(server - (t0 + t1) / 2);
            }
        });
    });

    let set_save = move |q: Uuid, s: Save| {
        saves.update(|m| {
            m.insert(q, s);
        })
    };

    let submit = move || {
        if submitting.get_untracked() {
            return;
        }
        submitting.set(true);
        let unsaved: Vec<(Uuid, Uuid)> = answers.with_untracked(|a| {
            saves.with_untracked(|s| a.iter().filter(|(q, _)| s.get(q) != Some(&Save::Saved)).map(|(q, o)| (*q, *o)).collect())
        });
        let pred = prediction.get_untracked().trim().parse::<i64>().ok();
        spawn_local(async move {
            let mut delay = 500;
            loop {
                match api::submit_attempt(attempt_id, pred, unsaved.clone()).await {
                    Ok(v) => {
                        on_done.run(v);
                        break;
                    }
                    Err(e) if retryable(&e) => {
                        submit_error.set(Some(e));
                        sleep_ms(delay).await;
                        delay = (delay * 2).min(8_000);
                    }
                    Err(e) => {
                        if matches!(e.code, ErrorCode::AttemptFinished) {
                            on_stale.run(());
                        }
                        submit_error.set(Some(e));
                        submitting.set(false);
                        break;
                    }
                }
            }
        });
    };

    // One save in flight per question; a newer choice is sent when the older one returns.
    let save = move |q: Uuid| {
        if in_flight.with_value(|s| s.contains(&q)) {
            return;
        }
        in_flight.update_value(|s| {
            s.insert(q);
        });
        spawn_local(async move {
            let mut delay = 500;
            loop {
                let Some(want) = answers.with_untracked(|a| a.get(&q).copied()) else {
                    break;
                };
                if submitting.get_untracked() {
                    break;
                }
                match api::save_answer(attempt_id, q, want).await {
                    Ok(_) => {
                        if answers.with_untracked(|a| a.get(&q) == Some(&want)) {
                            set_save(q, Save::Saved);
                            break;
                        }
                        delay = 500;
                    }
                    Err(e) if retryable(&e) => {
                        set_save(q, Save::Retrying);
                        sleep_ms(delay).await;
                        delay = (delay * 2).min(8_000);
                    }
                    Err(e) => {
                        set_save(q, Save::Failed(e.message.clone()));
                        if matches!(e.code, ErrorCode::DeadlinePassed | ErrorCode::AttemptFinished) {
                            submit();
                        }
                        break;
                    }
                }
            }
            in_flight.update_value(|s| {
                s.remove(&q);
            });
        });
    };

    let choose = move |q: Uuid, o: Uuid| {
        if submitting.get_untracked() {
            return;
        }
        answers.update(|a| {
            a.insert(q, o);
        });
        set_save(q, Save::Saving);
        save(q);
    };

    // Auto-submit when the server's deadline is reached.
    Effect::new(move |_| {
        if remaining() <= 0 && !submitting.get_untracked() {
            submit();
        }
    });

    let answered = move || answers.with(|a| a.len());
    let question = {
        let items = items.clone();
        move || {
            let i = current.get().min(n.saturating_sub(1));
            let item = items[i].clone();
            let q = item.question_id;
            let legend_id = format!("stem-{q}");
            view! {
                <fieldset class="question" aria-describedby="save-state">
                    <legend id=legend_id>
                        <span class="qnum">{t().question_n_of}" "{i + 1}"/"{n}</span>
                        <span class="stem">{item.stem.clone()}</span>
                    </legend>
                    <div class="options">
                        {item.options.iter().enumerate().map(|(k, o)| {
                            let oid = o.id;
                            let input_id = format!("opt-{oid}");
                                let label_for = input_id.clone();
                            view! {
                                <label class="option" for=label_for>
                                    <input
                                        type="radio"
                                        id=input_id
                                        name=format!("q-{q}")
                                        value=oid.to_string()
                                        prop:checked=move || answers.with(|a| a.get(&q) == Some(&oid))
                                        prop:disabled=move || submitting.get()
                                        on:change=move |_| choose(q, oid)
                                    />
                                    <span class="letter" aria-hidden="true">{["A", "B", "C", "D", "E", "F"].get(k).copied().unwrap_or("")}</span>
                                    <span class="text">{o.text.clone()}</span>
                                </label>
                            }
                        }).collect_view()}
                    </div>
                </fieldset>
            }
        }
    };
    let save_text = {
        let items = items.clone();
        move || {
            let q = items[current.get().min(n.saturating_sub(1))].question_id;
            match saves.with(|s| s.get(&q).cloned()) {
                None => String::new(),
                Some(Save::Saving) => t().save_saving.to_string(),
                Some(Save::Saved) => t().save_saved.to_string(),
                Some(Save::Retrying) => t().save_retrying.to_string(),
                Some(Save::Failed(m)) => format!("{}: {m}", t().save_failed),
            }
        }
    };
    let overview = {
        let items = items.clone();
        move || {
            items
                .iter()
                .enumerate()
                .map(|(i, it)| {
                    let q = it.question_id;
                    let is_answered = move || answers.with(|a| a.contains_key(&q));
                    let label = move || {
                        if is_answered() {
                            format!("{} {}, {}", t().question_n_of, i + 1, t().answered)
                        } else {
                            format!("{} {}", t().question_n_of, i + 1)
                        }
                    };
                    view! {
                        <li>
                            <button
                                type="button"
                                class="qbtn"
                                class:answered=is_answered
                                aria-current=move || (current.get() == i).then_some("step")
                                aria-label=label
                                on:click=move |_| current.set(i)
                            >
                                {i + 1}
                            </button>
                        </li>
                    }
                })
                .collect_view()
        }
    };
    let has_prediction = view.prediction_prompt.clone();
    view! {
        <section class="quiz" aria-labelledby="quiz-title">
            <h1 id="quiz-title" class="quiz-title">{view.contest_title.clone()}" — "{view.round_title.clone()}</h1>
            <noscript><p class="alert">{t().err_network}</p></noscript>
            <div class="quiz-bar">
                <div class="progress-wrap">
                    <label for="progress" class="sr-only">{t().answered}</label>
                    <progress id="progress" max=n value=answered></progress>
                    <span class="muted">{answered}"/"{n}" "{t().answered}</span>
                </div>
                <p class="timer" class:urgent=move || { remaining() < 60_000 }>
                    <span class="sr-only">{t().time_left}": "</span>
                    <span role="timer" id="timer" class="mono">{move || format_duration(remaining())}</span>
                </p>
            </div>
            {move || { remaining() <= 0 }.then(|| view! { <p class="alert" role="status">{t().time_up}</p> })}
            {question}
            <p id="save-state" class="save-state" aria-live="polite">{save_text}</p>
            <div class="quiz-nav">
                <button type="button" class="btn" on:click=move |_| current.update(|c| *c = c.saturating_sub(1)) disabled=move || current.get() == 0>
                    {t().btn_prev}
                </button>
                <button type="button" class="btn" on:click=move |_| current.update(|c| *c = (*c + 1).min(n - 1)) disabled=move || { current.get() + 1 >= n }>
                    {t().btn_next}
                </button>
                <button type="button" class="btn btn-primary" on:click=move |_| confirming.set(true) disabled=move || submitting.get()>
                    {t().btn_submit}
                </button>
            </div>
            <Show when=move || confirming.get()>
                <div class="confirm card" role="region" aria-labelledby="confirm-h">
                    <h2 id="confirm-h">{t().confirm_submit}</h2>
                    {move || {
                        let left = n - answered();
                        (left > 0).then(|| view! { <p class="alert">{t().unanswered_warning}" "{left}</p> })
                    }}
                    {has_prediction.clone().map(|prompt| view! {
                        <div class="field">
                            <label for="prediction">{t().prediction_label}": "{prompt}</label>
                            <input id="prediction" type="number" inputmode="numeric" min="0" max="10000000" step="1"
                                aria-describedby="prediction-hint"
                                prop:value=move || prediction.get()
                                on:input=move |ev| prediction.set(event_target_value(&ev)) />
                            <p class="hint" id="prediction-hint">{t().prediction_hint}</p>
                        </div>
                    })}
                    <div class="actions">
                        <button type="button" class="btn btn-primary" on:click=move |_| submit() disabled=move || submitting.get()>
                            {t().btn_confirm_submit}
                        </button>
                        <button type="button" class="btn" on:click=move |_| confirming.set(false)>{t().btn_cancel}</button>
                    </div>
                </div>
            </Show>
            {move || submit_error.get().map(|error| view! { <ErrorBox error /> })}
            <nav class="overview" aria-label=t().overview>
                <h2 class="sr-only">{t().overview}</h2>
                <ol>{overview}</ol>
            </nav>
        </section>
    }
}

#[component]
fn ResultView(view: AttemptView) -> impl IntoView {
    let Some(r) = view.result.clone() else {
        return view! { <ErrorBox error=AppError::internal() /> }.into_any();
    };
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
    view! {
        <section class="card result" aria-labelledby="result-h">
            <p class="eyebrow">{view.contest_title.clone()}" — "{view.round_title.clone()}" · "{t().col_attempt}" "{view.seq}</p>
            <h1 id="result-h">{t().result_title}</h1>
            <dl class="stats">
                <div><dt>{t().result_score}</dt><dd id="score">{r.score}"/"{r.max_score}</dd></div>
                <div><dt>{t().result_time}</dt><dd>{format_seconds(r.time_used_ms)}</dd></div>
                <div><dt>{t().result_rank}</dt><dd>{r.rank.map(|k| format!("{k} {} {}", t().result_rank_of, r.ranked)).unwrap_or_else(|| "—".into())}</dd></div>
                {r.prediction.map(|p| view! { <div><dt>{t().result_prediction}</dt><dd>{p}</dd></div> })}
            </dl>
            <p class="muted">{crate::i18n::status_label(view.status)}" · "{format_hanoi(r.finished_at)}</p>
            {if r.review.is_none() { Some(view! { <p>{t().result_review_later}</p> }) } else { None }}
            <div class="actions">
                <A href=format!("/bang-xep-hang/{}", view.round_id) attr:class="btn">{t().btn_leaderboard}</A>
                <A href="/" attr:class="btn btn-primary">{t().back_home}</A>
            </div>
        </section>
        {review}
    }
    .into_any()
}
