//! A live in-person session under load (a load command, not a test): P guests join
//! one session; for each question they all answer at once while the host's event
//! stream is read. Prints the answer request's latency and the answer-to-leaderboard
//! latency (from sending an answer to the first host update whose standings
//! include it) as p50/p95/p99, beside a trivial handler's throughput measured in
//! the same run.
//!
//!   cargo run --release --features ssr --example live_bench -- --base http://127.0.0.1:3000 --players 500
//!   cargo run --release --features ssr --example live_bench -- --base http://127.0.0.1:3001,http://127.0.0.1:3002 --players 500
//!
//! With several `--base` servers (sharing PostgreSQL), participants are spread over
//! them and the host's stream is read on the first: updates cross servers.
#[path = "support/stats.rs"]
mod stats;

use futures::stream::{self, StreamExt};
use serde_json::{json, Value};
use stats::{expect, Stats};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Args {
    bases: Vec<String>,
    players: usize,
    questions: usize,
    admin_password: String,
}

fn args() -> Args {
    let mut a = Args {
        bases: vec!["http://127.0.0.1:3000".into()],
        players: 500,
        questions: 5,
        admin_password: std::env::var("ADMIN_PASSWORD").unwrap_or_default(),
    };
    for (k, v) in stats::flags() {
        match k.as_str() {
            "--base" => a.bases = stats::bases(&v),
            "--players" => a.players = v.parse().expect("--players N"),
            "--questions" => a.questions = v.parse().expect("--questions N"),
            "--admin-password" => a.admin_password = v,
            other => panic!("unknown argument {other}"),
        }
    }
    assert!(!a.admin_password.is_empty(), "give the organizer's password: --admin-password or ADMIN_PASSWORD");
    a
}

/// Host updates as they arrive: (when, question index, how many answered).
type Updates = Arc<Mutex<Vec<(Instant, i64, i64)>>>;

