//! Benchmark (not a test): the boards at city scale. Seeds a fresh database with
//! 1,000,000 graded attempts by 300,000 participants in 600 units (4 rounds of one
//! contest), builds the aggregates with the recompute command's code, serves the
//! real application in-process and measures, one request at a time over loopback
//! HTTP, the unit leaderboard, the drill-down and the individual leaderboards:
//! p50/p95/p99 beside a trivial handler measured in the same run.
//!
//!   cargo run --release --features ssr --example boards_bench -- --database sqlite
//!   cargo run --release --features ssr --example boards_bench -- --database postgres://postgres@127.0.0.1:5432/test
//!
//! Options: --participants N (300000) --attempts N (1000000) --units N (600) --samples N (400).
//! SQLite uses target/bench/boards.db; PostgreSQL a database `thi24_boards_bench`
//! next to the one given (both recreated).
use rand::{rngs::StdRng, Rng, SeedableRng};
use std::time::{Duration, Instant};
use thi24::server::{clock::SystemClock, router, state::Config, AppState};
use thi24::store::AnyStore;
use uuid::Uuid;

struct Args {
    database: String,
    participants: usize,
    attempts: usize,
    units: usize,
    samples: usize,
}

fn args() -> Args {
    let mut a = Args { database: "sqlite".into(), participants: 300_000, attempts: 1_000_000, units: 600, samples: 400 };
    let v: Vec<String> = std::env::args().skip(1).collect();
    let mut i = 0;
    while i + 1 < v.len() {
        match v[i].as_str() {
            "--database" => a.database = v[i + 1].clone(),
            "--participants" => a.participants = v[i + 1].parse().expect("--participants N"),
            "--attempts" => a.attempts = v[i + 1].parse().expect("--attempts N"),
            "--units" => a.units = v[i + 1].parse().expect("--units N"),
            "--samples" => a.samples = v[i + 1].parse().expect("--samples N"),
            other => panic!("unknown argument {other}"),
        }
        i += 2;
    }
    a
}

const ROUNDS: usize = 4;
const QUESTIONS: i64 = 20;
const MAX_ATTEMPTS: usize = 3;

/// A fresh database for the run; returns its URL.
async fn fresh_database(spec: &str) -> String {
    if spec == "sqlite" {
        let _ = std::fs::create_dir_all("target/bench");
        for s in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("target/bench/boards.db{s}"));
        }
        return "sqlite:target/bench/boards.db".into();
    }
    use sqlx::Connection;
    let mut admin = sqlx::PgConnection::connect(spec).await.expect("connect to PostgreSQL");
    let name = "thi24_boards_bench";
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).execute(&mut admin).await.unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}")).execute(&mut admin).await.unwrap();
    format!("{}/{name}", &spec[..spec.rfind('/').expect("URL with a database name")])
}

/// Inserts rows in multi-row statements inside one transaction.
macro_rules! bulk {
    ($db:ty, $conn:expr, $sql:expr, $rows:expr, $chunk:expr, |$b:ident, $r:ident| $push:expr) => {{
        let mut tx = $conn.begin().await.unwrap();
        for chunk in $rows.chunks($chunk) {
            let mut qb = sqlx::QueryBuilder::<$db>::new($sql);
            qb.push_values(chunk, |mut $b, $r| {
                $push;
            });
            qb.build().execute(&mut *tx).await.unwrap();
        }
        tx.commit().await.unwrap();
    }};
}

