//! The projector / TV page of a round: counters, the top ten and the leading
//! units in large type, updated live over server-sent events with no reload (a
//! lazy island: its code never weighs on a participant's page).
use super::util::{percent, ErrorBox};
use crate::api;
use crate::domain::time::format_seconds;
use crate::i18n::{round_status_label, t};
use crate::model::LiveBoard;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

#[component]
pub fn TvPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.read_untracked().get("id").and_then(|s| Uuid::parse_str(&s).ok());
    let initial = Resource::new(
        move || id,
        |id| async move {
            match id {
                Some(id) => api::get_live_board(id).await,
                None => Err(crate::error::AppError::not_found(t().err_round_not_found)),
            }
        },
    );
    view! {
        <Title text=format!("{} — {}", t().tv_title, t().app_name) />
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match initial.await {
                    Ok(first) => view! { <crate::app::organizer::Console part=crate::app::organizer::Part::Tv(first) /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The board as first read, then as the round's event stream sends it.
#[component]
pub(crate) fn TvLive(first: LiveBoard) -> impl IntoView {
    let id = first.round_id;
    let live = RwSignal::new(None::<LiveBoard>);
    let connected = RwSignal::new(false);
    // browser only: effects do not run while rendering on the server
    Effect::new(move |_| listen(id, live, connected));
    let board = Signal::derive(move || live.get().unwrap_or_else(|| first.clone()));
    view! { <TvBoard board connected /> }
}

/// Follows the round's event stream; the browser reconnects by itself.
#[allow(unused_variables)]
fn listen(id: Uuid, live: RwSignal<Option<LiveBoard>>, connected: RwSignal<bool>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        let Ok(source) = web_sys::EventSource::new(&format!("/api/v1/rounds/{id}/events")) else { return };
        let on_board = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if let Some(board) = e.data().as_string().and_then(|s| serde_json::from_str::<LiveBoard>(&s).ok()) {
                live.set(Some(board));
                connected.set(true);
            }
        });
        let _ = source.add_event_listener_with_callback("board", on_board.as_ref().unchecked_ref());
        on_board.forget();
        let on_open = Closure::<dyn FnMut()>::new(move || connected.set(true));
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();
        let on_error = Closure::<dyn FnMut()>::new(move || connected.set(false));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        let source = StoredValue::new_local(source);
        on_cleanup(move || source.with_value(|s| s.close()));
    }
}

#[component]
fn TvBoard(board: Signal<LiveBoard>, connected: RwSignal<bool>) -> impl IntoView {
    view! {
        <section class="tv" aria-labelledby="tv-h">
            <header class="tv-head">
                <p class="eyebrow">{move || board.read().contest_title.clone()}</p>
                <h1 id="tv-h">{move || board.read().round_title.clone()}</h1>
                <p class="tv-status">
                    <span class="badge">{move || round_status_label(board.read().status)}</span>
                    " "
                    <span class=move || if connected.get() { "live on" } else { "live" } role="status">
                        {move || if connected.get() { t().tv_live } else { t().tv_offline }}
                    </span>
                </p>
            </header>
            <div class="tv-counters">
                <p><strong id="tv-participants">{move || board.read().participants}</strong>" "{t().tv_participants}</p>
                <p><strong id="tv-attempts">{move || board.read().attempts}</strong>" "{t().tv_attempts}</p>
                <p><strong id="tv-perfect">{move || board.read().perfect}</strong>" "{t().tv_perfect}</p>
            </div>
            <div class="tv-columns">
                <div>
                    <h2>{t().tv_top_people}</h2>
                    <ol class="tv-list" id="tv-people">
                        {move || {
                            board
                                .read()
                                .entries
                                .iter()
                                .map(|e| {
                                    view! {
                                        <li>
                                            <span class="tv-rank">{e.rank}</span>
                                            <span class="tv-name">{e.full_name.clone()}<small>{e.unit_name.clone()}</small></span>
                                            <span class="tv-score">{e.score}"/"{e.max_score}<small>{format_seconds(e.time_used_ms)}</small></span>
                                        </li>
                                    }
                                })
                                .collect_view()
                        }}
                    </ol>
                </div>
                <div>
                    <h2>{t().tv_top_units}</h2>
                    <ol class="tv-list" id="tv-units">
                        {move || {
                            board
                                .read()
                                .units
                                .iter()
                                .map(|u| {
                                    view! {
                                        <li>
                                            <span class="tv-rank">{u.rank}</span>
                                            <span class="tv-name">
                                                {u.unit_name.clone()}
                                                <small>{u.participants}" "{t().tv_participants}</small>
                                            </span>
                                            <span class="tv-score">{percent(u.participation_rate)}</span>
                                        </li>
                                    }
                                })
                                .collect_view()
                        }}
                    </ol>
                </div>
            </div>
        </section>
    }
}
