//! The browser's side of the outbox: the attempt's record in `localStorage`, the
//! network state, and the choices made before the page became interactive. On the
//! server every function is a no-op.
use super::outbox::LocalAttempt;
use uuid::Uuid;

fn key(attempt: Uuid) -> String {
    format!("thi24:attempt:{attempt}")
}

#[cfg(feature = "hydrate")]
fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// The attempt as this device last kept it.
pub fn load(attempt: Uuid) -> Option<LocalAttempt> {
    #[cfg(feature = "hydrate")]
    {
        let text = storage()?.get_item(&key(attempt)).ok().flatten()?;
        serde_json::from_str(&text).ok()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = key(attempt);
        None
    }
}

/// Keeps the attempt on the device (synchronously: it is stored before anything is sent).
pub fn save(attempt: Uuid, local: &LocalAttempt) {
    #[cfg(feature = "hydrate")]
    if let (Some(s), Ok(text)) = (storage(), serde_json::to_string(local)) {
        let _ = s.set_item(&key(attempt), &text);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (attempt, local);
}

/// Forgets the attempt once the server has graded it.
pub fn forget(attempt: Uuid) {
    #[cfg(feature = "hydrate")]
    if let Some(s) = storage() {
        let _ = s.remove_item(&key(attempt));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = attempt;
}

/// What the browser believes of the network (a request may still fail).
pub fn is_online() -> bool {
    #[cfg(feature = "hydrate")]
    {
        web_sys::window().map(|w| w.navigator().on_line()).unwrap_or(true)
    }
    #[cfg(not(feature = "hydrate"))]
    true
}

/// Calls `f(true)` when the network comes back and `f(false)` when it goes.
pub fn on_network_change(f: impl Fn(bool) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{closure::Closure, JsCast};
        let Some(w) = web_sys::window() else { return };
        let f = std::rc::Rc::new(f);
        for (event, up) in [("online", true), ("offline", false)] {
            let f = f.clone();
            let cb = Closure::<dyn Fn()>::new(move || f(up));
            let _ = w.add_event_listener_with_callback(event, cb.as_ref().unchecked_ref());
            cb.forget();
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = f;
}

/// The radio buttons checked in `form` before the island took over (the page is
/// usable while its WebAssembly loads): `(question, option)` from `answers[q]` = o.
pub fn checked_before_hydration(form_id: &str) -> Vec<(Uuid, Uuid)> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let mut out = Vec::new();
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return out };
        let Ok(list) = doc.query_selector_all(&format!("#{form_id} input[type=radio]:checked")) else { return out };
        for i in 0..list.length() {
            let Some(input) = list.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok()) else { continue };
            let name = input.name();
            let q = name.strip_prefix("answers[").and_then(|s| s.strip_suffix(']')).and_then(|s| Uuid::parse_str(s).ok());
            if let (Some(q), Ok(o)) = (q, Uuid::parse_str(&input.value())) {
                out.push((q, o));
            }
        }
        out
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = form_id;
        Vec::new()
    }
}

/// The (question, option) of a change event on one of the quiz's radio buttons.
pub fn answer_of(ev: &leptos::ev::Event) -> Option<(Uuid, Uuid)> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let input = ev.target()?.dyn_into::<web_sys::HtmlInputElement>().ok()?;
        let q = input.name().strip_prefix("answers[")?.strip_suffix(']').and_then(|s| Uuid::parse_str(s).ok())?;
        Some((q, Uuid::parse_str(&input.value()).ok()?))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        None
    }
}

/// Checks `option` among the question's radio buttons (none: clears them).
pub fn mark(question: Uuid, option: Option<Uuid>) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let Ok(list) = doc.query_selector_all(&format!("input[name=\"answers[{question}]\"]")) else { return };
        for i in 0..list.length() {
            if let Some(input) = list.item(i).and_then(|n| n.dyn_into::<web_sys::HtmlInputElement>().ok()) {
                input.set_checked(Some(input.value()) == option.map(|o| o.to_string()));
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (question, option);
}

/// Shows the `index`th question of the quiz and hides the others.
pub fn show_question(index: usize) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let Ok(list) = doc.query_selector_all("#quiz-form .question") else { return };
        for i in 0..list.length() {
            if let Some(el) = list.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                let _ = el.class_list().toggle_with_force("current", i as usize == index);
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = index;
}
