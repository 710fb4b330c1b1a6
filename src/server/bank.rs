//! The question bank for organizers: list and filter, create and edit (each
//! edit a new version), retire, topics, and import/export in CSV and XLSX.
use super::admin::audit;
use super::bank_io::{self, BankRow, STATUS_ACTIVE, STATUS_RETIRED};
use super::service::{internal, require_organizer};
use super::state::AppState;
use crate::domain::question::QuestionDraft;
use crate::domain::text;
use crate::error::{AppError, AppResult};
use crate::i18n::t;
use crate::model::*;
use crate::store::{BankQuestion, ImportOp, StoreError, Topic, UserRecord};
use std::collections::HashMap;
use uuid::Uuid;

pub const PAGE_SIZE: usize = 50;

fn item(q: BankQuestion) -> BankItem {
    BankItem {
        id: q.id,
        key: q.key,
        topic: q.draft.topic,
        status: q.status,
        version: q.version,
        difficulty: q.draft.difficulty,
        stem: q.draft.stem,
        options: q.draft.options,
        correct: q.draft.correct,
        explanation: q.draft.explanation,
        source: q.draft.source,
        passage: q.draft.passage,
        group: q.draft.group,
        updated_at: q.updated_at,
    }
}

pub async fn topics(state: &AppState) -> AppResult<Vec<TopicDto>> {
    Ok(state
        .store
        .list_topics()
        .await
        .map_err(internal)?
        .into_iter()
        .map(|t| TopicDto { slug: t.slug, name: t.name, description: t.description })
        .collect())
}

pub async fn list(state: &AppState, user: &UserRecord, f: BankFilter) -> AppResult<BankPage> {
    require_organizer(user)?;
    let q = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let mut all: Vec<BankQuestion> = state
        .store
        .list_bank()
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|b| f.topic.as_deref().is_none_or(|t| t.is_empty() || b.draft.topic == t))
        .filter(|b| f.difficulty.is_none_or(|d| b.draft.difficulty == d))
        .filter(|b| f.status.as_deref().is_none_or(|s| s.is_empty() || b.status == s))
        .filter(|b| {
            q.is_none_or(|q| {
                text::matches(q, &format!("{} {} {}", b.key.as_deref().unwrap_or(""), b.draft.stem, b.draft.options.join(" ")))
            })
        })
        .collect();
    all.sort_by(|a, b| a.key.cmp(&b.key).then(a.draft.stem.cmp(&b.draft.stem)));
    let total = all.len();
    let pages = total.div_ceil(PAGE_SIZE).max(1);
    let page = f.page.unwrap_or(1).clamp(1, pages);
    let items = all.into_iter().skip((page - 1) * PAGE_SIZE).take(PAGE_SIZE).map(item).collect();
    Ok(BankPage { items, total, page, pages, topics: topics(state).await? })
}

pub async fn get(state: &AppState, user: &UserRecord, id: Uuid) -> AppResult<BankItem> {
    require_organizer(user)?;
    state.store.bank_question(id).await.map_err(internal)?.map(item).ok_or_else(|| AppError::not_found(t().err_question_not_found))
}

async fn topic_slugs(state: &AppState) -> AppResult<Vec<String>> {
    Ok(state.store.list_topics().await.map_err(internal)?.into_iter().map(|t| t.slug).collect())
}

