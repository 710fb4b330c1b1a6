//! Exports for organizers: a round's or a contest's results as XLSX (people and
//! units), and the audit log as CSV.
use super::admin::{audit, audit_log, contest_in_scope, round_in_scope};
use super::ranking::leaderboard;
use super::service::internal;
use super::state::AppState;
use crate::error::{AppError, AppResult};
use crate::i18n::t;
use crate::model::*;
use crate::store::UserRecord;
use uuid::Uuid;

pub fn xlsx_err(e: rust_xlsxwriter::XlsxError) -> AppError {
    internal(e)
}

/// A new sheet named `name` with `head` in bold on its first row, kept in view when scrolling.
pub fn titled_sheet<'a>(
    book: &'a mut rust_xlsxwriter::Workbook,
    name: &str,
    head: &[&str],
) -> AppResult<&'a mut rust_xlsxwriter::Worksheet> {
    let bold = rust_xlsxwriter::Format::new().set_bold();
    let sheet = book.add_worksheet();
    sheet.set_name(name).map_err(xlsx_err)?;
    for (c, h) in head.iter().enumerate() {
        sheet.write_string_with_format(0, c as u16, *h, &bold).map_err(xlsx_err)?;
    }
    sheet.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    Ok(sheet)
}

/// A sheet of unit statistics.
fn unit_sheet(book: &mut rust_xlsxwriter::Workbook, stats: &[UnitStat]) -> AppResult<()> {
    let head = [
        t().col_rank,
        t().col_unit,
        t().col_headcount,
        t().col_participants,
        t().col_attempts,
        t().col_rate,
        t().col_average,
        t().col_perfect,
        t().col_prize,
    ];
    let sheet = titled_sheet(book, t().sheet_units, &head)?;
    for (i, s) in stats.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number(row, 0, s.rank as f64).map_err(xlsx_err)?;
        sheet.write_string(row, 1, &s.unit_name).map_err(xlsx_err)?;
        sheet.write_number(row, 2, s.headcount as f64).map_err(xlsx_err)?;
        sheet.write_number(row, 3, s.participants as f64).map_err(xlsx_err)?;
        sheet.write_number(row, 4, s.attempts as f64).map_err(xlsx_err)?;
        sheet.write_number(row, 5, (s.participation_rate * 1000.0).round() / 10.0).map_err(xlsx_err)?;
        sheet.write_number(row, 6, (s.average_score * 100.0).round() / 100.0).map_err(xlsx_err)?;
        sheet.write_number(row, 7, s.perfect_scores as f64).map_err(xlsx_err)?;
        sheet.write_string(row, 8, s.prize.as_deref().unwrap_or("")).map_err(xlsx_err)?;
    }
    Ok(())
}

/// A round's ranking as XLSX for organizers: individuals (with full phone numbers:
/// organizers contact winners) and units.
pub async fn export_round(state: &AppState, user: &UserRecord, id: Uuid) -> AppResult<(String, Vec<u8>)> {
    use rust_xlsxwriter::Workbook;
    let (_, r) = round_in_scope(state, user, id, false).await?;
    let rows = state.store.round_standings(id, None, i64::MAX).await.map_err(internal)?;
    let board = leaderboard(state, id, None, 1_000_000, None).await?;
    let mut book = Workbook::new();
    let head =
        [t().col_rank, t().col_name, t().col_phone, t().col_unit, t().col_score, t().col_time_seconds, t().col_submitted, t().col_prize];
    let sheet = titled_sheet(&mut book, t().sheet_people, &head)?;
    // the leaderboard gives the ranks (with the tie-break chain); standings give the phones
    for (i, e) in board.entries.iter().enumerate() {
        let phone = rows
            .iter()
            .find(|s| s.full_name == e.full_name && s.finished_at == e.submitted_at && s.score == e.score)
            .map(|s| s.phone.clone())
            .unwrap_or_default();
        let row = i as u32 + 1;
        sheet.write_number(row, 0, e.rank as f64).map_err(xlsx_err)?;
        sheet.write_string(row, 1, &e.full_name).map_err(xlsx_err)?;
        sheet.write_string(row, 2, &phone).map_err(xlsx_err)?;
        sheet.write_string(row, 3, &e.unit_name).map_err(xlsx_err)?;
        sheet.write_number(row, 4, e.score as f64).map_err(xlsx_err)?;
        sheet.write_number(row, 5, e.time_used_ms as f64 / 1000.0).map_err(xlsx_err)?;
        sheet.write_string(row, 6, &crate::domain::time::format_hanoi(e.submitted_at)).map_err(xlsx_err)?;
        sheet.write_string(row, 7, e.prize.as_deref().unwrap_or("")).map_err(xlsx_err)?;
    }
    unit_sheet(&mut book, &super::ranking::round_units(state, id).await?)?;
    audit(state, user, "round.export", "round", id, None::<&()>, None::<&()>).await?;
    Ok((format!("xep-hang-{}.xlsx", crate::domain::text::fold(&r.title).replace(' ', "-")), book.save_to_buffer().map_err(xlsx_err)?))
}

/// The whole contest's ranking and unit statistics as XLSX.
pub async fn export_contest(state: &AppState, user: &UserRecord, id: Uuid) -> AppResult<(String, Vec<u8>)> {
    use rust_xlsxwriter::Workbook;
    contest_in_scope(state, user, id, false).await?;
    let ranking = super::ranking::contest_ranking(state, id, None, usize::MAX, None).await?;
    let mut book = Workbook::new();
    let head = [t().col_rank, t().col_name, t().col_unit, t().col_score, t().col_rounds, t().col_time_seconds, t().col_prize];
    let sheet = titled_sheet(&mut book, t().sheet_people, &head)?;
    for (i, e) in ranking.entries.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number(row, 0, e.rank as f64).map_err(xlsx_err)?;
        sheet.write_string(row, 1, &e.full_name).map_err(xlsx_err)?;
        sheet.write_string(row, 2, &e.unit_name).map_err(xlsx_err)?;
        sheet.write_number(row, 3, e.score as f64).map_err(xlsx_err)?;
        sheet.write_number(row, 4, e.rounds as f64).map_err(xlsx_err)?;
        sheet.write_number(row, 5, e.time_used_ms as f64 / 1000.0).map_err(xlsx_err)?;
        sheet.write_string(row, 6, e.prize.as_deref().unwrap_or("")).map_err(xlsx_err)?;
    }
    unit_sheet(&mut book, &ranking.units)?;
    audit(state, user, "contest.export", "contest", id, None::<&()>, None::<&()>).await?;
    Ok(("xep-hang-cuoc-thi.xlsx".into(), book.save_to_buffer().map_err(xlsx_err)?))
}

/// The audit log as CSV (UTF-8 with a byte-order mark for Excel).
pub async fn audit_csv(state: &AppState, user: &UserRecord) -> AppResult<Vec<u8>> {
    let entries = audit_log(state, user, 10_000).await?;
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let _ = w.write_record([t().audit_when, t().audit_who, t().audit_action, t().audit_object, "before", "after"]);
        for e in entries {
            let _ = w.write_record([
                crate::domain::time::format_hanoi(e.at),
                e.actor_id.map(|a| a.to_string()).unwrap_or_default(),
                e.action,
                format!("{} {}", e.entity, e.entity_id),
                e.before.unwrap_or_default(),
                e.after.unwrap_or_default(),
            ]);
        }
        let _ = w.flush();
    }
    Ok(out)
}
