//! One contract, both databases: every Store method behaves the same on SQLite
//! and on PostgreSQL.
mod common;

use common::{fresh_store, Backend};
use thi24::domain::question::QuestionDraft;
use thi24::domain::units::{Unit, UnitKind};
use thi24::domain::{AttemptStatus, CountingRule, GRACE_MS};
use thi24::model::Role;
use thi24::store::*;
use uuid::Uuid;

const T0: i64 = 1_700_000_000_000;

fn draft(i: usize) -> QuestionDraft {
    QuestionDraft {
        key: Some(format!("k-{i}")),
        topic: "boi-canh".into(),
        difficulty: 1,
        stem: format!("Câu hỏi số {i}?"),
        options: vec![format!("Đúng {i}"), format!("Sai {i}"), format!("Sai nữa {i}")],
        correct: 0,
        explanation: format!("Giải thích {i}"),
        source: "src-1".into(),
        passage: "Đoạn nguồn".into(),
        group: String::new(),
    }
}

fn round(contest: Uuid, max_attempts: i64, counting: CountingRule) -> RoundRecord {
    RoundRecord {
        id: Uuid::new_v4(),
        contest_id: contest,
        contest_title: String::new(),
        title: "Tuần 1".into(),
        position: 1,
        opens_at: T0,
        closes_at: T0 + 3_600_000,
        question_count: 2,
        duration_ms: 600_000,
        max_attempts,
        counting,
        prediction_prompt: Some("Bao nhiêu?".into()),
        created_at: T0,
        options: Default::default(),
        published_at: None,
    }
}

/// Options of an attempt's items and, from the review, which is correct.
async fn answer_all(s: &AnyStore, a: Uuid, user: Uuid, correct_count: usize, now: i64) {
    let items = s.attempt_items(a).await.unwrap();
    for (i, it) in items.iter().enumerate() {
        // option texts tell the correct one in this fixture ("Đúng …")
        let pick = it.options.iter().find(|(_, t)| t.starts_with("Đúng") == (i < correct_count)).unwrap().0;
        s.save_answer(a, user, it.version_id, pick, now).await.unwrap();
    }
}

