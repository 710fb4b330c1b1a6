//! Contest-wide ranking (the sum of each round's counted score) and unit
//! statistics for rounds and contests, with prizes once results are final.
use super::service::internal;
use super::state::AppState;
use crate::domain::ranking::{award, rank_by, ContestKey, MISSING_PREDICTION};
use crate::domain::RoundStatus;
use crate::error::{AppError, AppResult};
use crate::i18n::t;
use crate::model::*;
use crate::store::{ContestPart, RoundRecord, Store};
use std::collections::HashMap;
use uuid::Uuid;

/// The actual value a round's prediction is measured against, once it is closed.
fn actual(r: &RoundRecord, parts: &[ContestPart], now: i64) -> Option<i64> {
    if r.prediction_prompt.is_none() || r.rules().status(now) != RoundStatus::Closed {
        return None;
    }
    let mine = parts.iter().filter(|p| p.round_id == r.id);
    Some(if r.options.prediction_kind == "attempts" {
        mine.map(|p| p.attempts_started).sum()
    } else {
        mine.filter(|p| p.best_score == Some(r.question_count)).count() as i64
    })
}

/// Unit statistics over `parts` (one or several rounds), ranked for the collective prize.
pub fn unit_stats(
    parts: &[ContestPart],
    rounds: &[RoundRecord],
    units: &[crate::domain::units::Unit],
    prize: Option<&CollectivePrize>,
    final_results: bool,
) -> Vec<UnitStat> {
    struct Acc {
        users: HashMap<Uuid, i64>,
        attempts: i64,
        perfect: i64,
        name: String,
    }
    let max: HashMap<Uuid, i64> = rounds.iter().map(|r| (r.id, r.question_count)).collect();
    let mut by_unit: HashMap<Uuid, Acc> = HashMap::new();
    for p in parts.iter().filter(|p| p.attempts_started > 0) {
        let a =
            by_unit.entry(p.unit_id).or_insert_with(|| Acc { users: HashMap::new(), attempts: 0, perfect: 0, name: p.unit_name.clone() });
        *a.users.entry(p.user_id).or_default() += p.best_score.unwrap_or(0);
        a.attempts += p.attempts_started;
        if p.best_score.is_some() && p.best_score == max.get(&p.round_id).copied() {
            a.perfect += 1;
        }
    }
    let mut stats: Vec<UnitStat> = by_unit
        .into_iter()
        .map(|(unit_id, a)| {
            let headcount = units.iter().find(|u| u.id == unit_id).map(|u| u.headcount).unwrap_or(0);
            let participants = a.users.len() as i64;
            UnitStat {
                rank: 0,
                unit_id,
                unit_name: a.name,
                headcount,
                participants,
                attempts: a.attempts,
                participation_rate: if headcount > 0 { participants as f64 / headcount as f64 } else { 0.0 },
                average_score: a.users.values().sum::<i64>() as f64 / participants.max(1) as f64,
                perfect_scores: a.perfect,
                prize: None,
            }
        })
        .collect();
    let by_attempts = prize.is_some_and(|p| p.by == "attempts");
    // larger first: rate (or attempts), then participants; equal on both → equal rank
    let key = |s: &UnitStat| {
        let primary = if by_attempts { s.attempts } else { (s.participation_rate * 1_000_000.0).round() as i64 };
        (-primary, -s.participants)
    };
    stats.sort_by(|a, b| key(a).cmp(&key(b)).then(a.unit_name.cmp(&b.unit_name)));
    let ranks = rank_by(&mut stats, key);
    let prizes = match (prize, final_results) {
        (Some(p), true) => award(&ranks, &[(p.label.clone(), p.count)]),
        _ => vec![None; ranks.len()],
    };
    for ((s, r), p) in stats.iter_mut().zip(ranks).zip(prizes) {
        s.rank = r;
        s.prize = p;
    }
    stats
}

pub async fn contest_ranking(state: &AppState, contest_id: Uuid, limit: usize) -> AppResult<ContestRanking> {
    let contest = state.store.contest(contest_id).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_contest_not_found))?;
    let now = state.now();
    let rounds: Vec<RoundRecord> =
        state.store.list_rounds().await.map_err(internal)?.into_iter().filter(|r| r.contest_id == contest_id).collect();
    let parts = state.store.contest_parts(contest_id).await.map_err(internal)?;
    let units = state.store.list_units().await.map_err(internal)?;
    let final_results = !rounds.is_empty() && rounds.iter().all(|r| r.rules().status(now) == RoundStatus::Closed);
    let actuals: HashMap<Uuid, i64> = rounds.iter().filter_map(|r| actual(r, &parts, now).map(|a| (r.id, a))).collect();

    struct Person {
        name: String,
        phone: String,
        unit: String,
        key: ContestKey,
        rounds: i64,
    }
    let mut people: HashMap<Uuid, Person> = HashMap::new();
    for p in parts.iter().filter(|p| p.best_score.is_some()) {
        let e = people.entry(p.user_id).or_insert_with(|| Person {
            name: p.full_name.clone(),
            phone: p.phone.clone(),
            unit: p.unit_name.clone(),
            key: ContestKey::default(),
            rounds: 0,
        });
        e.key.score += p.best_score.unwrap_or(0);
        e.key.time_used_ms += p.best_time_ms.unwrap_or(0);
        e.key.last_submitted_at = e.key.last_submitted_at.max(p.best_finished_at.unwrap_or(0));
        e.rounds += 1;
    }
    // every closed round with a prediction adds its distance, a missing prediction counting as far
    for (round_id, actual) in &actuals {
        for (user, person) in people.iter_mut() {
            let pred = parts.iter().find(|p| p.user_id == *user && p.round_id == *round_id).and_then(|p| p.prediction);
            person.key.distance += pred.map(|p| (p - actual).abs()).unwrap_or(MISSING_PREDICTION);
        }
    }
    let mut list: Vec<Person> = people.into_values().collect();
    let ranks = rank_by(&mut list, |p| p.key.order());
    let tiers: Vec<(String, usize)> =
        if final_results { contest.prizes.individual.iter().map(|p| (p.label.clone(), p.count)).collect() } else { vec![] };
    let prizes = award(&ranks, &tiers);
    let entries = list
        .into_iter()
        .zip(ranks)
        .zip(prizes)
        .take(limit)
        .map(|((p, rank), prize)| ContestEntry {
            rank,
            full_name: p.name,
            phone_masked: crate::domain::phone::mask(&p.phone),
            unit_name: p.unit,
            score: p.key.score,
            rounds: p.rounds,
            time_used_ms: p.key.time_used_ms,
            prize,
        })
        .collect();
    let units = unit_stats(&parts, &rounds, &units, contest.prizes.collective.as_ref(), final_results);
    Ok(ContestRanking { contest_id, title: contest.title, entries, units })
}

/// A round's unit statistics.
pub async fn round_units(state: &AppState, round_id: Uuid) -> AppResult<Vec<UnitStat>> {
    let round = state.store.get_round(round_id).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_round_not_found))?;
    let contest = state.store.contest(round.contest_id).await.map_err(internal)?;
    let parts: Vec<ContestPart> =
        state.store.contest_parts(round.contest_id).await.map_err(internal)?.into_iter().filter(|p| p.round_id == round_id).collect();
    let units = state.store.list_units().await.map_err(internal)?;
    let closed = round.rules().status(state.now()) == RoundStatus::Closed;
    Ok(unit_stats(&parts, std::slice::from_ref(&round), &units, contest.as_ref().and_then(|c| c.prizes.collective.as_ref()), closed))
}
