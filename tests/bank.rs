//! The question bank: import/export round trip, all-or-nothing imports that
//! report every bad row, versioned edits that never change a past attempt, and
//! practice. On SQLite and PostgreSQL.
mod common;

use common::{admin, client, spawn_app, Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{json, Value};
use thi24::server::state::Config;

async fn bank_snapshot(app: &TestApp) -> Vec<(Option<String>, uuid::Uuid, i64, String)> {
    let mut v: Vec<_> =
        app.state.store.list_bank().await.unwrap().into_iter().map(|b| (b.key, b.version_id, b.version, b.status)).collect();
    v.sort();
    v
}

async fn import(c: &reqwest::Client, app: &TestApp, name: &str, bytes: Vec<u8>) -> Value {
    let r = c.post(format!("{}/api/v1/admin/questions/import?file_name={name}", app.base)).body(bytes).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    r.json().await.unwrap()
}

async fn round_trip(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else { return };
    let c = admin(&app).await;
    let before = bank_snapshot(&app).await;
    assert!(before.len() >= 120);
    for file in ["export.csv", "export.xlsx"] {
        let r = c.get(format!("{}/api/v1/admin/questions/files/{file}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert!(r.headers()["content-disposition"].to_str().unwrap().contains("ngan-hang-cau-hoi"));
        let bytes = r.bytes().await.unwrap().to_vec();
        let p = import(&c, &app, file, bytes).await;
        assert_eq!(
            (p["rows"].as_u64(), p["unchanged"].as_u64(), p["creates"].as_u64(), p["updates"].as_u64()),
            (Some(before.len() as u64), Some(before.len() as u64), Some(0), Some(0)),
            "{p}"
        );
        let id = p["import_id"].as_str().unwrap();
        let done: Value =
            c.post(format!("{}/api/v1/admin/questions/imports/{id}/commit", app.base)).send().await.unwrap().json().await.unwrap();
        assert_eq!(done["creates"], 0);
        assert_eq!(bank_snapshot(&app).await, before, "{file}: identical bank, no new versions");
    }
    // templates download and are themselves importable
    for file in ["template.csv", "template.xlsx"] {
        let r = c.get(format!("{}/api/v1/admin/questions/files/{file}", app.base)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let p = import(&c, &app, file, r.bytes().await.unwrap().to_vec()).await;
        assert_eq!(p["row_errors"].as_array().unwrap().len(), 0, "{p}");
    }
    // participants may not export
    let (s, _) = (client().get(format!("{}/api/v1/admin/questions/files/export.csv", app.base)).send().await.unwrap().status(), ());
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

async fn bad_files_import_nothing(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else { return };
    let c = admin(&app).await;
    let before = bank_snapshot(&app).await;
    let header = older_header();
    let existing_stem = app.state.store.list_bank().await.unwrap()[0].draft.stem.clone();
    let rows = [
        "n-1,boi-canh,1,,Một câu hỏi hoàn toàn mới và hợp lệ?,A,B,,,,,1,Giải thích,src-1,đoạn".to_string(),
        "n-2,boi-canh,1,,Câu thiếu đáp án đúng?,A,B,,,,,,Giải thích,src-1,đoạn".to_string(),
        "n-1,boi-canh,1,,Câu trùng mã trong tệp?,A,B,,,,,1,Giải thích,src-1,đoạn".to_string(),
        format!("n-4,boi-canh,1,,{},A,B,,,,,1,Giải thích,src-1,đoạn", "Quá dài ".repeat(80)),
        "n-5,chu-de-la,1,,Câu có chủ đề lạ?,A,B,,,,,1,Giải thích,src-1,đoạn".to_string(),
        format!("n-6,boi-canh,1,,\"{existing_stem}\",A,B,,,,,1,Giải thích,src-1,đoạn"),
    ];
    let p = import(&c, &app, "bad.csv", format!("{header}\n{}\n", rows.join("\n")).into_bytes()).await;
    assert!(p["import_id"].is_null());
    let errs: Vec<(u64, String)> =
        p["row_errors"].as_array().unwrap().iter().map(|e| (e["row"].as_u64().unwrap(), e["reasons"].to_string())).collect();
    assert_eq!(errs.iter().map(|e| e.0).collect::<Vec<_>>(), vec![3, 4, 5, 6], "{p}");
    assert!(errs[0].1.contains("thiếu đáp án đúng"));
    assert!(errs[1].1.contains("trùng mã"));
    assert!(errs[2].1.contains("dài quá"));
    assert!(errs[3].1.contains("chủ đề không tồn tại"));
    // the duplicate of a question already in the bank is caught once the file itself is clean
    let clean = format!("{header}\n{}\n{}\n", rows[0], rows[5]);
    let p = import(&c, &app, "dup.csv", clean.into_bytes()).await;
    assert!(p["import_id"].is_null());
    assert_eq!(p["row_errors"][0]["row"], 3);
    assert!(p["row_errors"][0]["reasons"].to_string().contains("trùng với một câu đã có"), "{p}");
    // malformed and wrongly encoded files: a file-level error
    let p = import(&c, &app, "x.csv", format!("{header}\na,b,c\n").into_bytes()).await;
    assert!(p["file_error"].as_str().unwrap().contains("lỗi định dạng"), "{p}");
    let latin1: Vec<u8> =
        format!("{header}\nn-9,boi-canh,1,,C\u{e2}u h\u{f4}i?,A,B,,,,,1,G,s,d\n").chars().map(|c| c as u32 as u8).collect();
    let p = import(&c, &app, "x.csv", latin1).await;
    assert!(p["file_error"].as_str().unwrap().contains("UTF-8"), "{p}");
    let p = import(&c, &app, "x.xlsx", b"PK\x03\x04broken".to_vec()).await;
    assert!(p["file_error"].is_string(), "{p}");
    // nothing changed; a stale or foreign import id commits nothing
    assert_eq!(bank_snapshot(&app).await, before);
    let r = c.post(format!("{}/api/v1/admin/questions/imports/{}/commit", app.base, uuid::Uuid::new_v4())).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

async fn large_import(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else { return };
    let c = admin(&app).await;
    let header = older_header();
    let mut csv = format!("{header}\n");
    for i in 0..10_000 {
        csv.push_str(&format!("big-{i},nhiem-vu,2,,Câu hỏi thử số {i} về kỷ cương?,Phương án A {i},Phương án B {i},Phương án C {i},Phương án D {i},,,{},Giải thích {i},src-1-directive-summary.txt,Đoạn {i}\n", i % 4 + 1));
    }
    let t = std::time::Instant::now();
    let p = import(&c, &app, "big.csv", csv.into_bytes()).await;
    let preview = t.elapsed();
    assert_eq!(p["creates"], 10_000, "{}", p["row_errors"]);
    let id = p["import_id"].as_str().unwrap();
    let t = std::time::Instant::now();
    let done: Value =
        c.post(format!("{}/api/v1/admin/questions/imports/{id}/commit", app.base)).send().await.unwrap().json().await.unwrap();
    println!("{backend:?}: 10,000-row import: preview {preview:?}, commit {:?}", t.elapsed());
    assert_eq!(done["creates"], 10_000);
    assert!(app.state.store.count_questions().await.unwrap() >= 10_120);
}

async fn edits_never_change_a_past_attempt(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else { return };
    let b = &app.base;
    let org = admin(&app).await;
    // a participant starts and answers the first question with its correct option
    let p = client();
    let units: Vec<Value> = p.get(format!("{b}/api/v1/units")).send().await.unwrap().json().await.unwrap();
    p.post(format!("{b}/api/v1/auth/register"))
        .json(&json!({"full_name": "Người thi", "phone": "0911000111", "unit_id": units[1]["id"], "password": "mat-khau-123"}))
        .send()
        .await
        .unwrap();
    let rounds: Vec<Value> = p.get(format!("{b}/api/v1/rounds?status=open")).send().await.unwrap().json().await.unwrap();
    let view: Value =
        p.post(format!("{b}/api/v1/rounds/{}/attempts", rounds[0]["id"].as_str().unwrap())).send().await.unwrap().json().await.unwrap();
    let (id, item) = (view["id"].as_str().unwrap().to_string(), view["items"][0].clone());
    let version_id: uuid::Uuid = item["question_id"].as_str().unwrap().parse().unwrap();
    let served = app.state.store.question_version(version_id).await.unwrap().unwrap();
    let correct = served.options.iter().find(|o| o.2).unwrap().0;
    let r = p.put(format!("{b}/api/v1/attempts/{id}/answers/{version_id}")).json(&json!({"option_id": correct})).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);

    // the organizer rewrites that question and moves its correct answer
    let bank_item: Value =
        org.get(format!("{b}/api/v1/admin/questions/{}", served.question_id)).send().await.unwrap().json().await.unwrap();
    let mut draft = json!({
        "key": null, "topic": bank_item["topic"], "difficulty": bank_item["difficulty"],
        "stem": "Nội dung đã sửa hoàn toàn?", "options": bank_item["options"], "correct": (bank_item["correct"].as_u64().unwrap() + 1) % 2,
        "explanation": "Giải thích mới.", "source": bank_item["source"], "passage": bank_item["passage"],
    });
    let r = org.put(format!("{b}/api/v1/admin/questions/{}", served.question_id)).json(&draft).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let edited: Value = r.json().await.unwrap();
    assert_eq!(edited["version"], 2);
    assert_eq!(edited["stem"], "Nội dung đã sửa hoàn toàn?");
    // a bad edit is refused with a reason and changes nothing
    draft["options"] = json!(["Một"]);
    let r = org.put(format!("{b}/api/v1/admin/questions/{}", served.question_id)).json(&draft).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.state.store.bank_question(served.question_id).await.unwrap().unwrap().version, 2);

    // the attempt still shows and grades the version it was served
    let again: Value = p.get(format!("{b}/api/v1/attempts/{id}")).send().await.unwrap().json().await.unwrap();
    assert_eq!(again["items"][0]["stem"], item["stem"]);
    assert_eq!(again["items"][0]["options"], item["options"]);
    let done: Value = p.post(format!("{b}/api/v1/attempts/{id}/submit")).send().await.unwrap().json().await.unwrap();
    assert_eq!(done["result"]["score"], 1, "graded against the served version");
    // retiring takes a question out of new draws, not out of past attempts
    let r = org.post(format!("{b}/api/v1/admin/questions/{}/retire", served.question_id)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    app.state.invalidate_question_pool().await;
    assert!(!app
        .state
        .question_pool()
        .await
        .unwrap()
        .iter()
        .any(|q| q.version_id == version_id || q.version_id.to_string() == edited["id"].as_str().unwrap()));
    let listed: Value = org.get(format!("{b}/api/v1/admin/questions?status=retired")).send().await.unwrap().json().await.unwrap();
    assert_eq!(listed["total"], 1);
    // both organizer actions are audited, with the question before and after the edit
    let log: Vec<Value> = org.get(format!("{b}/api/v1/admin/audit")).send().await.unwrap().json().await.unwrap();
    let edit = log.iter().find(|e| e["action"] == "question.edit").unwrap();
    assert!(
        edit["before"].as_str().unwrap().contains(served.stem.as_str())
            && edit["after"].as_str().unwrap().contains("Nội dung đã sửa hoàn toàn?")
    );
    assert!(log.iter().any(|e| e["action"] == "question.retire"));
    // participants cannot manage the bank
    let r = p.get(format!("{b}/api/v1/admin/questions")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
}

async fn practice(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else { return };
    let b = &app.base;
    let p = client();
    let units: Vec<Value> = p.get(format!("{b}/api/v1/units")).send().await.unwrap().json().await.unwrap();
    p.post(format!("{b}/api/v1/auth/register"))
        .json(&json!({"full_name": "Người học", "phone": "0911000222", "unit_id": units[1]["id"], "password": "mat-khau-123"}))
        .send()
        .await
        .unwrap();
    for _ in 0..3 {
        let q: Value = p.get(format!("{b}/api/v1/practice/next?topic=phu-luc")).send().await.unwrap().json().await.unwrap();
        assert_eq!(q["topic"], "phu-luc");
        assert!(!q.to_string().to_lowercase().contains("correct"), "a practice question does not carry its answer");
        let f: Value = p
            .post(format!("{b}/api/v1/practice/answer"))
            .json(&json!({"question_id": q["question_id"], "option_id": q["options"][0]["id"]}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(f["explanation"].as_str().is_some_and(|e| !e.is_empty()) && f["source"].as_str().is_some_and(|s| s.starts_with("src-")));
        assert_eq!(f["correct"].as_bool().unwrap(), f["correct_option_id"] == q["options"][0]["id"]);
    }
    let stats: Vec<Value> = p.get(format!("{b}/api/v1/me/practice")).send().await.unwrap().json().await.unwrap();
    let pl = stats.iter().find(|s| s["slug"] == "phu-luc").unwrap();
    assert_eq!(pl["answered"], 3);
    assert_eq!(stats.len(), 6);
    // never counted in a contest: no attempt, no participation
    let user = app.state.store.user_by_phone("0911000222").await.unwrap().unwrap();
    assert!(app.state.store.user_attempts(user.id).await.unwrap().is_empty());
    let r = p.get(format!("{b}/api/v1/practice/next?topic=khong-co")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let study: Vec<Value> = p.get(format!("{b}/api/v1/study")).send().await.unwrap().json().await.unwrap();
    assert_eq!(study.len(), 6);
}

both_backends!(round_trip, bad_files_import_nothing, large_import, edits_never_change_a_past_attempt, practice);

/// The columns of a file made before questions had groups: such files still import.
fn older_header() -> String {
    thi24::server::bank_io::COLUMNS.iter().filter(|c| **c != "nhom").copied().collect::<Vec<_>>().join(",")
}
