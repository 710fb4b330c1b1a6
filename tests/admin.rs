//! Organizer console: scope (a district's organizer cannot see or change another
//! district's contests), round lifecycle, frozen published results, audit, draw
//! rules, audiences and the gap between attempts. On SQLite and PostgreSQL.
mod common;

use common::{client, login, spawn_app, take, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use thi24::server::state::Config;

async fn unit_id(app: &TestApp, name: &str) -> String {
    let units: Vec<Value> = reqwest::get(format!("{}/api/v1/units", app.base)).await.unwrap().json().await.unwrap();
    units.iter().find(|u| u["name"] == name).unwrap()["id"].as_str().unwrap().to_string()
}

/// Registers someone in `unit` and, when `role` is given, has the administrator grant it over `unit`.
async fn person(app: &TestApp, admin: &reqwest::Client, phone: &str, unit: &str, role: Option<&str>) -> reqwest::Client {
    let c = client();
    let r = c
        .post(format!("{}/api/v1/auth/register", app.base))
        .json(&json!({"full_name": format!("Cán bộ số {}", &phone[7..]), "phone": phone, "unit_id": unit, "password": "mat-khau-123"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    if let Some(role) = role {
        let me: Value = c.get(format!("{}/api/v1/me", app.base)).send().await.unwrap().json().await.unwrap();
        let r = admin
            .put(format!("{}/api/v1/admin/users/{}/role", app.base, me["id"].as_str().unwrap()))
            .json(&json!({"role": role, "scope_unit_id": unit}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{}", r.text().await.unwrap());
    }
    c
}

fn round_body(title: &str, opens: i64, closes: i64) -> Value {
    json!({"title": title, "opens_at": opens, "closes_at": closes, "question_count": 5, "duration_ms": 600_000, "max_attempts": 2})
}

async fn scope_is_enforced(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else { return };
    let b = &app.base;
    let admin = login(&app, "0900000000", &app.admin_password).await;
    let (uh, th) = (unit_id(&app, "Huyện Ứng Hòa").await, unit_id(&app, "Quận Tây Hồ").await);
    let org_uh = person(&app, &admin, "0911000001", &uh, Some("organizer")).await;
    let org_th = person(&app, &admin, "0911000002", &th, Some("organizer")).await;
    let participant = person(&app, &admin, "0911000003", &uh, None).await;

    let r = org_uh
        .post(format!("{b}/api/v1/admin/contests"))
        .json(&json!({"title": "Thi Ứng Hòa", "audience_unit_id": uh, "visibility": "private"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let contest: Value = r.json().await.unwrap();
    let cid = contest["id"].as_str().unwrap();
    let now = app.state.now();
    let r = org_uh
        .post(format!("{b}/api/v1/admin/contests/{cid}/rounds"))
        .json(&round_body("Tuần 1", now - 1_000, now + 3_600_000))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let round: Value = r.json().await.unwrap();
    let rid = round["id"].as_str().unwrap();

    // the other district's organizer sees nothing and changes nothing
    let listed: Vec<Value> = org_th.get(format!("{b}/api/v1/admin/contests")).send().await.unwrap().json().await.unwrap();
    assert!(listed.iter().all(|c| c["id"] != cid));
    for (method, url, body) in [
        ("GET", format!("{b}/api/v1/admin/contests/{cid}"), Value::Null),
        ("PUT", format!("{b}/api/v1/admin/contests/{cid}"), json!({"title": "Chiếm quyền", "audience_unit_id": th})),
        ("POST", format!("{b}/api/v1/admin/contests/{cid}/rounds"), round_body("Tuần lạ", now, now + 1_000_000)),
        ("POST", format!("{b}/api/v1/admin/contests/{cid}/clone"), Value::Null),
        ("PUT", format!("{b}/api/v1/admin/rounds/{rid}"), round_body("Đổi tên", now, now + 1_000_000)),
        ("POST", format!("{b}/api/v1/admin/rounds/{rid}/close"), Value::Null),
        ("POST", format!("{b}/api/v1/admin/rounds/{rid}/publish"), Value::Null),
        ("GET", format!("{b}/api/v1/admin/rounds/{rid}/export.xlsx"), Value::Null),
    ] {
        let req = match method {
            "GET" => org_th.get(&url),
            "PUT" => org_th.put(&url).json(&body),
            _ => org_th.post(&url).json(&body),
        };
        let s = req.send().await.unwrap().status();
        assert_eq!(s, StatusCode::NOT_FOUND, "{method} {url}");
    }
    // nor create contests outside its subtree or for the whole city
    for audience in [json!(uh), Value::Null] {
        let r = org_th
            .post(format!("{b}/api/v1/admin/contests"))
            .json(&json!({"title": "Ngoài phạm vi", "audience_unit_id": audience}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
    }
    // nor its units or participants
    let r = org_th.get(format!("{b}/api/v1/admin/units/{uh}/roster")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = org_th
        .put(format!("{b}/api/v1/admin/units/{uh}"))
        .json(&json!({"parent_id": null, "name": "Đổi tên", "kind": "district", "headcount": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // a viewer of Ứng Hòa reads its statistics but changes nothing
    let viewer = person(&app, &admin, "0911000005", &uh, Some("viewer")).await;
    let seen: Vec<Value> = viewer.get(format!("{b}/api/v1/admin/contests")).send().await.unwrap().json().await.unwrap();
    assert!(seen.iter().any(|c| c["id"] == cid));
    assert_eq!(viewer.get(format!("{b}/api/v1/admin/rounds/{rid}/export.xlsx")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(viewer.post(format!("{b}/api/v1/admin/rounds/{rid}/close")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(
        viewer
            .post(format!("{b}/api/v1/admin/contests"))
            .json(&json!({"title": "x", "audience_unit_id": uh}))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::FORBIDDEN
    );
    // participants have no console; the admin sees all
    assert_eq!(participant.get(format!("{b}/api/v1/admin/contests")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    let all: Vec<Value> = admin.get(format!("{b}/api/v1/admin/contests")).send().await.unwrap().json().await.unwrap();
    assert!(all.iter().any(|c| c["id"] == cid));
    assert_eq!(app.state.store.get_round(rid.parse().unwrap()).await.unwrap().unwrap().title, "Tuần 1", "nothing changed");
    // private contest: only its audience sees and takes its rounds
    let outsider = person(&app, &admin, "0911000004", &th, None).await;
    let rounds: Vec<Value> = outsider.get(format!("{b}/api/v1/rounds")).send().await.unwrap().json().await.unwrap();
    assert!(rounds.iter().all(|r| r["id"] != rid));
    assert_eq!(outsider.post(format!("{b}/api/v1/rounds/{rid}/attempts")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    for path in ["leaderboard", "units", "results"] {
        assert_eq!(outsider.get(format!("{b}/api/v1/rounds/{rid}/{path}")).send().await.unwrap().status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(client().get(format!("{b}/api/v1/rounds/{rid}/{path}")).send().await.unwrap().status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(participant.get(format!("{b}/api/v1/rounds/{rid}/leaderboard")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(org_uh.get(format!("{b}/api/v1/rounds/{rid}/units")).send().await.unwrap().status(), StatusCode::OK);
    let rounds: Vec<Value> = participant.get(format!("{b}/api/v1/rounds")).send().await.unwrap().json().await.unwrap();
    assert!(rounds.iter().any(|r| r["id"] == rid));
    assert_eq!(participant.post(format!("{b}/api/v1/rounds/{rid}/attempts")).send().await.unwrap().status(), StatusCode::CREATED);
}

async fn lifecycle_publish_and_audit(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else { return };
    let b = &app.base;
    let admin = login(&app, "0900000000", &app.admin_password).await;
    let uh = unit_id(&app, "Huyện Ứng Hòa").await;
    let org = person(&app, &admin, "0911000011", &uh, Some("organizer")).await;
    let contest: Value = org
        .post(format!("{b}/api/v1/admin/contests"))
        .json(&json!({"title": "Thi hai tuần", "audience_unit_id": uh}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cid = contest["id"].as_str().unwrap();
    let start = app.state.now() + 3_600_000;
    let r = org
        .post(format!("{b}/api/v1/admin/contests/{cid}/weekly-rounds"))
        .json(&json!({"first_opens_at": start, "weeks": 2, "template": round_body("x", 0, 1)}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    let weeks: Vec<Value> = r.json().await.unwrap();
    assert_eq!(weeks.iter().map(|w| w["title"].as_str().unwrap()).collect::<Vec<_>>(), vec!["Tuần 1", "Tuần 2"]);
    assert_eq!(weeks[1]["input"]["opens_at"].as_i64().unwrap() - weeks[0]["input"]["opens_at"].as_i64().unwrap(), 7 * 86_400_000);
    let rid = weeks[0]["id"].as_str().unwrap().to_string();

    // before it opens anything may change
    let mut body = weeks[0]["input"].clone();
    body["question_count"] = json!(6);
    assert_eq!(org.put(format!("{b}/api/v1/admin/rounds/{rid}")).json(&body).send().await.unwrap().status(), StatusCode::OK);
    // an impossible draw is refused with the topic named
    body["draw_rules"] = json!({"topics": {"phu-luc": 6}, "difficulty": {}});
    body["question_count"] = json!(6);
    let ok = org.put(format!("{b}/api/v1/admin/rounds/{rid}")).json(&body).send().await.unwrap();
    assert_eq!(ok.status(), StatusCode::OK, "21 appendix questions exist");
    body["draw_rules"] = json!({"topics": {"phu-luc": 6, "co-so": 1}});
    let r = org.put(format!("{b}/api/v1/admin/rounds/{rid}")).json(&body).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    body["draw_rules"] = json!({"topics": {"phu-luc": 6}});

    // open it: a participant takes it; the draw follows the quota
    app.clock.advance(3_600_000 + 1_000);
    let p = person(&app, &admin, "0911000012", &uh, None).await;
    let view: Value = p.post(format!("{b}/api/v1/rounds/{rid}/attempts")).send().await.unwrap().json().await.unwrap();
    for item in view["items"].as_array().unwrap() {
        let v = app.state.store.question_version(item["question_id"].as_str().unwrap().parse().unwrap()).await.unwrap().unwrap();
        assert_eq!(v.topic, "phu-luc");
    }
    // once open, only the close may change
    let mut changed = body.clone();
    changed["max_attempts"] = json!(5);
    let r = org.put(format!("{b}/api/v1/admin/rounds/{rid}")).json(&changed).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let mut extended = body.clone();
    extended["closes_at"] = json!(body["closes_at"].as_i64().unwrap() + 86_400_000);
    assert_eq!(org.put(format!("{b}/api/v1/admin/rounds/{rid}")).json(&extended).send().await.unwrap().status(), StatusCode::OK);
    // publishing needs a closed round
    assert_eq!(org.post(format!("{b}/api/v1/admin/rounds/{rid}/publish")).send().await.unwrap().status(), StatusCode::CONFLICT);
    let aid = view["id"].as_str().unwrap();
    let item = &view["items"][0];
    p.put(format!("{b}/api/v1/attempts/{aid}/answers/{}", item["question_id"].as_str().unwrap()))
        .json(&json!({"option_id": item["options"][0]["id"]}))
        .send()
        .await
        .unwrap();
    p.post(format!("{b}/api/v1/attempts/{aid}/submit")).send().await.unwrap();
    // a second participant is still in progress when the organizer closes the round early
    let late = person(&app, &admin, "0911000013", &uh, None).await;
    let late_view: Value = late.post(format!("{b}/api/v1/rounds/{rid}/attempts")).send().await.unwrap().json().await.unwrap();
    app.clock.advance(1_000);
    assert_eq!(org.post(format!("{b}/api/v1/admin/rounds/{rid}/close")).send().await.unwrap().status(), StatusCode::OK);
    app.clock.advance(1_000);
    let r = org.post(format!("{b}/api/v1/admin/rounds/{rid}/publish")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(org.post(format!("{b}/api/v1/admin/rounds/{rid}/publish")).send().await.unwrap().status(), StatusCode::CONFLICT);
    assert_eq!(org.put(format!("{b}/api/v1/admin/rounds/{rid}")).json(&extended).send().await.unwrap().status(), StatusCode::CONFLICT);

    // frozen: the late attempt is finalised afterwards; the live board moves, the published one does not
    app.clock.advance(10_000);
    thi24::server::service::finalise_overdue(&app.state).await.unwrap();
    let live: Value = client().get(format!("{b}/api/v1/rounds/{rid}/leaderboard")).send().await.unwrap().json().await.unwrap();
    let published: Value = client().get(format!("{b}/api/v1/rounds/{rid}/results")).send().await.unwrap().json().await.unwrap();
    assert_eq!(live["entries"].as_array().unwrap().len(), 2, "{live}");
    assert_eq!(published["leaderboard"]["entries"].as_array().unwrap().len(), 1, "{published}");
    assert_eq!(published["leaderboard"]["entries"][0]["phone_masked"], "091****012");
    assert!(!published.to_string().contains("0911000012"));
    let _ = late_view;

    // the export is an XLSX workbook with the winner's full phone for organizers
    let x = org.get(format!("{b}/api/v1/admin/rounds/{rid}/export.xlsx")).send().await.unwrap();
    assert_eq!(x.status(), StatusCode::OK);
    let bytes = x.bytes().await.unwrap();
    assert!(bytes.starts_with(b"PK"));

    // every action is in the audit log, with before and after
    let log: Vec<Value> = admin.get(format!("{b}/api/v1/admin/audit")).send().await.unwrap().json().await.unwrap();
    let actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
    for a in [
        "user.role",
        "contest.create",
        "round.create",
        "round.update",
        "round.extend",
        "round.close_early",
        "round.publish",
        "round.export",
    ] {
        assert!(actions.contains(&a), "{a} missing from {actions:?}");
    }
    let ext = log.iter().find(|e| e["action"] == "round.extend").unwrap();
    assert!(ext["before"].is_string() && ext["after"].is_string());
    assert_eq!(org.get(format!("{b}/api/v1/admin/audit")).send().await.unwrap().status(), StatusCode::FORBIDDEN);
}

async fn gap_between_attempts(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else { return };
    let b = &app.base;
    let admin = login(&app, "0900000000", &app.admin_password).await;
    let now = app.state.now();
    let mut body = round_body("Có giãn cách", now - 1_000, now + 86_400_000);
    body["min_gap_ms"] = json!(3_600_000);
    let round: Value = admin
        .post(format!("{b}/api/v1/admin/contests/{}/rounds", thi24::server::seed::DEMO_CONTEST))
        .json(&body)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let rid = round["id"].as_str().unwrap();
    let uh = unit_id(&app, "Huyện Ứng Hòa").await;
    let p = person(&app, &admin, "0911000021", &uh, None).await;
    let v: Value = p.post(format!("{b}/api/v1/rounds/{rid}/attempts")).send().await.unwrap().json().await.unwrap();
    p.post(format!("{b}/api/v1/attempts/{}/submit", v["id"].as_str().unwrap())).send().await.unwrap();
    let r = p.post(format!("{b}/api/v1/rounds/{rid}/attempts")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"], "too_soon");
    app.clock.advance(3_600_000);
    assert_eq!(p.post(format!("{b}/api/v1/rounds/{rid}/attempts")).send().await.unwrap().status(), StatusCode::CREATED);
}

async fn contest_ranking_prizes_and_units(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else { return };
    let b = &app.base;
    let admin = login(&app, "0900000000", &app.admin_password).await;
    let prizes = json!({"individual": [{"label": "Giải Nhất", "count": 1}, {"label": "Giải Nhì", "count": 1}],
                        "collective": {"label": "Giải tập thể", "count": 1, "by": "participation_rate"}});
    let contest: Value = admin
        .post(format!("{b}/api/v1/admin/contests"))
        .json(&json!({"title": "Thi toàn thành phố", "prizes": prizes}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let cid = contest["id"].as_str().unwrap();
    let now = app.state.now();
    let r1: Value = admin
        .post(format!("{b}/api/v1/admin/contests/{cid}/rounds"))
        .json(&round_body("Tuần 1", now - 1_000, now + 3_600_000))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let r2: Value = admin
        .post(format!("{b}/api/v1/admin/contests/{cid}/rounds"))
        .json(&round_body("Tuần 2", now - 1_000, now + 3_600_000))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let (r1, r2) = (r1["id"].as_str().unwrap().to_string(), r2["id"].as_str().unwrap().to_string());
    let (tl, bu) = (unit_id(&app, "Xã Trầm Lộng").await, unit_id(&app, "Phường Bưởi").await);
    let a = person(&app, &admin, "0911000031", &tl, None).await;
    let bb = person(&app, &admin, "0911000032", &bu, None).await;
    let c = person(&app, &admin, "0911000033", &bu, None).await;
    take(&app, &a, &r1, 5, true, None).await;
    take(&app, &a, &r2, 5, true, None).await;
    take(&app, &bb, &r1, 5, true, None).await;
    take(&app, &c, &r1, 0, true, None).await;
    // live: no prizes before the results are final
    let live: Value = client().get(format!("{b}/api/v1/contests/{cid}/ranking")).send().await.unwrap().json().await.unwrap();
    assert!(live["entries"].as_array().unwrap().iter().all(|e| e["prize"].is_null()));
    for r in [&r1, &r2] {
        assert_eq!(admin.post(format!("{b}/api/v1/admin/rounds/{r}/close")).send().await.unwrap().status(), StatusCode::OK);
    }
    app.clock.advance(1_000);
    let ranking: Value = client().get(format!("{b}/api/v1/contests/{cid}/ranking")).send().await.unwrap().json().await.unwrap();
    let entries: Vec<(i64, i64, Option<&str>, &str)> = ranking["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["rank"].as_i64().unwrap(), e["score"].as_i64().unwrap(), e["prize"].as_str(), e["phone_masked"].as_str().unwrap()))
        .collect();
    assert_eq!(entries, vec![(1, 10, Some("Giải Nhất"), "091****031"), (2, 5, Some("Giải Nhì"), "091****032"), (3, 0, None, "091****033")]);
    let units: Vec<(&str, i64, i64, Option<&str>)> = ranking["units"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (u["unit_name"].as_str().unwrap(), u["participants"].as_i64().unwrap(), u["attempts"].as_i64().unwrap(), u["prize"].as_str())
        })
        .collect();
    // Phường Bưởi: 2 of 90 (2.2 %) beats Xã Trầm Lộng: 1 of 85 (1.2 %)
    assert_eq!(units, vec![("Phường Bưởi", 2, 2, Some("Giải tập thể")), ("Xã Trầm Lộng", 1, 2, None)]);
    // the round's own board carries its prizes once closed
    let board: Value = client().get(format!("{b}/api/v1/rounds/{r1}/leaderboard")).send().await.unwrap().json().await.unwrap();
    assert_eq!(board["entries"][0]["prize"], "Giải Nhất");
    // the round's unit board: the districts under the city, rolled up
    let board: Value = client().get(format!("{b}/api/v1/rounds/{r1}/units")).send().await.unwrap().json().await.unwrap();
    let taking: Vec<(&str, i64)> = board["units"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| u["participants"].as_i64().unwrap() > 0)
        .map(|u| (u["unit_name"].as_str().unwrap(), u["participants"].as_i64().unwrap()))
        .collect();
    assert_eq!(taking, vec![("Quận Tây Hồ", 2), ("Huyện Ứng Hòa", 1)]);
    assert_eq!(board["total"]["participants"], 3);
    let x = admin.get(format!("{b}/api/v1/admin/contests/{cid}/export.xlsx")).send().await.unwrap();
    assert_eq!(x.status(), StatusCode::OK);
    assert!(x.bytes().await.unwrap().starts_with(b"PK"));
    let csv = admin.get(format!("{b}/api/v1/admin/audit.csv")).send().await.unwrap().text().await.unwrap();
    assert!(csv.contains("contest.export") && csv.contains("round.close_early"), "{csv}");
}

both_backends!(scope_is_enforced, lifecycle_publish_and_audit, gap_between_attempts, contest_ranking_prizes_and_units);
