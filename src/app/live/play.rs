//! `/truc-tiep?ma=…`: a participant joins with the code on the screen (logged in,
//! or as a guest with a name and a unit) and answers on the phone. A reload or a
//! lost network rejoins the same participant (a cookie, or the account).
//!
//! Finding the session and joining it are plain forms (no WebAssembly needed);
//! only the joined participant's screen is an island.
use super::{listen, seconds_left, Live, LiveDot, LETTERS};
use crate::api::live as api;
use crate::api::live::LiveEntry;
use crate::app::util::{action_error, ErrorBox};
use crate::domain::live::Phase;
use crate::error::AppError;
use crate::i18n::{t, tl};
use crate::model::{LiveAnswerInputDto, LiveMe, LiveView};
use leptos::either::{Either, EitherOf5};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use uuid::Uuid;

#[component]
pub fn LivePlayPage() -> impl IntoView {
    let query = use_query_map();
    let code = move || query.read().get("ma").map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    let entry = Resource::new(code, |code| async move {
        match code {
            Some(c) => api::enter_live_session(c).await.map(Some),
            None => Ok(None),
        }
    });
    view! {
        <Title text=format!("{} — {}", tl().join_title, t().app_name) />
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match entry.await {
                    Ok(Some(e)) => view! { <Joined entry=e /> }.into_any(),
                    Ok(None) => view! { <CodeForm code=None error=None /> }.into_any(),
                    Err(error) => view! { <CodeForm code=code() error=Some(error) /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The code, typed in; a plain GET form (works before the page is interactive).
#[component]
fn CodeForm(code: Option<String>, error: Option<AppError>) -> impl IntoView {
    view! {
        <section class="card live-join" aria-labelledby="join-h">
            <h1 id="join-h">{tl().join_title}</h1>
            <p>{tl().join_intro}</p>
            {error.map(|error| view! { <ErrorBox error /> })}
            <form method="get" action="/truc-tiep" class="form">
                <div class="field">
                    <label for="live-code">{tl().code_label}</label>
                    <input
                        id="live-code"
                        name="ma"
                        class="code-input"
                        inputmode="numeric"
                        autocomplete="off"
                        pattern="[0-9]{6}"
                        maxlength="6"
                        required
                        placeholder=tl().code_hint
                        value=code.unwrap_or_default()
                    />
                </div>
                <button type="submit" class="btn btn-primary btn-big">{tl().find_btn}</button>
            </form>
        </section>
    }
}

/// The session was found: join it, or go on as the participant already in it.
#[component]
fn Joined(entry: LiveEntry) -> impl IntoView {
    let id = entry.session.id;
    let ended = entry.session.phase == Phase::Ended;
    let body = match entry.me {
        Some(me) => view! {
            <super::super::IslandHints island="live_play" />
            <LivePlay id me />
        }
        .into_any(),
        None if ended => view! { <p class="card">{tl().ended}</p> }.into_any(),
        None => view! { <JoinForm id account=entry.account units=entry.units /> }.into_any(),
    };
    view! {
        <section class="live-play" aria-labelledby="play-h">
            <p class="eyebrow">{tl().code_label}" "{entry.session.code.clone()}</p>
            <h1 id="play-h">{entry.session.title.clone()}</h1>
            {body}
        </section>
    }
}

/// Joining is a form posted to the server, which sets the rejoin cookie and
/// returns to this page (now the participant's screen).
#[component]
fn JoinForm(id: Uuid, account: Option<String>, units: Vec<crate::model::UnitDto>) -> impl IntoView {
    let join = ServerAction::<api::JoinLive>::new();
    let form = match account {
        Some(name) => view! {
            <p>{tl().join_as}" "<strong>{name}</strong></p>
            <button type="submit" class="btn btn-primary btn-big">{tl().join_btn}</button>
        }
        .into_any(),
        None => view! {
            <p>{tl().guest_intro}" "<a href="/dang-nhap">{tl().or_login}</a></p>
            <div class="field">
                <label for="guest-name">{tl().guest_name}</label>
                <input id="guest-name" name="name" autocomplete="name" required minlength="2" maxlength="80" />
            </div>
            <crate::app::auth::UnitPicker units />
            <button type="submit" class="btn btn-primary btn-big">{tl().join_btn}</button>
        }
        .into_any(),
    };
    view! {
        <div class="card">
            <ActionForm action=join attr:class="form">
                <input type="hidden" name="id" value=id.to_string() />
                {action_error(move || join.value().get())}
                {form}
            </ActionForm>
        </div>
    }
}

/// The joined participant's screen (a lazy island).
#[island(lazy)]
fn LivePlay(id: Uuid, me: LiveMe) -> impl IntoView {
    let me = RwSignal::new(Some(me));
    view! { <Play id me /> }
}

/// The participant's screen, phase by phase.
#[component]
fn Play(id: Uuid, me: RwSignal<Option<LiveMe>>) -> impl IntoView {
    let live = Live::new(None);
    Effect::new(move |_| listen(id, "player", live));
    let left = seconds_left(live);
    // what this phone chose for each question, before the server's word comes back
    let chosen = RwSignal::new(Vec::<(i64, Uuid, bool)>::new());
    let error = RwSignal::new(None::<AppError>);
    // the participant's own figures again whenever the phase or the question changes
    let key = Memo::new(move |_| live.view.read().as_ref().map(|v| (v.phase, v.index)));
    Effect::new(move |prev: Option<Option<(Phase, i64)>>| {
        let k = key.get();
        if prev.is_some() && k.is_some() {
            spawn_local(async move {
                if let Ok(m) = crate::app::rest::get::<LiveMe>(&format!("/api/v1/live/{id}/me")).await {
                    me.set(Some(m));
                }
            });
        }
        k
    });
    let mine = move |position: i64| -> Option<Uuid> {
        chosen
            .read()
            .iter()
            .find(|c| c.0 == position)
            .map(|c| c.1)
            .or_else(|| me.read().as_ref().and_then(|m| m.answers.iter().find(|a| a.position == position).map(|a| a.option_id)))
    };
    let answer = move |position: i64, option: Uuid| {
        if mine(position).is_some() {
            return;
        }
        chosen.update(|c| c.push((position, option, false)));
        error.set(None);
        spawn_local(async move {
            let body = LiveAnswerInputDto { position, option_id: option };
            match crate::app::rest::post::<_, crate::model::LiveAnswerAck>(&format!("/api/v1/live/{id}/answers"), &body).await {
                Ok(_) => chosen.update(|c| c.iter_mut().filter(|x| x.0 == position).for_each(|x| x.2 = true)),
                Err(e) => {
                    chosen.update(|c| c.retain(|x| x.0 != position));
                    error.set(Some(e));
                }
            }
        });
    };
    view! {
        <div class="card live-me">
            {move || me.get().map(|m| view! {
                <p>
                    {tl().you_are}" "<strong id="me-name">{m.name}</strong>" — "{m.unit_name}
                    <br />
                    {tl().your_points}": "<strong id="me-points">{m.points}</strong>
                    {(m.rank > 0).then(|| view! { " · "{tl().your_rank}": "<strong id="me-rank">{m.rank}</strong>"/"{m.players} })}
                </p>
            })}
            <LiveDot live />
        </div>
        {move || error.get().map(|error| view! { <ErrorBox error /> })}
        // rendered again only when the phase or the question changes (focus stays put meanwhile)
        {move || {
            key.track();
            match live.view.get_untracked() {
                None => Either::Left(view! { <p class="card">{t().loading}</p> }),
                Some(v) => Either::Right(phase_view(v, me, left, mine, answer, chosen)),
            }
        }}
    }
}

fn phase_view(
    v: LiveView,
    me: RwSignal<Option<LiveMe>>,
    left: Signal<i64>,
    mine: impl Fn(i64) -> Option<Uuid> + Copy + Send + Sync + 'static,
    answer: impl Fn(i64, Uuid) + Copy + Send + Sync + 'static,
    chosen: RwSignal<Vec<(i64, Uuid, bool)>>,
) -> impl IntoView {
    let header = |v: &LiveView| format!("{} {}/{}", tl().question_of, v.index + 1, v.total);
    match (v.phase, v.question.clone()) {
        (Phase::Lobby, _) => EitherOf5::A(view! { <p class="card live-wait" id="live-phase" data-phase="lobby">{tl().waiting_start}</p> }),
        (Phase::Question, Some(q)) | (Phase::Paused, Some(q)) => {
            let position = q.position;
            let paused = v.phase == Phase::Paused;
            EitherOf5::B(view! {
                <section class="card live-question" id="live-phase" data-phase=v.phase.as_str() aria-labelledby="q-stem">
                    <p class="eyebrow">{header(&v)}</p>
                    <p class="live-count">
                        {move || if paused { tl().paused.to_string() } else { format!("{} {}", left.get(), tl().seconds_left) }}
                    </p>
                    <h2 id="q-stem">{q.stem}</h2>
                    <div class="live-options" role="group" aria-labelledby="q-stem">
                        {q.options
                            .into_iter()
                            .enumerate()
                            .map(|(i, o)| {
                                let oid = o.id;
                                let picked = move || mine(position) == Some(oid);
                                view! {
                                    <button
                                        type="button"
                                        class=move || format!("live-option opt-{i}{}", if picked() { " picked" } else { "" })
                                        aria-pressed=move || picked().to_string()
                                        disabled=move || paused || mine(position).is_some()
                                        on:click=move |_| answer(position, oid)
                                    >
                                        <span class="letter">{LETTERS.get(i).copied().unwrap_or("")}</span>
                                        {o.text}
                                    </button>
                                }
                            })
                            .collect_view()}
                    </div>
                    <p class="hint" role="status" id="answer-status">
                        {move || match chosen.read().iter().find(|c| c.0 == position) {
                            Some((_, _, true)) => tl().answer_saved,
                            Some((_, _, false)) => tl().answer_sending,
                            None if mine(position).is_some() => tl().answer_saved,
                            None => "",
                        }}
                    </p>
                </section>
            })
        }
        (Phase::Reveal, Some(q)) | (Phase::Results, Some(q)) => {
            let position = q.position;
            // the verdict follows the participant's figures, fetched as the phase changed
            let mine_now = move || me.read().as_ref().and_then(|m| m.answers.iter().find(|a| a.position == position).cloned());
            let verdict = move || match mine_now() {
                Some(a) if a.correct == Some(true) => format!("{} +{} {}", tl().your_right, a.points.unwrap_or(0), tl().points_gained),
                Some(a) if a.correct == Some(false) => tl().your_wrong.to_string(),
                Some(_) => String::new(),
                None => tl().your_none.to_string(),
            };
            let right = v.reveal.as_ref().and_then(|r| q.options.iter().position(|o| o.id == r.correct_option_id));
            EitherOf5::C(view! {
                <section class="card live-reveal" id="live-phase" data-phase=v.phase.as_str()>
                    <p class="eyebrow">{header(&v)}</p>
                    <p class=move || if mine_now().and_then(|a| a.correct) == Some(true) { "verdict ok" } else { "verdict" } id="verdict" role="status">
                        {verdict}
                    </p>
                    {right.map(|i| view! {
                        <p>{tl().screen_correct_is}": "<strong>{LETTERS.get(i).copied().unwrap_or("")}". "{q.options[i].text.clone()}</strong></p>
                    })}
                    {v.reveal.map(|r| view! { <p class="hint">{r.explanation}</p> })}
                </section>
            })
        }
        (Phase::Ended, _) => EitherOf5::D(view! {
            <section class="card live-end" id="live-phase" data-phase="ended">
                <h2>{tl().ended}</h2>
                <p>{tl().thanks}</p>
            </section>
        }),
        _ => EitherOf5::E(view! { <p class="card">{t().loading}</p> }),
    }
}
