//! The quiz island, around the questions the server rendered (its children): one
//! question per screen, every choice kept on the device first and sent from an
//! outbox that drains by itself (backoff, and at once when the network returns);
//! "Đã lưu" only once the server acknowledged that very choice; the countdown on
//! the server's clock; submit (or the deadline) waits for the network and reports
//! every answer the server refused. The browser's radio buttons hold the choices:
//! the island reads them from the change events and sets them only when the
//! device knows better than the page (an outbox newer than a page from the cache).
use super::outbox::{backoff_ms, LocalAttempt, PendingSubmit, Refused};
use super::{store, ResultView};
use crate::app::rest;
use crate::app::util::{client_now, server_clock, sleep_ms, ErrorBox};
use crate::domain::time::format_duration;
use crate::error::{AppError, ErrorCode};
use crate::i18n::t;
use crate::model::{AnswerAck, AttemptView, RefusedAnswer, SubmitOutcome};
use leptos::prelude::*;
use leptos::server_fn::ServerFn;
use serde::{Deserialize, Serialize};
use leptos::task::spawn_local;
use uuid::Uuid;

const FORM_ID: &str = "quiz-form";

/// What the island needs of the attempt (the questions themselves are its children).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuizMeta {
    pub id: Uuid,
    pub title: String,
    pub deadline_at: i64,
    pub server_now: i64,
    pub prediction_prompt: Option<String>,
    /// The questions in order.
    pub questions: Vec<Uuid>,
    /// What the server holds: (question, option).
    pub saved: Vec<(Uuid, Uuid)>,
}

impl QuizMeta {
    pub fn of(v: &AttemptView) -> Self {
        Self {
            id: v.id,
            title: format!("{} — {}", v.contest_title, v.round_title),
            deadline_at: v.deadline_at,
            server_now: v.server_now,
            prediction_prompt: v.prediction_prompt.clone(),
            questions: v.items.iter().map(|i| i.question_id).collect(),
            saved: v.items.iter().filter_map(|i| i.chosen_option_id.map(|o| (i.question_id, o))).collect(),
        }
    }
}

#[derive(Serialize)]
struct AnswerBody {
    option_id: Uuid,
}

#[derive(Serialize)]
struct HeldAnswer {
    question_id: Uuid,
    option_id: Uuid,
}

#[derive(Serialize)]
struct SubmitBody {
    prediction: Option<i64>,
    answers: Vec<HeldAnswer>,
}

#[derive(Deserialize)]
struct ServerTime {
    now: i64,
}

/// Errors after which an answer will never be accepted (the rest are retried).
fn refused_for_good(e: &AppError) -> bool {
    matches!(
        e.code,
        ErrorCode::DeadlinePassed
            | ErrorCode::AttemptFinished
            | ErrorCode::Validation
            | ErrorCode::InvalidInput
            | ErrorCode::NotFound
            | ErrorCode::Forbidden
    )
}

/// The state the island's closures share (all `Copy`).
#[derive(Clone, Copy)]
struct Quiz {
    id: Uuid,
    local: RwSignal<LocalAttempt>,
    online: RwSignal<bool>,
    /// Failed sends in a row (0: the last one got through).
    failures: RwSignal<u32>,
    /// Bumped when the network comes back: a waiting outbox tries at once.
    wake: RwSignal<u32>,
    draining: StoredValue<bool>,
    done: RwSignal<Option<SubmitOutcome>>,
    error: RwSignal<Option<AppError>>,
}

impl Quiz {
    fn persist(self) {
        self.local.with_untracked(|l| store::save(self.id, l));
    }

    fn locked(self) -> bool {
        self.done.with_untracked(|d| d.is_some()) || self.local.with_untracked(|l| l.submit.is_some())
    }

    /// Keeps the choice on the device, then sends it.
    fn choose(self, question: Uuid, option: Uuid) {
        if self.locked() {
            return;
        }
        self.local.update(|l| l.choose(question, option));
        self.persist();
        self.drain();
    }

