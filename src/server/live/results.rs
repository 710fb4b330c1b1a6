//! The whole ranking of a session, its XLSX export, and the join address as a QR code.
use super::*;
use crate::domain::live::{self};
use crate::error::AppResult;
use crate::i18n::{t, tl};
use crate::model::*;
use crate::server::service::internal;
use crate::server::state::AppState;
use crate::store::{LivePlayerRecord, LiveSessionRecord, UserRecord};
use std::collections::HashMap;
use uuid::Uuid;

/// The whole ranking (every participant and unit), for the results and the export.
pub async fn results(
    state: &AppState,
    user: &UserRecord,
    id: Uuid,
) -> AppResult<(LiveSessionRecord, Vec<LivePersonRow>, Vec<LiveUnitRow>)> {
    let s = session(state, id).await?;
    require_host(user, &s)?;
    let players = state.store.live_players(id).await.map_err(internal)?;
    let (people, units) = standings(&players, &state.units().await.map_err(internal)?);
    Ok((s, people.into_iter().map(|(_, row)| row).collect(), units))
}

pub(super) fn unit_names(units: &[crate::domain::units::Unit]) -> HashMap<Uuid, &str> {
    units.iter().map(|u| (u.id, u.name.as_str())).collect()
}

/// Every participant ranked (with their id), and the units by their members' average.
pub(super) fn standings(
    players: &[LivePlayerRecord],
    units: &[crate::domain::units::Unit],
) -> (Vec<(Uuid, LivePersonRow)>, Vec<LiveUnitRow>) {
    let names = unit_names(units);
    let name = |u: &Uuid| names.get(u).map(|n| n.to_string()).unwrap_or_default();
    let mut ranked: Vec<&LivePlayerRecord> = players.iter().collect();
    let ranks = crate::domain::ranking::rank_by(&mut ranked, |p| {
        live::Standing { points: p.points, correct: p.correct, time_ms: p.time_ms, joined_at: p.joined_at }.key()
    });
    let people = ranked
        .into_iter()
        .zip(ranks)
        .map(|(p, rank)| {
            let row = LivePersonRow {
                rank,
                name: p.name.clone(),
                unit_name: name(&p.unit_id),
                points: p.points,
                correct: p.correct,
                time_ms: p.time_ms,
                guest: p.user_id.is_none(),
            };
            (p.id, row)
        })
        .collect();
    let units = live::unit_scores(players.iter().map(|p| (p.unit_id, p.points)), |u| name(u))
        .into_iter()
        .map(|(rank, u)| LiveUnitRow { rank, unit_name: name(&u.unit), present: u.present, average: u.average })
        .collect();
    (people, units)
}

/// The session's results as XLSX: people, then units.
pub async fn export(state: &AppState, user: &UserRecord, id: Uuid) -> AppResult<(String, Vec<u8>)> {
    use crate::server::admin::{titled_sheet, xlsx_err as xlsx};
    let (s, people, units) = results(state, user, id).await?;
    let mut book = rust_xlsxwriter::Workbook::new();
    let head = [t().col_rank, t().col_name, t().col_unit, tl().col_correct, tl().col_points, t().col_time_seconds, tl().col_guest];
    let sheet = titled_sheet(&mut book, t().sheet_people, &head)?;
    for (i, p) in people.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number(row, 0, p.rank as f64).map_err(xlsx)?;
        sheet.write_string(row, 1, &p.name).map_err(xlsx)?;
        sheet.write_string(row, 2, &p.unit_name).map_err(xlsx)?;
        sheet.write_number(row, 3, p.correct as f64).map_err(xlsx)?;
        sheet.write_number(row, 4, p.points as f64).map_err(xlsx)?;
        sheet.write_number(row, 5, p.time_ms as f64 / 1000.0).map_err(xlsx)?;
        sheet.write_string(row, 6, if p.guest { tl().yes } else { "" }).map_err(xlsx)?;
    }
    let sheet = titled_sheet(&mut book, t().sheet_units, &[t().col_rank, t().col_unit, tl().col_present, tl().col_average])?;
    for (i, u) in units.iter().enumerate() {
        let row = i as u32 + 1;
        sheet.write_number(row, 0, u.rank as f64).map_err(xlsx)?;
        sheet.write_string(row, 1, &u.unit_name).map_err(xlsx)?;
        sheet.write_number(row, 2, u.present as f64).map_err(xlsx)?;
        sheet.write_number(row, 3, (u.average * 10.0).round() / 10.0).map_err(xlsx)?;
    }
    crate::server::admin::audit(state, user, "live.export", "live_session", id, None::<&()>, None::<&()>).await?;
    Ok((format!("truc-tiep-{}.xlsx", s.code), book.save_to_buffer().map_err(xlsx)?))
}

/// The join address as a QR code (SVG).
pub fn qr_svg(url: &str) -> AppResult<String> {
    use qrcode::render::svg;
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M).map_err(internal)?;
    Ok(code.render::<svg::Color>().min_dimensions(320, 320).quiet_zone(true).build())
}
