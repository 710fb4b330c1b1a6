//! Leaderboards and unit statistics, read from the aggregates the store keeps up
//! to date when attempts start and are graded (never by scanning attempts):
//! - unit boards for a round or a whole contest, at any level of the unit tree;
//! - the contest ranking (sum of each round's counted score);
//! - charts (participation per day, score distribution) and the projector board.
//!
//! A closed round that asks a prediction is "settled" the first time it is read:
//! each participation's distance from the actual value is written once, so the
//! boards stay index reads.
use super::service::{internal, user_entry};
use super::state::AppState;
use crate::domain::ranking::{award, rank_by};
use crate::domain::units::{rollup, Tally, Unit};
use crate::domain::RoundStatus;
use crate::error::{AppError, AppResult};
use crate::i18n::t;
use crate::model::*;
use crate::store::{AggScope, RoundRecord, UnitAgg, UserRecord};
use std::collections::HashMap;
use uuid::Uuid;

fn tallies(aggs: Vec<UnitAgg>) -> HashMap<Uuid, Tally> {
    aggs.into_iter()
        .map(|a| {
            let t = Tally {
                headcount: 0,
                participants: a.participants,
                attempts: a.attempts,
                graded: a.graded,
                score_sum: a.score_sum,
                perfect: a.perfect,
            };
            (a.unit_id, t)
        })
        .collect()
}

fn stat(unit_id: Uuid, name: String, t: &Tally) -> UnitStat {
    UnitStat {
        rank: 0,
        unit_id,
        unit_name: name,
        headcount: t.headcount,
        participants: t.participants,
        attempts: t.attempts,
        participation_rate: t.participation_rate(),
        average_score: t.average_score(),
        perfect_scores: t.perfect,
        prize: None,
        has_children: false,
        path: String::new(),
    }
}

/// Ranks units for the collective prize: by participation rate (or attempts),
/// then participants; equal on both → equal rank. Sorts `stats` in that order.
fn rank_units(stats: &mut [UnitStat], prize: Option<&CollectivePrize>, final_results: bool) {
    let by_attempts = prize.is_some_and(|p| p.by == "attempts");
    let key = |s: &UnitStat| {
        let primary = if by_attempts { s.attempts } else { (s.participation_rate * 1_000_000.0).round() as i64 };
        (-primary, -s.participants)
    };
    stats.sort_by(|a, b| key(a).cmp(&key(b)).then(a.unit_name.cmp(&b.unit_name)));
    let ranks = rank_by(stats, key);
    let prizes = match (prize, final_results) {
        (Some(p), true) => award(&ranks, &[(p.label.clone(), p.count)]),
        _ => vec![None; ranks.len()],
    };
    for ((s, r), p) in stats.iter_mut().zip(ranks).zip(prizes) {
        s.rank = r;
        s.prize = p;
    }
}

/// Sorts a board by one column; ties keep the rank order.
fn sort_stats(stats: &mut [UnitStat], sort: &str, descending: bool) {
    use std::cmp::Ordering;
    let f = |a: f64, b: f64| a.partial_cmp(&b).unwrap_or(Ordering::Equal);
    stats.sort_by(|a, b| {
        let o = match sort {
            "name" => crate::domain::text::fold(&a.unit_name).cmp(&crate::domain::text::fold(&b.unit_name)),
            "participants" => a.participants.cmp(&b.participants),
            "headcount" => a.headcount.cmp(&b.headcount),
            "attempts" => a.attempts.cmp(&b.attempts),
            "average" => f(a.average_score, b.average_score),
            "perfect" => a.perfect_scores.cmp(&b.perfect_scores),
            "rank" => a.rank.cmp(&b.rank),
            _ => f(a.participation_rate, b.participation_rate),
        };
        let o = if descending { o.reverse() } else { o };
        o.then(a.rank.cmp(&b.rank))
    });
}

/// The columns a unit board sorts by.
pub const SORTS: &[&str] = &["rank", "name", "headcount", "participants", "rate", "attempts", "average", "perfect"];

