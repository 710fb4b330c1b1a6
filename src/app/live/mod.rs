//! Live in-person sessions in the browser: the participant's page (join with a
//! code, answer on the phone), the projector, and the host's console. Every
//! screen follows the session's event stream; the server owns the time.

mod host;
mod play;
mod screen;

pub(crate) use host::{HostLive, LiveConsole};
pub use host::{LiveConsolePage, LiveHostPage};
pub use play::LivePlayPage;
pub use screen::LiveScreenPage;
pub(crate) use screen::ScreenLive;

use crate::api::live as api;
use crate::app::util::client_now;
use crate::i18n::tl;
use crate::model::{LivePersonRow, LiveUnitRow, LiveView};
use leptos::prelude::*;
use uuid::Uuid;

/// Letters of the options as read out in the hall.
pub const LETTERS: [&str; 8] = ["A", "B", "C", "D", "E", "F", "G", "H"];

/// The view last received, the browser's offset from the server's clock, and
/// whether the stream is connected.
#[derive(Clone, Copy)]
pub struct Live {
    pub view: RwSignal<Option<LiveView>>,
    pub offset: RwSignal<i64>,
    pub connected: RwSignal<bool>,
}

impl Live {
    pub fn new(initial: Option<LiveView>) -> Self {
        let offset = initial.as_ref().map(|v| v.now - client_now()).unwrap_or(0);
        Self { view: RwSignal::new(initial), offset: RwSignal::new(offset), connected: RwSignal::new(false) }
    }

    pub fn set(&self, v: LiveView) {
        self.offset.set(v.now - client_now());
        self.view.set(Some(v));
    }
}

/// Follows `/api/v1/live/{id}/events?view=…`; the browser reconnects by itself.
#[allow(unused_variables)]
pub fn listen(id: Uuid, kind: &'static str, live: Live) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        let Ok(source) = web_sys::EventSource::new(&format!("/api/v1/live/{id}/events?view={kind}")) else { return };
        let on_state = Closure::<dyn FnMut(web_sys::MessageEvent)>::new(move |e: web_sys::MessageEvent| {
            if let Some(v) = e.data().as_string().and_then(|s| serde_json::from_str::<LiveView>(&s).ok()) {
                live.set(v);
                live.connected.set(true);
            }
        });
        let _ = source.add_event_listener_with_callback("state", on_state.as_ref().unchecked_ref());
        on_state.forget();
        let on_open = Closure::<dyn FnMut()>::new(move || live.connected.set(true));
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        on_open.forget();
        let on_error = Closure::<dyn FnMut()>::new(move || live.connected.set(false));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_error.forget();
        let source = StoredValue::new_local(source);
        on_cleanup(move || source.with_value(|s| s.close()));
    }
}

/// A page that follows one session (`:id` in the path): its first view, read on
/// the server, handed to the page's island (`render`), which then follows the
/// event stream.
pub fn follow_page(title: &'static str, host: bool, render: fn(LiveView) -> AnyView) -> impl IntoView {
    use crate::app::util::ErrorBox;
    let params = leptos_router::hooks::use_params_map();
    let id = params.read_untracked().get("id").and_then(|s| Uuid::parse_str(&s).ok());
    let initial = Resource::new(
        move || id,
        move |id| async move {
            match id {
                Some(id) => api::get_live_view(id, host).await,
                None => Err(crate::error::AppError::not_found(tl().err_session_not_found)),
            }
        },
    );
    view! {
        <leptos_meta::Title text=format!("{} — {}", title, crate::i18n::t().app_name) />
        <Suspense fallback=|| view! { <p class="card">{crate::i18n::t().loading}</p> }>
            {move || Suspend::new(async move {
                match initial.await {
                    Ok(first) => render(first),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// The first view, then the stream of `kind` (in an island, in the browser).
pub fn follow(first: LiveView, kind: &'static str) -> Live {
    let id = first.id;
    let live = Live::new(Some(first));
    Effect::new(move |_| listen(id, kind, live));
    live
}

/// Whole seconds left of the running question, ticking in the browser.
pub fn seconds_left(live: Live) -> Signal<i64> {
    let tick = RwSignal::new(0u32);
    Effect::new(move |_| {
        if let Ok(h) = set_interval_with_handle(move || tick.update(|t| *t = t.wrapping_add(1)), std::time::Duration::from_millis(250)) {
            on_cleanup(move || h.clear());
        }
    });
    Signal::derive(move || {
        tick.track();
        live.view.with(|v| match v {
            Some(v) if v.phase == crate::domain::live::Phase::Question => {
                let now = client_now() + live.offset.get_untracked();
                ((v.ends_at - now).max(0) + 999) / 1000
            }
            Some(v) if v.phase == crate::domain::live::Phase::Paused => (v.remaining_ms + 999) / 1000,
            _ => 0,
        })
    })
}

/// The connection indicator.
#[component]
pub fn LiveDot(live: Live) -> impl IntoView {
    view! {
        <span class=move || if live.connected.get() { "live on" } else { "live" } role="status">
            {move || if live.connected.get() { tl().connected } else { tl().reconnecting }}
        </span>
    }
}

/// The leading people.
#[component]
pub fn PeopleList(people: Vec<LivePersonRow>, #[prop(optional)] id: &'static str) -> impl IntoView {
    view! {
        <ol class="tv-list" id=id>
            {people
                .into_iter()
                .map(|p| {
                    view! {
                        <li>
                            <span class="tv-rank">{p.rank}</span>
                            <span class="tv-name">{p.name}<small>{p.unit_name}</small></span>
                            <span class="tv-score">{p.points}<small>{p.correct}" "{tl().correct_answers}</small></span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

/// The units ranked by their members' average.
#[component]
pub fn UnitList(units: Vec<LiveUnitRow>, #[prop(optional)] id: &'static str) -> impl IntoView {
    view! {
        <ol class="tv-list" id=id>
            {units
                .into_iter()
                .map(|u| {
                    view! {
                        <li>
                            <span class="tv-rank">{u.rank}</span>
                            <span class="tv-name">{u.unit_name}<small>{u.present}" "{tl().present}</small></span>
                            <span class="tv-score">{format!("{:.0}", u.average)}<small>{tl().average}</small></span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}
