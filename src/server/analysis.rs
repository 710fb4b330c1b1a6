//! Item analysis for organizers: computed once a round is closed and every attempt
//! graded, from the counted attempts (one per participant), then kept: a page view
//! reads the kept result, never the attempts. A contest's analysis pools its closed
//! rounds and is computed again only when another round closes. The rules are in
//! `domain::items`.
use super::admin::{contest_in_scope, round_in_scope};
use super::exports::{titled_sheet, xlsx_err};
use super::service::internal;
use super::state::AppState;
use crate::domain::items::{self, option_letter as letter, Flag, Response};
use crate::error::{AppError, AppResult, ErrorCode};
use crate::i18n::t;
use crate::model::{ItemAnalysis, ItemRow};
use crate::store::{SavedAnalysis, UserRecord};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// A closed round's analysis.
pub async fn round_items(state: &AppState, user: &UserRecord, id: Uuid) -> AppResult<ItemAnalysis> {
    let (_, r) = round_in_scope(state, user, id, false).await?;
    if !items::ready(r.closes_at, state.now()) {
        return Err(AppError::new(ErrorCode::Conflict, t().err_analysis_not_ready));
    }
    analysis(state, id, &format!("{} — {}", r.contest_title, r.title), vec![(r.id, r.closes_at)]).await
}

/// The analysis of a contest's closed rounds together.
pub async fn contest_items(state: &AppState, user: &UserRecord, id: Uuid) -> AppResult<ItemAnalysis> {
    let c = contest_in_scope(state, user, id, false).await?;
    let now = state.now();
    let rounds: Vec<(Uuid, crate::domain::Millis)> = state
        .store
        .list_rounds()
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|r| r.contest_id == id && items::ready(r.closes_at, now))
        .map(|r| (r.id, r.closes_at))
        .collect();
    if rounds.is_empty() {
        return Err(AppError::new(ErrorCode::Conflict, t().err_analysis_no_round));
    }
    analysis(state, id, &c.title, rounds).await
}

/// The kept analysis of `scope` if it was computed from these rounds as they are
/// (a round whose close moved, reopened, counts as another), else a new one (kept).
async fn analysis(state: &AppState, scope: Uuid, title: &str, mut rounds: Vec<(Uuid, crate::domain::Millis)>) -> AppResult<ItemAnalysis> {
    rounds.sort();
    let signature = rounds.iter().map(|(id, closes)| format!("{id}@{closes}")).collect::<Vec<_>>().join(",");
    let rounds: Vec<Uuid> = rounds.into_iter().map(|(id, _)| id).collect();
    if let Some(saved) = state.store.saved_analysis(scope).await.map_err(internal)? {
        if saved.rounds == signature {
            return serde_json::from_str(&saved.body).map_err(internal);
        }
    }
    let a = compute(state, scope, title, rounds).await?;
    let body = serde_json::to_string(&a).map_err(internal)?;
    state.store.save_analysis(scope, &SavedAnalysis { rounds: signature, computed_at: a.computed_at, body }).await.map_err(internal)?;
    Ok(a)
}

async fn compute(state: &AppState, scope: Uuid, title: &str, rounds: Vec<Uuid>) -> AppResult<ItemAnalysis> {
    let rows = state.store.item_responses(&rounds).await.map_err(internal)?;
    // the time spent on a question: since the previous answer of the attempt (or its start)
    let mut by_attempt: HashMap<Uuid, Vec<usize>> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        by_attempt.entry(r.attempt_id).or_default().push(i);
    }
    let mut time: Vec<Option<i64>> = vec![None; rows.len()];
    for idx in by_attempt.values() {
        let mut answered: Vec<usize> = idx.iter().copied().filter(|&i| rows[i].answered_at.is_some()).collect();
        answered.sort_by_key(|&i| rows[i].answered_at);
        let mut last = rows[idx[0]].started_at;
        for i in answered {
            let at = rows[i].answered_at.unwrap_or(last);
            time[i] = Some((at - last).max(0));
            last = at;
        }
    }
    let mut by_version: BTreeMap<Uuid, Vec<Response>> = BTreeMap::new();
    for (i, r) in rows.iter().enumerate() {
        let chosen = r.chosen.and_then(|c| usize::try_from(c).ok());
        by_version.entry(r.version_id).or_default().push(Response { total: r.score, chosen, time_ms: time[i] });
    }
    // the questions' keys, read once
    let keys: HashMap<Uuid, Option<String>> = state.store.list_bank().await.map_err(internal)?.into_iter().map(|q| (q.id, q.key)).collect();
    let mut items_out = Vec::with_capacity(by_version.len());
    for (version_id, responses) in by_version {
        let Some(v) = state.store.question_version(version_id).await.map_err(internal)? else { continue };
        let key = keys.get(&v.question_id).cloned().flatten();
        let correct = v.options.iter().position(|o| o.2).unwrap_or(0);
        let stats = items::analyse(v.options.len(), correct, &responses);
        let flag_notes = stats.flags.iter().map(flag_note).collect();
        items_out.push(ItemRow {
            version_id,
            question_id: v.question_id,
            key,
            topic: v.topic,
            stem: v.stem,
            options: v.options.into_iter().map(|o| o.1).collect(),
            correct,
            stats,
            flag_notes,
        });
    }
    // the questions that need a look first, then by key
    items_out.sort_by(|a, b| b.stats.flags.len().cmp(&a.stats.flags.len()).then_with(|| a.key.cmp(&b.key)));
    Ok(ItemAnalysis {
        scope_id: scope,
        title: title.to_string(),
        rounds,
        computed_at: state.now(),
        respondents: by_attempt.len() as i64,
        items: items_out,
    })
}