/// Statistics of every unit with members of its own taking part (no roll-up), ranked:
/// the exports' and the published results' unit sheet.
pub fn direct_stats(aggs: Vec<UnitAgg>, units: &[Unit], prize: Option<&CollectivePrize>, final_results: bool) -> Vec<UnitStat> {
    let names: HashMap<Uuid, &Unit> = units.iter().map(|u| (u.id, u)).collect();
    let mut stats: Vec<UnitStat> = tallies(aggs)
        .into_iter()
        .filter(|(_, t)| t.participants > 0)
        .map(|(id, mut t)| {
            let u = names.get(&id);
            t.headcount = u.map(|u| u.headcount).unwrap_or(0);
            stat(id, u.map(|u| u.name.clone()).unwrap_or_default(), &t)
        })
        .collect();
    rank_units(&mut stats, prize, final_results);
    stats
}

/// The value a closed round's predictions are measured against, from the aggregates.
async fn actual(state: &AppState, r: &RoundRecord) -> AppResult<i64> {
    let aggs = state.store.unit_aggs(AggScope::Round(r.id)).await.map_err(internal)?;
    Ok(if r.options.prediction_kind == "attempts" { aggs.iter().map(|a| a.attempts).sum() } else { aggs.iter().map(|a| a.perfect).sum() })
}

/// Writes (or clears) the prediction distances of a round when they no longer
/// match its state: set once it is closed, cleared if it is reopened.
pub async fn ensure_settled(state: &AppState, r: &RoundRecord) -> AppResult<()> {
    if r.prediction_prompt.is_none() {
        return Ok(());
    }
    let want = if r.rules().status(state.now()) == RoundStatus::Closed { Some(actual(state, r).await?) } else { None };
    if state.store.settlement(r.id).await.map_err(internal)? != want {
        state.store.settle_round(r.id, r.contest_id, want).await.map_err(internal)?;
    }
    Ok(())
}

async fn contest_rounds(state: &AppState, contest_id: Uuid) -> AppResult<Vec<RoundRecord>> {
    Ok(state.store.list_rounds().await.map_err(internal)?.into_iter().filter(|r| r.contest_id == contest_id).collect())
}

fn round_ref(r: &RoundRecord, now: i64) -> RoundRef {
    RoundRef { id: r.id, title: r.title.clone(), status: r.rules().status(now) }
}

/// The unit whose children a board lists by default: the contest's audience, or
/// the one unit at the top of the tree.
fn default_parent(units: &[Unit], audience: Option<Uuid>) -> Option<Uuid> {
    audience.or_else(|| {
        let mut roots = units.iter().filter(|u| u.parent_id.is_none());
        match (roots.next(), roots.next()) {
            (Some(r), None) => Some(r.id),
            _ => None,
        }
    })
}

/// What a unit board shows.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct BoardParams {
    pub parent: Option<Uuid>,
    pub q: Option<String>,
    pub sort: Option<String>,
    pub dir: Option<String>,
}