struct Data {
    contest: Uuid,
    rounds: Vec<Uuid>,
    districts: Vec<Uuid>,
    communes: Vec<Uuid>,
    units: Vec<(Uuid, Option<Uuid>, String, &'static str, i64)>,
    users: Vec<(Uuid, Uuid)>,
    attempts: Vec<(Uuid, Uuid, Uuid, i64, i64, i64, i64, i64)>, // id, round, user, seq, started, finished, score, time
}

fn generate(a: &Args, now: i64) -> Data {
    let mut rng = StdRng::seed_from_u64(24);
    let districts_n = 30.min(a.units.saturating_sub(1)).max(1);
    let city = Uuid::new_v4();
    let mut units = vec![(city, None, "Thành phố Hà Nội".to_string(), "city", 0)];
    let districts: Vec<Uuid> = (0..districts_n).map(|_| Uuid::new_v4()).collect();
    for (i, d) in districts.iter().enumerate() {
        units.push((*d, Some(city), format!("Quận/Huyện {:02}", i + 1), "district", 40));
    }
    let communes: Vec<Uuid> = (0..a.units - 1 - districts_n).map(|_| Uuid::new_v4()).collect();
    for (i, c) in communes.iter().enumerate() {
        units.push((*c, Some(districts[i % districts_n]), format!("Xã/Phường {:03}", i + 1), "commune", rng.gen_range(400..1_200)));
    }
    let users: Vec<(Uuid, Uuid)> = (0..a.participants).map(|_| (Uuid::new_v4(), communes[rng.gen_range(0..communes.len())])).collect();
    let rounds: Vec<Uuid> = (0..ROUNDS).map(|_| Uuid::new_v4()).collect();
    // every participant makes at least one attempt; the rest are spread at random
    let mut per_user = vec![1usize; users.len()];
    for _ in users.len()..a.attempts {
        loop {
            let u = rng.gen_range(0..users.len());
            if per_user[u] < ROUNDS * MAX_ATTEMPTS {
                per_user[u] += 1;
                break;
            }
        }
    }
    let week = 7 * 24 * 3_600_000i64;
    let mut attempts = Vec::with_capacity(a.attempts);
    for (u, n) in per_user.iter().enumerate() {
        let mut seqs = [0i64; ROUNDS];
        for k in 0..*n {
            let r = k % ROUNDS;
            seqs[r] += 1;
            let started = now - week + rng.gen_range(0..week - 3_600_000);
            let time = rng.gen_range(60_000..600_000);
            // scores lean high, as in the real contests
            let score = (QUESTIONS - (rng.gen_range(0.0f64..1.0).powi(3) * QUESTIONS as f64) as i64).clamp(0, QUESTIONS);
            attempts.push((Uuid::new_v4(), rounds[r], users[u].0, seqs[r], started, started + time, score, time));
        }
    }
    Data { contest: Uuid::new_v4(), rounds, districts, communes, units, users, attempts }
}

async fn seed(url: &str, d: &Data, now: i64) {
    macro_rules! seed_with {
        ($db:ty, $pool:expr) => {{
            let pool = $pool;
            bulk!($db, pool, "INSERT INTO units (id, parent_id, code, name, kind, headcount, created_at) ", d.units, 2_000, |b, u| {
                b.push_bind(u.0).push_bind(u.1).push_bind(None::<String>).push_bind(u.2.clone()).push_bind(u.3).push_bind(u.4).push_bind(now)
            });
            bulk!($db, pool, "INSERT INTO users (id, full_name, phone, unit_id, password_hash, role, created_at) ", d.users.iter().enumerate().collect::<Vec<_>>(), 4_000, |b, x| {
                let (i, u) = x;
                b.push_bind(u.0).push_bind(format!("Cán bộ {i:06}")).push_bind(format!("09{:08}", i)).push_bind(u.1).push_bind("-").push_bind("participant").push_bind(now)
            });
            sqlx::query("INSERT INTO contests (id, title, description, rules, created_at) VALUES ($1, $2, '', '', $3)")
                .bind(d.contest)
                .bind("Cuộc thi quy mô thành phố")
                .bind(now)
                .execute(pool)
                .await
                .unwrap();
            for (i, r) in d.rounds.iter().enumerate() {
                sqlx::query(
                    "INSERT INTO rounds (id, contest_id, title, position, opens_at, closes_at, question_count, duration_ms, max_attempts, counting, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 600000, 3, 'best', $5)",
                )
                .bind(*r)
                .bind(d.contest)
                .bind(format!("Tuần {}", i + 1))
                .bind(i as i64 + 1)
                .bind(now - 8 * 24 * 3_600_000)
                .bind(now + 24 * 3_600_000)
                .bind(QUESTIONS)
                .execute(pool)
                .await
                .unwrap();
            }
            bulk!($db, pool, "INSERT INTO attempts (id, round_id, user_id, seq, status, started_at, deadline_at, finished_at, score, max_score, time_used_ms) ", d.attempts, 2_500, |b, x| {
                b.push_bind(x.0).push_bind(x.1).push_bind(x.2).push_bind(x.3).push_bind("submitted").push_bind(x.4).push_bind(x.4 + 600_000)
                    .push_bind(x.5).push_bind(x.6).push_bind(QUESTIONS).push_bind(x.7)
            });
            // one participation row per participant and round, with its unit; the counted
            // results are left for the recompute to replay from the attempts
            let unit_of: std::collections::HashMap<Uuid, Uuid> = d.users.iter().copied().collect();
            let mut parts: Vec<(Uuid, Uuid, Uuid)> = d.attempts.iter().filter(|a| a.3 == 1).map(|a| (a.1, a.2, unit_of[&a.2])).collect();
            parts.sort();
            bulk!($db, pool, "INSERT INTO participations (round_id, user_id, unit_id) ", parts, 5_000, |b, p| {
                b.push_bind(p.0).push_bind(p.1).push_bind(p.2)
            });
        }};
    }
    if url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(url).await.unwrap();
        seed_with!(sqlx::Sqlite, &pool);
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        seed_with!(sqlx::Postgres, &pool);
        sqlx::query("ANALYZE").execute(&pool).await.unwrap();
        pool.close().await;
    }
}

fn pct(lat: &mut [Duration], p: f64) -> f64 {
    lat.sort();
    lat[((lat.len() - 1) as f64 * p).round() as usize].as_secs_f64() * 1000.0
}

