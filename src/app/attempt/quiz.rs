//! The quiz island brings to life the quiz the server drew (its children): one
//! question per screen, every choice kept on the device first and sent from an
//! outbox that drains by itself (backoff, and at once when the network returns);
//! "Đã lưu" only once the server acknowledged that very choice; the countdown on
//! the server's clock; submit (or the deadline) waits for the network and reports
//! every answer the server refused.
//!
//! The island draws nothing of the quiz itself: the browser's radio buttons hold the
//! choices, events are handled where they bubble to, and one effect writes the
//! state into the elements the server marked with an `id`. Hydrating a drawn view
//! means compiling and running its code on the phone's main thread (V8 compiles
//! WebAssembly lazily, function by function): this keeps the page responsive.
use super::outbox::{backoff_ms, LocalAttempt, PendingSubmit, Refused};
use super::{device, ResultView};
use crate::app::rest;
use crate::app::util::{client_now, server_clock, sleep_ms};
use crate::domain::time::format_duration;
use crate::error::{AppError, ErrorCode};
use crate::i18n::t;
use crate::model::{AnswerAck, AttemptView, RefusedAnswer, SubmitOutcome};
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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

/// The refused answers of a submission's answer (read apart from the attempt's
/// fields: `#[serde(flatten)]` is costly in the browser).
#[derive(Deserialize)]
struct Refusals {
    #[serde(default)]
    refused: Vec<RefusedAnswer>,
}

