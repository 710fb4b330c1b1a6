//! The OpenAPI 3.1 document of the JSON API, served at /api/v1/openapi.json.
//! tests/api.rs checks that it lists every route the router has.
pub const DOCUMENT: &str = include_str!("openapi.json");