fn check(draft: &QuestionDraft, topics: &[String]) -> AppResult<()> {
    let slugs: Vec<&str> = topics.iter().map(String::as_str).collect();
    let problems = draft.problems(&slugs);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(AppError::validation(problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")))
    }
}

/// Creates a question (`id` None) or saves a new version of it. Returns its id.
pub async fn save(state: &AppState, user: &UserRecord, id: Option<Uuid>, mut draft: QuestionDraft) -> AppResult<Uuid> {
    require_organizer(user)?;
    draft.stem = draft.stem.trim().to_string();
    draft.options = draft.options.iter().map(|o| o.trim().to_string()).collect();
    // empty trailing options are not options
    while draft.options.len() > 2 && draft.options.last().is_some_and(String::is_empty) && draft.correct < draft.options.len() - 1 {
        draft.options.pop();
    }
    check(&draft, &topic_slugs(state).await?)?;
    let bank = state.store.list_bank().await.map_err(internal)?;
    let folded = text::fold(&draft.stem);
    if let Some(other) = bank.iter().find(|b| Some(b.id) != id && text::fold(&b.draft.stem) == folded) {
        return Err(AppError::validation(format!("{} ({})", t().err_duplicate_stem, other.key.as_deref().unwrap_or("—"))));
    }
    let now = state.now();
    match id {
        None => {
            if draft.key.as_deref().is_none_or(|k| k.trim().is_empty()) {
                draft.key = Some(format!("q-{}", &Uuid::new_v4().simple().to_string()[..8]));
            }
            let id = state.store.insert_question(&draft, now).await.map_err(|e| match e {
                StoreError::Conflict(_) => AppError::validation(t().err_duplicate_key),
                e => internal(e),
            })?;
            audit(state, user, "question.create", "question", id, None::<&()>, Some(&draft)).await?;
            Ok(id)
        }
        Some(id) => {
            let current = bank.into_iter().find(|b| b.id == id).ok_or_else(|| AppError::not_found(t().err_question_not_found))?;
            draft.key = current.key.clone();
            if current.draft != draft {
                state.store.save_version(id, &draft, &current.status, now).await.map_err(internal)?;
                audit(state, user, "question.edit", "question", id, Some(&current.draft), Some(&draft)).await?;
            }
            Ok(id)
        }
    }
}

pub async fn set_status(state: &AppState, user: &UserRecord, id: Uuid, retired: bool) -> AppResult<()> {
    require_organizer(user)?;
    let status = if retired { STATUS_RETIRED } else { STATUS_ACTIVE };
    state.store.set_question_status(id, status, state.now()).await.map_err(|e| match e {
        StoreError::NotFound => AppError::not_found(t().err_question_not_found),
        e => internal(e),
    })?;
    audit(state, user, if retired { "question.retire" } else { "question.restore" }, "question", id, None::<&()>, Some(&status)).await
}

pub async fn add_topic(state: &AppState, user: &UserRecord, slug: String, name: String) -> AppResult<()> {
    require_organizer(user)?;
    let slug = slug.trim().to_lowercase();
    let name = name.trim().to_string();
    if slug.is_empty() || slug.len() > 40 || !slug.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-') {
        return Err(AppError::validation(t().err_topic_slug));
    }
    if name.is_empty() || name.chars().count() > 120 {
        return Err(AppError::validation(t().err_topic_name));
    }
    let existing = state.store.list_topics().await.map_err(internal)?;
    if existing.iter().any(|t| t.slug == slug) {
        return Err(AppError::validation(t().err_topic_exists));
    }
    let position = existing.len() as i64;
    let topic = Topic { slug, name, description: String::new(), position };
    state.store.upsert_topic(&topic).await.map_err(internal)?;
    audit(
        state,
        user,
        "topic.create",
        "topic",
        Uuid::new_v4(),
        None::<&()>,
        Some(&serde_json::json!({"slug": topic.slug, "name": topic.name})),
    )
    .await
}

fn rows_of(bank: Vec<BankQuestion>) -> Vec<BankRow> {
    let mut bank = bank;
    bank.sort_by(|a, b| a.key.cmp(&b.key));
    bank.into_iter().map(|b| BankRow { draft: b.draft, status: b.status }).collect()
}

pub enum Format {
    Csv,
    Xlsx,
}