/// Units compared at one level of the tree (or every unit matching a search
/// below it), for a round (`round_id`) or for the whole contest.
pub async fn unit_board(state: &AppState, contest_id: Uuid, round_id: Option<Uuid>, p: BoardParams) -> AppResult<UnitBoard> {
    let contest = state.store.contest(contest_id).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_contest_not_found))?;
    let rounds = contest_rounds(state, contest_id).await?;
    let now = state.now();
    let round = match round_id {
        Some(id) => Some(rounds.iter().find(|r| r.id == id).ok_or_else(|| AppError::not_found(t().err_round_not_found))?),
        None => None,
    };
    let units = state.units().await.map_err(internal)?;
    let parent = match p.parent {
        Some(id) => {
            if !units.iter().any(|u| u.id == id) {
                return Err(AppError::not_found(t().err_unit_not_found));
            }
            Some(id)
        }
        None => default_parent(&units, contest.audience_unit_id),
    };
    let (aggs, final_results) = match round {
        Some(r) => (state.store.unit_aggs(AggScope::Round(r.id)).await.map_err(internal)?, r.rules().status(now) == RoundStatus::Closed),
        None => (
            state.store.unit_aggs(AggScope::Contest(contest_id)).await.map_err(internal)?,
            !rounds.is_empty() && rounds.iter().all(|r| r.rules().status(now) == RoundStatus::Closed),
        ),
    };
    let totals = rollup(&units, &tallies(aggs));
    let has_children: std::collections::HashSet<Uuid> = units.iter().filter_map(|u| u.parent_id).collect();
    let by_id: HashMap<Uuid, &Unit> = units.iter().map(|u| (u.id, u)).collect();
    let mk = |u: &Unit| {
        let mut s = stat(u.id, u.name.clone(), &totals.get(&u.id).copied().unwrap_or_default());
        s.has_children = has_children.contains(&u.id);
        s
    };
    let search = p.q.as_deref().map(str::trim).unwrap_or_default().chars().take(100).collect::<String>();
    let mut list: Vec<UnitStat> = if search.is_empty() {
        units.iter().filter(|u| u.parent_id == parent).map(mk).collect()
    } else {
        let nodes = crate::domain::units::flatten_tree(&units);
        let within: std::collections::HashSet<Uuid> = match parent {
            Some(root) => crate::domain::units::subtree(&units, root).into_iter().collect(),
            None => units.iter().map(|u| u.id).collect(),
        };
        nodes
            .iter()
            .filter(|n| Some(n.unit.id) != parent && within.contains(&n.unit.id) && crate::domain::text::matches(&search, &n.unit.name))
            .take(200)
            .map(|n| UnitStat { path: n.path.clone(), ..mk(&n.unit) })
            .collect()
    };
    let prize = contest.prizes.collective.as_ref();
    rank_units(&mut list, prize, final_results && search.is_empty());
    let sort = p.sort.filter(|s| SORTS.contains(&s.as_str())).unwrap_or_else(|| "rank".into());
    let descending = match p.dir.as_deref() {
        Some("asc") => false,
        Some(_) => true,
        None => sort != "name" && sort != "rank",
    };
    sort_stats(&mut list, &sort, descending);
    let mut path = Vec::new();
    let mut cur = parent;
    while let Some(id) = cur {
        let Some(u) = by_id.get(&id) else { break };
        path.push(UnitRef { id, name: u.name.clone() });
        cur = u.parent_id.filter(|p| *p != id);
        if path.len() > 32 {
            break;
        }
    }
    path.reverse();
    let total = match parent.and_then(|id| by_id.get(&id)) {
        Some(u) => mk(u),
        None => {
            let mut all = Tally::default();
            for u in units.iter().filter(|u| u.parent_id.is_none()) {
                all += totals.get(&u.id).copied().unwrap_or_default();
            }
            stat(Uuid::nil(), t().all_units.to_string(), &all)
        }
    };
    Ok(UnitBoard {
        contest_id,
        contest_title: contest.title.clone(),
        round: round.map(|r| round_ref(r, now)),
        rounds: rounds.iter().map(|r| round_ref(r, now)).collect(),
        path,
        total,
        units: list,
        sort,
        descending,
        search,
    })
}

/// How many rows to read to hand out `tiers` correctly (ties may share the last
/// prize) while showing `limit`.
fn rows_for_prizes(limit: i64, tiers: &[(String, usize)]) -> i64 {
    limit.max(tiers.iter().map(|t| t.1 as i64).sum::<i64>() * 2 + 10)
}

/// The unit (and everything below it) a board is narrowed to.
pub async fn unit_filter(state: &AppState, unit: Option<Uuid>) -> AppResult<Option<(UnitRef, Vec<Uuid>)>> {
    let Some(id) = unit else { return Ok(None) };
    let units = state.units().await.map_err(internal)?;
    let u = units.iter().find(|u| u.id == id).ok_or_else(|| AppError::not_found(t().err_unit_not_found))?;
    Ok(Some((UnitRef { id, name: u.name.clone() }, crate::domain::units::subtree(&units, id))))
}

