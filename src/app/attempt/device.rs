//! The quiz's side of the browser: the attempt's record in `localStorage`, the
//! network state, the events of the page the server drew and the elements the
//! island writes into (found by `id`). On the server every function is a no-op.
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
pub fn checked_before_hydration() -> Vec<(Uuid, Uuid)> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let mut out = Vec::new();
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return out };
        let Ok(list) = doc.query_selector_all("#quiz-form input[type=radio]:checked") else { return out };
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
    Vec::new()
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

/// A click the quiz acts on.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub enum Click {
    Prev,
    Next,
    Submit,
    Cancel,
    /// A question of the overview (`data-i`).
    Question(usize),
}

/// What a click on the quiz's page means, from the button it landed on.
pub fn clicked(ev: &leptos::ev::MouseEvent) -> Option<Click> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let button = ev.target()?.dyn_into::<web_sys::Element>().ok()?.closest("button").ok()??;
        if let Some(i) = button.get_attribute("data-i") {
            return i.parse().ok().map(Click::Question);
        }
        match button.id().as_str() {
            "btn-prev" => Some(Click::Prev),
            "btn-next" => Some(Click::Next),
            "btn-submit" => Some(Click::Submit),
            "btn-cancel" => Some(Click::Cancel),
            _ => None,
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = ev;
        None
    }
}

/// The prediction typed in the confirmation, if any.
pub fn prediction() -> Option<i64> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let doc = web_sys::window()?.document()?;
        let input = doc.get_element_by_id("prediction")?.dyn_into::<web_sys::HtmlInputElement>().ok()?;
        input.value().trim().parse().ok()
    }
    #[cfg(not(feature = "hydrate"))]
    None
}

#[cfg(feature = "hydrate")]
fn element(id: &str) -> Option<web_sys::Element> {
    web_sys::window()?.document()?.get_element_by_id(id)
}

/// Sets an element's text (when it changed).
pub fn set_text(id: &str, text: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(el) = element(id) {
        if el.text_content().as_deref() != Some(text) {
            el.set_text_content(Some(text));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, text);
}

pub fn set_attr(id: &str, name: &str, value: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(el) = element(id) {
        let _ = el.set_attribute(name, value);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, name, value);
}

fn set_flag(id: &str, name: &str, on: bool) {
    #[cfg(feature = "hydrate")]
    if let Some(el) = element(id) {
        let _ = if on { el.set_attribute(name, "") } else { el.remove_attribute(name) };
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, name, on);
}

pub fn set_hidden(id: &str, hidden: bool) {
    set_flag(id, "hidden", hidden);
}

pub fn set_disabled(id: &str, disabled: bool) {
    set_flag(id, "disabled", disabled);
}

pub fn set_class(id: &str, class: &str, on: bool) {
    #[cfg(feature = "hydrate")]
    if let Some(el) = element(id) {
        let _ = el.class_list().toggle_with_force(class, on);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (id, class, on);
}

/// Marks the overview's buttons: which questions are answered, which is shown.
pub fn mark_overview(current: usize, answered: &[bool], label: impl Fn(usize, bool) -> String) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let Ok(list) = doc.query_selector_all(".overview button[data-i]") else { return };
        for k in 0..list.length() {
            let Some(el) = list.item(k).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) else { continue };
            let i = k as usize;
            let done = answered.get(i).copied().unwrap_or(false);
            let _ = el.class_list().toggle_with_force("answered", done);
            let _ = el.set_attribute("aria-label", &label(i, done));
            if i == current {
                let _ = el.set_attribute("aria-current", "step");
            } else {
                let _ = el.remove_attribute("aria-current");
            }
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (current, answered, label);
}

pub fn scroll_to_top() {
    #[cfg(feature = "hydrate")]
    if let Some(w) = web_sys::window() {
        w.scroll_to_with_x_and_y(0.0, 0.0);
    }
}
