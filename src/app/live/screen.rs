//! `/trinh-chieu/truc-tiep/:id`: the projector in the hall. The join code and QR
//! code; each question with its countdown and how many answered; the answers'
//! distribution with the right one and why; the standings; the podium.
use super::{seconds_left, Live, LiveDot, PeopleList, UnitList, LETTERS};
use crate::domain::live::Phase;
use crate::i18n::{phase_label, tl};
use crate::model::LiveView;
use leptos::prelude::*;

#[component]
pub fn LiveScreenPage() -> impl IntoView {
    super::follow_page(tl().screen_title, false, |first| {
        view! { <crate::app::organizer::Console part=crate::app::organizer::Part::LiveScreen(first) /> }.into_any()
    })
}

/// The projector of one session (a lazy island: never on a participant's page).
#[component]
pub(crate) fn ScreenLive(first: LiveView) -> impl IntoView {
    let live = super::follow(first, "screen");
    view! { <Screen live /> }
}

/// The join address as people type it (this site's address).
pub fn join_address(code: &str) -> String {
    #[cfg(feature = "hydrate")]
    if let Some(origin) = web_sys::window().and_then(|w| w.location().origin().ok()) {
        return format!("{origin}/truc-tiep?ma={code}");
    }
    format!("/truc-tiep?ma={code}")
}

#[component]
fn Screen(live: Live) -> impl IntoView {
    let left = seconds_left(live);
    view! {
        <section class="tv live-screen" aria-labelledby="screen-h">
            <header class="tv-head">
                <p class="eyebrow">{move || live.view.read().as_ref().map(|v| v.title.clone())}</p>
                <h1 id="screen-h">{move || live.view.read().as_ref().map(|v| phase_label(v.phase))}</h1>
                <p class="tv-status">
                    <span class="badge">{tl().code_label}" "<strong id="screen-code">{move || live.view.read().as_ref().map(|v| v.code.clone())}</strong></span>
                    " "
                    <span class="badge" id="screen-players">{move || live.view.read().as_ref().map(|v| v.players)}" "{tl().screen_players}</span>
                    " "
                    <LiveDot live />
                </p>
            </header>
            {move || live.view.get().map(|v| body(v, left))}
        </section>
    }
}

fn body(v: LiveView, left: Signal<i64>) -> impl IntoView {
    let counter = format!("{} {}/{}", tl().question_of, v.index + 1, v.total);
    match v.phase {
        Phase::Lobby => view! {
            <div class="screen-lobby" data-phase="lobby" id="screen-phase">
                <img src=format!("/api/v1/live/{}/qr.svg", v.id) alt=tl().screen_qr_alt width="320" height="320" />
                <div>
                    <p>{tl().screen_join_at}</p>
                    <p class="screen-url">{join_address(&v.code)}</p>
                    <p class="screen-bigcode">{v.code.clone()}</p>
                    <p class="hint">{tl().points_rule}</p>
                </div>
            </div>
        }
        .into_any(),
        Phase::Question | Phase::Paused => {
            let q = v.question.clone();
            let paused = v.phase == Phase::Paused;
            view! {
                <div class="screen-question" data-phase=v.phase.as_str() id="screen-phase">
                    <p class="screen-meta">
                        <span>{counter}</span>
                        <span class="screen-timer" aria-live="off" id="screen-timer">
                            {move || if paused { tl().paused.to_string() } else { left.get().to_string() }}
                        </span>
                        <span id="screen-answered">{v.answered}"/"{v.players}" "{tl().screen_answered}</span>
                    </p>
                    {q.map(|q| view! {
                        <h2 class="screen-stem">{q.stem}</h2>
                        <ol class="screen-options">
                            {q.options.into_iter().enumerate().map(|(i, o)| view! {
                                <li class=format!("opt-{i}")><span class="letter">{LETTERS.get(i).copied().unwrap_or("")}</span>{o.text}</li>
                            }).collect_view()}
                        </ol>
                    })}
                </div>
            }
            .into_any()
        }
        Phase::Reveal => {
            let q = v.question.clone();
            let r = v.reveal.clone();
            let most = r.as_ref().and_then(|r| r.counts.iter().max().copied()).unwrap_or(0).max(1);
            view! {
                <div class="screen-reveal" data-phase="reveal" id="screen-phase">
                    <p class="screen-meta"><span>{counter}</span><span>{v.answered}"/"{v.players}" "{tl().screen_answered}</span></p>
                    {q.zip(r).map(|(q, r)| view! {
                        <h2 class="screen-stem">{q.stem}</h2>
                        <h3 class="sr-only">{tl().distribution}</h3>
                        <ol class="screen-dist" id="screen-dist">
                            {q.options.into_iter().enumerate().map(|(i, o)| {
                                let n = r.counts.get(i).copied().unwrap_or(0);
                                let right = o.id == r.correct_option_id;
                                view! {
                                    <li class=if right { "right" } else { "" } data-right=right.to_string()>
                                        <span class="letter">{LETTERS.get(i).copied().unwrap_or("")}</span>
                                        <span class="dist-text">{o.text}</span>
                                        <span class="dist-bar" style=format!("width:{}%", n * 100 / most)></span>
                                        <span class="dist-n">{n}" "{tl().people_chose}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ol>
                        <div class="screen-why">
                            <p><strong>{tl().screen_explanation}": "</strong>{r.explanation}</p>
                            <p class="hint">{tl().screen_source}": "{r.source}</p>
                        </div>
                    })}
                </div>
            }
            .into_any()
        }
        Phase::Results => view! {
            <div class="tv-columns" data-phase="results" id="screen-phase">
                <div>
                    <h2>{tl().screen_people}</h2>
                    <PeopleList people=v.people.clone() id="screen-people" />
                </div>
                <div>
                    <h2>{tl().screen_units}</h2>
                    <UnitList units=v.units.clone() id="screen-units" />
                    <p class="hint">{tl().unit_average_note}</p>
                </div>
            </div>
        }
        .into_any(),
        Phase::Ended => {
            let podium: Vec<_> = v.people.iter().take(3).cloned().collect();
            view! {
                <div class="screen-end" data-phase="ended" id="screen-phase">
                    <h2>{tl().screen_podium}</h2>
                    <ol class="podium" id="screen-podium">
                        {podium.into_iter().map(|p| view! {
                            <li class=format!("place-{}", p.rank.min(3))>
                                <span class="tv-rank">{p.rank}</span>
                                <span class="tv-name">{p.name}<small>{p.unit_name}</small></span>
                                <span class="tv-score">{p.points}</span>
                            </li>
                        }).collect_view()}
                    </ol>
                    <h2>{tl().screen_units}</h2>
                    <UnitList units=v.units.clone() id="screen-units" />
                    <p class="hint">{tl().unit_average_note}</p>
                </div>
            }
            .into_any()
        }
    }
}