    fn request_submit(self, prediction: Option<i64>) {
        if self.done.with_untracked(|d| d.is_some()) {
            return;
        }
        self.local.update(|l| {
            if l.submit.is_none() {
                l.submit = Some(PendingSubmit { prediction });
            }
        });
        self.persist();
        self.drain();
    }

    /// Waits `ms`, or less if the network comes back meanwhile.
    async fn pause(self, ms: u32) {
        let woken = self.wake.get_untracked();
        let mut waited = 0;
        while waited < ms && self.wake.get_untracked() == woken {
            sleep_ms(250).await;
            waited += 250;
        }
    }

    async fn failed(self, e: AppError) {
        if e.code == ErrorCode::Unauthorized {
            self.error.set(Some(e));
        }
        self.failures.update(|f| *f = f.saturating_add(1));
        self.pause(backoff_ms(self.failures.get_untracked() - 1)).await;
    }

    /// Sends what the outbox holds until it is empty; one drain at a time.
    fn drain(self) {
        if self.draining.get_value() {
            return;
        }
        self.draining.set_value(true);
        spawn_local(async move {
            loop {
                let (pending, submit) = self.local.with_untracked(|l| (l.pending(), l.submit));
                if pending.is_empty() && submit.is_none() {
                    break;
                }
                if !store::is_online() {
                    self.online.set(false);
                    self.pause(backoff_ms(self.failures.get_untracked())).await;
                    continue;
                }
                if let Some(s) = submit {
                    // the unacknowledged answers go with the submission, saved first
                    let body = SubmitBody {
                        prediction: s.prediction,
                        answers: pending.iter().map(|(q, o)| HeldAnswer { question_id: *q, option_id: *o }).collect(),
                    };
                    match rest::post::<_, SubmitOutcome>(&format!("/api/v1/attempts/{}/submit", self.id), &body).await {
                        Ok(mut outcome) => {
                            let earlier = self.local.with_untracked(|l| l.refused.clone());
                            outcome.refused.extend(earlier.into_iter().map(|r: Refused| RefusedAnswer {
                                question_id: r.question_id,
                                option_id: r.option_id,
                                message: r.message,
                            }));
                            store::forget(self.id);
                            self.failures.set(0);
                            self.done.set(Some(outcome));
                            break;
                        }
                        Err(e) if refused_for_good(&e) || e.code == ErrorCode::TooSoon => {
                            self.local.update(|l| l.submit = None);
                            self.persist();
                            self.error.set(Some(e));
                            break;
                        }
                        Err(e) => self.failed(e).await,
                    }
                    continue;
                }
                for (q, o) in pending {
                    let url = format!("/api/v1/attempts/{}/answers/{q}", self.id);
                    match rest::put::<_, AnswerAck>(&url, &AnswerBody { option_id: o }).await {
                        Ok(_) => {
                            self.local.update(|l| l.ack(q, o));
                            self.persist();
                            self.failures.set(0);
                            self.error.set(None);
                        }
                        Err(e) if refused_for_good(&e) => {
                            let over = matches!(e.code, ErrorCode::DeadlinePassed | ErrorCode::AttemptFinished);
                            self.local.update(|l| l.refuse(q, o, e.message.clone()));
                            store::mark(q, self.local.with_untracked(|l| l.chosen.get(&q).copied()));
                            self.persist();
                            if over {
                                // nothing more can be saved: fetch the graded attempt
                                self.local.update(|l| l.submit = l.submit.or(Some(PendingSubmit { prediction: None })));
                                self.persist();
                                break;
                            }
                        }
                        Err(e) => {
                            self.failed(e).await;
                            break;
                        }
                    }
                }
            }
            self.draining.set_value(false);
        });
    }
}