/// The contest ranking (sum of each round's counted score), optionally narrowed to a unit.
pub async fn contest_ranking(
    state: &AppState,
    contest_id: Uuid,
    unit: Option<Uuid>,
    limit: usize,
    me: Option<&UserRecord>,
) -> AppResult<ContestRanking> {
    let contest = state.store.contest(contest_id).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_contest_not_found))?;
    let now = state.now();
    let rounds = contest_rounds(state, contest_id).await?;
    for r in &rounds {
        ensure_settled(state, r).await?;
    }
    let final_results = !rounds.is_empty() && rounds.iter().all(|r| r.rules().status(now) == RoundStatus::Closed);
    let filter = unit_filter(state, unit).await?;
    let limit = limit.clamp(1, 1_000_000) as i64;
    let tiers: Vec<(String, usize)> = if final_results && filter.is_none() {
        contest.prizes.individual.iter().map(|p| (p.label.clone(), p.count)).collect()
    } else {
        vec![]
    };
    let fetch = rows_for_prizes(limit, &tiers);
    let mut rows = state.store.contest_board(contest_id, filter.as_ref().map(|f| f.1.as_slice()), fetch).await.map_err(internal)?;
    let ranks = rank_by(&mut rows, |e| (-e.score, e.distance, e.time_used_ms, e.last_finished_at));
    let prizes = award(&ranks, &tiers);
    let entry = |e: crate::store::ContestEntryRecord, rank: i64, prize: Option<String>| ContestEntry {
        rank,
        is_me: me.is_some_and(|m| m.id == e.user_id),
        full_name: e.full_name,
        phone_masked: crate::domain::phone::mask(&e.phone),
        unit_name: e.unit_name,
        score: e.score,
        rounds: e.rounds,
        time_used_ms: e.time_used_ms,
        prize,
    };
    let entries: Vec<ContestEntry> =
        rows.into_iter().zip(ranks).zip(prizes).take(limit as usize).map(|((e, rank), prize)| entry(e, rank, prize)).collect();
    let me_entry = match me {
        Some(m) => match entries.iter().find(|e| e.is_me) {
            Some(e) => Some(e.clone()),
            None => match state.store.contest_position(contest_id, m.id).await.map_err(internal)? {
                Some((rank, score)) => Some(ContestEntry {
                    rank,
                    full_name: m.full_name.clone(),
                    phone_masked: crate::domain::phone::mask(&m.phone),
                    unit_name: String::new(),
                    score,
                    rounds: 0,
                    time_used_ms: 0,
                    prize: None,
                    is_me: true,
                }),
                None => None,
            },
        },
        None => None,
    };
    let units = state.units().await.map_err(internal)?;
    let aggs = state.store.unit_aggs(AggScope::Contest(contest_id)).await.map_err(internal)?;
    let units = direct_stats(aggs, &units, contest.prizes.collective.as_ref(), final_results);
    Ok(ContestRanking { contest_id, title: contest.title, entries, units, me: me_entry })
}

/// A round's unit statistics, unit by unit (no roll-up): the exports' sheet.
pub async fn round_units(state: &AppState, round_id: Uuid) -> AppResult<Vec<UnitStat>> {
    let round = state.store.get_round(round_id).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_round_not_found))?;
    let contest = state.store.contest(round.contest_id).await.map_err(internal)?;
    let units = state.units().await.map_err(internal)?;
    let aggs = state.store.unit_aggs(AggScope::Round(round_id)).await.map_err(internal)?;
    let closed = round.rules().status(state.now()) == RoundStatus::Closed;
    Ok(direct_stats(aggs, &units, contest.as_ref().and_then(|c| c.prizes.collective.as_ref()), closed))
}

/// Participation per day and the score distribution, for a round or the whole
/// contest; the days optionally narrowed to a unit and everything below it.
pub async fn charts(state: &AppState, contest_id: Uuid, round_id: Option<Uuid>, unit: Option<Uuid>) -> AppResult<Charts> {
    let rounds = contest_rounds(state, contest_id).await?;
    let (ids, scope, max_score): (Vec<Uuid>, Uuid, i64) = match round_id {
        Some(id) => {
            let r = rounds.iter().find(|r| r.id == id).ok_or_else(|| AppError::not_found(t().err_round_not_found))?;
            (vec![id], id, r.question_count)
        }
        None => (rounds.iter().map(|r| r.id).collect(), contest_id, rounds.iter().map(|r| r.question_count).sum()),
    };
    let filter = unit_filter(state, unit).await?;
    let days = state.store.daily_counts(&ids, filter.as_ref().map(|f| f.1.as_slice())).await.map_err(internal)?;
    let scores = state.store.score_distribution(scope).await.map_err(internal)?;
    Ok(Charts {
        days: days.into_iter().map(|d| DayCount { day: d.day, attempts: d.attempts, new_participants: d.new_participants }).collect(),
        scores: scores.into_iter().map(|(score, count)| ScoreCount { score, count }).collect(),
        max_score,
    })
}

