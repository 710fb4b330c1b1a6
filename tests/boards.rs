//! Leaderboards and unit statistics read from maintained aggregates: after many
//! concurrent attempts (and a unit merge) the maintained aggregates equal the ones
//! recomputed from attempts; drill-down, search, sorting, unit filters, charts,
//! the prediction tie-break once a round closes, the projector board and its
//! event stream. On SQLite and PostgreSQL.
mod common;

use common::{client, login, spawn_app, take, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use thi24::server::state::Config;

fn config() -> Config {
    Config { register_per_ip: 10_000, login_per_ip: 10_000, ..Config::default() }
}

async fn units(app: &TestApp) -> Vec<Value> {
    reqwest::get(format!("{}/api/v1/units", app.base)).await.unwrap().json().await.unwrap()
}

async fn unit_id(app: &TestApp, name: &str) -> String {
    units(app).await.iter().find(|u| u["name"] == name).unwrap()["id"].as_str().unwrap().to_string()
}

async fn register(app: &TestApp, phone: &str, unit: &str) -> reqwest::Client {
    common::register_at(&app.base, phone, unit).await
}

/// A contest with `n` rounds open now; returns its id and the rounds' ids.
async fn contest(app: &TestApp, admin: &reqwest::Client, n: usize, prediction: bool) -> (String, Vec<String>) {
    let b = &app.base;
    let c: Value = admin
        .post(format!("{b}/api/v1/admin/contests"))
        .json(&json!({"title": "Thi bảng xếp hạng"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cid = c["id"].as_str().unwrap().to_string();
    let now = app.state.now();
    let mut rounds = Vec::new();
    for i in 0..n {
        let mut body = json!({"title": format!("Tuần {}", i + 1), "opens_at": now - 1_000, "closes_at": now + 3_600_000,
                              "question_count": 5, "duration_ms": 600_000, "max_attempts": 3});
        if prediction {
            body["prediction_prompt"] = json!("Bao nhiêu người đạt điểm tuyệt đối?");
        }
        let r = admin.post(format!("{b}/api/v1/admin/contests/{cid}/rounds")).json(&body).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::CREATED, "{}", r.text().await.unwrap());
        rounds.push(r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_string());
    }
    (cid, rounds)
}

async fn get(url: String) -> Value {
    let r = client().get(&url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK, "{url}: {}", r.text().await.unwrap());
    r.json().await.unwrap()
}

async fn aggregates_equal_recompute(backend: Backend) {
    let Some(app) = spawn_app(backend, config()).await else { return };
    let admin = login(&app, "0900000000", &app.admin_password).await;
    let (cid, rounds) = contest(&app, &admin, 2, false).await;
    let leaves: Vec<String> = units(&app)
        .await
        .iter()
        .filter(|u| ["commune", "agency"].contains(&u["kind"].as_str().unwrap()))
        .map(|u| u["id"].as_str().unwrap().to_string())
        .collect();
    let mut people = Vec::new();
    for i in 0..24 {
        people.push(register(&app, &format!("09130{i:05}"), &leaves[i % leaves.len()]).await);
    }
    // two waves of concurrent attempts with a unit merge between them
    let wave = |from: usize| {
        let app = &app;
        let rounds = &rounds;
        let people = &people;
        futures::future::join_all(people.iter().enumerate().map(move |(i, c)| async move {
            for k in 0..2 {
                let round = &rounds[(i + k) % 2];
                // some submit, some are left running, scores vary
                take(app, c, round, (i * 7 + k + from) % 6, (i + k + from) % 5 != 0, None).await;
            }
        }))
    };
    wave(0).await;
    let (dh, tl) = (unit_id(&app, "Xã Đại Hùng").await, unit_id(&app, "Xã Trầm Lộng").await);
    let r = admin.post(format!("{}/api/v1/admin/units/{dh}/merge", app.base)).json(&json!({"target": tl})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    wave(1).await;
    // attempts left running are finalised after their deadline by the server
    app.clock.advance(11 * 60_000);
    thi24::server::service::finalise_overdue(&app.state).await.unwrap();
    wave(2).await;

    let maintained = app.state.store.aggregate_digest().await.unwrap();
    assert!(maintained.iter().filter(|l| l.starts_with("unit_round")).count() >= 5, "{maintained:#?}");
    assert!(maintained.iter().any(|l| l.starts_with("hist")) && maintained.iter().any(|l| l.starts_with("daily")));
    let report = app.state.store.recompute_aggregates().await.unwrap();
    assert_eq!(report.participations_fixed, 0);
    let recomputed = app.state.store.aggregate_digest().await.unwrap();
    let diff: Vec<_> =
        maintained.iter().filter(|l| !recomputed.contains(l)).chain(recomputed.iter().filter(|l| !maintained.contains(l))).collect();
    assert!(diff.is_empty(), "maintained and recomputed aggregates differ: {diff:#?}");

    // the boards agree with what happened
    let b = &app.base;
    let started: i64 = {
        let mut n = 0;
        for r in &rounds {
            n += app.state.store.round_attempt_count(r.parse().unwrap()).await.unwrap();
        }
        n
    };
    let board = get(format!("{b}/api/v1/contests/{cid}/units")).await;
    assert_eq!(board["total"]["participants"], 24);
    assert_eq!(board["total"]["attempts"], started);
    assert_eq!(board["path"][0]["name"], "Thành phố Hà Nội");
    let charts = get(format!("{b}/api/v1/contests/{cid}/charts")).await;
    let per_day: i64 = charts["days"].as_array().unwrap().iter().map(|d| d["attempts"].as_i64().unwrap()).sum();
    assert_eq!(per_day, started);
    let people_ranked: i64 = charts["scores"].as_array().unwrap().iter().map(|s| s["count"].as_i64().unwrap()).sum();
    assert_eq!(
        people_ranked,
        get(format!("{b}/api/v1/contests/{cid}/ranking?limit=1000")).await["entries"].as_array().unwrap().len() as i64
    );
}

async fn drill_down_merge_and_filters(backend: Backend) {
    let Some(app) = spawn_app(backend, config()).await else { return };
    let b = &app.base;
    let admin = login(&app, "0900000000", &app.admin_password).await;
    let (cid, rounds) = contest(&app, &admin, 1, false).await;
    let r = &rounds[0];
    let (uh, tl, dh, bu) = (
        unit_id(&app, "Huyện Ứng Hòa").await,
        unit_id(&app, "Xã Trầm Lộng").await,
        unit_id(&app, "Xã Đại Hùng").await,
        unit_id(&app, "Phường Bưởi").await,
    );
    let a = register(&app, "0914000001", &tl).await;
    let bb = register(&app, "0914000002", &tl).await;
    let c = register(&app, "0914000003", &dh).await;
    let d = register(&app, "0914000004", &bu).await;
    take(&app, &a, r, 5, true, None).await;
    take(&app, &bb, r, 3, true, None).await;
    take(&app, &bb, r, 4, true, None).await;
    take(&app, &c, r, 2, true, None).await;
    take(&app, &d, r, 1, false, None).await; // still running: a participant without a result

    // top level: the districts under the city, rolled up
    let top = get(format!("{b}/api/v1/rounds/{r}/units")).await;
    let row = |board: &Value, name: &str| board["units"].as_array().unwrap().iter().find(|u| u["unit_name"] == name).cloned().unwrap();
    let uh_row = row(&top, "Huyện Ứng Hòa");
    assert_eq!(
        (uh_row["participants"].as_i64(), uh_row["attempts"].as_i64(), uh_row["has_children"].as_bool()),
        (Some(3), Some(4), Some(true))
    );
    assert_eq!(uh_row["perfect_scores"], 1);
    // average counted score: (5 + 4 + 2) / 3
    assert!((uh_row["average_score"].as_f64().unwrap() - 11.0 / 3.0).abs() < 1e-9);
    assert_eq!(row(&top, "Quận Tây Hồ")["participants"], 1);
    assert_eq!(top["total"]["participants"], 4);

    // drill into the district: its communes and agencies
    let uh_board = get(format!("{b}/api/v1/rounds/{r}/units?parent={uh}")).await;
    assert_eq!(
        uh_board["path"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect::<Vec<_>>(),
        ["Thành phố Hà Nội", "Huyện Ứng Hòa"]
    );
    assert_eq!(uh_board["units"].as_array().unwrap().len(), 6);
    let tl_row = row(&uh_board, "Xã Trầm Lộng");
    assert_eq!((tl_row["participants"].as_i64(), tl_row["headcount"].as_i64()), (Some(2), Some(85)));
    // ranked by participation rate: Trầm Lộng 2/85 before Đại Hùng 1/70
    let names: Vec<&str> = uh_board["units"].as_array().unwrap().iter().map(|u| u["unit_name"].as_str().unwrap()).collect();
    assert_eq!(&names[..2], ["Xã Trầm Lộng", "Xã Đại Hùng"]);
    // sortable by every column; the name in Vietnamese order ignoring accents
    let by_name = get(format!("{b}/api/v1/rounds/{r}/units?parent={uh}&sort=name&dir=asc")).await;
    let names: Vec<String> =
        by_name["units"].as_array().unwrap().iter().map(|u| thi24::domain::text::fold(u["unit_name"].as_str().unwrap())).collect();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    let by_attempts = get(format!("{b}/api/v1/rounds/{r}/units?parent={uh}&sort=attempts")).await;
    assert_eq!(by_attempts["units"][0]["unit_name"], "Xã Trầm Lộng");
    assert_eq!(by_attempts["descending"], true);
    // searchable at every level below, with where each unit sits
    let found = get(format!("{b}/api/v1/rounds/{r}/units?q=tram%20long")).await;
    assert_eq!(found["units"].as_array().unwrap().len(), 1);
    assert_eq!(found["units"][0]["path"], "Thành phố Hà Nội › Huyện Ứng Hòa");
    // the contest level counts each participant once
    let contest_uh = get(format!("{b}/api/v1/contests/{cid}/units?parent={uh}")).await;
    assert_eq!(row(&contest_uh, "Xã Trầm Lộng")["participants"], 2);
    assert_eq!(row(&contest_uh, "Xã Trầm Lộng")["attempts"], 3);

    // individual ranking narrowed to a unit and everything below it
    let names_of =
        |v: &Value| v["entries"].as_array().unwrap().iter().map(|e| e["phone_masked"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    let in_tl = get(format!("{b}/api/v1/rounds/{r}/leaderboard?unit={tl}")).await;
    assert_eq!(names_of(&in_tl), ["091****001", "091****002"]);
    assert_eq!(in_tl["unit"]["name"], "Xã Trầm Lộng");
    let in_uh = get(format!("{b}/api/v1/rounds/{r}/leaderboard?unit={uh}")).await;
    assert_eq!(names_of(&in_uh), ["091****001", "091****002", "091****003"]);
    assert_eq!(in_uh["participants"], 3);
    let contest_uh = get(format!("{b}/api/v1/contests/{cid}/ranking?unit={uh}")).await;
    assert_eq!(names_of(&contest_uh), ["091****001", "091****002", "091****003"]);
    let in_bu = get(format!("{b}/api/v1/rounds/{r}/leaderboard?unit={bu}")).await;
    assert!(names_of(&in_bu).is_empty());
    let r404 = client().get(format!("{b}/api/v1/rounds/{r}/leaderboard?unit={}", uuid::Uuid::new_v4())).send().await.unwrap();
    assert_eq!(r404.status(), StatusCode::NOT_FOUND);
    // the participant asking sees their own position
    let mine: Value = c.get(format!("{b}/api/v1/rounds/{r}/leaderboard?limit=1")).send().await.unwrap().json().await.unwrap();
    assert_eq!((mine["me"]["rank"].as_i64(), mine["me"]["is_me"].as_bool()), (Some(3), Some(true)));
    let contest_mine: Value = c.get(format!("{b}/api/v1/contests/{cid}/ranking?limit=1")).send().await.unwrap().json().await.unwrap();
    assert_eq!(contest_mine["me"]["rank"], 3);

    // merging Đại Hùng into Trầm Lộng: members, results and headcounts move together
    let r_merge = admin.post(format!("{b}/api/v1/admin/units/{dh}/merge")).json(&json!({"target": tl})).send().await.unwrap();
    assert_eq!(r_merge.status(), StatusCode::OK);
    for url in [format!("{b}/api/v1/rounds/{r}/units?parent={uh}"), format!("{b}/api/v1/contests/{cid}/units?parent={uh}")] {
        let merged = get(url).await;
        let tl_row = row(&merged, "Xã Trầm Lộng");
        assert_eq!((tl_row["participants"].as_i64(), tl_row["headcount"].as_i64()), (Some(3), Some(155)));
        assert!((tl_row["participation_rate"].as_f64().unwrap() - 3.0 / 155.0).abs() < 1e-9);
        assert!(merged["units"].as_array().unwrap().iter().all(|u| u["unit_id"] != dh.as_str()));
        assert_eq!(merged["total"]["participants"], 3);
    }
    assert_eq!(names_of(&get(format!("{b}/api/v1/rounds/{r}/leaderboard?unit={tl}")).await).len(), 3);

    // charts: attempts per day, and the distribution of counted scores
    let charts = get(format!("{b}/api/v1/rounds/{r}/charts")).await;
    assert_eq!(charts["days"].as_array().unwrap().iter().map(|d| d["attempts"].as_i64().unwrap()).sum::<i64>(), 5);
    assert_eq!(charts["days"].as_array().unwrap().iter().map(|d| d["new_participants"].as_i64().unwrap()).sum::<i64>(), 4);
    let scores: Vec<(i64, i64)> =
        charts["scores"].as_array().unwrap().iter().map(|s| (s["score"].as_i64().unwrap(), s["count"].as_i64().unwrap())).collect();
    assert_eq!(scores, vec![(2, 1), (4, 1), (5, 1)]);
    assert_eq!(charts["max_score"], 5);
    let tl_days = get(format!("{b}/api/v1/rounds/{r}/charts?unit={bu}")).await;
    assert_eq!(tl_days["days"][0]["attempts"], 1);

    // pages render for everyone
    for path in [format!("/thong-ke/{cid}"), format!("/thong-ke/{cid}?vong={r}&cap={uh}&sap=name&chieu=asc"), format!("/trinh-chieu/{r}")] {
        let res = client().get(format!("{b}{path}")).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains("Xã Trầm Lộng") || html.contains("Huyện Ứng Hòa"), "{path}");
    }
}

async fn prediction_breaks_ties_once_closed(backend: Backend) {
    let Some(app) = spawn_app(backend, config()).await else { return };
    let b = &app.base;
    let admin = login(&app, "0900000000", &app.admin_password).await;
    let (cid, rounds) = contest(&app, &admin, 1, true).await;
    let r = &rounds[0];
    let tl = unit_id(&app, "Xã Trầm Lộng").await;
    // three perfect scores: predictions 9 (far), 3 (exact), none; one imperfect
    let p: Vec<reqwest::Client> = futures::future::join_all((1..=4).map(|i| {
        let (app, tl) = (&app, &tl);
        async move { register(app, &format!("091500000{i}"), tl).await }
    }))
    .await;
    take(&app, &p[0], r, 5, true, Some(9)).await;
    take(&app, &p[1], r, 5, true, Some(3)).await;
    take(&app, &p[2], r, 5, true, None).await;
    take(&app, &p[3], r, 2, true, Some(3)).await;
    let order =
        |v: &Value| v["entries"].as_array().unwrap().iter().map(|e| e["phone_masked"].as_str().unwrap().to_string()).collect::<Vec<_>>();
    // open: the prediction does not count yet (score, time, then submission decide)
    let by_time = |v: &Value| {
        let keys: Vec<(i64, i64, i64)> = v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| (-e["score"].as_i64().unwrap(), e["time_used_ms"].as_i64().unwrap(), e["submitted_at"].as_i64().unwrap()))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        keys == sorted && keys.len() == 4
    };
    let open = get(format!("{b}/api/v1/rounds/{r}/leaderboard")).await;
    assert!(by_time(&open), "{open}");
    let r_close = admin.post(format!("{b}/api/v1/admin/rounds/{r}/close")).send().await.unwrap();
    assert_eq!(r_close.status(), StatusCode::OK);
    app.clock.advance(1_000);
    // closed: 3 perfect scores; the exact prediction first, no prediction last among equals
    let closed = get(format!("{b}/api/v1/rounds/{r}/leaderboard")).await;
    assert_eq!(order(&closed), ["091****002", "091****001", "091****003", "091****004"]);
    assert_eq!(app.state.store.settlement(r.parse().unwrap()).await.unwrap(), Some(3));
    let ranking = get(format!("{b}/api/v1/contests/{cid}/ranking")).await;
    assert_eq!(order(&ranking), ["091****002", "091****001", "091****003", "091****004"]);
    // the participant's own rank follows the same chain
    let mine: Value = p[0].get(format!("{b}/api/v1/rounds/{r}/leaderboard?limit=1")).send().await.unwrap().json().await.unwrap();
    assert_eq!(mine["me"]["rank"], 2);
    // reopening (extending the close) clears the settlement
    let round = app.state.store.get_round(r.parse().unwrap()).await.unwrap().unwrap();
    app.state.store.set_round_window(round.id, round.opens_at, app.state.now() + 3_600_000).await.unwrap();
    app.state.invalidate_rounds(); // changed behind the server's back
    let reopened = get(format!("{b}/api/v1/rounds/{r}/leaderboard")).await;
    assert!(by_time(&reopened), "{reopened}");
    assert_eq!(app.state.store.settlement(round.id).await.unwrap(), None);
    let ranking = get(format!("{b}/api/v1/contests/{cid}/ranking")).await;
    let distances_cleared = ranking["entries"].as_array().unwrap().iter().map(|e| e["time_used_ms"].as_i64().unwrap()).collect::<Vec<_>>();
    let mut sorted = distances_cleared.clone();
    sorted[..3].sort();
    assert_eq!(distances_cleared, sorted, "{ranking}");
}

async fn live_board_and_events(backend: Backend) {
    let Some(app) = spawn_app(backend, config()).await else { return };
    let b = &app.base;
    let admin = login(&app, "0900000000", &app.admin_password).await;
    let (_, rounds) = contest(&app, &admin, 1, false).await;
    let r = rounds[0].clone();
    let live = get(format!("{b}/api/v1/rounds/{r}/live")).await;
    assert_eq!(live["participants"], 0);
    // the event stream sends the board at once, and again after a submission
    let mut stream = client().get(format!("{b}/api/v1/rounds/{r}/events")).send().await.unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(stream.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"));
    let mut seen = String::new();
    while !seen.contains("\n\n") {
        seen.push_str(&String::from_utf8_lossy(&stream.chunk().await.unwrap().unwrap()));
    }
    assert!(seen.starts_with("event: board"), "{seen}");
    let tl = unit_id(&app, "Xã Trầm Lộng").await;
    let p = register(&app, "0916000001", &tl).await;
    let started = std::time::Instant::now();
    take(&app, &p, &r, 4, true, None).await;
    let mut next = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while !next.contains("Cán bộ 0001") {
        let chunk = tokio::time::timeout_at(deadline, stream.chunk()).await.expect("an update within 5 s").unwrap().unwrap();
        next.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
    let data = next.lines().filter_map(|l| l.strip_prefix("data: ")).last().unwrap();
    let board: Value = serde_json::from_str(data).unwrap();
    assert_eq!(board["participants"], 1);
    assert_eq!(board["entries"][0]["score"], 4);
}

async fn openapi_lists_every_route(backend: Backend) {
    let Some(app) = spawn_app(backend, config()).await else { return };
    let doc = get(format!("{}/api/v1/openapi.json", app.base)).await;
    assert_eq!(doc["openapi"], "3.1.0");
    // every handler annotated in the HTTP layer is routed and documented
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/server/http");
    let mut operations = 0;
    let mut missing = Vec::new();
    for file in std::fs::read_dir(dir).unwrap() {
        let src = std::fs::read_to_string(file.unwrap().path()).unwrap();
        for at in src.match_indices("#[utoipa::path(").map(|(i, _)| i) {
            let head = &src[at + "#[utoipa::path(".len()..];
            let method = head.split(',').next().unwrap().trim();
            let path = head.split("path = \"").nth(1).unwrap().split('"').next().unwrap();
            operations += 1;
            if doc["paths"][path][method].is_null() {
                missing.push(format!("{method} {path}"));
            }
        }
    }
    assert!(missing.is_empty(), "not in openapi.json: {missing:#?}");
    let documented: usize = doc["paths"].as_object().unwrap().values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, operations, "the document has operations no handler declares");
    assert!(operations >= 69, "{operations}");
    // each operation names its statuses; errors have the one error shape
    let login = &doc["paths"]["/api/v1/auth/login"]["post"];
    assert!(login["responses"]["429"].is_object(), "{login}");
    let mut error = &login["responses"]["429"]["content"]["application/json"]["schema"];
    if let Some(r) = error["$ref"].as_str() {
        error = &doc["components"]["schemas"][r.rsplit('/').next().unwrap()];
    }
    assert_eq!(error["required"], serde_json::json!(["error", "message"]), "{error}");
    // the reference page is served from the binary
    let r = reqwest::get(format!("{}/api/v1/docs/", app.base)).await.unwrap();
    assert_eq!(r.status(), reqwest::StatusCode::OK);
    assert!(r.text().await.unwrap().contains("swagger"));
}

both_backends!(
    aggregates_equal_recompute,
    drill_down_merge_and_filters,
    prediction_breaks_ties_once_closed,
    live_board_and_events,
    openapi_lists_every_route
);
