//! The Leptos UI: routes, layout and pages. Strings come from `crate::i18n`.
pub mod api;
mod attempt;
mod auth;
mod bank;
mod console;
mod home;
mod leaderboard;
mod live;
mod practice;
mod stats;
mod study;
mod tv;
mod units;
mod util;

use crate::i18n::t;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Link, Meta, MetaTags, Stylesheet, Title};
use leptos_router::{
    components::{Route, Router, Routes, A},
    path,
};

pub fn shell(options: LeptosOptions) -> impl IntoView {
    // A fresh nonce per page: the only inline scripts that run are the ones Leptos writes
    // (hydration, streamed resources), and the Content Security Policy says so.
    #[cfg(feature = "ssr")]
    {
        leptos::nonce::provide_nonce();
        if let (Some(nonce), Some(res)) = (leptos::nonce::use_nonce(), use_context::<leptos_axum::ResponseOptions>()) {
            if let Ok(v) = http::HeaderValue::from_str(&crate::server::security::page_policy(&nonce.to_string())) {
                res.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
            }
        }
    }
    view! {
        <!DOCTYPE html>
        <html lang=t().lang>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Shared by every page: who is logged in, refreshed after login and logout.
#[derive(Clone, Copy)]
pub struct Session {
    pub login: ServerAction<api::Login>,
    pub logout: ServerAction<api::Logout>,
    pub register: ServerAction<api::Register>,
    pub me: Resource<Result<Option<crate::model::Me>, crate::error::AppError>>,
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let login = ServerAction::<api::Login>::new();
    let logout = ServerAction::<api::Logout>::new();
    let register = ServerAction::<api::Register>::new();
    let me = Resource::new(move || (login.version().get(), logout.version().get(), register.version().get()), |_| api::get_me());
    provide_context(Session { login, logout, register, me });
    // Marks the page once the wasm has taken over (tests and styles can rely on it).
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Stylesheet id="leptos" href="/pkg/thi24.css" />
        <Link rel="icon" href="/favicon.ico" />
        <Meta name="description" content=t().app_tagline />
        <Meta name="theme-color" content="#9b1c1c" />
        <Title text=t().app_name />
        <Router>
            <a class="skip" href="#main">{t().skip_to_content}</a>
            <Header />
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=home::HomePage />
                    <Route path=path!("/dang-nhap") view=auth::LoginPage />
                    <Route path=path!("/dang-ky") view=auth::RegisterPage />
                    <Route path=path!("/bai-thi/:id") view=attempt::AttemptPage />
                    <Route path=path!("/bang-xep-hang/:id") view=leaderboard::LeaderboardPage />
                    <Route path=path!("/thong-ke/:id") view=stats::StatsPage />
                    <Route path=path!("/trinh-chieu/:id") view=tv::TvPage />
                    <Route path=path!("/truc-tiep") view=live::LivePlayPage />
                    <Route path=path!("/trinh-chieu/truc-tiep/:id") view=live::LiveScreenPage />
                    <Route path=path!("/quan-tri/truc-tiep") view=live::LiveConsolePage />
                    <Route path=path!("/quan-tri/truc-tiep/:id") view=live::LiveHostPage />
                    <Route path=path!("/hoc-tap") view=study::StudyIndex />
                    <Route path=path!("/hoc-tap/:slug") view=study::StudySectionPage />
                    <Route path=path!("/luyen-tap") view=practice::PracticePage />
                    <Route path=path!("/quan-tri/cau-hoi") view=bank::BankListPage />
                    <Route path=path!("/quan-tri/cau-hoi/moi") view=bank::BankEditPage />
                    <Route path=path!("/quan-tri/cau-hoi/:id") view=bank::BankEditPage />
                    <Route path=path!("/quan-tri/cuoc-thi") view=console::ContestsPage />
                    <Route path=path!("/quan-tri/cuoc-thi/:id") view=console::ContestPage />
                    <Route path=path!("/quan-tri/nhat-ky") view=console::AuditPage />
                    <Route path=path!("/ket-qua/:id") view=console::ResultsPage />
                    <Route path=path!("/quan-tri/don-vi") view=units::UnitsPage />
                    <Route path=path!("/quan-tri/don-vi/:id/danh-sach") view=units::RosterPage />
                    <Route path=path!("/kich-hoat") view=units::ActivatePage />
                </Routes>
            </main>
            <footer class="footer">
                <p>{t().footer}</p>
            </footer>
        </Router>
    }
}

#[component]
fn Header() -> impl IntoView {
    let session = expect_context::<Session>();
    let user = move || session.me.get().and_then(|r| r.ok()).flatten();
    view! {
        <header class="topbar">
            <A href="/" attr:class="brand">
                <span class="brand-mark" aria-hidden="true">"24"</span>
                <span class="brand-text">{t().app_name}</span>
            </A>
            <nav aria-label=t().nav_main>
                <A href="/hoc-tap" attr:class="navlink">{t().nav_study}</A>
                <A href="/luyen-tap" attr:class="navlink">{t().nav_practice}</A>
                <A href="/truc-tiep" attr:class="navlink">{crate::i18n::tl().nav_live}</A>
                <Transition fallback=|| ()>
                    {move || match user() {
                        Some(me) => view! {
                            {matches!(me.role, crate::model::Role::Admin | crate::model::Role::Organizer)
                                .then(|| view! {
                                    <A href="/quan-tri/cuoc-thi" attr:class="navlink">{t().nav_contests}</A>
                                    <A href="/quan-tri/cau-hoi" attr:class="navlink">{t().nav_bank}</A>
                                    <A href="/quan-tri/don-vi" attr:class="navlink">{t().nav_units}</A>
                                    <A href="/quan-tri/truc-tiep" attr:class="navlink">{crate::i18n::tl().console_title}</A>
                                })}
                            {(me.role == crate::model::Role::Admin).then(|| view! { <A href="/quan-tri/nhat-ky" attr:class="navlink">{t().nav_audit}</A> })}
                            <span class="who">{t().logged_in_as}", " <strong>{me.full_name}</strong></span>
                            <ActionForm action=session.logout attr:class="inline">
                                <button type="submit" class="btn btn-quiet">{t().nav_logout}</button>
                            </ActionForm>
                        }.into_any(),
                        None => view! {
                            <A href="/dang-nhap" attr:class="btn btn-quiet">{t().nav_login}</A>
                            <A href="/dang-ky" attr:class="btn btn-primary">{t().nav_register}</A>
                        }.into_any(),
                    }}
                </Transition>
            </nav>
        </header>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text=t().not_found_title />
        <section class="card">
            <h1>{t().not_found_title}</h1>
            <p>{t().not_found_text}</p>
            <A href="/" attr:class="btn btn-primary">{t().back_home}</A>
        </section>
    }
}
