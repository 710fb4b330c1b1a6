//! Login and registration pages: plain forms posted to server functions (no
//! WebAssembly needed); only the unit search is an island.
use super::util::action_error;
use crate::domain::text;
use crate::i18n::t;
use crate::model::UnitDto;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn LoginPage() -> impl IntoView {
    let action = ServerAction::<crate::api::Login>::new();
    view! {
        <Title text=format!("{} — {}", t().login_title, t().app_name) />
        <section class="card narrow">
            <h1>{t().login_title}</h1>
            <ActionForm action attr:class="form" attr:novalidate="">
                <div class="field">
                    <label for="phone">{t().field_phone}</label>
                    <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required aria-describedby="phone-hint" />
                    <p class="hint" id="phone-hint">{t().field_phone_hint}</p>
                </div>
                <div class="field">
                    <label for="password">{t().field_password}</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required />
                </div>
                {action_error(move || action.value().get())}
                <button type="submit" class="btn btn-primary btn-block">
                    {t().btn_login}
                </button>
            </ActionForm>
            <p class="muted">{t().no_account}" " <A href="/dang-ky">{t().nav_register}</A></p>
            <p class="muted"><A href="/kich-hoat">{t().activate_title}</A></p>
        </section>
    }
}

#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<crate::api::Register>::new();
    let units = Resource::new(|| (), |_| crate::api::list_units());
    view! {
        <Title text=format!("{} — {}", t().register_title, t().app_name) />
        <section class="card narrow">
            <h1>{t().register_title}</h1>
            <ActionForm action attr:class="form" attr:novalidate="">
                <div class="field">
                    <label for="full_name">{t().field_full_name}</label>
                    <input id="full_name" name="full_name" type="text" autocomplete="name" required maxlength="100" />
                </div>
                <div class="field">
                    <label for="phone">{t().field_phone}</label>
                    <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required aria-describedby="phone-hint" />
                    <p class="hint" id="phone-hint">{t().field_phone_hint}</p>
                </div>
                <Suspense fallback=|| view! { <p>{t().loading}</p> }>
                    {move || Suspend::new(async move {
                        match units.await {
                            Ok(list) => view! { <UnitPicker units=list /> }.into_any(),
                            Err(error) => view! { <super::util::ErrorBox error /> }.into_any(),
                        }
                    })}
                </Suspense>
                <div class="field">
                    <label for="password">{t().field_password}</label>
                    <input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="password-hint" />
                    <p class="hint" id="password-hint">{t().field_password_hint}</p>
                </div>
                {action_error(move || action.value().get())}
                <button type="submit" class="btn btn-primary btn-block">
                    {t().btn_register}
                </button>
            </ActionForm>
            <p class="muted">{t().have_account}" " <A href="/dang-nhap">{t().nav_login}</A></p>
        </section>
    }
}

/// The tree of units as a radio group named `unit_id`, rendered on the server;
/// the `UnitSearch` island hides (never removes) the units that do not match, so
/// the choice survives, and without it every unit stays listed.
#[component]
pub(crate) fn UnitPicker(units: Vec<UnitDto>) -> impl IntoView {
    let paths = path_names(&units);
    let depth_of: Vec<usize> = units.iter().map(|u| super::util::unit_depth(&units, u)).collect();
    view! {
        <fieldset class="field unit-picker">
            <legend>{t().field_unit}</legend>
            <p class="hint" id="unit-hint">{t().field_unit_hint}</p>
            <UnitSearch>
                <div id="unit-list" class="unit-list" role="radiogroup" aria-label=t().field_unit>
                    {units
                        .into_iter()
                        .zip(paths)
                        .zip(depth_of)
                        .map(|((u, path), depth)| {
                            let id = u.id.to_string();
                            let input_id = format!("unit-{id}");
                            view! {
                                <div class="unit-option" data-path=path style=format!("--depth:{depth}")>
                                    <input type="radio" name="unit_id" id=input_id.clone() value=id />
                                    <label for=input_id>{u.name}</label>
                                </div>
                            }
                        })
                        .collect_view()}
                    <p class="muted hidden" id="unit-none">{t().unit_none_found}</p>
                </div>
            </UnitSearch>
        </fieldset>
    }
}

/// The search box over a server-rendered unit list: matching ignores accents
/// ("tram long" finds "Xã Trầm Lộng", its district's name too).
#[island]
fn UnitSearch(children: Children) -> impl IntoView {
    let query = RwSignal::new(String::new());
    Effect::new(move |prev: Option<()>| {
        let q = query.get();
        if prev.is_some() || !q.is_empty() {
            filter_units(&q);
        }
    });
    view! {
        <label for="unit-search" class="sr-only">{t().field_unit_search}</label>
        <input
            id="unit-search"
            type="search"
            placeholder=t().field_unit_search
            aria-describedby="unit-hint"
            aria-controls="unit-list"
            on:input=move |ev| query.set(event_target_value(&ev))
        />
        {children()}
    }
}

/// Hides the units whose path does not match `q`, and says so when none does.
fn filter_units(q: &str) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return };
        let Ok(list) = doc.query_selector_all("#unit-list .unit-option") else { return };
        let mut shown = 0;
        for i in 0..list.length() {
            let Some(el) = list.item(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) else { continue };
            let visible = text::matches(q, &el.get_attribute("data-path").unwrap_or_default());
            shown += visible as u32;
            let _ = el.class_list().toggle_with_force("hidden", !visible);
        }
        if let Some(none) = doc.get_element_by_id("unit-none") {
            let _ = none.class_list().toggle_with_force("hidden", shown != 0);
        }
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (q, text::matches);
}

/// "Huyện Ứng Hòa Xã Trầm Lộng": each unit's name with its ancestors', for searching.
fn path_names(units: &[UnitDto]) -> Vec<String> {
    units
        .iter()
        .map(|u| {
            let mut names = vec![u.name.clone()];
            let mut parent = u.parent_id;
            let mut guard = 0;
            while let (Some(p), true) = (parent, guard < 32) {
                match units.iter().find(|x| x.id == p) {
                    Some(x) => {
                        names.push(x.name.clone());
                        parent = x.parent_id;
                    }
                    None => break,
                }
                guard += 1;
            }
            names.reverse();
            names.join(" ")
        })
        .collect()
}
