//! The Leptos UI in islands mode: every page is rendered on the server, and only
//! the interactive parts (`#[island]`) ship WebAssembly. A participant page loads
//! the small runtime and its own island's module, nothing of the console's; a page
//! without islands loads no WebAssembly at all. Strings come from `crate::i18n`.

mod analysis;
#[cfg(feature = "ssr")]
pub mod assets;
mod attempt;
mod auth;
mod bank;
mod console;
mod home;
mod leaderboard;
mod live;
mod organizer;
mod practice;
mod rest;
mod round_edit;
mod stats;
mod study;
mod tv;
mod units;
mod util;

use crate::api;
use crate::i18n::t;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, Meta, Title};
use leptos_router::{
    components::{Route, Router, Routes, A},
    path, SsrMode,
};

/// The document around every page (server only): the stylesheet, the island
/// loader with the page's nonce, and what pages add to `<head>`.
#[cfg(feature = "ssr")]
pub fn shell(options: LeptosOptions) -> impl IntoView {
    use leptos_meta::MetaTags;
    let _ = options;
    // A fresh nonce per page: the only inline script that runs is the loader below.
    leptos::nonce::provide_nonce();
    let nonce = leptos::nonce::use_nonce().map(|n| n.to_string()).unwrap_or_default();
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(v) = http::HeaderValue::from_str(&assets::page_policy(&nonce)) {
            res.insert_header(http::header::CONTENT_SECURITY_POLICY, v);
        }
    }
    let assets = use_context::<std::sync::Arc<crate::app::assets::Assets>>().unwrap_or_default();
    let loader = format!("({LOADER})({:?},{:?});", assets.js, assets.wasm);
    // Outside islands nothing is hydrated: data read for the page is not sent again
    // (islands switch it back on for what they read themselves).
    if let Some(sc) = Owner::current_shared_context() {
        sc.set_is_hydrating(false);
    }
    view! {
        <!DOCTYPE html>
        <html lang=t().lang>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href=assets.css.clone() />
                <link rel="icon" href="/favicon.ico" />
                <script type="module" nonce=nonce>{loader}</script>
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// Registers the service worker, then, only when the page holds islands, loads the
/// runtime and hydrates each island in document order (a lazy island fetches its
/// own module first). `<body data-hydrated>` tells tests and styles it is done.
#[cfg(feature = "ssr")]
const LOADER: &str = r#"(js, wasm) => {
  const body = document.body;
  const sw = navigator.serviceWorker;
  const ready = () => {
    body.dataset.hydrated = "true";
    // an attempt page the service worker did not serve (it was not yet in control)
    // asks it to keep the page, so that a reload works offline
    const nav = performance.getEntriesByType("navigation")[0];
    if (sw && location.pathname.startsWith("/bai-thi/") && !(nav && nav.workerStart > 0)) {
      sw.ready.then((reg) => reg.active && reg.active.postMessage({ keep: location.href }));
    }
  };
  if (sw) sw.register("/sw.js").catch(() => {});
  if (!document.querySelector("leptos-island")) { ready(); return; }
  const owners = [];
  // each island hydrates in a task of its own: the page stays responsive meanwhile
  const pause = () => new Promise((resolve) => setTimeout(resolve, 0));
  const walk = async (node, mod) => {
    for (const el of Array.from(node.children)) {
      if (el.localName === "leptos-island") {
        await pause();
        const setOwner = owners[owners.length - 1];
        if (setOwner) setOwner();
        const hydrateIsland = mod[el.dataset.component];
        if (hydrateIsland) await hydrateIsland(el);
        else console.warn("island without code: " + el.dataset.component);
        await walk(el, mod);
      } else if (el.localName === "leptos-children") {
        owners.push(el.$$on_hydrate);
        await walk(el, mod);
        owners.pop();
      } else {
        await walk(el, mod);
      }
    }
  };
  import(js).then(async (mod) => {
    await mod.default({ module_or_path: wasm });
    mod.hydrate();
    await walk(body, mod);
    ready();
  });
}"#;

/// Hints for a page with an island: fetch the runtime and the island's own module
/// while the page renders (`island` in snake case, as the build names its module).
#[component]
pub fn IslandHints(island: &'static str) -> impl IntoView {
    #[cfg(feature = "ssr")]
    {
        use leptos_meta::Link;
        let assets = use_context::<std::sync::Arc<crate::app::assets::Assets>>().unwrap_or_default();
        let chunk = assets.chunk(island).map(|c| c.to_string());
        view! {
            <Link rel="modulepreload" href=assets.js.clone() />
            <Link rel="preload" href=assets.wasm.clone() as_="fetch" type_="application/wasm" crossorigin="" />
            {chunk.map(|c| view! { <Link rel="preload" href=c as_="fetch" type_="application/wasm" crossorigin="" /> })}
        }
        .into_any()
    }
    #[cfg(not(feature = "ssr"))]
    {
        let _ = island;
        ().into_any()
    }
}

