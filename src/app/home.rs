//! Home: open and upcoming rounds with their windows and countdowns, and the
//! participant's own attempts. Rendered on the server; a round is started by a
//! plain form; only each countdown is an (tiny) island.
use super::util::{action_error, server_clock, ErrorBox};
use crate::api::{self, HomeView, StartAttempt};
use crate::domain::time::{format_duration, format_hanoi, format_seconds, DAY};
use crate::domain::RoundStatus;
use crate::i18n::{status_label, t};
use crate::model::{MyAttempt, RoundSummary};
use leptos::prelude::*;
use leptos_router::components::A;

#[component]
pub fn HomePage() -> impl IntoView {
    let data = Resource::new(|| (), |_| api::home_data());
    view! {
        <section class="hero">
            <h1>{t().app_name}</h1>
            <p>{t().directive_title}</p>
        </section>
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Home data=d /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Home(data: HomeView) -> impl IntoView {
    let now = data.server_now;
    let logged_in = data.me.is_some();
    let (open, rest): (Vec<_>, Vec<_>) = data.rounds.into_iter().partition(|r| r.status == RoundStatus::Open);
    let upcoming: Vec<_> = rest.into_iter().filter(|r| r.status == RoundStatus::Upcoming).collect();
    let start = ServerAction::<StartAttempt>::new();
    view! {
        <section aria-labelledby="open-h">
            <h2 id="open-h">{t().rounds_open}</h2>
            {if open.is_empty() { Some(view! { <p class="muted">{t().no_rounds}</p> }) } else { None }}
            {action_error(move || start.value().get())}
            <div class="rounds">
                {open.into_iter().map(|r| view! { <RoundCard round=r now logged_in start /> }).collect_view()}
            </div>
        </section>
        {(!upcoming.is_empty()).then(|| view! {
            <section aria-labelledby="upcoming-h">
                <h2 id="upcoming-h">{t().rounds_upcoming}</h2>
                <div class="rounds">
                    {upcoming.into_iter().map(|r| view! { <RoundCard round=r now logged_in start /> }).collect_view()}
                </div>
            </section>
        })}
        {logged_in.then(|| view! { <MyAttempts attempts=data.attempts /> })}
    }
}

fn countdown(ms: i64) -> String {
    if ms >= DAY {
        format!("{} ngày {}", ms / DAY, format_duration(ms % DAY))
    } else {
        format_duration(ms)
    }
}

#[component]
fn RoundCard(round: RoundSummary, now: i64, logged_in: bool, start: ServerAction<StartAttempt>) -> impl IntoView {
    let r = round;
    let is_open = r.status == RoundStatus::Open;
    let (target, label) = if is_open { (r.closes_at, t().round_closes_in) } else { (r.opens_at, t().round_opens_in) };
    let mine = r.mine.clone();
    let used = mine.as_ref().map(|m| m.attempts_used).unwrap_or(0);
    let active = mine.as_ref().and_then(|m| m.active_attempt_id);
    let best = mine.as_ref().and_then(|m| m.best_score);
    let heading = format!("round-{}", r.id);
    let labelled_by = heading.clone();
    let action = if !is_open {
        None
    } else if !logged_in {
        Some(view! { <A href="/dang-nhap" attr:class="btn btn-primary">{t().login_to_take}</A> }.into_any())
    } else if let Some(id) = active {
        Some(view! { <A href=format!("/bai-thi/{id}") attr:class="btn btn-primary">{t().btn_resume}</A> }.into_any())
    } else if used < r.max_attempts {
        Some(
            view! {
                <ActionForm action=start attr:class="inline">
                    <input type="hidden" name="round_id" value=r.id.to_string() />
                    <button type="submit" class="btn btn-primary">{t().btn_start}</button>
                </ActionForm>
            }
            .into_any(),
        )
    } else {
        Some(view! { <p class="muted">{t().err_attempts_exhausted}</p> }.into_any())
    };
    view! {
        <article class="card round" aria-labelledby=labelled_by>
            <p class="eyebrow">{r.contest_title.clone()}</p>
            <h3 id=heading>{r.title.clone()}</h3>
            <p>
                <span class="sr-only">{t().round_window}": "</span>
                {format_hanoi(r.opens_at)}" – "{format_hanoi(r.closes_at)}
            </p>
            <ul class="facts">
                <li>{r.question_count}" "{t().round_questions}</li>
                <li>{r.duration_ms / 60_000}" "{t().round_duration}</li>
                <li>{r.max_attempts}" "{t().round_attempts}</li>
            </ul>
            <p class="countdown">
                {label}": " <Countdown target now />
            </p>
            {logged_in.then(|| view! {
                <p class="muted">
                    {t().attempts_used}": "{used}"/"{r.max_attempts}
                    {best.map(|b| format!(" · {}: {b}/{}", t().best_score, r.question_count))}
                </p>
            })}
            <details class="rules">
                <summary>{t().rules_title}</summary>
                {(!r.contest_rules.is_empty()).then(|| view! { <p>{r.contest_rules.clone()}</p> })}
                <p>{t().rules_best_counts}</p>
                {r.prediction_prompt.clone().map(|p| view! { <p>{t().prediction_label}": "{p}" "{t().rules_prediction}</p> })}
            </details>
            <div class="actions">
                {action}
                <A href=format!("/bang-xep-hang/{}", r.id) attr:class="btn btn-quiet">{t().btn_leaderboard}</A>
                <A href=format!("/thong-ke/{}?vong={}", r.contest_id, r.id) attr:class="btn btn-quiet">{t().btn_stats}</A>
                <A href=format!("/trinh-chieu/{}", r.id) attr:class="btn btn-quiet">{t().btn_tv}</A>
            </div>
        </article>
    }
}

/// Time left until `target` on the server's clock, ticking every second.
#[island]
fn Countdown(target: i64, now: i64) -> impl IntoView {
    let (now, _) = server_clock(now, 1_000);
    view! { <strong class="mono">{move || countdown(target - now.get())}</strong> }
}

#[component]
fn MyAttempts(attempts: Vec<MyAttempt>) -> impl IntoView {
    view! {
        <section aria-labelledby="mine-h">
            <h2 id="mine-h">{t().my_attempts}</h2>
            {if attempts.is_empty() {
                view! { <p class="muted">{t().no_attempts}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table>
                            <thead>
                                <tr>
                                    <th scope="col">{t().col_round}</th>
                                    <th scope="col">{t().col_attempt}</th>
                                    <th scope="col">{t().col_started}</th>
                                    <th scope="col">{t().col_status}</th>
                                    <th scope="col">{t().col_score}</th>
                                    <th scope="col">{t().col_time}</th>
                                    <th scope="col"><span class="sr-only">{t().view}</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {attempts.into_iter().map(|a| view! {
                                    <tr>
                                        <td>{a.round_title}</td>
                                        <td>{a.seq}</td>
                                        <td>{format_hanoi(a.started_at)}</td>
                                        <td>{status_label(a.status)}</td>
                                        <td>{a.score.map(|s| format!("{s}/{}", a.max_score))}</td>
                                        <td>{a.time_used_ms.map(format_seconds)}</td>
                                        <td><A href=format!("/bai-thi/{}", a.id)>{t().view}</A></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
