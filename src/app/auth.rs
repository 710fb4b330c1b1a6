//! Login and registration pages. Both forms work before the wasm loads.
use super::util::action_error;
use super::Session;
use crate::domain::text;
use crate::i18n::t;
use crate::model::UnitDto;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

#[component]
pub fn LoginPage() -> impl IntoView {
    let session = expect_context::<Session>();
    let action = session.login;
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
                <button type="submit" class="btn btn-primary btn-block" disabled=move || action.pending().get()>
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
    let session = expect_context::<Session>();
    let action = session.register;
    let units = Resource::new(|| (), |_| super::api::list_units());
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
                <button type="submit" class="btn btn-primary btn-block" disabled=move || action.pending().get()>
                    {t().btn_register}
                </button>
            </ActionForm>
            <p class="muted">{t().have_account}" " <A href="/dang-nhap">{t().nav_login}</A></p>
        </section>
    }
}

/// A searchable tree of units as a radio group named `unit_id`. Searching hides
/// (never removes) the units that do not match, so the choice survives.
#[component]
pub(crate) fn UnitPicker(units: Vec<UnitDto>) -> impl IntoView {
    let query = RwSignal::new(String::new());
    let chosen = RwSignal::new(None::<String>);
    let paths = path_names(&units);
    let count_visible = {
        let paths = paths.clone();
        move || {
            let q = query.get();
            paths.iter().filter(|p| text::matches(&q, p)).count()
        }
    };
    let depth_of: Vec<usize> = units.iter().map(|u| super::util::unit_depth(&units, u)).collect();
    view! {
        <fieldset class="field unit-picker">
            <legend>{t().field_unit}</legend>
            <p class="hint" id="unit-hint">{t().field_unit_hint}</p>
            <label for="unit-search" class="sr-only">{t().field_unit_search}</label>
            <input
                id="unit-search"
                type="search"
                placeholder=t().field_unit_search
                aria-describedby="unit-hint"
                aria-controls="unit-list"
                prop:value=move || query.get()
                on:input=move |ev| query.set(event_target_value(&ev))
            />
            <div id="unit-list" class="unit-list" role="radiogroup" aria-label=t().field_unit>
                {units
                    .into_iter()
                    .zip(paths)
                    .zip(depth_of)
                    .map(|((u, path), depth)| {
                        let id = u.id.to_string();
                        let input_id = format!("unit-{id}");
                        let hidden = move || !text::matches(&query.get(), &path);
                        let value = id.clone();
                        view! {
                            <div class="unit-option" class:hidden=hidden style=format!("--depth:{depth}")>
                                <input
                                    type="radio"
                                    name="unit_id"
                                    id=input_id.clone()
                                    value=id.clone()
                                    on:change=move |_| chosen.set(Some(value.clone()))
                                />
                                <label for=input_id>{u.name}</label>
                            </div>
                        }
                    })
                    .collect_view()}
                <p class="muted" class:hidden=move || count_visible() != 0>{t().unit_none_found}</p>
            </div>
        </fieldset>
    }
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