/// The graded attempt and the refused answers, from the API's one answer.
fn graded(text: &str) -> Result<SubmitOutcome, AppError> {
    let view: AttemptView = serde_json::from_str(text).map_err(|_| AppError::internal())?;
    let refused = serde_json::from_str::<Refusals>(text).map(|r| r.refused).unwrap_or_default();
    Ok(SubmitOutcome { view, refused })
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
        self.local.with_untracked(|l| device::save(self.id, l));
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
                if !device::is_online() {
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
                    let sent = rest::post_text(&format!("/api/v1/attempts/{}/submit", self.id), &body).await;
                    match sent.and_then(|text| graded(&text)) {
                        Ok(mut outcome) => {
                            let earlier = self.local.with_untracked(|l| l.refused.clone());
                            outcome.refused.extend(earlier.into_iter().map(|r: Refused| RefusedAnswer {
                                question_id: r.question_id,
                                option_id: r.option_id,
                                message: r.message,
                            }));
                            device::forget(self.id);
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
                            device::mark(q, self.local.with_untracked(|l| l.chosen.get(&q).copied()));
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

/// The accessible name of the overview's button for question `i`.
pub fn overview_label(i: usize, answered: bool) -> String {
    if answered {
        format!("{} {}, {}", t().question_n_of, i + 1, t().answered)
    } else {
        format!("{} {}", t().question_n_of, i + 1)
    }
}

/// What the screen shows besides the choices themselves, written into the page.
fn draw(quiz: Quiz, questions: &[Uuid], current: usize, confirming: bool) {
    let n = questions.len();
    let stalled = !quiz.online.get() || quiz.failures.get() > 0;
    let error = quiz.error.get().map(|e| e.message);
    quiz.local.with(|l| {
        let answered = l.answered();
        device::set_attr("progress", "value", &answered.to_string());
        device::set_text("answered-count", &format!("{answered}/{n} {}", t().answered));
        let marks: Vec<bool> = questions.iter().map(|q| l.chosen.contains_key(q)).collect();
        device::mark_overview(current, &marks, overview_label);
        device::show_question(current);
        device::set_disabled("btn-prev", current == 0);
        device::set_disabled("btn-next", current + 1 >= n);
        let save = match questions.get(current) {
            Some(q) if l.refused.iter().any(|r| r.question_id == *q) => {
                let r = l.refused.iter().find(|r| r.question_id == *q).map(|r| r.message.clone()).unwrap_or_default();
                format!("{}: {r}", t().save_refused)
            }
            Some(q) if !l.chosen.contains_key(q) => String::new(),
            Some(q) if l.is_saved(*q) => t().save_saved.to_string(),
            Some(_) if stalled => t().save_waiting.to_string(),
            Some(_) => t().save_saving.to_string(),
            None => String::new(),
        };
        device::set_text("save-state", &save);
        let waiting = l.pending_count();
        let outbox = if waiting > 0 && stalled {
            format!("{waiting} {}", t().outbox_waiting)
        } else if !quiz.online.get() {
            t().offline_note.to_string()
        } else {
            String::new()
        };
        device::set_text("outbox", &outbox);
        // how many choices await the server's acknowledgement (0: every one is saved)
        device::set_attr("outbox", "data-pending", &waiting.to_string());
        let submitting = l.submit.is_some();
        for id in ["questions", "btn-submit", "btn-confirm"] {
            device::set_disabled(id, submitting);
        }
        device::set_text("submit-state", if stalled { t().submit_waiting } else { t().submit_sending });
        device::set_hidden("submit-state", !submitting);
        device::set_class("confirm", "open", confirming);
        device::set_text("unanswered", &format!("{} {}", t().unanswered_warning, n - answered));
        device::set_hidden("unanswered", answered == n);
    });
    device::set_text("quiz-error", error.as_deref().unwrap_or(""));
    device::set_hidden("quiz-error", error.is_none());
}

#[island(lazy)]
pub fn Quiz(meta: QuizMeta, children: Children) -> impl IntoView {
    // choices made while the WebAssembly was loading
    let clicked_early = device::checked_before_hydration();
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
    let (now, offset) = server_clock(meta.server_now, 250);
    let saved = meta.saved;

    // Once interactive, in a task of its own: what this device kept (it may be newer
    // than a page served from the cache), the clock offset measured online, the network.
    Effect::new(move |_| {
        let (saved, clicked_early) = (saved.clone(), clicked_early.clone());
        set_timeout(
            move || {
                if let Some(mut kept) = device::load(quiz.id) {
                    kept.merge_server(saved.iter().copied());
                    if let Some(o) = kept.offset_ms {
                        offset.set(o);
                    }
                    for (q, o) in &kept.chosen {
                        device::mark(*q, Some(*o));
                    }
                    quiz.local.set(kept);
                }
                for (q, o) in &clicked_early {
                    if quiz.local.with_untracked(|l| l.chosen.get(q) != Some(o)) {
                        quiz.local.update(|l| l.choose(*q, *o));
                    }
                }
                quiz.persist();
                quiz.online.set(device::is_online());
                device::on_network_change(move |up| {
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
            },
            std::time::Duration::ZERO,
        );
    });

    // The time left; the deadline submits by itself (when the network allows).
    Effect::new(move |_| {
        let left = deadline - now.get();
        device::set_text("timer", &format_duration(left));
        device::set_class("timer-box", "urgent", left < 60_000);
        device::set_hidden("time-up", left > 0);
        if left <= 0 && quiz.done.with_untracked(|d| d.is_none()) && quiz.local.with_untracked(|l| l.submit.is_none()) {
            quiz.request_submit(device::prediction());
        }
    });

    // Everything else the screen shows follows the state.
    Effect::new(move |_| {
        let (i, open) = (current.get(), confirming.get());
        if quiz.done.with(|d| d.is_none()) {
            questions.with_value(|qs| draw(quiz, qs, i, open));
        }
    });

    let on_click = move |ev: leptos::ev::MouseEvent| match device::clicked(&ev) {
        Some(device::Click::Prev) => current.update(|c| *c = c.saturating_sub(1)),
        Some(device::Click::Next) => current.update(|c| *c = (*c + 1).min(n.saturating_sub(1))),
        Some(device::Click::Submit) => confirming.set(true),
        Some(device::Click::Cancel) => confirming.set(false),
        Some(device::Click::Question(i)) => current.set(i.min(n.saturating_sub(1))),
        None => {}
    };
    let on_change = move |ev: leptos::ev::Event| {
        if let Some((q, o)) = device::answer_of(&ev) {
            quiz.choose(q, o);
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        quiz.request_submit(device::prediction());
    };
    // once graded, the result shows in place of the quiz (which is hidden, not redrawn)
    Effect::new(move |_| {
        if quiz.done.with(|d| d.is_some()) {
            device::set_hidden("quiz-main", true);
            device::scroll_to_top();
        }
    });
    view! {
        <div id="quiz-root" on:click=on_click on:change=on_change on:submit=on_submit>
            {children()}
            {move || quiz.done.get().map(|outcome| view! { <ResultView view=outcome.view refused=outcome.refused /> })}
        </div>
    }
}