/// A file name's part: the title without diacritics, letters and digits joined by dashes.
fn slug(title: &str) -> String {
    let folded: String = crate::domain::text::fold(title).chars().map(|c| if c.is_ascii_alphanumeric() { c } else { ' ' }).collect();
    folded.split_whitespace().collect::<Vec<_>>().join("-")
}

/// A flag explained in Vietnamese.
pub fn flag_note(f: &Flag) -> String {
    match f {
        Flag::NegativeDiscrimination => t().flag_negative.to_string(),
        Flag::LowDiscrimination => t().flag_low.to_string(),
        Flag::UnusedDistractor { option } => t().flag_unused.replace("{}", &letter(*option).to_string()),
        Flag::TooEasy => t().flag_easy.to_string(),
        Flag::TooHard => t().flag_hard.to_string(),
        Flag::LikelyWrongKey { option } => t().flag_wrong_key.replace("{}", &letter(*option).to_string()),
    }
}

/// The analysis as a workbook: one row per question, each flag explained.
pub fn xlsx(a: &ItemAnalysis) -> AppResult<(String, Vec<u8>)> {
    let mut book = rust_xlsxwriter::Workbook::new();
    let sheet = titled_sheet(&mut book, t().sheet_items, &t().items_columns)?;
    let per_option = |f: &dyn Fn(&items::OptionCount) -> i64, r: &ItemRow| {
        r.stats.options.iter().enumerate().map(|(i, o)| format!("{}: {}", letter(i), f(o))).collect::<Vec<_>>().join("; ")
    };
    for (i, r) in a.items.iter().enumerate() {
        let row = i as u32 + 1;
        let s = &r.stats;
        sheet.write_string(row, 0, r.key.as_deref().unwrap_or("")).map_err(xlsx_err)?;
        sheet.write_string(row, 1, &r.topic).map_err(xlsx_err)?;
        sheet.write_string(row, 2, &r.stem).map_err(xlsx_err)?;
        sheet.write_number(row, 3, s.served as f64).map_err(xlsx_err)?;
        sheet.write_number(row, 4, (s.facility * 1000.0).round() / 10.0).map_err(xlsx_err)?;
        if let Some(d) = s.discrimination {
            sheet.write_number(row, 5, (d * 100.0).round() / 100.0).map_err(xlsx_err)?;
        }
        if let Some(d) = s.upper_lower {
            sheet.write_number(row, 6, (d * 100.0).round() / 100.0).map_err(xlsx_err)?;
        }
        sheet
            .write_string(row, 7, &format!("{}. {}", letter(r.correct), r.options.get(r.correct).map(String::as_str).unwrap_or("")))
            .map_err(xlsx_err)?;
        sheet.write_string(row, 8, &per_option(&|o| o.chosen, r)).map_err(xlsx_err)?;
        sheet.write_string(row, 9, &per_option(&|o| o.upper, r)).map_err(xlsx_err)?;
        sheet.write_string(row, 10, &per_option(&|o| o.lower, r)).map_err(xlsx_err)?;
        sheet.write_number(row, 11, s.unanswered as f64).map_err(xlsx_err)?;
        if let Some(ms) = s.mean_time_ms {
            sheet.write_number(row, 12, (ms / 100.0).round() / 10.0).map_err(xlsx_err)?;
        }
        sheet.write_string(row, 13, &r.flag_notes.join(" ")).map_err(xlsx_err)?;
    }
    let bytes = book.save_to_buffer().map_err(xlsx_err)?;
    Ok((format!("phan-tich-cau-hoi-{}.xlsx", slug(&a.title)), bytes))
}
