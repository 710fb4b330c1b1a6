//! `/quan-tri/truc-tiep`: organizers create live sessions (from a round's
//! questions or a hand-picked set) and `/quan-tri/truc-tiep/:id` runs one: the
//! join code and QR code, the controls, and the live standings.
use super::{seconds_left, Live, LiveDot, PeopleList, UnitList};
use crate::api::live as api;
use crate::app::util::ErrorBox;
use crate::domain::live::{Action, Phase};
use crate::error::AppError;
use crate::i18n::{phase_label, t, tl};
use crate::model::{BankFilter, BankItem, LiveCreateInput, LiveSummary};
use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_meta::Title;
use uuid::Uuid;

#[component]
pub fn LiveConsolePage() -> impl IntoView {
    view! {
        <Title text=format!("{} — {}", tl().console_title, t().app_name) />
        <section class="hero">
            <h1>{tl().console_title}</h1>
            <p>{tl().console_intro}</p>
        </section>
        <crate::app::organizer::Console part=crate::app::organizer::Part::Live />
    }
}

#[component]
pub(crate) fn LiveConsole() -> impl IntoView {
    let sessions = Resource::new(|| (), |_| api::list_live_sessions());
    view! {
        <CreateForm />
        <section class="card" aria-labelledby="sessions-h">
            <h2 id="sessions-h">{tl().sessions}</h2>
            <Suspense fallback=|| view! { <p>{t().loading}</p> }>
                {move || Suspend::new(async move {
                    match sessions.await {
                        Ok(list) if list.is_empty() => view! { <p class="muted">{tl().no_sessions}</p> }.into_any(),
                        Ok(list) => view! { <SessionTable list /> }.into_any(),
                        Err(error) => view! { <ErrorBox error /> }.into_any(),
                    }
                })}
            </Suspense>
        </section>
    }
}