#[tokio::main]
async fn main() {
    let a = args();
    let bases = a.bases.clone();
    println!("live session on {}: {} participants, {} questions", bases.join(" + "), a.players, a.questions);
    let baseline = stats::baseline(&bases, 5).await;

    let jar = || reqwest::Client::builder().cookie_store(true).pool_max_idle_per_host(4).build().unwrap();
    let host = jar();
    let b0 = &bases[0];
    expect(
        host.post(format!("{b0}/api/v1/auth/login")).json(&json!({"phone": "0900000000", "password": a.admin_password})).send().await,
        200,
    )
    .await
    .expect("organizer login");
    let bank = expect(host.get(format!("{b0}/api/v1/admin/questions?status=active")).send().await, 200).await.unwrap();
    let ids: Vec<Value> = bank["items"].as_array().unwrap().iter().take(a.questions).map(|q| q["id"].clone()).collect();
    let session = expect(
        host.post(format!("{b0}/api/v1/admin/live"))
            .json(&json!({"title": "Đo tải trực tiếp", "question_seconds": 60, "question_ids": ids}))
            .send()
            .await,
        201,
    )
    .await
    .expect("create the session");
    let id = session["id"].as_str().unwrap().to_string();
    let units: Value = reqwest::get(format!("{b0}/api/v1/units")).await.unwrap().json().await.unwrap();
    let unit_ids: Vec<String> = units.as_array().unwrap().iter().map(|u| u["id"].as_str().unwrap().to_string()).collect();

    // guests join, spread over the servers
    let mut join = Stats::default();
    let players: Vec<(reqwest::Client, String)> = stream::iter(0..a.players)
        .map(|i| {
            let (c, base) = (jar(), bases[i % bases.len()].clone());
            let (id, unit) = (id.clone(), unit_ids[i % unit_ids.len()].clone());
            async move {
                let t = Instant::now();
                let r = expect(
                    c.post(format!("{base}/api/v1/live/{id}/join"))
                        .json(&json!({"name": format!("Khách {i:04}"), "unit_id": unit}))
                        .send()
                        .await,
                    200,
                )
                .await;
                (t, r.map(|_| ()), c, base)
            }
        })
        .buffer_unordered(64)
        .map(|(t, r, c, base)| {
            join.add(t, r);
            (c, base)
        })
        .collect()
        .await;

    // the host's stream, read all along
    let updates: Updates = Default::default();
    {
        let (host, url, updates) = (host.clone(), format!("{b0}/api/v1/live/{id}/events?view=host"), updates.clone());
        let mut res = host.get(url).send().await.unwrap();
        tokio::spawn(async move {
            let mut buf = String::new();
            while let Ok(Some(chunk)) = res.chunk().await {
                let at = Instant::now();
                buf.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buf.find("\n\n") {
                    let event: String = buf.drain(..end + 2).collect();
                    if let Some(v) =
                        event.lines().find_map(|l| l.strip_prefix("data: ")).and_then(|d| serde_json::from_str::<Value>(d).ok())
                    {
                        updates.lock().unwrap().push((at, v["index"].as_i64().unwrap_or(-1), v["answered"].as_i64().unwrap_or(0)));
                    }
                }
            }
        });
    }

    let mut answer = Stats::default();
    let mut to_board: Vec<Duration> = Vec::new();
    let mut missing = 0usize;
    // the time from the first answer sent to the last acknowledged, summed over the questions
    let mut bursts = Duration::ZERO;
    let action = |name: &'static str| {
        let (host, url) = (host.clone(), format!("{b0}/api/v1/admin/live/{id}/{name}"));
        async move { expect(host.post(url).send().await, 200).await.unwrap_or_else(|e| panic!("{name}: {e}")) }
    };
    let mut view = action("start").await;
    for q in 0..a.questions as i64 {
        let options: Vec<String> =
            view["question"]["options"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_string()).collect();
        // every participant answers at once; each answer's acknowledgement says how many had answered
        let acks: Vec<(Instant, Instant, Result<i64, String>)> = stream::iter(players.iter().enumerate())
            .map(|(i, (c, base))| {
                let (c, url, option) = (c.clone(), format!("{base}/api/v1/live/{id}/answers"), options[i % options.len()].clone());
                async move {
                    let t = Instant::now();
                    let r = expect(c.post(url).json(&json!({"position": q, "option_id": option})).send().await, 200).await;
                    (t, Instant::now(), r.map(|v| v["answered"].as_i64().unwrap_or(0)))
                }
            })
            .buffer_unordered(a.players)
            .collect()
            .await;
        if let (Some(first), Some(last)) = (acks.iter().map(|a| a.0).min(), acks.iter().map(|a| a.1).max()) {
            bursts += last - first;
        }
        // let the last update arrive
        tokio::time::sleep(Duration::from_millis(1_500)).await;
        let seen = updates.lock().unwrap().clone();
        for (sent, done, r) in acks {
            match r {
                Ok(n) => {
                    answer.add_at(sent, done, Ok(()));
                    match seen.iter().find(|(at, i, answered)| *i == q && *answered >= n && *at >= sent) {
                        Some((at, _, _)) => to_board.push(*at - sent),
                        None => missing += 1,
                    }
                }
                Err(e) => answer.add_at(sent, done, Err(e)),
            }
        }
        action("reveal").await;
        tokio::time::sleep(Duration::from_millis(1_100)).await;
        if q + 1 < a.questions as i64 {
            action("results").await;
            view = action("next").await;
        }
    }
    action("end").await;

    let b = baseline.per_sec();
    println!();
    baseline.print("baseline GET /time", b);
    join.print("join", b);
    // throughput while everybody answers at once (the pauses between questions left out)
    if let Some(first) = answer.first {
        answer.last = Some(first + bursts);
    }
    answer.print("answer (bursts)", b);
    to_board.sort();
    let pct =
        |p: f64| to_board.get(((to_board.len().max(1) - 1) as f64 * p).round() as usize).map(|d| d.as_secs_f64() * 1000.0).unwrap_or(0.0);
    println!(
        "{:<24} {:>8} seen {:>5} not seen     p50 {:>7.1} ms  p95 {:>7.1} ms  p99 {:>7.1} ms",
        "answer → leaderboard",
        to_board.len(),
        missing,
        pct(0.50),
        pct(0.95),
        pct(0.99)
    );
}
