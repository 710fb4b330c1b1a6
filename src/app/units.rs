//! Units and rosters in the console, the printable roster, and account activation.
use super::util::{action_error, ErrorBox};
use crate::api;
use crate::domain::units::UnitKind;
use crate::i18n::t;
use crate::model::{RosterImport, UnitDto, UnitInput};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

#[component]
pub fn UnitsPage() -> impl IntoView {
    view! {
        <Title text=format!("{} — {}", t().units_title, t().app_name) />
        <h1>{t().units_title}</h1>
        <crate::app::organizer::Console part=crate::app::organizer::Part::Units />
    }
}

/// Units, merges, imports and roles (a lazy island: loaded only on this page).
#[component]
pub(crate) fn UnitsConsole() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let units = Resource::new(move || refresh.get(), |_| api::list_units());
    view! {
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match units.await {
                    Ok(list) => view! { <Units units=list refresh /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Units(units: Vec<UnitDto>, refresh: RwSignal<u32>) -> impl IntoView {
    let options = units.clone();
    let select = move |id: &'static str, label: &'static str, sig: RwSignal<String>| {
        let options = options.clone();
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <select id=id on:change=move |ev| sig.set(event_target_value(&ev))>
                    <option value="">"—"</option>
                    {options.iter().map(|u| view! { <option value=u.id.to_string()>{u.name.clone()}</option> }).collect_view()}
                </select>
            </div>
        }
    };
    // add a unit
    let parent = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let headcount = RwSignal::new("0".to_string());
    let kind = RwSignal::new("commune".to_string());
    let add = Action::new(move |_: &()| {
        let input = UnitInput {
            parent_id: Uuid::parse_str(&parent.get_untracked()).ok(),
            name: name.get_untracked(),
            kind: UnitKind::parse(&kind.get_untracked()).unwrap_or(UnitKind::Commune),
            headcount: headcount.get_untracked().trim().parse().unwrap_or(-1),
            code: Some(code.get_untracked()),
        };
        async move {
            let r = api::admin_save_unit(None, input).await;
            if r.is_ok() {
                refresh.update(|n| *n += 1);
            }
            r
        }
    });
    // merge
    let source = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let merge = Action::new(move |_: &()| {
        let (s, tg) = (Uuid::parse_str(&source.get_untracked()).ok(), Uuid::parse_str(&target.get_untracked()).ok());
        async move {
            let (Some(s), Some(tg)) = (s, tg) else { return Err(crate::error::AppError::validation(t().err_unit_unknown)) };
            let r = api::admin_merge_units(s, tg).await;
            if r.is_ok() {
                refresh.update(|n| *n += 1);
            }
            r
        }
    });
    let roster = Action::new_local(|data: &super::util::FormData| api::admin_import_roster(data.clone().into()));
    let unit_file = Action::new_local(|data: &super::util::FormData| api::admin_import_units(data.clone().into()));
    Effect::new(move |_| {
        if let Some(Ok(r)) = unit_file.value().get() {
            if r.created > 0 {
                refresh.update(|n| *n += 1);
            }
        }
    });
    let listed = units.clone();
    view! {
        <div class="table-wrap">
            <table id="units">
                <thead><tr>
                    <th scope="col">{t().col_unit}</th>
                    <th scope="col">{t().col_headcount}</th>
                    <th scope="col"><span class="sr-only">{t().units_roster}</span></th>
                </tr></thead>
                <tbody>
                    {listed.iter().map(|u| view! {
                        <tr>
                            <td style=format!("padding-left:{}rem", 0.6 + super::util::unit_depth(&listed, u) as f32 * 1.2)>{u.name.clone()}</td>
                            <td>{u.headcount}</td>
                            <td><a href=format!("/quan-tri/don-vi/{}/danh-sach", u.id)>{t().units_roster}</a></td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
        <section class="card" aria-labelledby="unit-add-h">
            <h2 id="unit-add-h">{t().units_add}</h2>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); add.dispatch(()); }>
                {select("u-parent", t().units_parent, parent)}
                <div class="row">
                    <div class="field"><label for="u-name">{t().units_name}</label>
                        <input id="u-name" type="text" required maxlength="200" on:input=move |ev| name.set(event_target_value(&ev)) /></div>
                    <div class="field"><label for="u-code">{t().units_code}</label>
                        <input id="u-code" type="text" maxlength="40" on:input=move |ev| code.set(event_target_value(&ev)) /></div>
                </div>
                <div class="row">
                    <div class="field"><label for="u-kind">{t().units_kind}</label>
                        <select id="u-kind" on:change=move |ev| kind.set(event_target_value(&ev))>
                            <option value="commune">{t().kind_commune}</option>
                            <option value="agency">{t().kind_agency}</option>
                            <option value="district">{t().kind_district}</option>
                        </select></div>
                    <div class="field"><label for="u-head">{t().col_headcount}</label>
                        <input id="u-head" type="number" min="0" prop:value=move || headcount.get() on:input=move |ev| headcount.set(event_target_value(&ev)) /></div>
                </div>
                {action_error(move || add.value().get())}
                <button type="submit" class="btn btn-primary">{t().units_add}</button>
            </form>
        </section>
        <section class="card" aria-labelledby="unit-merge-h">
            <h2 id="unit-merge-h">{t().units_merge}</h2>
            <p class="muted">{t().units_merge_hint}</p>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); merge.dispatch(()); }>
                <div class="row">{select("m-source", t().units_merge_source, source)}{select("m-target", t().units_merge_target, target)}</div>
                {action_error(move || merge.value().get())}
                <button type="submit" class="btn">{t().units_merge}</button>
            </form>
        </section>
        <section class="card" aria-labelledby="units-import-h">
            <h2 id="units-import-h">{t().units_import}</h2>
            <p class="muted">{t().units_import_hint}</p>
            <form class="form" on:submit=move |ev| { if let Some(d) = super::util::form_data(ev) { unit_file.dispatch_local(d); } }>
                <div class="field"><label for="units-file">{t().bank_file}</label>
                    <input id="units-file" name="file" type="file" accept=".csv,.xlsx" required /></div>
                <button type="submit" class="btn btn-primary" disabled=move || unit_file.pending().get()>{t().bank_upload}</button>
            </form>
            <Show when=move || unit_file.pending().get()>
                <p role="status"><progress aria-label=t().bank_checking></progress>" "{t().bank_checking}</p>
            </Show>
            {move || unit_file.value().get().map(|r| match r {
                Ok(r) => view! { <RosterResult r /> }.into_any(),
                Err(error) => view! { <ErrorBox error /> }.into_any(),
            })}
        </section>
        <RoleForm units=units.clone() />
        <section class="card" aria-labelledby="roster-h">
            <h2 id="roster-h">{t().roster_import}</h2>
            <p class="muted">{t().roster_hint}</p>
            <form class="form" on:submit=move |ev| { if let Some(d) = super::util::form_data(ev) { roster.dispatch_local(d); } }>
                <div class="field"><label for="roster-file">{t().bank_file}</label>
                    <input id="roster-file" name="file" type="file" accept=".csv,.xlsx" required /></div>
                <button type="submit" class="btn btn-primary" disabled=move || roster.pending().get()>{t().bank_upload}</button>
            </form>
            <Show when=move || roster.pending().get()>
                <p role="status"><progress aria-label=t().bank_checking></progress>" "{t().bank_checking}</p>
            </Show>
            {move || roster.value().get().map(|r| match r {
                Ok(r) => view! { <RosterResult r /> }.into_any(),
                Err(error) => view! { <ErrorBox error /> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn RosterResult(r: RosterImport) -> impl IntoView {
    let created = r.created;
    let by_unit = r.by_unit.clone();
    view! {
        <div aria-live="polite">
            {r.file_error.map(|e| view! { <p class="alert" role="alert">{e}</p> })}
            {(!r.row_errors.is_empty()).then(|| view! {
                <p class="alert" role="alert">{t().bank_errors}</p>
                <table><tbody>
                    {r.row_errors.iter().map(|e| view! { <tr><td>{t().bank_row}" "{e.row}</td><td>{e.reasons.join("; ")}</td></tr> }).collect_view()}
                </tbody></table>
            })}
            {(created > 0).then(move || view! {
                <p class="ok" role="status">{t().roster_created}": "{created}</p>
                <ul>{by_unit.into_iter().map(|(id, name, n)| view! {
                    <li><a href=format!("/quan-tri/don-vi/{id}/danh-sach")>{name}</a>": "{n}</li>
                }).collect_view()}</ul>
            })}
        </div>
    }
}

/// A unit's printable list: names, phones, positions and activation codes.
#[component]
pub fn RosterPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.read().get("id").and_then(|s| Uuid::parse_str(&s).ok()),
        |id| async move {
            match id {
                Some(id) => api::admin_roster(id).await,
                None => Err(crate::error::AppError::not_found(t().err_unit_unknown)),
            }
        },
    );
    view! {
        <Title text=format!("{} — {}", t().units_roster, t().app_name) />
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((name, rows)) => view! {
                        <section class="printable">
                            <h1>{t().units_roster}": "{name}</h1>
                            <p class="muted no-print">{t().roster_print_hint}</p>
                            <table>
                                <thead><tr>
                                    <th scope="col">"#"</th>
                                    <th scope="col">{t().col_name}</th>
                                    <th scope="col">{t().col_phone}</th>
                                    <th scope="col">{t().roster_position}</th>
                                    <th scope="col">{t().roster_code}</th>
                                </tr></thead>
                                <tbody>
                                    {rows.into_iter().enumerate().map(|(i, (n, p, pos, code))| view! {
                                        <tr><td>{i + 1}</td><td>{n}</td><td class="mono">{p}</td><td>{pos}</td>
                                            <td class="mono">{code.unwrap_or_else(|| t().roster_activated.to_string())}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <p class="muted">{t().roster_instructions}</p>
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// An official from a roster sets a password with their code.
#[component]
pub fn ActivatePage() -> impl IntoView {
    let action = ServerAction::<api::Activate>::new();
    view! {
        <Title text=format!("{} — {}", t().activate_title, t().app_name) />
        <section class="card narrow">
            <h1>{t().activate_title}</h1>
            <p>{t().activate_intro}</p>
            <ActionForm action attr:class="form" attr:novalidate="">
                <div class="field"><label for="phone">{t().field_phone}</label>
                    <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" required /></div>
                <div class="field"><label for="code">{t().roster_code}</label>
                    <input id="code" name="code" type="text" autocomplete="one-time-code" required maxlength="16" /></div>
                <div class="field"><label for="password">{t().activate_password}</label>
                    <input id="password" name="password" type="password" autocomplete="new-password" required minlength="8" aria-describedby="pw-hint" />
                    <p class="hint" id="pw-hint">{t().field_password_hint}</p></div>
                {action_error(move || action.value().get())}
                <button type="submit" class="btn btn-primary btn-block">{t().activate_button}</button>
            </ActionForm>
        </section>
    }
}

/// Administrators give an account a role over a unit subtree.
#[component]
fn RoleForm(units: Vec<UnitDto>) -> impl IntoView {
    let phone = RwSignal::new(String::new());
    let role = RwSignal::new("organizer".to_string());
    let unit = RwSignal::new(String::new());
    let save = Action::new(move |_: &()| {
        let input = crate::model::RoleInput {
            role: crate::model::Role::parse(&role.get_untracked()),
            scope_unit_id: Uuid::parse_str(&unit.get_untracked()).ok(),
        };
        let phone = phone.get_untracked();
        async move { api::admin_set_role(phone, input).await }
    });
    view! {
        <section class="card" aria-labelledby="role-h">
            <h2 id="role-h">{t().roles_title}</h2>
            <p class="muted">{t().roles_hint}</p>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
                <div class="row">
                    <div class="field"><label for="role-phone">{t().field_phone}</label>
                        <input id="role-phone" type="tel" required on:input=move |ev| phone.set(event_target_value(&ev)) /></div>
                    <div class="field"><label for="role-role">{t().roles_role}</label>
                        <select id="role-role" on:change=move |ev| role.set(event_target_value(&ev))>
                            <option value="organizer">{t().role_organizer}</option>
                            <option value="viewer">{t().role_viewer}</option>
                            <option value="participant">{t().role_participant}</option>
                            <option value="admin">{t().role_admin}</option>
                        </select></div>
                    <div class="field"><label for="role-unit">{t().roles_unit}</label>
                        <select id="role-unit" on:change=move |ev| unit.set(event_target_value(&ev))>
                            <option value="">"—"</option>
                            {units.into_iter().map(|u| view! { <option value=u.id.to_string()>{u.name}</option> }).collect_view()}
                        </select></div>
                </div>
                {move || save.value().get().map(|r| match r {
                    Ok(()) => view! { <p class="ok" role="status">{t().done}</p> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                })}
                <button type="submit" class="btn">{t().roles_save}</button>
            </form>
        </section>
    }
}
