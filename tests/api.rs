//! Black-box tests of the JSON API: the whole application on a random port with
//! a fresh database, on SQLite and on PostgreSQL.
mod common;

use common::api::*;
use common::{client, spawn_app, Backend};
use reqwest::StatusCode;
use serde_json::{json, Value};
use thi24::server::state::Config;
use uuid::Uuid;

async fn auth_and_errors(backend: Backend) {
    let config = Config { login_per_phone: 3, ..Config::default() };
    let Some(app) = spawn_app(backend, config).await else {
        return;
    };
    let b = &app.base;
    let health: Value = reqwest::get(format!("{b}/api/v1/health")).await.unwrap().json().await.unwrap();
    assert_eq!(health["status"], "ok");

    let c = client();
    let r = register(&app, &c, 1).await;
    assert_eq!(r.status(), StatusCode::CREATED);
    let cookie = r.headers()["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
    let me: Value = c.get(format!("{b}/api/v1/me")).send().await.unwrap().json().await.unwrap();
    assert_eq!(me["phone_masked"], "090****001");

    // every kind of bad input: a specific error, and nothing changes
    let unit = a_unit(&app).await;
    let cases = [
        (json!({"full_name": "Người khác", "phone": phone(1), "unit_id": unit, "password": "mat-khau-123"}), 409, "phone_taken"),
        (json!({"full_name": "Người khác", "phone": "0112345678", "unit_id": unit, "password": "mat-khau-123"}), 422, "validation"),
        (json!({"full_name": "Người khác", "phone": phone(2), "unit_id": unit, "password": "ngan"}), 422, "validation"),
        (json!({"full_name": "A", "phone": phone(2), "unit_id": unit, "password": "mat-khau-123"}), 422, "validation"),
        (json!({"full_name": "Người khác", "phone": phone(2), "unit_id": Uuid::new_v4(), "password": "mat-khau-123"}), 422, "validation"),
        (json!({"full_name": "Người khác", "phone": phone(2)}), 422, "validation"),
    ];
    for (body, status, code) in cases {
        let (s, v) = status_and_body(client().post(format!("{b}/api/v1/auth/register")).json(&body).send().await.unwrap()).await;
        assert_eq!((s.as_u16(), v["error"].as_str().unwrap()), (status, code), "{body} → {v}");
        assert!(!v["message"].as_str().unwrap().is_empty());
    }
    let (s, v) = status_and_body(
        client().post(format!("{b}/api/v1/auth/register")).header("content-type", "application/json").body("{oops").send().await.unwrap(),
    )
    .await;
    assert_eq!((s.as_u16(), v["error"].as_str().unwrap()), (400, "invalid_input"));
    assert_eq!(app.state.store.count_users().await.unwrap(), 2, "only the admin and the first participant exist");

    // cross-site requests are refused, same-origin and non-browser ones pass
    let evil = client()
        .post(format!("{b}/api/v1/auth/login"))
        .header("origin", "https://evil.example")
        .json(&json!({"phone": phone(1), "password": "mat-khau-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    let evil = client()
        .post(format!("{b}/api/v1/auth/login"))
        .header("sec-fetch-site", "cross-site")
        .json(&json!({"phone": phone(1), "password": "mat-khau-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(evil.status(), StatusCode::FORBIDDEN);
    let evil_fn = client().post(format!("{b}/api/logout")).header("origin", "https://evil.example").send().await.unwrap();
    assert_eq!(evil_fn.status(), StatusCode::FORBIDDEN);
    let same = client()
        .post(format!("{b}/api/v1/auth/login"))
        .header("sec-fetch-site", "same-origin")
        .json(&json!({"phone": phone(1), "password": "mat-khau-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(same.status(), StatusCode::OK);

    // login: wrong password 401, then rate limited per phone (3 per window; the success above reset it)
    let login = |pw: &'static str| {
        let b = b.clone();
        async move {
            client().post(format!("{b}/api/v1/auth/login")).json(&json!({"phone": phone(1), "password": pw})).send().await.unwrap().status()
        }
    };
    for _ in 0..3 {
        assert_eq!(login("sai-mat-khau").await, StatusCode::UNAUTHORIZED);
    }
    assert_eq!(login("sai-mat-khau").await, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(login("mat-khau-123").await, StatusCode::TOO_MANY_REQUESTS, "even the right password waits");
    // the lock lasts a minute; each failure after it locks twice as long
    app.clock.advance(61_000);
    assert_eq!(login("sai-mat-khau").await, StatusCode::UNAUTHORIZED);
    let locked =
        client().post(format!("{b}/api/v1/auth/login")).json(&json!({"phone": phone(1), "password": "mat-khau-123"})).send().await.unwrap();
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    let message = locked.json::<Value>().await.unwrap()["message"].as_str().unwrap().to_string();
    assert!(message.contains("2 phút"), "{message}");
    app.clock.advance(61_000);
    assert_eq!(login("mat-khau-123").await, StatusCode::TOO_MANY_REQUESTS, "two minutes this time");
    app.clock.advance(60_000);
    assert_eq!(login("mat-khau-123").await, StatusCode::OK);
    // a success starts again from zero
    assert_eq!(login("sai-mat-khau").await, StatusCode::UNAUTHORIZED);
    assert_eq!(login("mat-khau-123").await, StatusCode::OK);

    // logout ends the session
    assert_eq!(c.post(format!("{b}/api/v1/auth/logout")).send().await.unwrap().status(), StatusCode::OK);
    let (s, v) = status_and_body(c.get(format!("{b}/api/v1/me")).send().await.unwrap()).await;
    assert_eq!((s.as_u16(), v["error"].as_str().unwrap()), (401, "unauthorized"));
    let (s, v) = status_and_body(client().get(format!("{b}/api/v1/nothing-here")).send().await.unwrap()).await;
    assert_eq!((s.as_u16(), v["error"].as_str().unwrap()), (404, "not_found"));
    // a participant cannot create rounds
    let (s, _) = status_and_body(
        logged_in(&app, 3)
            .await
            .post(format!("{b}/api/v1/admin/contests/{}/rounds", thi24::server::seed::DEMO_CONTEST))
            .json(&json!({"title": "x", "opens_at": 0, "closes_at": 1, "question_count": 1, "duration_ms": 1000, "max_attempts": 1}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s.as_u16(), 403);
}

async fn attempt_flow_and_secrecy(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else {
        return;
    };
    let b = &app.base;
    let c = logged_in(&app, 10).await;
    let round = open_round(&app).await;

    let rounds = c.get(format!("{b}/api/v1/rounds?status=open")).send().await.unwrap().text().await.unwrap();
    assert_no_answer_leak(&rounds);
    let (s, _) = status_and_body(client().post(format!("{b}/api/v1/rounds/{round}/attempts")).send().await.unwrap()).await;
    assert_eq!(s.as_u16(), 401, "starting needs a session");

    let r = c.post(format!("{b}/api/v1/rounds/{round}/attempts")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let text = r.text().await.unwrap();
    assert_no_answer_leak(&text);
    let view: Value = serde_json::from_str(&text).unwrap();
    let id = view["id"].as_str().unwrap().to_string();
    let items = view["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 20);
    assert!(items.iter().all(|i| i["options"].as_array().unwrap().len() >= 2 && i["chosen_option_id"].is_null()));
    assert_eq!(view["status"], "in_progress");
    assert!(view["deadline_at"].as_i64().unwrap() - view["started_at"].as_i64().unwrap() == 15 * 60_000);

    // answers: saved and acknowledged; bad ones refused with specific errors
    for item in &items[..10] {
        let (q, o) = (item["question_id"].as_str().unwrap(), item["options"][0]["id"].as_str().unwrap());
        let r = c.put(format!("{b}/api/v1/attempts/{id}/answers/{q}")).json(&json!({"option_id": o})).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_no_answer_leak(&r.text().await.unwrap());
    }
    let q0 = items[0]["question_id"].as_str().unwrap();
    let foreign_option = items[1]["options"][0]["id"].as_str().unwrap();
    let (s, v) = status_and_body(
        c.put(format!("{b}/api/v1/attempts/{id}/answers/{q0}")).json(&json!({"option_id": foreign_option})).send().await.unwrap(),
    )
    .await;
    assert_eq!((s.as_u16(), v["error"].as_str().unwrap()), (422, "validation"));
    let (s, v) = status_and_body(
        c.put(format!("{b}/api/v1/attempts/{id}/answers/{}", Uuid::new_v4()))
            .json(&json!({"option_id": foreign_option}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s.as_u16(), v["error"].as_str().unwrap()), (404, "not_found"));
    let (s, _) =
        status_and_body(c.put(format!("{b}/api/v1/attempts/{id}/answers/{q0}")).json(&json!({"option": 1})).send().await.unwrap()).await;
    assert_eq!(s.as_u16(), 422);
    // somebody else cannot see or answer this attempt
    let other = logged_in(&app, 11).await;
    let (s, _) = status_and_body(other.get(format!("{b}/api/v1/attempts/{id}")).send().await.unwrap()).await;
    assert_eq!(s.as_u16(), 404);
    let (s, _) = status_and_body(
        other
            .put(format!("{b}/api/v1/attempts/{id}/answers/{q0}"))
            .json(&json!({"option_id": items[0]["options"][0]["id"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s.as_u16(), 404);

    // resume: the same attempt with every saved answer
    let again = c.post(format!("{b}/api/v1/rounds/{round}/attempts")).send().await.unwrap().text().await.unwrap();
    assert_no_answer_leak(&again);
    let again: Value = serde_json::from_str(&again).unwrap();
    assert_eq!(again["id"], view["id"]);
    let got = c.get(format!("{b}/api/v1/attempts/{id}")).send().await.unwrap().text().await.unwrap();
    assert_no_answer_leak(&got);
    let got: Value = serde_json::from_str(&got).unwrap();
    let saved = got["items"].as_array().unwrap().iter().filter(|i| !i["chosen_option_id"].is_null()).count();
    assert_eq!(saved, 10);
    assert_eq!(got["items"][0]["options"], items[0]["options"], "option order is stable");

    // submit: graded; answers afterwards refused; no review while the round is open
    let r = c.post(format!("{b}/api/v1/attempts/{id}/submit")).json(&json!({"prediction": 5})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let done: Value = r.json().await.unwrap();
    assert_eq!(done["status"], "submitted");
    let score = done["result"]["score"].as_i64().unwrap();
    assert!((0..=10).contains(&score));
    assert_eq!(done["result"]["rank"], 1);
    assert_eq!(done["result"]["prediction"], 5);
    assert!(done["result"]["review"].is_null());
    let (s, v) = status_and_body(
        c.put(format!("{b}/api/v1/attempts/{id}/answers/{q0}"))
            .json(&json!({"option_id": items[0]["options"][1]["id"]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!((s.as_u16(), v["error"].as_str().unwrap()), (409, "attempt_finished"));
    let (s, v) =
        status_and_body(c.post(format!("{b}/api/v1/attempts/{id}/submit")).json(&json!({"prediction": -1})).send().await.unwrap()).await;
    assert_eq!((s.as_u16(), v["error"].as_str().unwrap()), (422, "validation"));

    // the leaderboard masks phone numbers
    let board: Value = client().get(format!("{b}/api/v1/rounds/{round}/leaderboard")).send().await.unwrap().json().await.unwrap();
    assert_eq!(board["entries"][0]["phone_masked"], "090****010");
    assert_eq!(board["entries"][0]["score"], score);
    assert!(!board.to_string().contains("0900000010"));

    // once the round is closed, the review shows correct answers and explanations
    let now = app.state.now();
    app.state.store.set_round_window(round.parse().unwrap(), now - 10_000_000, now - 1).await.unwrap();
    app.state.invalidate_rounds(); // changed behind the server's back
    let closed: Value = c.get(format!("{b}/api/v1/attempts/{id}")).send().await.unwrap().json().await.unwrap();
    let review = closed["result"]["review"].as_array().unwrap();
    assert_eq!(review.len(), 20);
    let correct_chosen = review.iter().filter(|r| r["chosen_option_id"] == r["correct_option_id"]).count() as i64;
    assert_eq!(correct_chosen, score, "the grade matches the review");
    assert!(review.iter().all(|r| !r["explanation"].as_str().unwrap().is_empty() && !r["source"].as_str().unwrap().is_empty()));
    let (s, v) = status_and_body(c.post(format!("{b}/api/v1/rounds/{round}/attempts")).send().await.unwrap()).await;
    assert_eq!((s.as_u16(), v["error"].as_str().unwrap()), (409, "round_not_open"));
}

async fn deadline_and_abandoned(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else {
        return;
    };
    let b = &app.base;
    let now = app.state.now();
    let round = create_round(&app, json!({"title": "Vòng ngắn", "opens_at": now - 1_000, "closes_at": now + 3_600_000, "question_count": 5, "duration_ms": 60_000, "max_attempts": 2})).await;
    let c = logged_in(&app, 20).await;
    let view: Value = c.post(format!("{b}/api/v1/rounds/{round}/attempts")).send().await.unwrap().json().await.unwrap();
    let id = view["id"].as_str().unwrap().to_string();
    let item = &view["items"][0];
    let url = format!("{b}/api/v1/attempts/{id}/answers/{}", item["question_id"].as_str().unwrap());
    let answer = json!({"option_id": item["options"][0]["id"]});
    assert_eq!(c.put(&url).json(&answer).send().await.unwrap().status(), StatusCode::OK);

    // within the grace after the deadline: still accepted
    app.clock.advance(60_000 + 4_000);
    assert_eq!(c.put(&url).json(&answer).send().await.unwrap().status(), StatusCode::OK);
    // after it: refused, and nothing changes
    app.clock.advance(2_000);
    let (s, v) = status_and_body(c.put(&url).json(&json!({"option_id": item["options"][1]["id"]})).send().await.unwrap()).await;
    assert_eq!((s.as_u16(), v["error"].as_str().unwrap()), (409, "deadline_passed"));
    let a = app.state.store.attempt_items(id.parse().unwrap()).await.unwrap();
    assert_eq!(a[0].chosen_option_id.unwrap().to_string(), item["options"][0]["id"].as_str().unwrap());

    // the participant never returns: the server finalises the attempt by itself
    assert_eq!(thi24::server::service::finalise_overdue(&app.state).await.unwrap(), 1);
    let rec = app.state.store.attempt(id.parse().unwrap()).await.unwrap().unwrap();
    assert_eq!(rec.status, thi24::domain::AttemptStatus::Expired);
    assert_eq!(rec.time_used_ms, Some(60_000));
    assert_eq!(thi24::server::service::finalise_overdue(&app.state).await.unwrap(), 0);
    let v: Value = c.get(format!("{b}/api/v1/attempts/{id}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(v["status"], "expired");
    assert!(v["result"]["score"].as_i64().unwrap() <= 1);
}

/// What the browser's outbox sends with a submission: answers saved first, within
/// the deadline's grace; those refused come back with the graded attempt.
async fn submission_reports_refused_answers(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else {
        return;
    };
    let b = &app.base;
    let now = app.state.now();
    let round = create_round(&app, json!({"title": "Vòng mất mạng", "opens_at": now - 1_000, "closes_at": now + 3_600_000, "question_count": 5, "duration_ms": 60_000, "max_attempts": 2})).await;

    // within the grace: the answers sent with the submission count
    let c = logged_in(&app, 70).await;
    let view: Value = c.post(format!("{b}/api/v1/rounds/{round}/attempts")).send().await.unwrap().json().await.unwrap();
    let items = view["items"].as_array().unwrap();
    let pair = |i: usize, k: usize| json!({"question_id": items[i]["question_id"], "option_id": items[i]["options"][k]["id"]});
    app.clock.advance(60_000 + 3_000);
    let (s, out) = status_and_body(
        c.post(format!("{b}/api/v1/attempts/{}/submit", view["id"].as_str().unwrap()))
            .json(&json!({"answers": [pair(0, 1), pair(1, 2)]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{out}");
    assert_eq!(out["refused"], json!([]));
    assert_eq!(out["status"], "submitted");
    let saved = app.state.store.attempt_items(view["id"].as_str().unwrap().parse().unwrap()).await.unwrap();
    assert_eq!(saved.iter().filter(|i| i.chosen_option_id.is_some()).count(), 2);

    // after it (the phone was offline): graded without them, and every one is named
    let c = logged_in(&app, 71).await;
    let view: Value = c.post(format!("{b}/api/v1/rounds/{round}/attempts")).send().await.unwrap().json().await.unwrap();
    let items = view["items"].as_array().unwrap();
    let pair = |i: usize, k: usize| json!({"question_id": items[i]["question_id"], "option_id": items[i]["options"][k]["id"]});
    app.clock.advance(60_000 + 6_000);
    let (s, out) = status_and_body(
        c.post(format!("{b}/api/v1/attempts/{}/submit", view["id"].as_str().unwrap()))
            .json(&json!({"prediction": 3, "answers": [pair(0, 0), pair(2, 1)]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{out}");
    let refused = out["refused"].as_array().unwrap();
    assert_eq!(refused.len(), 2, "{out}");
    assert_eq!(refused[0]["question_id"], items[0]["question_id"]);
    assert_eq!(refused[1]["option_id"], items[2]["options"][1]["id"]);
    assert!(refused.iter().all(|r| !r["message"].as_str().unwrap().is_empty()));
    assert_eq!(out["status"], "expired");
    let saved = app.state.store.attempt_items(view["id"].as_str().unwrap().parse().unwrap()).await.unwrap();
    assert!(saved.iter().all(|i| i.chosen_option_id.is_none()));

    // the same submission again changes nothing (the outbox may resend it)
    let (s, again) = status_and_body(
        c.post(format!("{b}/api/v1/attempts/{}/submit", view["id"].as_str().unwrap()))
            .json(&json!({"prediction": 3, "answers": [pair(0, 0)]}))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(again["result"]["score"], out["result"]["score"]);
}

/// The server-rendered attempt page carries no answer either.
async fn pages_render(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else {
        return;
    };
    let b = &app.base;
    let home = client().get(format!("{b}/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    let html = home.text().await.unwrap();
    assert!(html.contains("<html lang=\"vi\"") && html.contains("Tuần 1"), "{html}");
    let c = logged_in(&app, 50).await;
    let round = open_round(&app).await;
    let view: Value = c.post(format!("{b}/api/v1/rounds/{round}/attempts")).send().await.unwrap().json().await.unwrap();
    let page = c.get(format!("{b}/bai-thi/{}", view["id"].as_str().unwrap())).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(html.contains(view["items"][0]["stem"].as_str().unwrap()));
    assert_no_answer_leak(&html);
    let missing = client().get(format!("{b}/khong-co-trang-nay")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}

/// Malformed identifiers and parameters get JSON errors too.
async fn malformed_paths(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else { return };
    let b = &app.base;
    let c = logged_in(&app, 60).await;
    for (r, status) in [
        (c.get(format!("{b}/api/v1/attempts/not-a-uuid")), 400),
        (c.get(format!("{b}/api/v1/rounds/{}/leaderboard?limit=abc", Uuid::new_v4())), 400),
        (c.get(format!("{b}/api/v1/rounds/{}/leaderboard", Uuid::new_v4())), 404),
        (c.get(format!("{b}/api/v1/rounds?status=sometimes")), 400),
        (c.post(format!("{b}/api/v1/rounds/{}/attempts", Uuid::new_v4())), 404),
    ] {
        let (s, v) = status_and_body(r.send().await.unwrap()).await;
        assert_eq!(s.as_u16(), status, "{v}");
        assert!(v["error"].is_string() && v["message"].is_string(), "{v}");
    }
}

/// REST and server functions send one error shape: `{"error": code, "message"}`.
async fn one_error_shape(backend: Backend) {
    use leptos::server_fn::ServerFn;
    let Some(app) = spawn_app(backend, Config::default()).await else { return };
    let b = &app.base;
    let rest = client()
        .post(format!("{b}/api/v1/auth/login"))
        .json(&json!({"phone": "0912345678", "password": "sai-mat-khau"}))
        .send()
        .await
        .unwrap();
    let (status, rest) = status_and_body(rest).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{rest}");
    let path = thi24::api::Login::PATH;
    let r = client()
        .post(format!("{b}{path}"))
        .header("accept", "application/json")
        .form(&[("phone", "0912345678"), ("password", "sai-mat-khau")])
        .send()
        .await
        .unwrap();
    let (_, fun) = status_and_body(r).await;
    for v in [&rest, &fun] {
        let keys: Vec<&String> = v.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["error", "message"], "{v}");
    }
    assert_eq!(rest, fun, "the same failure reads the same from both");
}

both_backends!(
    one_error_shape,
    auth_and_errors,
    attempt_flow_and_secrecy,
    deadline_and_abandoned,
    pages_render,
    malformed_paths,
    submission_reports_refused_answers
);
