//! The contest-open surge (a load command, not a test): K logged-in officials who,
//! at one instant, each start an attempt, answer every question with autosave and,
//! once all have answered, submit at one instant (the last minute before a round
//! closes). Prints per-endpoint throughput, p50/p95/p99 latency and errors beside a
//! trivial handler's throughput measured in the same run, then checks that no
//! acknowledged answer was lost and every official has exactly one attempt.
//!
//!   cargo run --release --features ssr --example bench -- --base http://127.0.0.1:3000 --officials 1000
//!   cargo run --release --features ssr --example bench -- --base http://127.0.0.1:3001,http://127.0.0.1:3002 --officials 1000
//!
//! Several `--base` addresses (app servers sharing PostgreSQL) share the load in turn.
//! `--think-ms N`: officials read each question N ms (±50%) before answering, as people
//! do; without it they answer back to back, the hardest case.
//! The organizer account (`--admin-phone`, `--admin-password` or ADMIN_PASSWORD)
//! opens a round of `--questions` questions for the run. The servers must allow that
//! many registrations and logins from one address:
//! `REGISTER_LIMIT_PER_IP=1000000 LOGIN_LIMIT_PER_IP=1000000`.
use futures::stream::{self, StreamExt};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Instant;

struct Args {
    bases: Vec<String>,
    officials: usize,
    questions: usize,
    baseline_secs: u64,
    /// Officials think this long (±50%) before each answer; 0: answers back to back.
    think_ms: u64,
    admin_phone: String,
    admin_password: String,
}

fn args() -> Args {
    let mut a = Args {
        bases: vec!["http://127.0.0.1:3000".into()],
        officials: 1000,
        questions: 20,
        baseline_secs: 5,
        think_ms: 0,
        admin_phone: "0900000000".into(),
        admin_password: std::env::var("ADMIN_PASSWORD").unwrap_or_default(),
    };
    for (k, v) in stats::flags() {
        match k.as_str() {
            "--base" => a.bases = stats::bases(&v),
            "--officials" | "--users" => a.officials = v.parse().expect("--officials N"),
            "--questions" => a.questions = v.parse().expect("--questions N"),
            "--baseline-secs" => a.baseline_secs = v.parse().expect("--baseline-secs N"),
            "--think-ms" => a.think_ms = v.parse().expect("--think-ms N"),
            "--admin-phone" => a.admin_phone = v,
            "--admin-password" => a.admin_password = v,
            other => panic!("unknown argument {other}"),
        }
    }
    assert!(!a.admin_password.is_empty(), "give the organizer's password: --admin-password or ADMIN_PASSWORD");
    a
}

#[path = "support/stats.rs"]
mod stats;
use stats::{expect, Stats};

/// What one official did in the surge.
#[derive(Default)]
struct Run {
    start: Stats,
    answer: Stats,
    submit: Stats,
    attempt: Option<String>,
    acked: Vec<(String, String)>,
    submitted: bool,
}

