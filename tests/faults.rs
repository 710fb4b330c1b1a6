//! Faults: the real server binary is killed with SIGKILL in the middle of a surge
//! of answers and submissions, then started again on the same database. Every
//! acknowledged answer and submission is still there, no attempt is lost or
//! counted twice, abandoned attempts are finalised after their deadline, and the
//! leaderboards' aggregates still equal the ones recomputed from attempts.
//! On SQLite and PostgreSQL.
mod common;

use common::process::{free_port, start, wait_healthy, ADMIN_PASSWORD};
use common::{client, fresh_url, Backend};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
struct Acks {
    /// attempt → question → option, for every answer the server acknowledged
    answers: Mutex<HashMap<String, HashMap<String, String>>>,
    /// attempt → score, for every submission the server acknowledged
    submits: Mutex<HashMap<String, i64>>,
    /// user index → attempt, for every start the server acknowledged
    starts: Mutex<HashMap<usize, String>>,
    count: AtomicUsize,
}

async fn kill_mid_surge(backend: Backend) {
    let Some((url, _guard)) = fresh_url(backend).await else { return };
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(&url, port);
    wait_healthy(&base).await;

    // an organizer opens a round of 10 questions, 20 seconds each attempt
    let admin = client();
    let r = admin
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"phone": "0900000000", "password": ADMIN_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let rounds: Vec<Value> = admin.get(format!("{base}/api/v1/rounds")).send().await.unwrap().json().await.unwrap();
    let contest = rounds[0]["contest_id"].as_str().unwrap().to_string();
    let now: i64 =
        client().get(format!("{base}/api/v1/time")).send().await.unwrap().json::<Value>().await.unwrap()["now"].as_i64().unwrap();
    let r = admin
        .post(format!("{base}/api/v1/admin/contests/{contest}/rounds"))
        .json(&json!({"title": "Tuần đột biến", "opens_at": now - 1_000, "closes_at": now + 3_600_000, "question_count": 10,
                      "duration_ms": 20_000, "max_attempts": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
    let round = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string();
    let units: Vec<Value> = client().get(format!("{base}/api/v1/units")).send().await.unwrap().json().await.unwrap();
    let unit = units.iter().find(|u| u["kind"] == "commune").unwrap()["id"].as_str().unwrap().to_string();

    const PEOPLE: usize = 40;
    let mut people = Vec::new();
    for i in 0..PEOPLE {
        let c = client();
        let r = c
            .post(format!("{base}/api/v1/auth/register"))
            .json(&json!({"full_name": format!("Người thứ {i}"), "phone": format!("0918{i:06}"), "unit_id": unit, "password": "mat-khau-123"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        people.push(c);
    }

    // the surge: everybody starts, answers with autosave and (the even ones) submits
    let acks = Arc::new(Acks::default());
    let mut tasks = Vec::new();
    for (i, c) in people.iter().cloned().enumerate() {
        let (acks, base, round) = (acks.clone(), base.clone(), round.clone());
        tasks.push(tokio::spawn(async move {
            let Ok(r) = c.post(format!("{base}/api/v1/rounds/{round}/attempts")).send().await else { return };
            if !r.status().is_success() {
                return;
            }
            let Ok(v) = r.json::<Value>().await else { return };
            let id = v["id"].as_str().unwrap().to_string();
            acks.starts.lock().unwrap().insert(i, id.clone());
            for (k, item) in v["items"].as_array().unwrap().iter().enumerate() {
                let q = item["question_id"].as_str().unwrap().to_string();
                let opt = item["options"][(i + k) % 3]["id"].as_str().unwrap().to_string();
                let Ok(r) = c.put(format!("{base}/api/v1/attempts/{id}/answers/{q}")).json(&json!({"option_id": opt})).send().await else {
                    return;
                };
                if r.status() != StatusCode::OK {
                    return;
                }
                acks.answers.lock().unwrap().entry(id.clone()).or_default().insert(q, opt);
                acks.count.fetch_add(1, Ordering::SeqCst);
            }
            if i % 2 == 0 {
                let Ok(r) = c.post(format!("{base}/api/v1/attempts/{id}/submit")).json(&json!({})).send().await else { return };
                if r.status() == StatusCode::OK {
                    if let Ok(v) = r.json::<Value>().await {
                        acks.submits.lock().unwrap().insert(id, v["result"]["score"].as_i64().unwrap());
                    }
                }
            }
        }));
    }
    // SIGKILL once a good part of the answers is in, while the rest are in flight
    while acks.count.load(Ordering::SeqCst) < PEOPLE * 10 / 3 {
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.0.kill().expect("SIGKILL");
    server.0.wait().unwrap();
    for t in tasks {
        t.await.unwrap();
    }
    let (answers, submits, starts) =
        { (acks.answers.lock().unwrap().clone(), acks.submits.lock().unwrap().clone(), acks.starts.lock().unwrap().clone()) };
    let acked_answers: usize = answers.values().map(|m| m.len()).sum();
    assert!(acked_answers < PEOPLE * 10, "the kill came after the surge ended: nothing was tested");
    eprintln!("killed after {acked_answers} acknowledged answers, {} submissions, {} starts", submits.len(), starts.len());

    // restart on the same database
    let server = start(&url, port);
    wait_healthy(&base).await;
    let mut existing = 0;
    for (i, c) in people.iter().enumerate() {
        let mine: Vec<Value> = c.get(format!("{base}/api/v1/me/attempts")).send().await.unwrap().json().await.unwrap();
        let here: Vec<&Value> = mine.iter().filter(|a| a["round_id"] == round.as_str()).collect();
        existing += here.len();
        // no attempt lost, none counted twice
        match starts.get(&i) {
            Some(id) => {
                assert_eq!(here.len(), 1, "person {i}: {mine:?}");
                assert_eq!(here[0]["id"], id.as_str());
            }
            None => assert!(here.len() <= 1, "person {i}: {mine:?}"),
        }
        for a in here {
            let id = a["id"].as_str().unwrap();
            let view: Value = c.get(format!("{base}/api/v1/attempts/{id}")).send().await.unwrap().json().await.unwrap();
            // every acknowledged answer is there
            for (q, opt) in answers.get(id).into_iter().flatten() {
                let item = view["items"].as_array().unwrap().iter().find(|it| it["question_id"] == q.as_str()).unwrap();
                assert_eq!(item["chosen_option_id"], opt.as_str(), "person {i}: answer to {q} lost");
            }
            // every acknowledged submission is graded as it was acknowledged
            if let Some(score) = submits.get(id) {
                assert_eq!(view["status"], "submitted");
                assert_eq!(view["result"]["score"].as_i64(), Some(*score));
            }
        }
    }

    // attempts abandoned by the kill are finalised once their deadline (plus grace) has passed
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        let mut open = 0;
        for c in &people {
            let mine: Vec<Value> = c.get(format!("{base}/api/v1/me/attempts")).send().await.unwrap().json().await.unwrap();
            open += mine.iter().filter(|a| a["status"] == "in_progress").count();
        }
        if open == 0 {
            break;
        }
        assert!(tokio::time::Instant::now() < deadline, "{open} attempts still in progress a minute later");
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    // the boards count every attempt once (a start in flight at the kill may have been committed unacknowledged)
    assert!(existing >= starts.len());
    let board: Value = client().get(format!("{base}/api/v1/rounds/{round}/units")).send().await.unwrap().json().await.unwrap();
    assert_eq!(board["total"]["attempts"].as_i64().unwrap(), existing as i64);
    drop(server);

    let store = thi24::store::AnyStore::connect(&url).await.unwrap();
    let maintained = store.aggregate_digest().await.unwrap();
    store.recompute_aggregates().await.unwrap();
    assert_eq!(maintained, store.aggregate_digest().await.unwrap(), "aggregates differ from the attempts after the crash");
}

/// SIGTERM: requests in flight finish (a live board's event stream ends cleanly
/// instead of holding the server up) and the server exits with success.
async fn graceful_shutdown_drains(backend: Backend) {
    let Some((url, _guard)) = fresh_url(backend).await else { return };
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start(&url, port);
    wait_healthy(&base).await;
    let rounds: Vec<Value> = client().get(format!("{base}/api/v1/rounds")).send().await.unwrap().json().await.unwrap();
    let round = rounds[0]["id"].as_str().unwrap();
    let mut stream = client().get(format!("{base}/api/v1/rounds/{round}/events")).send().await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(stream.chunk().await.unwrap().is_some(), "the first board");
    let pid = server.0.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    // the stream ends cleanly (no reset) soon after
    let end = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            match stream.chunk().await {
                Ok(Some(_)) => continue,
                other => return other,
            }
        }
    })
    .await
    .expect("the event stream ended within 10 s");
    assert!(matches!(end, Ok(None)), "the stream was cut: {end:?}");
    let started = std::time::Instant::now();
    loop {
        if let Some(status) = server.0.try_wait().unwrap() {
            assert!(status.success(), "exited with {status}");
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(10), "the server did not exit after SIGTERM");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

both_backends!(kill_mid_surge, graceful_shutdown_drains);
