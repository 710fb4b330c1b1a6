#![recursion_limit = "256"]
//! Học và thi tìm hiểu Chỉ thị 24-CT/TU: the library shared by the server binary
//! (feature `ssr`) and the browser bundle (feature `hydrate`).
pub mod api;
pub mod app;
pub mod domain;
pub mod error;
pub mod i18n;
pub mod model;
pub mod model_live;

#[cfg(feature = "ssr")]
pub mod server;
#[cfg(feature = "ssr")]
pub mod store;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