#[island(lazy)]
pub fn Quiz(meta: QuizMeta, children: Children) -> impl IntoView {
    // choices made while the WebAssembly was loading
    let clicked_early = store::checked_before_hydration(FORM_ID);
    let mut first = LocalAttempt::default();
    first.merge_server(meta.saved.iter().copied());
    let quiz = Quiz {
        id: meta.id,
        local: RwSignal::new(first),
        online: RwSignal::new(true),
        failures: RwSignal::new(0),
        wake: RwSignal::new(0),
        draining: StoredValue::new(false),
        done: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    let deadline = meta.deadline_at;
    let questions = StoredValue::new(meta.questions.clone());
    let n = meta.questions.len();
    let current = RwSignal::new(0usize);
    let confirming = RwSignal::new(false);
    let prediction = RwSignal::new(String::new());
    let (now, offset) = server_clock(meta.server_now, 250);
    let remaining = move || deadline - now.get();
    let saved = meta.saved.clone();

    // Once interactive: what this device kept (it may be newer than a page served
    // from the cache), the clock offset measured online, the network's state.
    Effect::new(move |_| {
        if let Some(mut kept) = store::load(quiz.id) {
            kept.merge_server(saved.iter().copied());
            if let Some(o) = kept.offset_ms {
                offset.set(o);
            }
            for (q, o) in &kept.chosen {
                store::mark(*q, Some(*o));
            }
            quiz.local.set(kept);
        }
        for (q, o) in &clicked_early {
            if quiz.local.with_untracked(|l| l.chosen.get(q) != Some(o)) {
                quiz.local.update(|l| l.choose(*q, *o));
            }
        }
        quiz.persist();
        quiz.online.set(store::is_online());
        store::on_network_change(move |up| {
            quiz.online.set(up);
            if up {
                quiz.wake.update(|w| *w = w.wrapping_add(1));
                quiz.drain();
            }
        });
        quiz.drain();
        spawn_local(async move {
            let t0 = client_now();
            if let Ok(server) = rest::get::<ServerTime>("/api/v1/time").await {
                let t1 = client_now();
                let measured = server.now - (t0 + t1) / 2;
                offset.set(measured);
                quiz.local.update(|l| l.offset_ms = Some(measured));
                quiz.persist();
            }
        });
    });

    // The question shown follows `current` (the others are hidden by the stylesheet).
    Effect::new(move |prev: Option<usize>| {
        let i = current.get();
        if prev.is_some() {
            store::show_question(i);
        }
        i
    });

    // The deadline submits by itself (when the network allows).
    Effect::new(move |_| {
        if remaining() <= 0 && quiz.done.with_untracked(|d| d.is_none()) && quiz.local.with_untracked(|l| l.submit.is_none()) {
            quiz.request_submit(prediction.get_untracked().trim().parse().ok());
        }
    });

    let answered = move || quiz.local.with(|l| l.answered());
    let waiting = move || quiz.local.with(|l| l.pending_count());
    let submitting = move || quiz.local.with(|l| l.submit.is_some());
    let stalled = move || !quiz.online.get() || quiz.failures.get() > 0;
    let outbox_text = move || {
        let n = waiting();
        if n > 0 && stalled() {
            Some(format!("{n} {}", t().outbox_waiting))
        } else if !quiz.online.get() {
            Some(t().offline_note.to_string())
        } else {
            None
        }
    };
    let save_text = move || {
        let Some(q) = questions.with_value(|qs| qs.get(current.get()).copied()) else { return String::new() };
        quiz.local.with(|l| {
            if let Some(r) = l.refused.iter().find(|r| r.question_id == q) {
                return format!("{}: {}", t().save_refused, r.message);
            }
            match l.chosen.get(&q) {
                None => String::new(),
                Some(_) if l.is_saved(q) => t().save_saved.to_string(),
                Some(_) if stalled() => t().save_waiting.to_string(),
                Some(_) => t().save_saving.to_string(),
            }
        })
    };
    let overview = move || {
        (0..n)
            .map(|i| {
                let q = questions.with_value(|qs| qs[i]);
                let is_answered = move || quiz.local.with(|l| l.chosen.contains_key(&q));
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
    };
    let prompt = meta.prediction_prompt.clone();
    let action = <crate::app::api::SubmitAttemptForm as ServerFn>::url();
    let quiz_view = view! {
        <section class="quiz" aria-labelledby="quiz-title">
            <h1 id="quiz-title" class="quiz-title">{meta.title.clone()}</h1>
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
            <p class="outbox" id="outbox" role="status">{outbox_text}</p>
            {move || (remaining() <= 0).then(|| view! { <p class="alert" role="status">{t().time_up}</p> })}
            <form
                id=FORM_ID
                class="quiz-form"
                method="post"
                action=action
                on:change=move |ev| {
                    if let Some((q, o)) = store::answer_of(&ev) {
                        quiz.choose(q, o);
                    }
                }
                on:submit=move |ev| {
                    ev.prevent_default();
                    quiz.request_submit(prediction.get_untracked().trim().parse().ok());
                }
            >
                <input type="hidden" name="attempt_id" value=meta.id.to_string() />
                <fieldset class="questions" disabled=submitting>
                    <legend class="sr-only">{t().overview}</legend>
                    {children()}
                </fieldset>
                <p id="save-state" class="save-state" aria-live="polite">{save_text}</p>
                <div class="quiz-nav">
                    <button type="button" class="btn" on:click=move |_| current.update(|c| *c = c.saturating_sub(1)) disabled=move || current.get() == 0>
                        {t().btn_prev}
                    </button>
                    <button type="button" class="btn" on:click=move |_| current.update(|c| *c = (*c + 1).min(n - 1)) disabled=move || { current.get() + 1 >= n }>
                        {t().btn_next}
                    </button>
                    <button type="button" class="btn btn-primary" on:click=move |_| confirming.set(true) disabled=submitting>
                        {t().btn_submit}
                    </button>
                </div>
                <div class="confirm card" class:open=move || confirming.get() role="region" aria-labelledby="confirm-h">
                    <h2 id="confirm-h">{t().confirm_submit}</h2>
                    {move || {
                        let left = n - answered();
                        (left > 0).then(|| view! { <p class="alert">{t().unanswered_warning}" "{left}</p> })
                    }}
                    {prompt.map(|prompt| view! {
                        <div class="field">
                            <label for="prediction">{t().prediction_label}": "{prompt}</label>
                            <input id="prediction" name="prediction" type="number" inputmode="numeric" min="0" max="10000000" step="1"
                                aria-describedby="prediction-hint"
                                on:input=move |ev| prediction.set(event_target_value(&ev)) />
                            <p class="hint" id="prediction-hint">{t().prediction_hint}</p>
                        </div>
                    })}
                    {move || submitting().then(|| view! {
                        <p class="hint" role="status" id="submit-state">
                            {if stalled() { t().submit_waiting } else { t().submit_sending }}
                        </p>
                    })}
                    <div class="actions">
                        <button type="submit" class="btn btn-primary" disabled=submitting>
                            {t().btn_confirm_submit}
                        </button>
                        <button type="button" class="btn" on:click=move |_| confirming.set(false)>{t().btn_cancel}</button>
                    </div>
                </div>
            </form>
            {move || quiz.error.get().map(|error| view! { <ErrorBox error /> })}
            <nav class="overview" aria-label=t().overview>
                <h2 class="sr-only">{t().overview}</h2>
                <ol>{overview}</ol>
            </nav>
        </section>
    };
    // the quiz is drawn once; after grading, the result takes its place
    let quiz_view = std::sync::Mutex::new(Some(quiz_view));
    move || match quiz.done.get() {
        Some(outcome) => leptos::either::Either::Left(view! { <ResultView view=outcome.view refused=outcome.refused /> }),
        None => leptos::either::Either::Right(quiz_view.lock().ok().and_then(|mut v| v.take())),
    }
}