/// The whole bank as a file: (file name, content type, bytes).
pub async fn export(state: &AppState, user: &UserRecord, format: Format) -> AppResult<(String, &'static str, Vec<u8>)> {
    require_organizer(user)?;
    let rows = rows_of(state.store.list_bank().await.map_err(internal)?);
    audit(state, user, "questions.export", "bank", Uuid::nil(), None::<&()>, Some(&rows.len())).await?;
    encode(rows, format, "ngan-hang-cau-hoi")
}

fn encode(rows: Vec<BankRow>, format: Format, stem: &str) -> AppResult<(String, &'static str, Vec<u8>)> {
    Ok(match format {
        Format::Csv => (format!("{stem}.csv"), "text/csv; charset=utf-8", bank_io::write_csv(&rows)),
        Format::Xlsx => (
            format!("{stem}.xlsx"),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            bank_io::write_xlsx(&rows).map_err(internal)?,
        ),
    })
}

/// The import template: the columns and one filled example row.
pub fn template(format: Format) -> AppResult<(String, &'static str, Vec<u8>)> {
    let example = BankRow {
        draft: QuestionDraft {
            key: Some("vd-001".into()),
            topic: "boi-canh".into(),
            difficulty: 1,
            stem: "Chỉ thị số 24-CT/TU do cơ quan nào ban hành?".into(),
            options: vec![
                "Ban Thường vụ Thành ủy Hà Nội".into(),
                "Ủy ban nhân dân thành phố Hà Nội".into(),
                "Hội đồng nhân dân thành phố Hà Nội".into(),
            ],
            correct: 0,
            explanation: "Chỉ thị mang ký hiệu CT/TU là văn bản của Ban Thường vụ Thành ủy.".into(),
            source: "src-1-directive-summary.txt".into(),
            passage: "Phần mở đầu giới thiệu cơ quan ban hành Chỉ thị.".into(),
            group: "co-quan-ban-hanh".into(),
        },
        status: STATUS_ACTIVE.into(),
    };
    encode(vec![example], format, "mau-nhap-cau-hoi")
}

/// Reads and checks a file against the bank; stages it when every row is good.
pub async fn preview_import(state: &AppState, user: &UserRecord, file_name: &str, bytes: &[u8]) -> AppResult<ImportPreview> {
    require_organizer(user)?;
    let mut preview = ImportPreview {
        import_id: None,
        file_name: file_name.to_string(),
        rows: 0,
        creates: 0,
        updates: 0,
        unchanged: 0,
        file_error: None,
        row_errors: vec![],
    };
    let raw = match bank_io::read_any(file_name, bytes) {
        Ok(r) => r,
        Err(e) => {
            preview.file_error = Some(e.to_string());
            return Ok(preview);
        }
    };
    preview.rows = raw.len();
    let row_numbers: Vec<usize> = raw.iter().map(|(n, _)| *n).collect();
    let topics = topic_slugs(state).await?;
    let slugs: Vec<&str> = topics.iter().map(String::as_str).collect();
    let rows = match bank_io::validate(raw, &slugs) {
        Ok(rows) => rows,
        Err(errors) => {
            preview.row_errors = errors.into_iter().map(|e| RowProblem { row: e.row, reasons: e.reasons }).collect();
            return Ok(preview);
        }
    };
    // Against the bank: a stem may not repeat another question's.
    let bank = state.store.list_bank().await.map_err(internal)?;
    let by_key: HashMap<&str, &BankQuestion> = bank.iter().filter_map(|b| b.key.as_deref().map(|k| (k, b))).collect();
    let by_stem: HashMap<String, &BankQuestion> = bank.iter().map(|b| (text::fold(&b.draft.stem), b)).collect();
    let mut ops = Vec::with_capacity(rows.len());
    for (row, r) in row_numbers.iter().zip(rows) {
        let existing = r.draft.key.as_deref().and_then(|k| by_key.get(k)).copied();
        if let Some(other) = by_stem.get(&text::fold(&r.draft.stem)) {
            if existing.is_none_or(|e| e.id != other.id) {
                preview.row_errors.push(RowProblem {
                    row: *row,
                    reasons: vec![format!("{} ({})", t().err_duplicate_stem, other.key.as_deref().unwrap_or("—"))],
                });
                continue;
            }
        }
        match existing {
            None => {
                let mut draft = r.draft;
                if draft.key.is_none() {
                    draft.key = Some(format!("q-{}", &Uuid::new_v4().simple().to_string()[..8]));
                }
                preview.creates += 1;
                ops.push(ImportOp::Create { draft, status: r.status });
            }
            Some(e) if e.draft == r.draft && e.status == r.status => preview.unchanged += 1,
            Some(e) => {
                preview.updates += 1;
                let draft = (e.draft != r.draft).then_some(r.draft);
                ops.push(ImportOp::Update { question_id: e.id, draft, status: r.status });
            }
        }
    }
    if !preview.row_errors.is_empty() {
        preview.creates = 0;
        preview.updates = 0;
        preview.unchanged = 0;
        return Ok(preview);
    }
    let id = Uuid::new_v4();
    let payload = serde_json::to_string(&ops.iter().map(StagedOp::from).collect::<Vec<_>>()).map_err(internal)?;
    state.store.stage_import(id, user.id, file_name, &payload, state.now()).await.map_err(internal)?;
    preview.import_id = Some(id);
    Ok(preview)
}

