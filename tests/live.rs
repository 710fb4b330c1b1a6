//! Live in-person sessions over the real HTTP API, on SQLite and PostgreSQL:
//! creating (and refusing bad input), joining as an account or a guest, the host's
//! controls, answers and their points, what each screen sees and when, rejoining,
//! a server restart mid-session, and the results counted in the contest. Then two
//! real server processes sharing PostgreSQL serve one session.
mod common;

use common::{admin, client, register_at, spawn_app, spawn_app_on, Backend, EventStream, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use std::time::Duration;
use thi24::server::state::Config;

fn config() -> Config {
    Config { register_per_ip: 10_000, login_per_ip: 10_000, ..Config::default() }
}

async fn get(c: &reqwest::Client, url: String) -> Value {
    let r = c.get(url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn post(c: &reqwest::Client, url: String, body: Value) -> (StatusCode, Value) {
    let r = c.post(url).json(&body).send().await.unwrap();
    let status = r.status();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn unit_id(base: &str, name: &str) -> String {
    let units = get(&client(), format!("{base}/api/v1/units")).await;
    units.as_array().unwrap().iter().find(|u| u["name"] == name).unwrap()["id"].as_str().unwrap().to_string()
}

/// The correct and one wrong option of the view's current question.
async fn options(app: &TestApp, view: &Value) -> (String, String) {
    let q = &view["question"];
    let ids: Vec<uuid::Uuid> = q["options"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().parse().unwrap()).collect();
    // the correct option is looked up in the bank (the view never tells before the reveal)
    let versions = app.state.store.list_bank().await.unwrap();
    let mut right = None;
    for b in versions {
        let v = app.state.store.question_version(b.version_id).await.unwrap().unwrap();
        if let Some(o) = v.options.iter().find(|o| ids.contains(&o.0) && o.2) {
            right = Some(o.0);
        }
    }
    let right = right.expect("the question is in the bank");
    let wrong = *ids.iter().find(|i| **i != right).unwrap();
    (right.to_string(), wrong.to_string())
}

async fn control(c: &reqwest::Client, base: &str, id: &str, action: &str) -> Value {
    let (status, v) = post(c, format!("{base}/api/v1/admin/live/{id}/{action}"), json!({})).await;
    assert_eq!(status, StatusCode::OK, "{action}: {v}");
    v
}

async fn answer(c: &reqwest::Client, base: &str, id: &str, position: i64, option: &str) -> (StatusCode, Value) {
    post(c, format!("{base}/api/v1/live/{id}/answers"), json!({"position": position, "option_id": option})).await
}

async fn a_session_from_code_to_podium(backend: Backend) {
    let Some(app) = spawn_app(backend, config()).await else { return };
    let b = app.base.clone();
    let host = admin(&app).await;
    let contests = get(&host, format!("{b}/api/v1/admin/contests")).await;
    let contest = contests[0]["id"].as_str().unwrap().to_string();
    let round = contests[0]["rounds"][0]["id"].as_str().unwrap().to_string();
    let bank = get(&host, format!("{b}/api/v1/admin/questions?status=active")).await;
    let picked: Vec<String> = bank["items"].as_array().unwrap().iter().take(3).map(|q| q["id"].as_str().unwrap().to_string()).collect();

    // bad input is refused and creates nothing
    for bad in [
        json!({"title": " ", "question_seconds": 20, "question_ids": picked}),
        json!({"title": "Chung kết", "question_seconds": 2, "question_ids": picked}),
        json!({"title": "Chung kết", "question_seconds": 20}),
        json!({"title": "Chung kết", "question_seconds": 20, "round_id": round, "question_ids": picked}),
        json!({"title": "Chung kết", "question_seconds": 20, "question_ids": [picked[0], picked[0]]}),
        json!({"title": "Chung kết", "question_seconds": 20, "question_ids": [uuid::Uuid::new_v4()]}),
    ] {
        let (status, body) = post(&host, format!("{b}/api/v1/admin/live"), bad.clone()).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{bad}: {body}");
        assert!(!body["message"].as_str().unwrap().is_empty());
    }
    assert_eq!(get(&host, format!("{b}/api/v1/admin/live")).await.as_array().unwrap().len(), 0);
    let guest_c = client();
    let (status, _) =
        post(&guest_c, format!("{b}/api/v1/admin/live"), json!({"title": "X", "question_seconds": 20, "question_ids": picked})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // from a round's questions, and from a hand-picked set counting in the contest
    let (status, from_round) =
        post(&host, format!("{b}/api/v1/admin/live"), json!({"title": "Theo vòng", "question_seconds": 20, "round_id": round})).await;
    assert_eq!(status, StatusCode::CREATED, "{from_round}");
    assert_eq!(from_round["total"], contests[0]["rounds"][0]["input"]["question_count"]);
    let (status, s) = post(
        &host,
        format!("{b}/api/v1/admin/live"),
        json!({"title": "Chung kết trực tiếp", "question_seconds": 20, "question_ids": picked, "contest_id": contest}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    let id = s["id"].as_str().unwrap().to_string();
    let code = s["code"].as_str().unwrap().to_string();
    assert!(thi24::domain::live::is_code(&code), "{code}");
    assert_ne!(code, from_round["code"]);
    assert_eq!(s["total"], 3);
    let found = get(&client(), format!("{b}/api/v1/live/codes/{code}")).await;
    assert_eq!(found["id"], id.as_str());
    assert_eq!(client().get(format!("{b}/api/v1/live/codes/12ab56")).send().await.unwrap().status(), StatusCode::UNPROCESSABLE_ENTITY);

    // joining: a guest with name and unit, an account as itself
    let uh = unit_id(&b, "Huyện Ứng Hòa").await;
    let vd = unit_id(&b, "Thị trấn Vân Đình").await;
    let guest = client();
    let (status, body) = post(&guest, format!("{b}/api/v1/live/{id}/join"), json!({"name": "A", "unit_id": uh})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) =
        post(&guest, format!("{b}/api/v1/live/{id}/join"), json!({"name": "Khách", "unit_id": uuid::Uuid::new_v4()})).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(guest.get(format!("{b}/api/v1/live/{id}/me")).send().await.unwrap().status(), StatusCode::NOT_FOUND);
    let (status, g) = post(&guest, format!("{b}/api/v1/live/{id}/join"), json!({"name": "  Nguyễn   Thị Khách ", "unit_id": uh})).await;
    assert_eq!(status, StatusCode::OK, "{g}");
    assert_eq!(g["name"], "Nguyễn Thị Khách");
    assert_eq!(g["guest"], true);
    let member = register_at(&b, "0917000001", &vd).await;
    let (status, m) = post(&member, format!("{b}/api/v1/live/{id}/join"), json!({"name": "ignored"})).await;
    assert_eq!(status, StatusCode::OK, "{m}");
    assert_eq!(m["name"], "Cán bộ 0001");
    assert_eq!(m["guest"], false);
    let late = client();

    // before the start nothing can be answered
    let mut screen = EventStream::open(&client(), format!("{b}/api/v1/live/{id}/events")).await;
    let first = screen.until(Duration::from_secs(5), |v| v["players"] == 2).await.expect("the lobby with both");
    assert_eq!(first["phase"], "lobby");
    let (status, _) = answer(&guest, &b, &id, 0, &uuid::Uuid::new_v4().to_string()).await;
    assert_eq!(status, StatusCode::CONFLICT);

    // question 1: the guest right, the member wrong; a second answer does not count
    let v = control(&host, &b, &id, "start").await;
    assert_eq!(v["phase"], "question");
    assert_eq!(v["index"], 0);
    let v = screen.until(Duration::from_secs(5), |v| v["phase"] == "question").await.expect("the screen follows the start");
    assert!(v["reveal"].is_null(), "nothing is revealed while the question runs");
    let (right, wrong) = options(&app, &v).await;
    let (status, ack) = answer(&guest, &b, &id, 0, &right).await;
    assert_eq!(status, StatusCode::OK, "{ack}");
    assert_eq!((ack["answered"].as_i64(), ack["already"].as_bool()), (Some(1), Some(false)));
    let (status, ack) = answer(&guest, &b, &id, 0, &wrong).await;
    assert_eq!((status, ack["already"].as_bool()), (StatusCode::OK, Some(true)), "the first answer stands");
    let (status, _) = answer(&member, &b, &id, 0, &uuid::Uuid::new_v4().to_string()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "an option of another question");
    let (status, _) = answer(&member, &b, &id, 1, &wrong).await;
    assert_eq!(status, StatusCode::CONFLICT, "a question not running");
    let (status, _) = answer(&member, &b, &id, 0, &wrong).await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = answer(&client(), &b, &id, 0, &right).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "not joined");
    let v = screen.until(Duration::from_secs(5), |v| v["answered"] == 2).await.expect("answers counted on the screen");
    assert_eq!(v["people"].as_array().unwrap().len(), 0, "the public standings wait for the results");
    let hv = get(&host, format!("{b}/api/v1/live/{id}?view=host")).await;
    assert_eq!(hv["people"][0]["name"], "Nguyễn Thị Khách", "the host sees the standings live");
    assert_eq!(client().get(format!("{b}/api/v1/live/{id}?view=host")).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    let me = get(&guest, format!("{b}/api/v1/live/{id}/me")).await;
    assert_eq!((me["points"].as_i64(), me["answers"][0]["correct"].clone()), (Some(0), Value::Null), "points hidden until the reveal");

    // paused: answers refused; resumed: they count again
    let (status, g2) = post(&late, format!("{b}/api/v1/live/{id}/join"), json!({"name": "Trần Văn Muộn", "unit_id": vd})).await;
    assert_eq!(status, StatusCode::OK, "{g2}");
    let v = control(&host, &b, &id, "pause").await;
    assert_eq!(v["phase"], "paused");
    let (status, _) = answer(&late, &b, &id, 0, &right).await;
    assert_eq!(status, StatusCode::CONFLICT);
    control(&host, &b, &id, "resume").await;
    let (status, _) = answer(&late, &b, &id, 0, &right).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        post(&host, format!("{b}/api/v1/admin/live/{id}/results"), json!({})).await.0,
        StatusCode::CONFLICT,
        "no results mid-question"
    );

    // the host closes the question: after the grace the distribution and the answer show
    control(&host, &b, &id, "reveal").await;
    app.clock.advance(thi24::domain::live::LIVE_GRACE_MS);
    let (status, _) = answer(&member, &b, &id, 0, &right).await;
    assert_eq!(status, StatusCode::CONFLICT, "answers after the end are refused");
    let v = screen.until(Duration::from_secs(5), |v| v["phase"] == "reveal").await.expect("the reveal");
    assert_eq!(v["reveal"]["correct_option_id"], right.as_str());
    let counts: Vec<i64> = v["reveal"]["counts"].as_array().unwrap().iter().map(|n| n.as_i64().unwrap()).collect();
    let order: Vec<&str> = v["question"]["options"].as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(counts[order.iter().position(|o| *o == right).unwrap()], 2);
    assert_eq!(counts[order.iter().position(|o| *o == wrong).unwrap()], 1);
    assert_eq!(counts.iter().sum::<i64>(), 3);
    let me = get(&guest, format!("{b}/api/v1/live/{id}/me")).await;
    let pts = me["points"].as_i64().unwrap();
    assert_eq!(me["answers"][0]["correct"], true);
    assert!((1_000..=1_500).contains(&pts), "correct plus a speed bonus: {pts}");
    assert_eq!(get(&member, format!("{b}/api/v1/live/{id}/me")).await["points"], 0);

    // the standings: people by points, units by their members' average
    let v = control(&host, &b, &id, "results").await;
    assert_eq!(v["phase"], "results");
    let v = screen.until(Duration::from_secs(5), |v| v["phase"] == "results").await.expect("the results");
    let people = v["people"].as_array().unwrap();
    assert_eq!(people.len(), 3);
    assert_eq!(people[0]["name"], "Nguyễn Thị Khách");
    assert_eq!(people[2]["points"], 0);
    let units = v["units"].as_array().unwrap();
    assert_eq!(units[0]["unit_name"], "Huyện Ứng Hòa", "one member with full points");
    assert_eq!(units[1]["present"], 2);
    let late_pts = people[1]["points"].as_f64().unwrap();
    assert!((units[1]["average"].as_f64().unwrap() - late_pts / 2.0).abs() < 1e-9, "the average of members present");

    // a reload (a new cookie jar, logged in again) finds the same participant and points
    let again = common::login(&app, "0917000001", "mat-khau-123").await;
    let me_again = get(&again, format!("{b}/api/v1/live/{id}/me")).await;
    assert_eq!(me_again["player_id"], m["player_id"]);
    let (status, rejoined) = post(&again, format!("{b}/api/v1/live/{id}/join"), json!({})).await;
    assert_eq!((status, rejoined["player_id"].clone()), (StatusCode::OK, m["player_id"].clone()), "joining again is the same participant");
    assert_eq!(get(&guest, format!("{b}/api/v1/live/{id}/me")).await["points"], pts);

    // the server restarts mid-session: a new process on the same database carries on
    let second = spawn_app_on(&app.database_url, config(), None).await;
    let b2 = second.base.clone();
    let host2 = common::login(&second, "0900000000", &app.admin_password).await;
    let v2 = get(&client(), format!("{b2}/api/v1/live/{id}")).await;
    assert_eq!((v2["phase"].clone(), v2["index"].clone(), v2["players"].clone()), (json!("results"), json!(0), json!(3)));
    assert_eq!(v2["people"], v["people"], "the same standings after the restart");
    let v = control(&host2, &b2, &id, "next").await;
    assert_eq!(v["index"], 1);
    let (right, _) = options(&second, &v).await;
    for c in [&guest, &again] {
        let (status, body) = answer(c, &b2, &id, 1, &right).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    control(&host2, &b2, &id, "reveal").await;
    second.clock.advance(thi24::domain::live::LIVE_GRACE_MS);
    let v = control(&host2, &b2, &id, "next").await;
    assert_eq!(v["index"], 2);
    // time runs out on the last question; next ends the session (podium)
    second.clock.advance(20_000 + thi24::domain::live::LIVE_GRACE_MS);
    let (status, _) = answer(&guest, &b2, &id, 2, &right).await;
    assert_eq!(status, StatusCode::CONFLICT, "too late");
    let v = control(&host2, &b2, &id, "next").await;
    assert_eq!(v["phase"], "ended");
    let round_id = v["counted_round_id"].as_str().expect("counted in the contest").to_string();
    let ended = get(&client(), format!("{b2}/api/v1/live/{id}")).await;
    assert_eq!(ended["people"][0]["name"], "Nguyễn Thị Khách", "the podium");
    assert_eq!(
        post(&late, format!("{b2}/api/v1/live/{id}/join"), json!({"name": "Người Mới", "unit_id": vd})).await.0,
        StatusCode::CONFLICT
    );
    assert_eq!(post(&host2, format!("{b2}/api/v1/admin/live/{id}/end"), json!({})).await.0, StatusCode::CONFLICT);

    // counted: the account's result is a graded attempt of a new round in the contest; guests are not
    let board = get(&client(), format!("{b2}/api/v1/rounds/{round_id}/leaderboard")).await;
    let entries = board["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 1, "{board}");
    assert_eq!(entries[0]["full_name"], "Cán bộ 0001");
    assert_eq!(entries[0]["score"], 1);
    assert_eq!(entries[0]["max_score"], 3);
    let digest = second.state.store.aggregate_digest().await.unwrap();
    second.state.store.recompute_aggregates().await.unwrap();
    assert_eq!(digest, second.state.store.aggregate_digest().await.unwrap(), "the aggregates agree with the attempts");
    let ranking = get(&client(), format!("{b2}/api/v1/contests/{contest}/ranking")).await;
    assert!(ranking.to_string().contains("Cán bộ 0001"), "in the contest ranking: {ranking}");

    // results and export
    let results = get(&host2, format!("{b2}/api/v1/admin/live/{id}/ranking")).await;
    assert_eq!(results["people"].as_array().unwrap().len(), 3);
    let r = host2.get(format!("{b2}/api/v1/admin/live/{id}/export.xlsx")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let bytes = r.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"), "an XLSX file");
    let svg = client().get(format!("{b2}/api/v1/live/{id}/qr.svg")).send().await.unwrap();
    assert_eq!(svg.headers()["content-type"], "image/svg+xml");
    assert!(svg.text().await.unwrap().contains("<svg"));
    // a participant may not drive the session
    assert_eq!(post(&again, format!("{b2}/api/v1/admin/live/{id}/next"), json!({})).await.0, StatusCode::FORBIDDEN);
}

/// Two real server processes on one PostgreSQL database serve one session: the
/// host drives it on one, participants and the projector follow on the other, and
/// changes cross over through LISTEN/NOTIFY (well before the 2-second fallback
/// poll). Then the first server is killed and the second carries on.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_servers_share_one_session_on_postgres() {
    use common::process::{free_port, start, wait_healthy, ADMIN_PASSWORD};
    let Some((url, _guard)) = common::fresh_url(Backend::Postgres).await else { return };
    let (pa, pb) = (free_port(), free_port());
    let mut a = start(&url, pa);
    wait_healthy(&format!("http://127.0.0.1:{pa}")).await;
    let _b = start(&url, pb);
    let (ba, bb) = (format!("http://127.0.0.1:{pa}"), format!("http://127.0.0.1:{pb}"));
    wait_healthy(&bb).await;
    let host = client();
    let (status, _) = post(&host, format!("{ba}/api/v1/auth/login"), json!({"phone": "0900000000", "password": ADMIN_PASSWORD})).await;
    assert_eq!(status, StatusCode::OK);
    let contests = get(&host, format!("{ba}/api/v1/admin/contests")).await;
    let round = contests[0]["rounds"][0]["id"].as_str().unwrap().to_string();
    let (status, s) =
        post(&host, format!("{ba}/api/v1/admin/live"), json!({"title": "Hai máy chủ", "question_seconds": 30, "round_id": round})).await;
    assert_eq!(status, StatusCode::CREATED, "{s}");
    let id = s["id"].as_str().unwrap().to_string();

    // the projector and the participants are on server B
    let mut screen = EventStream::open(&client(), format!("{bb}/api/v1/live/{id}/events")).await;
    assert_eq!(screen.next(Duration::from_secs(5)).await.unwrap()["phase"], "lobby");
    let vd = unit_id(&bb, "Thị trấn Vân Đình").await;
    let mut players = Vec::new();
    for i in 0..3 {
        let c = client();
        let (status, body) = post(&c, format!("{bb}/api/v1/live/{id}/join"), json!({"name": format!("Khách số {i}"), "unit_id": vd})).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        players.push(c);
    }
    let mut host_stream = EventStream::open(&host, format!("{ba}/api/v1/live/{id}/events?view=host")).await;
    host_stream.until(Duration::from_secs(5), |v| v["players"] == 3).await.expect("server A sees the joins made on B");

    // a decision on A reaches B's screen by notification
    let t0 = std::time::Instant::now();
    control(&host, &ba, &id, "start").await;
    let v = screen.until(Duration::from_secs(5), |v| v["phase"] == "question").await.expect("B's screen follows A's host");
    let crossed = t0.elapsed();
    assert!(crossed < Duration::from_millis(1_500), "through LISTEN/NOTIFY, not the 2 s poll: {crossed:?}");
    let option = v["question"]["options"][0]["id"].as_str().unwrap().to_string();
    // answers on B reach the host's standings on A
    for c in &players {
        let (status, body) = answer(c, &bb, &id, 0, &option).await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }
    host_stream.until(Duration::from_secs(5), |v| v["answered"] == 3).await.expect("A counts B's answers");

    // server A dies: B carries on with the same state
    let _ = a.0.kill();
    let _ = a.0.wait();
    let host_b = client();
    let (status, _) = post(&host_b, format!("{bb}/api/v1/auth/login"), json!({"phone": "0900000000", "password": ADMIN_PASSWORD})).await;
    assert_eq!(status, StatusCode::OK);
    let v = control(&host_b, &bb, &id, "reveal").await;
    assert_eq!(v["answered"], 3);
    let v = screen.until(Duration::from_secs(5), |v| v["phase"] == "reveal").await.expect("the reveal on B");
    assert_eq!(v["reveal"]["counts"].as_array().unwrap().iter().map(|n| n.as_i64().unwrap()).sum::<i64>(), 3);

    // a round's projector board crosses servers the same way: an attempt graded on C shows on B
    let pc = free_port();
    let _c = start(&url, pc);
    let bc = format!("http://127.0.0.1:{pc}");
    wait_healthy(&bc).await;
    let open_round = get(&client(), format!("{bb}/api/v1/rounds?status=open")).await;
    let open_round = open_round[0]["id"].as_str().expect("the demo round is open").to_string();
    let mut board = EventStream::open(&client(), format!("{bb}/api/v1/rounds/{open_round}/events")).await;
    let before = board.next(Duration::from_secs(5)).await.expect("the first board")["attempts"].as_i64().unwrap();
    let official = register_at(&bc, "0918000001", &vd).await;
    let t0 = std::time::Instant::now();
    let (status, attempt) = post(&official, format!("{bc}/api/v1/rounds/{open_round}/attempts"), json!({})).await;
    assert_eq!(status, StatusCode::CREATED, "{attempt}");
    board.until(Duration::from_secs(5), |v| v["attempts"].as_i64() == Some(before + 1)).await.expect("B's board shows C's attempt");
    let crossed = t0.elapsed();
    assert!(crossed < Duration::from_millis(1_500), "through LISTEN/NOTIFY, not the 2 s poll: {crossed:?}");
}

both_backends!(a_session_from_code_to_podium);
