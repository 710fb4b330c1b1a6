//! Latency statistics and response checks shared by the load commands.
#![allow(dead_code)]
use serde_json::Value;
use std::time::{Duration, Instant};

/// Latencies of one endpoint, with when the first request left and the last answer came.
#[derive(Default)]
pub struct Stats {
    pub ok: usize,
    pub errors: usize,
    pub first_error: Option<String>,
    pub lat: Vec<Duration>,
    pub first: Option<Instant>,
    pub last: Option<Instant>,
}

impl Stats {
    pub fn add(&mut self, sent: Instant, result: Result<(), String>) {
        self.add_at(sent, Instant::now(), result)
    }

    /// A request sent at `sent` whose answer came at `now`.
    pub fn add_at(&mut self, sent: Instant, now: Instant, result: Result<(), String>) {
        self.lat.push(now - sent);
        self.first = Some(self.first.map_or(sent, |f| f.min(sent)));
        self.last = Some(self.last.map_or(now, |l| l.max(now)));
        match result {
            Ok(()) => self.ok += 1,
            Err(e) => {
                self.errors += 1;
                self.first_error.get_or_insert(e);
            }
        }
    }
    pub fn per_sec(&self) -> f64 {
        match (self.first, self.last) {
            (Some(f), Some(l)) if l > f => self.ok as f64 / (l - f).as_secs_f64(),
            _ => 0.0,
        }
    }
    pub fn pct(&self, p: f64) -> f64 {
        if self.lat.is_empty() {
            return 0.0;
        }
        let mut l = self.lat.clone();
        l.sort();
        l[((l.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0
    }
    pub fn print(&self, name: &str, baseline: f64) {
        println!(
            "{name:<24} {:>8} ok {:>5} err {:>9.0}/s   p50 {:>7.1} ms  p95 {:>7.1} ms  p99 {:>7.1} ms   {:>5.1}% of baseline",
            self.ok,
            self.errors,
            self.per_sec(),
            self.pct(0.50),
            self.pct(0.95),
            self.pct(0.99),
            100.0 * self.per_sec() / baseline
        );
        if let Some(e) = &self.first_error {
            println!("{:<24} first error: {e}", "");
        }
    }
}

pub async fn expect(r: reqwest::Result<reqwest::Response>, want: u16) -> Result<Value, String> {
    let r = r.map_err(|e| e.to_string())?;
    let s = r.status().as_u16();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    if s == want {
        Ok(v)
    } else {
        Err(format!("{s} {v}"))
    }
}

/// A trivial handler's throughput (the server's clock, no database), 64 requests in
/// flight for `secs` seconds, spread over the servers: the baseline of a run.
pub async fn baseline(bases: &[String], secs: u64) -> Stats {
    use futures::stream::{self, StreamExt};
    let plain = reqwest::Client::new();
    let mut baseline = Stats::default();
    let deadline = Instant::now() + Duration::from_secs(secs);
    let mut s = stream::iter(0..)
        .map(|i: usize| {
            let (c, url) = (plain.clone(), format!("{}/api/v1/time", bases[i % bases.len()]));
            async move {
                let t = Instant::now();
                let r = c.get(url).send().await.map_err(|e| e.to_string()).and_then(|r| {
                    if r.status().is_success() {
                        Ok(())
                    } else {
                        Err(r.status().to_string())
                    }
                });
                (t, r)
            }
        })
        .buffer_unordered(64);
    while let Some((t, r)) = s.next().await {
        baseline.add(t, r);
        if Instant::now() >= deadline {
            break;
        }
    }
    baseline
}

/// The command line's `--name value` pairs.
pub fn flags() -> Vec<(String, String)> {
    let v: Vec<String> = std::env::args().skip(1).collect();
    v.chunks(2).map(|c| (c[0].clone(), c.get(1).cloned().unwrap_or_default())).collect()
}

/// `--base a,b`: the servers' addresses.
pub fn bases(v: &str) -> Vec<String> {
    v.split(',').map(|s| s.trim_end_matches('/').to_string()).collect()
}
