//! Item analysis of a closed round, through the API: refused while the round is
//! open or settling, computed once and kept, as JSON and as a workbook, staff only.
mod common;

use common::api::*;
use common::{client, spawn_app, Backend};
use reqwest::StatusCode;
use serde_json::{json, Value};
use thi24::server::state::Config;
use uuid::Uuid;

async fn analysis(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else { return };
    let b = app.base.clone();
    // a bank of five questions: every participant gets the same five
    // (five of five groups: a draw takes one question of a group)
    let all = app.state.store.list_bank().await.unwrap();
    let mut bank = Vec::new();
    for q in &all {
        if bank.len() < 5 && !bank.iter().any(|b: &thi24::store::BankQuestion| b.draft.group == q.draft.group) {
            bank.push(q.clone());
        }
    }
    let now = app.state.now();
    for q in all.iter().filter(|q| !bank.iter().any(|b| b.id == q.id)) {
        app.state.store.set_question_status(q.id, "retired", now).await.unwrap();
    }
    app.state.invalidate_question_pool().await;
    let round = create_round(
        &app,
        json!({"title": "Tuần phân tích", "opens_at": now - 1_000, "closes_at": now + 3_600_000, "question_count": 5, "duration_ms": 600_000, "max_attempts": 1}),
    )
    .await;
    let admin = common::admin(&app).await;
    let items_url = format!("{b}/api/v1/admin/rounds/{round}/items");

    // 24 participants, the first 12 strong: question A everybody gets right (its
    // distractors unused); B, D and E only the strong; on C the strong all pick one
    // distractor and the weak the key (a likely wrong key)
    let mut plan: Vec<(String, [usize; 5])> = Vec::new();
    for i in 0..24u32 {
        let c = logged_in(&app, 300 + i).await;
        let view: Value = c.post(format!("{b}/api/v1/rounds/{round}/attempts")).send().await.unwrap().json().await.unwrap();
        let id = view["id"].as_str().unwrap().to_string();
        let strong = i < 12;
        let mut picks = [0usize; 5];
        for item in view["items"].as_array().unwrap() {
            let qid: Uuid = item["question_id"].as_str().unwrap().parse().unwrap();
            let v = app.state.store.question_version(qid).await.unwrap().unwrap();
            let key = v.options.iter().position(|o| o.2).unwrap();
            let other = |k: usize| (key + k) % v.options.len();
            let slot = bank.iter().position(|q| q.version_id == qid).unwrap();
            let pick = match slot {
                0 => key,
                1 | 3 | 4 if strong => key,
                1 => other(1),
                3 | 4 => other(2),
                2 if strong => other(1),
                _ => key,
            };
            picks[slot] = pick;
            let option = v.options[pick].0;
            let r = c.put(format!("{b}/api/v1/attempts/{id}/answers/{qid}")).json(&json!({"option_id": option})).send().await.unwrap();
            assert_eq!(r.status(), StatusCode::OK);
        }
        assert_eq!(c.post(format!("{b}/api/v1/attempts/{id}/submit")).send().await.unwrap().status(), StatusCode::OK);
        plan.push((id, picks));
    }

    // not while the round is open, nor while its last attempts may still be graded
    let r = admin.get(&items_url).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::CONFLICT);
    assert!(r.json::<Value>().await.unwrap()["message"].as_str().unwrap().contains("chưa kết thúc"));
    assert_eq!(admin.post(format!("{b}/api/v1/admin/rounds/{round}/close")).send().await.unwrap().status(), StatusCode::OK);
    assert_eq!(admin.get(&items_url).send().await.unwrap().status(), StatusCode::CONFLICT);
    app.clock.advance(thi24::domain::items::SETTLE_MS + 1_000);

    // participants and strangers see nothing
    let p = logged_in(&app, 400).await;
    assert_eq!(p.get(&items_url).send().await.unwrap().status(), StatusCode::FORBIDDEN);
    assert_eq!(client().get(&items_url).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);

    // an organizer of one commune does not see a city-wide contest's rounds
    let o = logged_in(&app, 401).await;
    let me: Value = o.get(format!("{b}/api/v1/me")).send().await.unwrap().json().await.unwrap();
    let r = admin
        .put(format!("{b}/api/v1/admin/users/{}/role", me["id"].as_str().unwrap()))
        .json(&json!({"role": "organizer", "scope_unit_id": a_unit(&app).await}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.status());
    assert_eq!(o.get(&items_url).send().await.unwrap().status(), StatusCode::NOT_FOUND);

    let a: Value = admin.get(&items_url).send().await.unwrap().json().await.unwrap();
    assert_eq!(a["respondents"], 24, "{a}");
    let items = a["items"].as_array().unwrap();
    assert_eq!(items.len(), 5);
    let row = |slot: usize| items.iter().find(|i| i["version_id"] == json!(bank[slot].version_id)).unwrap();
    let flags = |slot: usize| {
        row(slot)["stats"]["flags"].as_array().unwrap().iter().map(|f| f["kind"].as_str().unwrap().to_string()).collect::<Vec<_>>()
    };
    assert!(items.iter().all(|i| i["stats"]["served"] == 24));
    assert_eq!(row(0)["stats"]["facility"], 1.0);
    assert!(flags(0).contains(&"too_easy".to_string()), "{:?}", flags(0));
    assert!(flags(0).contains(&"unused_distractor".to_string()));
    assert_eq!(row(1)["stats"]["facility"], 0.5);
    assert!(row(1)["stats"]["discrimination"].as_f64().unwrap() > 0.5);
    assert_eq!(row(1)["stats"]["upper_lower"], 1.0);
    assert!(flags(2).contains(&"likely_wrong_key".to_string()), "{:?}", flags(2));
    assert!(flags(2).contains(&"negative_discrimination".to_string()), "{:?}", flags(2));
    assert!(row(2)["flag_notes"].as_array().unwrap().iter().any(|n| n.as_str().unwrap().contains("có thể đáp án sai")));
    // every option count adds up to what was chosen
    for slot in 0..5 {
        let chosen: i64 = row(slot)["stats"]["options"].as_array().unwrap().iter().map(|o| o["chosen"].as_i64().unwrap()).sum();
        assert_eq!(chosen + row(slot)["stats"]["unanswered"].as_i64().unwrap(), 24);
        let expected = plan.iter().filter(|(_, p)| p[slot] == row(slot)["correct"].as_u64().unwrap() as usize).count() as f64 / 24.0;
        assert!((row(slot)["stats"]["facility"].as_f64().unwrap() - expected).abs() < 1e-9);
    }

    // computed once and kept: later reads return the same analysis
    app.clock.advance(60_000);
    let again: Value = admin.get(&items_url).send().await.unwrap().json().await.unwrap();
    assert_eq!(again, a);

    // the organizer's page: rendered on the server, each flag explained, each question linked to the bank
    let html = admin.get(format!("{b}/quan-tri/phan-tich/{round}?sap-xep=phan-biet")).send().await.unwrap().text().await.unwrap();
    assert!(html.contains("có thể đáp án sai"), "{html}");
    assert!(html.contains(&format!("/quan-tri/cau-hoi/{}", bank[2].id)));
    assert!(html.contains("Cách đọc bảng"));

    // the workbook, and the contest's closed rounds together
    let r = admin.get(format!("{items_url}.xlsx")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(r.headers()["content-disposition"].to_str().unwrap().contains("phan-tich-cau-hoi"));
    assert!(r.bytes().await.unwrap().starts_with(b"PK"));
    let contest = thi24::server::seed::DEMO_CONTEST;
    let c: Value = admin.get(format!("{b}/api/v1/admin/contests/{contest}/items")).send().await.unwrap().json().await.unwrap();
    assert!(c["rounds"].as_array().unwrap().iter().any(|r| r == &json!(round)), "{c}");
}

both_backends!(analysis);
