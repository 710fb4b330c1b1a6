//! Ranking and its tie-break chain.
//!
//! Entries are ordered by: score (higher first) → distance of the prediction
//! from the actual value (smaller first; only once the round is closed and the
//! actual value is known; no prediction ranks after any prediction) → time used
//! (shorter first) → submission time (earlier first). Entries equal on every key
//! share a rank, and the next rank skips ("1, 2, 2, 4").
use super::time::Millis;
use serde::{Deserialize, Serialize};

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankKey {
    pub score: i64,
    pub prediction: Option<i64>,
    pub time_used_ms: Millis,
    pub submitted_at: Millis,
}

impl RankKey {
    /// The sort key; `actual` is the predicted quantity's real value, once known.
    fn order(&self, actual: Option<i64>) -> (i64, i64, Millis, Millis) {
        let distance = match actual {
            None => 0,
            Some(a) => self.prediction.map(|p| (p - a).abs()).unwrap_or(i64::MAX),
        };
        (-self.score, distance, self.time_used_ms, self.submitted_at)
    }
}

/// Sorts `items` by their keys and returns the rank of each (1-based), in sorted order.
pub fn rank<T>(items: &mut [T], key: impl Fn(&T) -> RankKey, actual: Option<i64>) -> Vec<i64> {
    rank_by(items, |t| key(t).order(actual))
}

/// Sorts by any ordered key (smaller first); equal keys share a rank and the next rank skips.
pub fn rank_by<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) -> Vec<i64> {
    items.sort_by_key(&key);
    let mut ranks = Vec::with_capacity(items.len());
    for i in 0..items.len() {
        if i > 0 && key(&items[i]) == key(&items[i - 1]) {
            ranks.push(ranks[i - 1]);
        } else {
            ranks.push(i as i64 + 1);
        }
    }
    ranks
}

/// One participant's results over a contest's rounds.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ContestKey {
    /// Sum of the counted scores of every round.
    pub score: i64,
    /// Sum, over the closed rounds that ask a prediction, of the prediction's distance
    /// from the actual value (a missing prediction counts as `MISSING_PREDICTION`).
    pub distance: i64,
    /// Sum of the counted attempts' times.
    pub time_used_ms: Millis,
    /// The latest submission among the counted attempts.
    pub last_submitted_at: Millis,
}

/// The distance a missing prediction counts for in a contest's ranking.
pub const MISSING_PREDICTION: i64 = 1_000_000_000;

impl ContestKey {
    pub fn order(&self) -> (i64, i64, Millis, Millis) {
        (-self.score, self.distance, self.time_used_ms, self.last_submitted_at)
    }
}

/// Prize tiers ("Giải Nhất" × 1, "Giải Nhì" × 2 …) handed out down a ranking.
/// A tier takes its count of entries in rank order; entries tied on every key
/// with the last one taken share that prize too. Returns each entry's prize (by index).
pub fn award(ranks: &[i64], tiers: &[(String, usize)]) -> Vec<Option<String>> {
    let mut out = vec![None; ranks.len()];
    let mut i = 0;
    for (label, count) in tiers {
        let mut taken = 0;
        while i < ranks.len() && (taken < *count || (taken > 0 && ranks[i] == ranks[i - 1])) {
            out[i] = Some(label.clone());
            i += 1;
            taken += 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prizes_follow_ranks_and_ties_share() {
        let tiers = vec![("Nhất".to_string(), 1), ("Nhì".to_string(), 2), ("Ba".to_string(), 1)];
        let p = |v: Vec<Option<&str>>| v.into_iter().map(|o| o.map(str::to_string)).collect::<Vec<_>>();
        assert_eq!(award(&[1, 2, 3, 4, 5], &tiers), p(vec![Some("Nhất"), Some("Nhì"), Some("Nhì"), Some("Ba"), None]));
        // a tie at the first place: both take it, the next tiers follow on
        assert_eq!(award(&[1, 1, 3, 4, 5, 6], &tiers), p(vec![Some("Nhất"), Some("Nhất"), Some("Nhì"), Some("Nhì"), Some("Ba"), None]));
        // a tie across a tier's end is not cut
        assert_eq!(
            award(&[1, 2, 3, 3, 3, 6], &tiers),
            p(vec![Some("Nhất"), Some("Nhì"), Some("Nhì"), Some("Nhì"), Some("Nhì"), Some("Ba")])
        );
        assert_eq!(award(&[], &tiers), p(vec![]));
    }

    #[test]
    fn contest_ranking_chain() {
        let k = |score, distance, t, at| ContestKey { score, distance, time_used_ms: t, last_submitted_at: at };
        let mut items = vec![
            ("a", k(30, 5, 100, 9)),
            ("b", k(31, 900, 900, 9)),
            ("c", k(30, 2, 500, 9)),
            ("d", k(30, 2, 500, 9)),
            ("e", k(30, 2, 500, 1)),
        ];
        let ranks = rank_by(&mut items, |(_, k)| k.order());
        let got: Vec<(&str, i64)> = items.iter().zip(ranks).map(|((n, _), r)| (*n, r)).collect();
        assert_eq!(got, vec![("b", 1), ("e", 2), ("c", 3), ("d", 3), ("a", 5)]);
    }

    fn k(score: i64, prediction: Option<i64>, t: Millis, at: Millis) -> RankKey {
        RankKey { score, prediction, time_used_ms: t, submitted_at: at }
    }

    #[test]
    fn tie_break_chain() {
        // (name, key)
        let cases = [
            // before the round closes the prediction is ignored
            (
                None,
                vec![("a", k(9, Some(100), 50, 1)), ("b", k(10, None, 90, 2)), ("c", k(9, Some(5), 40, 3))],
                vec![("b", 1), ("c", 2), ("a", 3)],
            ),
            // once closed (actual = 7) the prediction distance comes before time
            (
                Some(7),
                vec![("a", k(9, Some(100), 50, 1)), ("b", k(10, None, 90, 2)), ("c", k(9, Some(5), 40, 3)), ("d", k(9, Some(9), 10, 4))],
                vec![("b", 1), ("d", 2), ("c", 3), ("a", 4)],
            ),
            // no prediction ranks after any prediction
            (Some(7), vec![("a", k(9, None, 1, 1)), ("b", k(9, Some(1000), 99, 99))], vec![("b", 1), ("a", 2)]),
            // then time used, then submission time
            (None, vec![("a", k(5, None, 30, 9)), ("b", k(5, None, 30, 8)), ("c", k(5, None, 20, 10))], vec![("c", 1), ("b", 2), ("a", 3)]),
            // equal on every key → equal rank, and the next rank skips
            (None, vec![("a", k(5, None, 30, 9)), ("b", k(5, None, 30, 9)), ("c", k(4, None, 1, 1))], vec![("a", 1), ("b", 1), ("c", 3)]),
            // equal distance on both sides of the actual value is a tie on that key
            (Some(10), vec![("a", k(5, Some(12), 30, 9)), ("b", k(5, Some(8), 30, 9))], vec![("a", 1), ("b", 1)]),
        ];
        for (actual, mut items, want) in cases {
            let ranks = rank(&mut items, |(_, key)| *key, actual);
            let got: Vec<(&str, i64)> = items.iter().zip(ranks).map(|((n, _), r)| (*n, r)).collect();
            // ties may come in either order: compare as sets of (name, rank)
            let mut g = got.clone();
            g.sort();
            let mut w = want.clone();
            w.sort();
            assert_eq!(g, w, "actual={actual:?}");
        }
    }
}