async fn measure(client: &reqwest::Client, name: &str, urls: &[String], samples: usize) -> (f64, f64, f64) {
    // warm up
    for u in urls.iter().take(20) {
        client.get(u).send().await.unwrap().bytes().await.unwrap();
    }
    let mut lat = Vec::with_capacity(samples);
    let started = Instant::now();
    for i in 0..samples {
        let url = &urls[i % urls.len()];
        let t = Instant::now();
        let r = client.get(url).send().await.unwrap();
        assert!(r.status().is_success(), "{url}: {}", r.status());
        r.bytes().await.unwrap();
        lat.push(t.elapsed());
    }
    let per_sec = samples as f64 / started.elapsed().as_secs_f64();
    let (p50, p95, p99) = (pct(&mut lat, 0.50), pct(&mut lat, 0.95), pct(&mut lat, 0.99));
    println!("{name:<44} p50 {p50:>7.2} ms  p95 {p95:>7.2} ms  p99 {p99:>7.2} ms  ({per_sec:>7.0} req/s one at a time)");
    (p50, p95, p99)
}

#[tokio::main]
async fn main() {
    let a = args();
    let url = fresh_database(&a.database).await;
    let now = SystemClock::shared();
    let now = {
        use thi24::server::clock::Clock;
        now.now()
    };
    let t = Instant::now();
    let data = generate(&a, now);
    let store = AnyStore::connect(&url).await.expect("store");
    seed(&url, &data, now).await;
    println!(
        "seeded {} units, {} participants, {} graded attempts on {} in {:.1} s",
        data.units.len(),
        data.users.len(),
        data.attempts.len(),
        store.backend(),
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let report = store.recompute_aggregates().await.expect("recompute");
    println!(
        "recompute (the `thi24 recompute` command's code): {:.1} s, {} aggregate rows",
        t.elapsed().as_secs_f64(),
        report.rows_rebuilt
    );
    if !url.starts_with("sqlite:") {
        // the planner's statistics, as autovacuum would have them after such a change
        let pool = sqlx::PgPool::connect(&url).await.unwrap();
        sqlx::query("ANALYZE").execute(&pool).await.unwrap();
        pool.close().await;
    }

    let options = leptos::config::LeptosOptions::builder().output_name("thi24").site_root("target/site").build();
    let state = AppState::new(store, SystemClock::shared(), options, Config::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let app = router::build(state);
    tokio::spawn(async move {
        axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>()).await.unwrap();
    });
    let client = reqwest::Client::new();
    let (c, r0) = (data.contest, data.rounds[0]);
    let rounds = &data.rounds;
    let pick = |v: &[Uuid], i: usize| v[(i * 7919) % v.len()];
    let n = a.samples;
    println!("\n{} samples per line, sequential requests over loopback HTTP ({})", n, url.split(':').next().unwrap());
    measure(&client, "GET /api/v1/time (trivial baseline)", &[format!("{base}/api/v1/time")], n).await;
    measure(&client, "unit board, contest, top level", &[format!("{base}/api/v1/contests/{c}/units")], n).await;
    let urls: Vec<String> = (0..50).map(|i| format!("{base}/api/v1/rounds/{}/units", rounds[i % ROUNDS])).collect();
    measure(&client, "unit board, round, top level", &urls, n).await;
    let urls: Vec<String> =
        (0..50).map(|i| format!("{base}/api/v1/rounds/{}/units?parent={}", rounds[i % ROUNDS], pick(&data.districts, i))).collect();
    measure(&client, "drill-down: round, a district's units", &urls, n).await;
    let urls: Vec<String> =
        (0..50).map(|i| format!("{base}/api/v1/contests/{c}/units?parent={}&sort=name", pick(&data.districts, i))).collect();
    measure(&client, "drill-down: contest, sorted by name", &urls, n).await;
    let urls: Vec<String> = (0..50).map(|i| format!("{base}/api/v1/contests/{c}/units?q=ph%C6%B0%E1%BB%9Dng+0{}", i % 10)).collect();
    measure(&client, "unit search, whole tree", &urls, n).await;
    let urls: Vec<String> = (0..ROUNDS).map(|i| format!("{base}/api/v1/rounds/{}/leaderboard?limit=100", rounds[i])).collect();
    measure(&client, "individual board, round, top 100", &urls, n).await;
    let urls: Vec<String> =
        (0..50).map(|i| format!("{base}/api/v1/rounds/{r0}/leaderboard?limit=100&unit={}", pick(&data.communes, i))).collect();
    measure(&client, "individual board, round, one commune", &urls, n).await;
    let urls: Vec<String> =
        (0..50).map(|i| format!("{base}/api/v1/rounds/{r0}/leaderboard?limit=100&unit={}", pick(&data.districts, i))).collect();
    measure(&client, "individual board, round, one district", &urls, n).await;
    measure(&client, "individual board, contest, top 100", &[format!("{base}/api/v1/contests/{c}/ranking?limit=100")], n).await;
    let urls: Vec<String> = (0..50).map(|i| format!("{base}/api/v1/contests/{c}/charts?unit={}", pick(&data.districts, i))).collect();
    measure(&client, "charts, contest, one district", &urls, n).await;
    measure(&client, "projector board (cached 250 ms)", &[format!("{base}/api/v1/rounds/{r0}/live")], n).await;
}