/// The round's individual ranking, optionally narrowed to a unit and everything
/// below it (ranks are then within the unit). Once a round asking a prediction is
/// closed, the prediction's distance breaks ties after the score.
pub async fn leaderboard(
    state: &AppState,
    round_id: Uuid,
    unit: Option<Uuid>,
    limit: i64,
    me: Option<&UserRecord>,
) -> AppResult<Leaderboard> {
    let round = state.store.get_round(round_id).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_round_not_found))?;
    ensure_settled(state, &round).await?;
    let status = round.rules().status(state.now());
    let limit = limit.clamp(1, 1_000_000);
    let filter = unit_filter(state, unit).await?;
    let tiers: Vec<(String, usize)> = match (status, &filter) {
        (RoundStatus::Closed, None) => match state.store.contest(round.contest_id).await.map_err(internal)? {
            Some(c) => c.prizes.individual.into_iter().map(|p| (p.label, p.count)).collect(),
            None => vec![],
        },
        _ => vec![],
    };
    let fetch = rows_for_prizes(limit, &tiers);
    let mut rows = state.store.round_standings(round_id, filter.as_ref().map(|f| f.1.as_slice()), fetch).await.map_err(internal)?;
    let ranks = rank_by(&mut rows, |r| (-r.score, r.distance.unwrap_or(0), r.time_used_ms, r.finished_at));
    let prizes = award(&ranks, &tiers);
    let aggs = state.store.unit_aggs(AggScope::Round(round_id)).await.map_err(internal)?;
    let participants = match &filter {
        Some((_, ids)) => {
            let ids: std::collections::HashSet<&Uuid> = ids.iter().collect();
            aggs.iter().filter(|a| ids.contains(&a.unit_id)).map(|a| a.graded).sum()
        }
        None => aggs.iter().map(|a| a.graded).sum(),
    };
    let entries: Vec<LeaderboardEntry> = rows
        .into_iter()
        .zip(ranks)
        .zip(prizes)
        .take(limit as usize)
        .map(|((r, rank), prize)| LeaderboardEntry {
            rank,
            is_me: me.is_some_and(|m| m.id == r.user_id),
            full_name: r.full_name,
            phone_masked: crate::domain::phone::mask(&r.phone),
            unit_name: r.unit_name,
            score: r.score,
            max_score: round.question_count,
            time_used_ms: r.time_used_ms,
            submitted_at: r.finished_at,
            prize,
        })
        .collect();
    let me_entry = match me {
        Some(m) => match entries.iter().find(|e| e.is_me) {
            Some(e) if filter.is_none() => Some(e.clone()),
            _ => user_entry(state, &round, m).await?,
        },
        None => None,
    };
    Ok(Leaderboard { round_id, round_title: round.title.clone(), status, participants, entries, me: me_entry, unit: filter.map(|f| f.0) })
}

/// What the projector shows for a round: counters, the top ten and the units one
/// level below the contest's audience (or below the top of the tree).
pub async fn live_board(state: &AppState, round_id: Uuid) -> AppResult<LiveBoard> {
    let board = leaderboard(state, round_id, None, 10, None).await?;
    let round = state.store.get_round(round_id).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_round_not_found))?;
    let units = unit_board(state, round.contest_id, Some(round_id), BoardParams::default()).await?;
    Ok(LiveBoard {
        round_id,
        round_title: board.round_title,
        contest_title: units.contest_title,
        status: board.status,
        participants: units.total.participants,
        attempts: units.total.attempts,
        perfect: units.total.perfect_scores,
        entries: board.entries,
        units: units.units.into_iter().take(10).collect(),
    })
}