async fn contract(backend: Backend) {
    let Some((s, _guard)) = fresh_store(backend).await else {
        return;
    };
    s.ping().await.unwrap();

    // Units
    let city = Unit { id: Uuid::new_v4(), parent_id: None, name: "Hà Nội".into(), kind: UnitKind::City, headcount: 0 };
    let commune = Unit { id: Uuid::new_v4(), parent_id: Some(city.id), name: "Xã A".into(), kind: UnitKind::Commune, headcount: 40 };
    s.insert_unit(&city, Some("HN"), T0).await.unwrap();
    s.insert_unit(&commune, None, T0).await.unwrap();
    let mut units = s.list_units().await.unwrap();
    units.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(units, vec![city.clone(), commune.clone()]);

    // Users: phone numbers are unique
    let user = NewUser {
        id: Uuid::new_v4(),
        full_name: "Nguyễn Văn A".into(),
        phone: "0912345678".into(),
        unit_id: commune.id,
        password_hash: "hash".into(),
        role: Role::Participant,
        created_at: T0,
    };
    s.insert_user(&user).await.unwrap();
    let dup = NewUser { id: Uuid::new_v4(), ..user.clone() };
    assert!(matches!(s.insert_user(&dup).await, Err(StoreError::Conflict("phone"))));
    let got = s.user_by_phone("0912345678").await.unwrap().unwrap();
    assert_eq!((got.id, got.unit_name.as_str(), got.role.as_str()), (user.id, "Xã A", "participant"));
    assert_eq!(s.user_by_id(user.id).await.unwrap().unwrap().phone, "0912345678");
    assert!(s.user_by_phone("0999999999").await.unwrap().is_none());
    assert_eq!(s.count_users().await.unwrap(), 1);

    // Sessions expire and can be deleted
    s.insert_session("h1", user.id, T0, T0 + 1_000).await.unwrap();
    assert_eq!(s.session_user("h1", T0 + 999).await.unwrap().unwrap().id, user.id);
    assert!(s.session_user("h1", T0 + 1_000).await.unwrap().is_none());
    s.delete_session("h1").await.unwrap();
    assert!(s.session_user("h1", T0).await.unwrap().is_none());

    // Rate limits: fixed windows
    assert_eq!(s.hit_rate_limit("k", T0, 1_000).await.unwrap(), 1);
    assert_eq!(s.hit_rate_limit("k", T0 + 10, 1_000).await.unwrap(), 2);
    assert_eq!(s.hit_rate_limit("k", T0 + 1_000, 1_000).await.unwrap(), 1);
    s.clear_rate_limit("k").await.unwrap();
    assert_eq!(s.hit_rate_limit("k", T0 + 1_001, 1_000).await.unwrap(), 1);

    // Topics and questions
    let topic = Topic { slug: "boi-canh".into(), name: "Bối cảnh".into(), description: String::new(), position: 0 };
    s.upsert_topic(&topic).await.unwrap();
    s.upsert_topic(&Topic { name: "Bối cảnh ban hành".into(), ..topic.clone() }).await.unwrap();
    assert_eq!(s.list_topics().await.unwrap()[0].name, "Bối cảnh ban hành");
    for i in 0..3 {
        s.insert_question(&draft(i), T0).await.unwrap();
    }
    assert!(matches!(s.insert_question(&draft(0), T0).await, Err(StoreError::Conflict(_))));
    assert_eq!(s.count_questions().await.unwrap(), 3);
    let pool = s.question_pool().await.unwrap();
    assert_eq!(pool.len(), 3);
    assert!(pool.iter().all(|p| p.option_count == 3 && p.topic == "boi-canh"));

    // Contest and rounds
    let contest = ContestRecord {
        id: Uuid::new_v4(),
        title: "Cuộc thi".into(),
        description: "d".into(),
        rules: "r".into(),
        created_at: T0,
        audience_unit_id: Some(commune.id),
        visibility: "private".into(),
        prizes: Default::default(),
    };
    s.save_contest(&contest).await.unwrap();
    assert_eq!(s.contest(contest.id).await.unwrap().unwrap(), contest);
    let r = round(contest.id, 2, CountingRule::Best);
    s.save_round(&r).await.unwrap();
    let stored = s.get_round(r.id).await.unwrap().unwrap();
    assert_eq!(stored, RoundRecord { contest_title: "Cuộc thi".into(), ..r.clone() });
    assert_eq!(s.list_rounds().await.unwrap().len(), 1);
    s.set_round_window(r.id, T0, T0 + 7_200_000).await.unwrap();
    assert_eq!(s.get_round(r.id).await.unwrap().unwrap().closes_at, T0 + 7_200_000);

    // Starting: a new attempt, then the same one while it runs
    let items: Vec<DrawnItem> = pool[..2].iter().map(|p| DrawnItem { version_id: p.version_id, option_order: vec![2, 0, 1] }).collect();
    let req = |now: i64| StartRequest {
        attempt_id: Uuid::new_v4(),
        round_id: r.id,
        user_id: user.id,
        unit_id: commune.id,
        now,
        items: items.clone(),
    };
    let first = s.start_attempt(&req(T0 + 1_000)).await.unwrap();
    assert!(!first.resumed);
    let again = s.start_attempt(&req(T0 + 2_000)).await.unwrap();
    assert_eq!((again.attempt_id, again.resumed), (first.attempt_id, true));
    let a = s.attempt(first.attempt_id).await.unwrap().unwrap();
    // the start reports the attempt exactly as stored, new or resumed
    assert_eq!((&first.attempt, &again.attempt), (&a, &a));
    assert_eq!((a.seq, a.status, a.deadline_at, a.max_score), (1, AttemptStatus::InProgress, T0 + 601_000, 2));
    let served = s.attempt_items(a.id).await.unwrap();
    assert_eq!(served.len(), 2);
    // options come back in the served order: positions 2, 0, 1
    assert!(served[0].options[1].1.starts_with("Đúng"));
    assert_eq!(served[0].position, 1);
    let choices = s.attempt_choices(a.id).await.unwrap();
    assert_eq!(
        choices.iter().map(|c| (c.position, c.version_id)).collect::<Vec<_>>(),
        vec![(1, items[0].version_id), (2, items[1].version_id)]
    );
    assert_eq!(choices[0].option_order, items[0].option_order);
    let texts = s.version_texts(&[items[1].version_id, items[0].version_id, Uuid::new_v4()]).await.unwrap();
    assert_eq!(texts.len(), 2, "unknown versions are left out");
    let t0 = texts.iter().find(|t| t.version_id == items[0].version_id).unwrap();
    assert_eq!(t0.options.len(), 3);
    assert_eq!(t0.item(&choices[0]), served[0]);

    // Answers: refused for another's attempt, another question's option, a foreign question
    let other_q = pool[2].version_id;
    let (q0, q1) = (served[0].version_id, served[1].version_id);
    let opt_q1 = served[1].options[0].0;
    assert!(matches!(s.save_answer(a.id, Uuid::new_v4(), q0, opt_q1, T0 + 3_000).await, Err(StoreError::NotFound)));
    assert!(matches!(s.save_answer(a.id, user.id, q0, opt_q1, T0 + 3_000).await, Err(StoreError::OptionNotInQuestion)));
    assert!(matches!(s.save_answer(a.id, user.id, other_q, opt_q1, T0 + 3_000).await, Err(StoreError::QuestionNotInAttempt)));
    answer_all(&s, a.id, user.id, 1, T0 + 4_000).await;
    // changing an answer keeps the last choice
    let wrong0 = served[0].options.iter().find(|(_, t)| !t.starts_with("Đúng")).unwrap().0;
    let right0 = served[0].options.iter().find(|(_, t)| t.starts_with("Đúng")).unwrap().0;
    s.save_answer(a.id, user.id, q0, wrong0, T0 + 5_000).await.unwrap();
    s.save_answer(a.id, user.id, q0, right0, T0 + 6_000).await.unwrap();
    assert_eq!(s.attempt_items(a.id).await.unwrap()[0].chosen_option_id, Some(right0));
    // after the deadline's grace: refused
    assert!(matches!(s.save_answer(a.id, user.id, q1, opt_q1, a.deadline_at + GRACE_MS + 1).await, Err(StoreError::DeadlinePassed)));

    // Finalising: graded once; the prediction fixed by the first submission
    let done = s.finalise_attempt(a.id, T0 + 61_000, true, Some(7)).await.unwrap().unwrap();
    assert_eq!((done.status, done.score, done.time_used_ms, done.prediction), (AttemptStatus::Submitted, Some(1), Some(60_000), Some(7)));
    assert!(s.finalise_attempt(a.id, T0 + 62_000, true, Some(9)).await.unwrap().is_none());
    assert!(matches!(s.save_answer(a.id, user.id, q1, opt_q1, T0 + 63_000).await, Err(StoreError::AttemptFinished)));
    let p = s.participation(r.id, user.id).await.unwrap().unwrap();
    assert_eq!(
        (p.attempts_started, p.active_attempt_id, p.best_attempt_id, p.best_score, p.prediction),
        (1, None, Some(a.id), Some(1), Some(7))
    );
    let review = s.review_items(a.id).await.unwrap();
    assert_eq!(review.len(), 2);
    assert_eq!(review[0].correct_option_id, right0);
    let n = served[0].stem.trim_start_matches("Câu hỏi số ").trim_end_matches('?');
    assert_eq!(review[0].explanation, format!("Giải thích {n}"));

    // Second attempt: better score replaces the counted one; the prediction stays 7
    let second = s.start_attempt(&req(T0 + 100_000)).await.unwrap();
    answer_all(&s, second.attempt_id, user.id, 2, T0 + 101_000).await;
    let done2 = s.finalise_attempt(second.attempt_id, T0 + 130_000, true, Some(100)).await.unwrap().unwrap();
    assert_eq!(done2.score, Some(2));
    let p = s.participation(r.id, user.id).await.unwrap().unwrap();
    assert_eq!(
        (p.attempts_started, p.best_attempt_id, p.best_score, p.best_time_ms, p.prediction),
        (2, Some(second.attempt_id), Some(2), Some(30_000), Some(7))
    );

    // The limit: a third start is refused
    assert!(matches!(s.start_attempt(&req(T0 + 200_000)).await, Err(StoreError::AttemptsExhausted)));
    assert_eq!(s.user_attempts(user.id).await.unwrap().len(), 2);
    assert_eq!(s.user_participations(user.id).await.unwrap().len(), 1);

    // Abandoned attempts: listed once overdue and finalised as expired with their saved answers
    let r2 = RoundRecord { id: Uuid::new_v4(), title: "Tuần 2".into(), position: 2, ..round(contest.id, 3, CountingRule::Best) };
    s.save_round(&r2).await.unwrap();
    let ab = s.start_attempt(&StartRequest { round_id: r2.id, ..req(T0 + 300_000) }).await.unwrap();
    answer_all(&s, ab.attempt_id, user.id, 2, T0 + 301_000).await;
    let deadline = s.attempt(ab.attempt_id).await.unwrap().unwrap().deadline_at;
    assert!(s.overdue_attempts(deadline + GRACE_MS, 10).await.unwrap().is_empty());
    assert_eq!(s.overdue_attempts(deadline + GRACE_MS + 1, 10).await.unwrap(), vec![ab.attempt_id]);
    let exp = s.finalise_attempt(ab.attempt_id, deadline + 60_000, false, Some(3)).await.unwrap().unwrap();
    assert_eq!(
        (exp.status, exp.score, exp.finished_at, exp.time_used_ms, exp.prediction),
        (AttemptStatus::Expired, Some(2), Some(deadline), Some(600_000), None)
    );
    // a start after an abandoned attempt finalises it first (here: already final) and counts on
    let next = s.start_attempt(&StartRequest { round_id: r2.id, ..req(deadline + 70_000) }).await.unwrap();
    assert!(!next.resumed);
    assert_eq!(s.attempt(next.attempt_id).await.unwrap().unwrap().seq, 2);

    // Standings and ranks
    let other = NewUser { id: Uuid::new_v4(), phone: "0987654321".into(), full_name: "Trần B".into(), ..user.clone() };
    s.insert_user(&other).await.unwrap();
    let ob = s.start_attempt(&StartRequest { user_id: other.id, ..req(T0 + 400_000) }).await.unwrap();
    answer_all(&s, ob.attempt_id, other.id, 2, T0 + 401_000).await;
    s.finalise_attempt(ob.attempt_id, T0 + 410_000, true, None).await.unwrap();
    let standings = s.round_standings(r.id, None, 10).await.unwrap();
    assert_eq!(
        standings.iter().map(|x| (x.full_name.as_str(), x.score, x.time_used_ms)).collect::<Vec<_>>(),
        vec![("Trần B", 2, 10_000), ("Nguyễn Văn A", 2, 30_000)]
    );
    assert_eq!(s.round_standings(r.id, None, 1).await.unwrap().len(), 1);
    assert_eq!(s.rank_of(r.id, 2, None, 30_000, T0 + 130_000).await.unwrap(), (1, 2));
    assert_eq!(s.rank_of(r.id, 2, None, 10_000, T0 + 410_000).await.unwrap(), (0, 2));
}

