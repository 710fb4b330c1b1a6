//! Benchmark (not a test): attempt starts and submits per second with N
//! simulated participants against a running server, beside a trivial handler's
//! throughput measured in the same run.
//!
//!   cargo run --release --example bench -- --base http://127.0.0.1:3000 --users 500 --concurrency 64
//!
//! The server must allow that many registrations from one address, e.g.
//! `REGISTER_LIMIT_PER_IP=1000000 LOGIN_LIMIT_PER_IP=1000000`.
use futures::stream::{self, StreamExt};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

struct Args {
    base: String,
    users: usize,
    concurrency: usize,
    baseline_secs: u64,
}

fn args() -> Args {
    let mut a = Args { base: "http://127.0.0.1:3000".into(), users: 300, concurrency: 64, baseline_secs: 5 };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i + 1 < v.len() {
        match v[i].as_str() {
            "--base" => a.base = v[i + 1].clone(),
            "--users" => a.users = v[i + 1].parse().expect("--users N"),
            "--concurrency" => a.concurrency = v[i + 1].parse().expect("--concurrency N"),
            "--baseline-secs" => a.baseline_secs = v[i + 1].parse().expect("--baseline-secs N"),
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    a
}

struct Stats {
    name: &'static str,
    n: usize,
    errors: usize,
    elapsed: Duration,
    lat: Vec<Duration>,
}

impl Stats {
    fn per_sec(&self) -> f64 {
        self.n as f64 / self.elapsed.as_secs_f64()
    }
    fn pct(&self, p: f64) -> f64 {
        if self.lat.is_empty() {
            return 0.0;
        }
        let mut l = self.lat.clone();
        l.sort();
        l[((l.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0
    }
    fn print(&self, baseline: f64) {
        println!(
            "{:<22} {:>8} ok {:>5} err {:>10.0}/s   p50 {:>7.1} ms  p95 {:>7.1} ms  p99 {:>7.1} ms   {:>5.1}% of baseline",
            self.name,
            self.n - self.errors,
            self.errors,
            self.per_sec(),
            self.pct(0.50),
            self.pct(0.95),
            self.pct(0.99),
            100.0 * self.per_sec() / baseline
        );
    }
}

/// Runs `f` over every item with `concurrency` in flight; records latencies and errors.
async fn phase<T, F, Fut>(name: &'static str, items: Vec<T>, concurrency: usize, f: F) -> (Stats, Vec<Option<Value>>)
where
    F: Fn(T) -> Fut,
    Fut: std::future::Future<Output = Result<Value, String>>,
{
    let n = items.len();
    let start = Instant::now();
    let results: Vec<(Duration, Result<Value, String>)> = stream::iter(items)
        .map(|it| {
            let fut = f(it);
            async move {
                let t = Instant::now();
                let r = fut.await;
                (t.elapsed(), r)
            }
        })
        .buffered(concurrency)
        .collect()
        .await;
    let elapsed = start.elapsed();
    let mut errors = 0;
    let mut first_err = None;
    let lat = results.iter().map(|(d, _)| *d).collect();
    let values = results
        .into_iter()
        .map(|(_, r)| match r {
            Ok(v) => Some(v),
            Err(e) => {
                errors += 1;
                first_err.get_or_insert(e);
                None
            }
        })
        .collect();
    if let Some(e) = first_err {
        eprintln!("{name}: first error: {e}");
    }
    (Stats { name, n, errors, elapsed, lat }, values)
}

async fn json_of(r: reqwest::Result<reqwest::Response>, want: u16) -> Result<Value, String> {
    let r = r.map_err(|e| e.to_string())?;
    let s = r.status().as_u16();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    if s == want {
        Ok(v)
    } else {
        Err(format!("{s} {v}"))
    }
}

#[tokio::main]
async fn main() {
    let a = args();
    let base = a.base.clone();
    println!("benchmark against {base}: {} participants, {} in flight", a.users, a.concurrency);

    // Baseline: a trivial handler (the server's clock, no database), for the same length of time.
    let plain = reqwest::Client::new();
    let deadline = Instant::now() + Duration::from_secs(a.baseline_secs);
    let mut lat = Vec::new();
    let start = Instant::now();
    let mut n = 0usize;
    let mut stream = stream::iter(0..)
        .map(|_| {
            let (c, url) = (plain.clone(), format!("{base}/api/v1/time"));
            async move {
                let t = Instant::now();
                let ok = c.get(url).send().await.map(|r| r.status().is_success()).unwrap_or(false);
                (t.elapsed(), ok)
            }
        })
        .buffer_unordered(a.concurrency);
    let mut errors = 0;
    while let Some((d, ok)) = stream.next().await {
        n += 1;
        lat.push(d);
        if !ok {
            errors += 1;
        }
        if Instant::now() >= deadline {
            break;
        }
    }
    drop(stream);
    let baseline = Stats { name: "baseline GET /time", n, errors, elapsed: start.elapsed(), lat };

    let rounds: Value = plain.get(format!("{base}/api/v1/rounds?status=open")).send().await.unwrap().json().await.unwrap();
    let round = rounds[0]["id"].as_str().expect("an open round").to_string();
    let units: Value = plain.get(format!("{base}/api/v1/units")).send().await.unwrap().json().await.unwrap();
    let unit = units[1]["id"].as_str().unwrap().to_string();

    // Participants: registration is argon2-bound and not what is measured here.
    let seed: u64 = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64;
    let clients: Vec<reqwest::Client> = (0..a.users).map(|_| reqwest::Client::builder().cookie_store(true).build().unwrap()).collect();
    let (reg, _) = phase("register (argon2)", clients.iter().enumerate().collect(), a.concurrency, |(i, c)| {
        let phone = format!("09{:08}", (seed.wrapping_mul(31).wrapping_add(i as u64 * 7_919)) % 100_000_000);
        let body = json!({"full_name": format!("Người thử {i}"), "phone": phone, "unit_id": unit, "password": "mat-khau-123"});
        let req = c.post(format!("{base}/api/v1/auth/register")).json(&body);
        async move { json_of(req.send().await, 201).await }
    })
    .await;

    let (starts, views) = phase("start attempt", clients.iter().collect(), a.concurrency, |c| {
        let req = c.post(format!("{base}/api/v1/rounds/{round}/attempts"));
        async move { json_of(req.send().await, 201).await }
    })
    .await;

    // One answer per participant (the autosave path), then the submit.
    let started: Vec<(&reqwest::Client, Value)> = clients.iter().zip(views.iter()).filter_map(|(c, v)| v.clone().map(|v| (c, v))).collect();
    let (answers, _) = phase("save answer", started.clone(), a.concurrency, |(c, v)| {
        let (id, q) = (v["id"].as_str().unwrap(), v["items"][0]["question_id"].as_str().unwrap());
        let req = c.put(format!("{base}/api/v1/attempts/{id}/answers/{q}")).json(&json!({"option_id": v["items"][0]["options"][0]["id"]}));
        async move { json_of(req.send().await, 200).await }
    })
    .await;
    let (submits, _) = phase("submit attempt", started, a.concurrency, |(c, v)| {
        let req = c.post(format!("{base}/api/v1/attempts/{}/submit", v["id"].as_str().unwrap())).json(&json!({"prediction": 3}));
        async move { json_of(req.send().await, 200).await }
    })
    .await;

    let b = baseline.per_sec();
    println!();
    baseline.print(b);
    reg.print(b);
    starts.print(b);
    answers.print(b);
    submits.print(b);
    println!(
        "\nstarts/s = {:.0}, submits/s = {:.0}; ratio to the trivial handler: starts {:.3}, submits {:.3}",
        starts.per_sec(),
        submits.per_sec(),
        starts.per_sec() / b,
        submits.per_sec() / b
    );
}
