//! What the API tests share: accounts, rounds, and the rule that nothing before
//! grading reveals an answer.
use super::{client, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};

pub async fn units(app: &TestApp) -> Vec<Value> {
    reqwest::get(format!("{}/api/v1/units", app.base)).await.unwrap().json().await.unwrap()
}

/// A unit below the city.
pub async fn a_unit(app: &TestApp) -> String {
    units(app).await.iter().find(|u| u["kind"] == "commune").unwrap()["id"].as_str().unwrap().to_string()
}

pub fn phone(i: u32) -> String {
    format!("09{:08}", i)
}

pub async fn register(app: &TestApp, c: &reqwest::Client, i: u32) -> reqwest::Response {
    let unit = a_unit(app).await;
    c.post(format!("{}/api/v1/auth/register", app.base))
        .json(&json!({"full_name": format!("Người thi {i}"), "phone": phone(i), "unit_id": unit, "password": "mat-khau-123"}))
        .send()
        .await
        .unwrap()
}

pub async fn logged_in(app: &TestApp, i: u32) -> reqwest::Client {
    let c = client();
    assert_eq!(register(app, &c, i).await.status(), StatusCode::CREATED);
    c
}

pub async fn open_round(app: &TestApp) -> String {
    let rounds: Vec<Value> = reqwest::get(format!("{}/api/v1/rounds?status=open", app.base)).await.unwrap().json().await.unwrap();
    rounds[0]["id"].as_str().unwrap().to_string()
}

/// An admin creates a round in the demo contest.
pub async fn create_round(app: &TestApp, body: Value) -> String {
    let admin = super::admin(app).await;
    let contest = thi24::server::seed::DEMO_CONTEST;
    let r = admin.post(format!("{}/api/v1/admin/contests/{contest}/rounds", app.base)).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string()
}

pub async fn status_and_body(r: reqwest::Response) -> (StatusCode, Value) {
    let s = r.status();
    (s, r.json().await.unwrap_or(Value::Null))
}

/// Before grading, no response may say which option is correct: no field about
/// correctness and no explanation from the bank.
pub fn assert_no_answer_leak(body: &str) {
    let lower = body.to_lowercase();
    assert!(!lower.contains("correct"), "response mentions correctness: {body}");
    assert!(!lower.contains("explanation"), "response has an explanation: {body}");
    for q in thi24::server::seed::shipped_questions().unwrap() {
        assert!(!body.contains(q.explanation.trim()), "explanation leaked: {}", q.explanation);
    }
}