/// Applies a staged import, all of it or nothing.
pub async fn commit_import(state: &AppState, user: &UserRecord, import_id: Uuid) -> AppResult<ImportDone> {
    require_organizer(user)?;
    let (_, payload) = state
        .store
        .take_staged_import(import_id, user.id)
        .await
        .map_err(internal)?
        .ok_or_else(|| AppError::not_found(t().err_import_expired))?;
    let staged: Vec<StagedOp> = serde_json::from_str(&payload).map_err(internal)?;
    let ops: Vec<ImportOp> = staged.into_iter().map(Into::into).collect();
    let creates = ops.iter().filter(|o| matches!(o, ImportOp::Create { .. })).count();
    state.store.import_bank(&ops, state.now()).await.map_err(|e| match e {
        StoreError::Conflict(_) => AppError::validation(t().err_import_conflict),
        e => internal(e),
    })?;
    state.invalidate_question_pool().await;
    audit(
        state,
        user,
        "questions.import",
        "import",
        import_id,
        None::<&()>,
        Some(&serde_json::json!({"creates": creates, "updates": ops.len() - creates})),
    )
    .await?;
    Ok(ImportDone { creates, updates: ops.len() - creates, unchanged: 0 })
}

/// An import operation as staged in the database between preview and commit.
#[derive(serde::Serialize, serde::Deserialize)]
struct StagedOp {
    question_id: Option<Uuid>,
    draft: Option<QuestionDraft>,
    status: String,
}

impl From<&ImportOp> for StagedOp {
    fn from(op: &ImportOp) -> Self {
        match op {
            ImportOp::Create { draft, status } => StagedOp { question_id: None, draft: Some(draft.clone()), status: status.clone() },
            ImportOp::Update { question_id, draft, status } => {
                StagedOp { question_id: Some(*question_id), draft: draft.clone(), status: status.clone() }
            }
        }
    }
}

impl From<StagedOp> for ImportOp {
    fn from(s: StagedOp) -> Self {
        match (s.question_id, s.draft) {
            (Some(question_id), draft) => ImportOp::Update { question_id, draft, status: s.status },
            (None, Some(draft)) => ImportOp::Create { draft, status: s.status },
            (None, None) => ImportOp::Create {
                draft: QuestionDraft {
                    key: None,
                    topic: String::new(),
                    difficulty: 0,
                    stem: String::new(),
                    options: vec![],
                    correct: 0,
                    explanation: String::new(),
                    source: String::new(),
                    passage: String::new(),
                    group: String::new(),
                },
                status: s.status,
            },
        }
    }
}