#[tokio::main]
async fn main() {
    let a = args();
    let bases = a.bases.clone();
    println!("surge against {}: {} officials, {} questions each", bases.join(" + "), a.officials, a.questions);

    let plain = reqwest::Client::new();
    let baseline = stats::baseline(&bases, a.baseline_secs).await;

    // The organizer opens a round for the run.
    let admin = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let b0 = &bases[0];
    expect(
        admin.post(format!("{b0}/api/v1/auth/login")).json(&json!({"phone": a.admin_phone, "password": a.admin_password})).send().await,
        200,
    )
    .await
    .expect("organizer login");
    let rounds: Value = admin.get(format!("{b0}/api/v1/rounds")).send().await.unwrap().json().await.unwrap();
    let contest = rounds[0]["contest_id"].as_str().expect("a contest").to_string();
    let now = expect(admin.get(format!("{b0}/api/v1/time")).send().await, 200).await.unwrap()["now"].as_i64().unwrap();
    let round = expect(
        admin
            .post(format!("{b0}/api/v1/admin/contests/{contest}/rounds"))
            .json(&json!({"title": format!("Đột biến {now}"), "opens_at": now - 1_000, "closes_at": now + 3_600_000,
                          "question_count": a.questions, "duration_ms": 900_000, "max_attempts": 1}))
            .send()
            .await,
        201,
    )
    .await
    .expect("open a round")["id"]
        .as_str()
        .unwrap()
        .to_string();
    let units: Value = plain.get(format!("{b0}/api/v1/units")).send().await.unwrap().json().await.unwrap();
    let unit_ids: Vec<String> =
        units.as_array().unwrap().iter().filter(|u| u["kind"] != "city").map(|u| u["id"].as_str().unwrap().to_string()).collect();

    // Officials register (argon2-bound; not what is measured) and stay logged in.
    let seed = now as u64;
    let clients: Vec<reqwest::Client> =
        (0..a.officials).map(|_| reqwest::Client::builder().cookie_store(true).pool_max_idle_per_host(1).build().unwrap()).collect();
    let t = Instant::now();
    let failed: usize = stream::iter(clients.iter().enumerate())
        .map(|(i, c)| {
            let phone = format!("09{:08}", (seed.wrapping_mul(31).wrapping_add(i as u64 * 7_919)) % 100_000_000);
            let body = json!({"full_name": format!("Cán bộ thử {i}"), "phone": phone, "unit_id": unit_ids[i % unit_ids.len()], "password": "mat-khau-123"});
            let req = c.post(format!("{}/api/v1/auth/register", bases[i % bases.len()])).json(&body);
            async move { usize::from(expect(req.send().await, 201).await.is_err()) }
        })
        .buffer_unordered(32)
        .fold(0, |n, e| async move { n + e })
        .await;
    println!("registered {} officials in {:.1} s ({failed} failed)", a.officials - failed, t.elapsed().as_secs_f64());

    // The surge: everybody at one instant.
    let barrier = Arc::new(tokio::sync::Barrier::new(a.officials));
    // … and, having answered, everybody submits at one instant too (the last minute before a round closes)
    let last_minute = Arc::new(tokio::sync::Barrier::new(a.officials));
    let surge_started = Instant::now();
    let runs: Vec<Run> = futures::future::join_all(clients.iter().enumerate().map(|(i, c)| {
        let (barrier, last_minute, base, round, think) =
            (barrier.clone(), last_minute.clone(), bases[i % bases.len()].clone(), round.clone(), a.think_ms);
        async move {
            let mut run = Run::default();
            barrier.wait().await;
            let t = Instant::now();
            let v = match expect(c.post(format!("{base}/api/v1/rounds/{round}/attempts")).send().await, 201).await {
                Ok(v) => {
                    run.start.add(t, Ok(()));
                    v
                }
                Err(e) => {
                    run.start.add(t, Err(e));
                    last_minute.wait().await;
                    return run;
                }
            };
            let id = v["id"].as_str().unwrap().to_string();
            run.attempt = Some(id.clone());
            for (k, item) in v["items"].as_array().unwrap().iter().enumerate() {
                let q = item["question_id"].as_str().unwrap().to_string();
                let opt = item["options"][(i + k) % item["options"].as_array().unwrap().len()]["id"].as_str().unwrap().to_string();
                if think > 0 {
                    // reading the question: think/2 … 3·think/2, spread over officials and questions
                    let spread = ((i * 7_919 + k * 104_729) as u64) % (think + 1);
                    tokio::time::sleep(std::time::Duration::from_millis(think / 2 + spread)).await;
                }
                let t = Instant::now();
                let r =
                    expect(c.put(format!("{base}/api/v1/attempts/{id}/answers/{q}")).json(&json!({"option_id": opt})).send().await, 200)
                        .await;
                if r.is_ok() {
                    run.acked.push((q, opt));
                }
                run.answer.add(t, r.map(|_| ()));
            }
            last_minute.wait().await;
            let t = Instant::now();
            let r = expect(c.post(format!("{base}/api/v1/attempts/{id}/submit")).json(&json!({"prediction": 3})).send().await, 200).await;
            run.submitted = r.is_ok();
            run.submit.add(t, r.map(|_| ()));
            run
        }
    }))
    .await;
    let surge = surge_started.elapsed();

    let merge = |pick: fn(&Run) -> &Stats| {
        let mut all = Stats::default();
        for r in &runs {
            let s = pick(r);
            all.ok += s.ok;
            all.errors += s.errors;
            all.lat.extend(&s.lat);
            if all.first_error.is_none() {
                all.first_error = s.first_error.clone();
            }
            all.first = match (all.first, s.first) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            };
            all.last = match (all.last, s.last) {
                (Some(a), Some(b)) => Some(a.max(b)),
                (a, b) => a.or(b),
            };
        }
        all
    };
    let (starts, answers, submits) = (merge(|r| &r.start), merge(|r| &r.answer), merge(|r| &r.submit));

    // Nothing acknowledged may be missing.
    let mut lost = 0usize;
    let mut not_submitted = 0usize;
    let mut extra_attempts = 0usize;
    let checks: Vec<(usize, usize, usize)> = stream::iter(clients.iter().zip(runs.iter()).enumerate())
        .map(|(i, (c, run))| {
            let base = bases[(i + 1) % bases.len()].clone(); // read back through another server when there are several
            let round = round.clone();
            async move {
                let Some(id) = &run.attempt else { return (0, 0, 0) };
                let v: Value = c.get(format!("{base}/api/v1/attempts/{id}")).send().await.unwrap().json().await.unwrap();
                let items = v["items"].as_array().cloned().unwrap_or_default();
                let lost = run
                    .acked
                    .iter()
                    .filter(|(q, o)| !items.iter().any(|it| it["question_id"] == q.as_str() && it["chosen_option_id"] == o.as_str()))
                    .count();
                let not_submitted = usize::from(run.submitted && v["status"] != "submitted");
                let mine: Value = c.get(format!("{base}/api/v1/me/attempts")).send().await.unwrap().json().await.unwrap();
                let n = mine.as_array().map(|a| a.iter().filter(|x| x["round_id"] == round.as_str()).count()).unwrap_or(0);
                (lost, not_submitted, n.saturating_sub(1))
            }
        })
        .buffer_unordered(32)
        .collect()
        .await;
    for (l, n, e) in checks {
        lost += l;
        not_submitted += n;
        extra_attempts += e;
    }

    let b = baseline.per_sec();
    println!("\nsurge of {} officials took {:.1} s", a.officials, surge.as_secs_f64());
    baseline.print("baseline GET /time", b);
    starts.print("start attempt", b);
    answers.print("save answer", b);
    submits.print("submit attempt", b);
    println!(
        "\nacknowledged answers lost: {lost}; acknowledged submissions not graded: {not_submitted}; officials with more than one attempt: {extra_attempts}"
    );
}