/// Who is asking, read once per page on the server.
#[derive(Clone, Copy)]
pub struct Viewer(pub Resource<Result<Option<crate::model::Me>, crate::error::AppError>>);

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let me = Resource::new(|| (), |_| api::get_me());
    provide_context(Viewer(me));
    view! {
        <Meta name="description" content=t().app_tagline />
        <Meta name="theme-color" content="#9b1c1c" />
        <Title text=t().app_name />
        // Every page waits for its data and is sent whole (`SsrMode::Async`): nothing
        // streams after `</html>` but the islands' data Leptos appends, which
        // `security::headers` moves into the body.
        <Router>
            <a class="skip" href="#main">{t().skip_to_content}</a>
            <Header />
            <main id="main" tabindex="-1">
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=home::HomePage ssr=SsrMode::Async />
                    <Route path=path!("/dang-nhap") view=auth::LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/dang-ky") view=auth::RegisterPage ssr=SsrMode::Async />
                    <Route path=path!("/bai-thi/:id") view=attempt::AttemptPage ssr=SsrMode::Async />
                    <Route path=path!("/bang-xep-hang/:id") view=leaderboard::LeaderboardPage ssr=SsrMode::Async />
                    <Route path=path!("/thong-ke/:id") view=stats::StatsPage ssr=SsrMode::Async />
                    <Route path=path!("/trinh-chieu/:id") view=tv::TvPage ssr=SsrMode::Async />
                    <Route path=path!("/truc-tiep") view=live::LivePlayPage ssr=SsrMode::Async />
                    <Route path=path!("/trinh-chieu/truc-tiep/:id") view=live::LiveScreenPage ssr=SsrMode::Async />
                    <Route path=path!("/quan-tri/truc-tiep") view=live::LiveConsolePage ssr=SsrMode::Async />
                    <Route path=path!("/quan-tri/truc-tiep/:id") view=live::LiveHostPage ssr=SsrMode::Async />
                    <Route path=path!("/hoc-tap") view=study::StudyIndex ssr=SsrMode::Async />
                    <Route path=path!("/hoc-tap/:slug") view=study::StudySectionPage ssr=SsrMode::Async />
                    <Route path=path!("/luyen-tap") view=practice::PracticePage ssr=SsrMode::Async />
                    <Route path=path!("/quan-tri/cau-hoi") view=bank::BankListPage ssr=SsrMode::Async />
                    <Route path=path!("/quan-tri/cau-hoi/moi") view=bank::BankEditPage ssr=SsrMode::Async />
                    <Route path=path!("/quan-tri/cau-hoi/:id") view=bank::BankEditPage ssr=SsrMode::Async />
                    <Route path=path!("/quan-tri/cuoc-thi") view=console::ContestsPage ssr=SsrMode::Async />
                    <Route path=path!("/quan-tri/cuoc-thi/:id") view=console::ContestPage ssr=SsrMode::Async />
                    <Route path=path!("/quan-tri/nhat-ky") view=console::AuditPage ssr=SsrMode::Async />
                    <Route path=path!("/quan-tri/phan-tich/:id") view=analysis::ItemsPage ssr=SsrMode::Async />
                    <Route path=path!("/quan-tri/phan-tich/cuoc-thi/:id") view=analysis::ContestItemsPage ssr=SsrMode::Async />
                    <Route path=path!("/ket-qua/:id") view=console::ResultsPage ssr=SsrMode::Async />
                    <Route path=path!("/quan-tri/don-vi") view=units::UnitsPage ssr=SsrMode::Async />
                    <Route path=path!("/quan-tri/don-vi/:id/danh-sach") view=units::RosterPage ssr=SsrMode::Async />
                    <Route path=path!("/kich-hoat") view=units::ActivatePage ssr=SsrMode::Async />
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
    let Viewer(me) = expect_context::<Viewer>();
    let logout = ServerAction::<api::Logout>::new();
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
                <Suspense fallback=|| ()>
                    {move || Suspend::new(async move {
                        match me.await.ok().flatten() {
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
                                <ActionForm action=logout attr:class="inline">
                                    <button type="submit" class="btn btn-quiet">{t().nav_logout}</button>
                                </ActionForm>
                            }.into_any(),
                            None => view! {
                                <A href="/dang-nhap" attr:class="btn btn-quiet">{t().nav_login}</A>
                                <A href="/dang-ky" attr:class="btn btn-primary">{t().nav_register}</A>
                            }.into_any(),
                        }
                    })}
                </Suspense>
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