#[tokio::test]
async fn contract_sqlite() {
    contract(Backend::Sqlite).await
}

#[tokio::test]
async fn contract_postgres() {
    contract(Backend::Postgres).await
}

/// The limit holds under concurrency on each database.
async fn concurrent_starts(backend: Backend) {
    let Some((s, _guard)) = fresh_store(backend).await else {
        return;
    };
    let city = Unit { id: Uuid::new_v4(), parent_id: None, name: "Hà Nội".into(), kind: UnitKind::City, headcount: 0 };
    s.insert_unit(&city, None, T0).await.unwrap();
    let user = NewUser {
        id: Uuid::new_v4(),
        full_name: "A".into(),
        phone: "0912345678".into(),
        unit_id: city.id,
        password_hash: "h".into(),
        role: Role::Participant,
        created_at: T0,
    };
    s.insert_user(&user).await.unwrap();
    s.upsert_topic(&Topic { slug: "boi-canh".into(), name: "x".into(), description: String::new(), position: 0 }).await.unwrap();
    for i in 0..2 {
        s.insert_question(&draft(i), T0).await.unwrap();
    }
    let contest = ContestRecord {
        id: Uuid::new_v4(),
        title: "C".into(),
        description: String::new(),
        rules: String::new(),
        created_at: T0,
        audience_unit_id: None,
        visibility: "public".into(),
        prizes: Default::default(),
    };
    s.save_contest(&contest).await.unwrap();
    let r = round(contest.id, 3, CountingRule::Best);
    s.save_round(&r).await.unwrap();
    let pool = s.question_pool().await.unwrap();
    let items: Vec<DrawnItem> = pool.iter().map(|p| DrawnItem { version_id: p.version_id, option_order: vec![0, 1, 2] }).collect();
    let mut tasks = Vec::new();
    for i in 0..20 {
        let (s, items, r, user) = (s.clone(), items.clone(), r.clone(), user.clone());
        tasks.push(tokio::spawn(async move {
            let mut started = 0;
            loop {
                let req = StartRequest {
                    attempt_id: Uuid::new_v4(),
                    round_id: r.id,
                    user_id: user.id,
                    unit_id: user.unit_id,
                    now: T0 + 1_000 + i,
                    items: items.clone(),
                };
                match s.start_attempt(&req).await {
                    Ok(o) => {
                        if !o.resumed {
                            started += 1;
                        }
                        s.finalise_attempt(o.attempt_id, T0 + 2_000, true, None).await.unwrap();
                    }
                    Err(StoreError::AttemptsExhausted) => break started,
                    Err(e) => panic!("{e}"),
                }
            }
        }));
    }
    let mut total = 0;
    for t in tasks {
        total += t.await.unwrap();
    }
    let attempts = s.user_attempts(user.id).await.unwrap();
    assert_eq!(total, 3);
    assert_eq!(attempts.len(), 3);
    let mut seqs: Vec<i64> = attempts.iter().map(|a| a.seq).collect();
    seqs.sort();
    assert_eq!(seqs, vec![1, 2, 3]);
    assert!(attempts.iter().all(|a| a.status == AttemptStatus::Submitted));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_starts_sqlite() {
    concurrent_starts(Backend::Sqlite).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_starts_postgres() {
    concurrent_starts(Backend::Postgres).await
}

/// A row holding a value the application does not know is refused, never read as
/// a default: a round whose counting rule or draw rules were damaged, an attempt
/// with an unknown status.
async fn bad_rows_are_refused(backend: Backend) {
    let Some((url, _guard)) = common::fresh_url(backend).await else {
        return;
    };
    let s = AnyStore::connect(&url).await.expect("store");
    let city = Unit { id: Uuid::new_v4(), parent_id: None, name: "Hà Nội".into(), kind: UnitKind::City, headcount: 0 };
    s.insert_unit(&city, None, T0).await.unwrap();
    let contest = ContestRecord {
        id: Uuid::new_v4(),
        title: "Cuộc thi".into(),
        description: String::new(),
        rules: String::new(),
        created_at: T0,
        audience_unit_id: None,
        visibility: "public".into(),
        prizes: Default::default(),
    };
    s.save_contest(&contest).await.unwrap();
    let r = round(contest.id, 3, CountingRule::Best);
    s.save_round(&r).await.unwrap();
    assert!(s.get_round(r.id).await.unwrap().is_some());

    let damage = |sql: &'static str| {
        let url = url.clone();
        async move {
            use sqlx::Connection;
            match backend {
                Backend::Sqlite => {
                    let mut c = sqlx::SqliteConnection::connect(&url).await.unwrap();
                    sqlx::query(sql).execute(&mut c).await.unwrap();
                }
                Backend::Postgres => {
                    let mut c = sqlx::PgConnection::connect(&url).await.unwrap();
                    sqlx::query(sql).execute(&mut c).await.unwrap();
                }
            }
        }
    };
    damage("UPDATE rounds SET counting = 'tot_nhat'").await;
    assert!(matches!(s.get_round(r.id).await, Err(StoreError::BadRow(m)) if m.contains("tot_nhat")));
    assert!(matches!(s.list_rounds().await, Err(StoreError::BadRow(_))));
    damage("UPDATE rounds SET counting = 'best', draw_rules = '{\"topics\": 3'").await;
    assert!(matches!(s.get_round(r.id).await, Err(StoreError::BadRow(m)) if m.contains("draw rules")));
    damage("UPDATE contests SET prizes = 'giải'").await;
    assert!(matches!(s.contest(contest.id).await, Err(StoreError::BadRow(m)) if m.contains("prizes")));
    damage("UPDATE units SET kind = 'ward'").await;
    assert!(matches!(s.list_units().await, Err(StoreError::BadRow(m)) if m.contains("ward")));
}

#[tokio::test]
async fn bad_rows_are_refused_sqlite() {
    bad_rows_are_refused(Backend::Sqlite).await
}

#[tokio::test]
async fn bad_rows_are_refused_postgres() {
    bad_rows_are_refused(Backend::Postgres).await
}