#[component]
fn SessionTable(list: Vec<LiveSummary>) -> impl IntoView {
    view! {
        <table class="bank">
            <thead>
                <tr>
                    <th scope="col">{tl().session_title}</th>
                    <th scope="col">{tl().code_label}</th>
                    <th scope="col">{tl().controls}</th>
                </tr>
            </thead>
            <tbody>
                {list
                    .into_iter()
                    .map(|s| {
                        view! {
                            <tr>
                                <td>{s.title}<br /><small class="muted">{s.total}" "{tl().questions_n}" · "{phase_label(s.phase)}</small></td>
                                <td><strong>{s.code}</strong></td>
                                <td>
                                    <a href=format!("/quan-tri/truc-tiep/{}", s.id) class="btn btn-quiet">{tl().open_host}</a>
                                </td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
    }
}

/// Title, seconds per question, the questions (a round's draw or picked ones) and the contest it counts in.
#[component]
fn CreateForm() -> impl IntoView {
    let contests = Resource::new(|| (), |_| crate::api::admin_contests());
    let title = RwSignal::new(String::new());
    let seconds = RwSignal::new("20".to_string());
    let from_round = RwSignal::new(true);
    let round = RwSignal::new(String::new());
    let contest = RwSignal::new(String::new());
    let picked = RwSignal::new(Vec::<BankItem>::new());
    let search = RwSignal::new(String::new());
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let bank = Resource::new(
        move || search.get(),
        |q| crate::api::bank_list(BankFilter { q: Some(q).filter(|q| !q.is_empty()), status: Some("active".into()), ..Default::default() }),
    );
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let input = LiveCreateInput {
            title: title.get_untracked(),
            question_seconds: seconds.get_untracked().trim().parse().unwrap_or(0),
            round_id: if from_round.get_untracked() { Uuid::parse_str(&round.get_untracked()).ok() } else { None },
            question_ids: if from_round.get_untracked() { vec![] } else { picked.get_untracked().iter().map(|q| q.id).collect() },
            contest_id: Uuid::parse_str(&contest.get_untracked()).ok(),
        };
        busy.set(true);
        spawn_local(async move {
            match api::create_live_session(input).await {
                Ok(s) => {
                    let _ = window().location().set_href(&format!("/quan-tri/truc-tiep/{}", s.id));
                }
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    view! {
        <section class="card" aria-labelledby="new-h">
            <h2 id="new-h">{tl().new_session}</h2>
            {move || error.get().map(|error| view! { <ErrorBox error /> })}
            <form class="form" on:submit=submit>
                <div class="field">
                    <label for="live-title">{tl().session_title}</label>
                    <input id="live-title" required maxlength="200" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="live-seconds">{tl().seconds_per_question}</label>
                    <input id="live-seconds" type="number" min="5" max="300" inputmode="numeric" prop:value=move || seconds.get() on:input=move |ev| seconds.set(event_target_value(&ev)) />
                </div>
                <fieldset class="field">
                    <legend>{tl().source_label}</legend>
                    <label class="check">
                        <input type="radio" name="source" checked=true on:change=move |_| from_round.set(true) />
                        {tl().source_round}
                    </label>
                    <label class="check">
                        <input type="radio" name="source" id="source-pick" on:change=move |_| from_round.set(false) />
                        {tl().source_pick}
                    </label>
                </fieldset>
                <Suspense fallback=|| view! { <p>{t().loading}</p> }>
                    {move || Suspend::new(async move {
                        let list = contests.await.unwrap_or_default();
                        let rounds: Vec<(String, String)> = list
                            .iter()
                            .flat_map(|c| c.rounds.iter().map(move |r| (r.id.to_string(), format!("{} — {}", c.title, r.title))))
                            .collect();
                        let contest_opts: Vec<(String, String)> = list.iter().map(|c| (c.id.to_string(), c.title.clone())).collect();
                        view! {
                            <div class="field" class:hidden=move || !from_round.get()>
                                <label for="live-round">{tl().source_round}</label>
                                <select id="live-round" on:change=move |ev| round.set(event_target_value(&ev))>
                                    <option value="">"—"</option>
                                    {rounds.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                                </select>
                            </div>
                            <div class="field">
                                <label for="live-contest">{tl().count_in_contest}</label>
                                <select id="live-contest" on:change=move |ev| contest.set(event_target_value(&ev))>
                                    <option value="">{tl().no_contest}</option>
                                    {contest_opts.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                                </select>
                            </div>
                        }
                    })}
                </Suspense>
                <div class="field" class:hidden=move || from_round.get()>
                    <p class="hint">{tl().pick_hint}</p>
                    <ol class="picked" id="picked">
                        {move || picked.get().into_iter().map(|q| {
                            let id = q.id;
                            view! {
                                <li>
                                    {q.stem}" "
                                    <button type="button" class="btn btn-quiet" on:click=move |_| picked.update(|p| p.retain(|x| x.id != id))>
                                        {tl().remove}
                                    </button>
                                </li>
                            }
                        }).collect_view()}
                    </ol>
                    <label for="pick-search">{tl().search_bank}</label>
                    <input id="pick-search" type="search" on:change=move |ev| search.set(event_target_value(&ev)) />
                    <Transition fallback=|| ()>
                        {move || bank.get().map(|r| match r {
                            Ok(page) => view! {
                                <ul class="pick-list">
                                    {page.items.into_iter().map(|q| {
                                        let item = q.clone();
                                        let label = format!("{} {}", tl().add_question, q.stem);
                                        view! {
                                            <li>
                                                <button
                                                    type="button"
                                                    class="btn btn-quiet pick"
                                                    aria-label=label
                                                    disabled=move || picked.read().iter().any(|p| p.id == item.id)
                                                    on:click={
                                                        let item = q.clone();
                                                        move |_| picked.update(|p| p.push(item.clone()))
                                                    }
                                                >"+"</button>
                                                " "{q.stem.clone()}
                                            </li>
                                        }
                                    }).collect_view()}
                                </ul>
                            }.into_any(),
                            Err(error) => view! { <ErrorBox error /> }.into_any(),
                        })}
                    </Transition>
                </div>
                <button type="submit" class="btn btn-primary" disabled=move || busy.get()>{tl().create_btn}</button>
            </form>
        </section>
    }
}

#[component]
pub fn LiveHostPage() -> impl IntoView {
    super::follow_page(tl().controls, true, |first| {
        view! { <crate::app::organizer::Console part=crate::app::organizer::Part::LiveHost(first) /> }.into_any()
    })
}

/// The host's console of one session (a lazy island: never on a participant's page).
#[component]
pub(crate) fn HostLive(first: crate::model::LiveView) -> impl IntoView {
    let id = first.id;
    let live = super::follow(first, "host");
    view! { <Host id live /> }
}

/// Which controls make sense in a phase.
fn allowed(phase: Phase, index: i64, total: i64, action: Action) -> bool {
    use Action::*;
    match phase {
        Phase::Lobby => matches!(action, Start | End),
        Phase::Question => matches!(action, Pause | Reveal | End),
        Phase::Paused => matches!(action, Resume | Reveal | End),
        Phase::Reveal => matches!(action, Results | Next | End) && !(action == Next && index + 1 >= total),
        Phase::Results => matches!(action, Next | End) && !(action == Next && index + 1 >= total),
        Phase::Ended => false,
    }
}

fn label(a: Action) -> &'static str {
    match a {
        Action::Start => tl().act_start,
        Action::Pause => tl().act_pause,
        Action::Resume => tl().act_resume,
        Action::Reveal => tl().act_reveal,
        Action::Results => tl().act_results,
        Action::Next => tl().act_next,
        Action::End => tl().act_end,
    }
}

#[component]
fn Host(id: Uuid, live: Live) -> impl IntoView {
    let left = seconds_left(live);
    let error = RwSignal::new(None::<AppError>);
    let busy = RwSignal::new(false);
    let act = move |a: Action| {
        #[cfg(feature = "hydrate")]
        if a == Action::End && !window().confirm_with_message(tl().confirm_end).unwrap_or(false) {
            return;
        }
        busy.set(true);
        error.set(None);
        spawn_local(async move {
            match api::control_live_session(id, a.as_str().to_string()).await {
                Ok(v) => live.set(v),
                Err(e) => error.set(Some(e)),
            }
            busy.set(false);
        });
    };
    let v = move || live.view.get();
    view! {
        <section class="hero">
            <p class="eyebrow">{move || v().map(|v| v.title)}</p>
            <h1>
                {tl().code_label}" "<span id="host-code" class="host-code">{move || v().map(|v| v.code)}</span>
            </h1>
            <p>
                <a href=format!("/trinh-chieu/truc-tiep/{id}") target="_blank" rel="noopener" class="btn btn-quiet">{tl().open_screen}</a>
                " "
                <a href=format!("/api/v1/admin/live/{id}/export.xlsx") class="btn btn-quiet" download="">{tl().export}</a>
                " "
                <LiveDot live />
            </p>
        </section>
        <section class="card" aria-labelledby="controls-h">
            <h2 id="controls-h">{tl().controls}</h2>
            <p id="host-phase" role="status">
                {move || v().map(|v| {
                    let mut s = phase_label(v.phase).to_string();
                    if v.index >= 0 {
                        s.push_str(&format!(" · {} {}/{}", tl().question_of, v.index + 1, v.total));
                    }
                    if v.phase == Phase::Question {
                        s.push_str(&format!(" · {} {}", left.get(), tl().seconds_left));
                    }
                    s.push_str(&format!(" · {}/{} {}", v.answered, v.players, tl().screen_answered));
                    s
                })}
            </p>
            {move || error.get().map(|error| view! { <ErrorBox error /> })}
            <div class="controls">
                {Action::ALL
                    .into_iter()
                    .map(|a| {
                        view! {
                            <button
                                type="button"
                                class=if a == Action::End { "btn btn-quiet" } else { "btn btn-primary" }
                                data-action=a.as_str()
                                disabled=move || busy.get() || !v().is_some_and(|v| allowed(v.phase, v.index, v.total, a))
                                on:click=move |_| act(a)
                            >
                                {label(a)}
                            </button>
                        }
                    })
                    .collect_view()}
            </div>
            {move || v().and_then(|v| v.counted_round_id.map(|r| view! {
                <p class="ok">{tl().counted_in}" "{v.contest_title.clone().unwrap_or_default()}" — "<a href=format!("/bang-xep-hang/{r}")>{tl().leaderboard_link}</a></p>
            }))}
        </section>
        <div class="tv-columns">
            <section class="card">
                <h2>{tl().screen_people}</h2>
                {move || v().map(|v| view! { <PeopleList people=v.people id="host-people" /> })}
            </section>
            <section class="card">
                <h2>{tl().screen_units}</h2>
                {move || v().map(|v| view! { <UnitList units=v.units id="host-units" /> })}
                <p class="hint">{tl().unit_average_note}</p>
            </section>
        </div>
    }
}
