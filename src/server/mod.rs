//! Server side: state, services, HTTP API, security middleware, seeding.
pub mod accounts;
pub mod admin;
pub mod analysis;
pub mod auth;
pub mod bank;
pub mod bank_io;
pub mod clock;
pub mod config;
pub mod csrf;
pub mod exports;
pub mod forms;
pub mod http;
pub mod live;
pub mod metrics;
pub mod payload;
pub mod practice;
pub mod ranking;
pub mod router;
pub mod security;
pub mod seed;
pub mod service;
pub mod state;
pub mod sweeper;
pub mod units;

pub use state::AppState;
