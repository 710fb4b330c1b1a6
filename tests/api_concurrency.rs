//! The JSON API under concurrency: submissions and starts racing for one
//! participant, on SQLite and on PostgreSQL.
mod common;

use common::api::*;
use common::{client, spawn_app, Backend};
use reqwest::StatusCode;
use serde_json::{json, Value};
use thi24::server::state::Config;

async fn concurrent_submits(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else {
        return;
    };
    let b = app.base.clone();
    let c = logged_in(&app, 30).await;
    let round = open_round(&app).await;
    let view: Value = c.post(format!("{b}/api/v1/rounds/{round}/attempts")).send().await.unwrap().json().await.unwrap();
    let id = view["id"].as_str().unwrap().to_string();
    for item in view["items"].as_array().unwrap()[..5].iter() {
        let url = format!("{b}/api/v1/attempts/{id}/answers/{}", item["question_id"].as_str().unwrap());
        c.put(url).json(&json!({"option_id": item["options"][0]["id"]})).send().await.unwrap();
    }
    let tasks: Vec<_> = (0..20)
        .map(|i| {
            let (c, b, id) = (c.clone(), b.clone(), id.clone());
            tokio::spawn(
                async move { c.post(format!("{b}/api/v1/attempts/{id}/submit")).json(&json!({"prediction": i})).send().await.unwrap() },
            )
        })
        .collect();
    let mut results = Vec::new();
    for t in tasks {
        let r = t.await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let v: Value = r.json().await.unwrap();
        results.push((
            v["result"]["score"].as_i64().unwrap(),
            v["result"]["finished_at"].as_i64().unwrap(),
            v["result"]["prediction"].clone(),
        ));
    }
    assert!(results.windows(2).all(|w| w[0] == w[1]), "every submit sees the one graded result: {results:?}");
    let user = app.state.store.user_by_phone(&phone(30)).await.unwrap().unwrap();
    let attempts = app.state.store.user_attempts(user.id).await.unwrap();
    assert_eq!(attempts.len(), 1);
    assert_eq!(attempts[0].status, thi24::domain::AttemptStatus::Submitted);
    let p = app.state.store.participation(round.parse().unwrap(), user.id).await.unwrap().unwrap();
    assert_eq!((p.attempts_started, p.best_attempt_id, p.active_attempt_id), (1, Some(attempts[0].id), None));
    let board: Value = client().get(format!("{b}/api/v1/rounds/{round}/leaderboard")).send().await.unwrap().json().await.unwrap();
    assert_eq!(board["entries"].as_array().unwrap().len(), 1, "counted once");
}

async fn concurrent_starts(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else {
        return;
    };
    let b = app.base.clone();
    let c = logged_in(&app, 40).await;
    let round = open_round(&app).await;
    // 20 simultaneous starts: one attempt, the others resume it
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (c, b, round) = (c.clone(), b.clone(), round.clone());
            tokio::spawn(async move {
                c.post(format!("{b}/api/v1/rounds/{round}/attempts")).send().await.unwrap().json::<Value>().await.unwrap()["id"].clone()
            })
        })
        .collect();
    let mut ids = Vec::new();
    for t in tasks {
        ids.push(t.await.unwrap());
    }
    assert!(ids.iter().all(|i| *i == ids[0] && i.is_string()), "{ids:?}");

    // 20 clients racing to start and submit: never more than the 3 attempts allowed
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (c, b, round) = (c.clone(), b.clone(), round.clone());
            tokio::spawn(async move {
                loop {
                    let r = c.post(format!("{b}/api/v1/rounds/{round}/attempts")).send().await.unwrap();
                    match r.status().as_u16() {
                        201 => {
                            let id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
                            let s = c.post(format!("{b}/api/v1/attempts/{id}/submit")).send().await.unwrap().status();
                            assert_eq!(s, StatusCode::OK);
                        }
                        409 => break,
                        other => panic!("unexpected {other}: {}", r.text().await.unwrap()),
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let user = app.state.store.user_by_phone(&phone(40)).await.unwrap().unwrap();
    let attempts = app.state.store.user_attempts(user.id).await.unwrap();
    assert_eq!(attempts.len(), 3);
    let mut seqs: Vec<i64> = attempts.iter().map(|a| a.seq).collect();
    seqs.sort();
    assert_eq!(seqs, vec![1, 2, 3]);
    let (s, v) = status_and_body(c.post(format!("{b}/api/v1/rounds/{round}/attempts")).send().await.unwrap()).await;
    assert_eq!((s.as_u16(), v["error"].as_str().unwrap()), (409, "attempts_exhausted"));
}

both_backends!(concurrent_submits, concurrent_starts);
