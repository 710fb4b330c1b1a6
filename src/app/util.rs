//! Small UI helpers: the browser's clock and error display.
use crate::error::AppError;
use leptos::prelude::*;

/// The browser's clock in milliseconds (the server's on the server).
pub fn client_now() -> i64 {
    #[cfg(feature = "hydrate")]
    {
        js_sys::Date::now() as i64
    }
    #[cfg(not(feature = "hydrate"))]
    {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as i64).unwrap_or(0)
    }
}

/// A ticking "now" on the server's clock: starts at `server_now` (so server and
/// browser render the same first frame) and, once hydrated, follows the browser's
/// clock corrected by the measured offset.
pub fn server_clock(server_now: i64, period_ms: u64) -> (ReadSignal<i64>, RwSignal<i64>) {
    let (now, set_now) = signal(server_now);
    let offset = RwSignal::new(0i64);
    Effect::new(move |_| {
        // browser only: effects do not run during server rendering
        offset.set(server_now - client_now());
        if let Ok(handle) = set_interval_with_handle(
            move || set_now.set(client_now() + offset.get_untracked()),
            std::time::Duration::from_millis(period_ms),
        ) {
            on_cleanup(move || handle.clear());
        }
    });
    (now, offset)
}

/// A number with `digits` decimals as Vietnamese write it: "0,35".
pub fn decimal(x: f64, digits: usize) -> String {
    format!("{x:.digits$}").replace('.', ",")
}

/// A participation rate as Vietnamese write it: "12,5%".
pub fn percent(rate: f64) -> String {
    format!("{:.1}%", rate * 100.0).replace('.', ",")
}

#[component]
pub fn ErrorBox(error: AppError) -> impl IntoView {
    view! {
        <p class="alert" role="alert">
            {error.message}
        </p>
    }
}

/// Shows the error of the last action run, if any.
pub fn action_error<T: 'static>(value: impl Fn() -> Option<Result<T, AppError>> + Send + Sync + 'static) -> impl IntoView {
    move || value().and_then(|r| r.err()).map(|error| view! { <ErrorBox error /> })
}

/// Waits in the browser (a no-op elsewhere).
pub async fn sleep_ms(ms: u32) {
    #[cfg(feature = "hydrate")]
    gloo_timers::future::TimeoutFuture::new(ms).await;
    #[cfg(not(feature = "hydrate"))]
    let _ = ms;
}

/// The browser's FormData (uploads start in the browser; on the server this is never built).
#[cfg(feature = "hydrate")]
pub use web_sys::FormData;
#[cfg(not(feature = "hydrate"))]
#[derive(Clone)]
pub struct FormData;
#[cfg(not(feature = "hydrate"))]
impl From<FormData> for leptos::server_fn::codec::MultipartData {
    fn from(_: FormData) -> Self {
        unreachable!("uploads start in the browser")
    }
}

/// Stops a form's submission and returns its fields, files included.
pub fn form_data(ev: leptos::ev::SubmitEvent) -> Option<FormData> {
    ev.prevent_default();
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let form = ev.target()?.dyn_into::<web_sys::HtmlFormElement>().ok()?;
        web_sys::FormData::new_with_form(&form).ok()
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

/// How deep a unit sits in the tree (the city is 0); cycles and orphans stop the walk.
pub fn unit_depth(units: &[crate::model::UnitDto], u: &crate::model::UnitDto) -> usize {
    let (mut d, mut parent) = (0, u.parent_id);
    while let Some(p) = parent {
        match units.iter().find(|x| x.id == p) {
            Some(x) if d < 32 => {
                d += 1;
                parent = x.parent_id;
            }
            _ => break,
        }
    }
    d
}
