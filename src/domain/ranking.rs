//! Ranking and its tie-break chain.
//!
//! Entries are ordered by: score (higher first) → distance of the prediction
//! from the actual value (smaller first; only once the round is closed and the
//! actual value is known; no prediction ranks after any prediction) → time used
//! (shorter first) → submission time (earlier first). Entries equal on every key
//! share a rank, and the next rank skips ("1, 2, 2, 4").
use super::time::Millis;
use serde::{Deserialize, Serialize};

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
    items.sort_by_key(|t| key(t).order(actual));
    let mut ranks = Vec::with_capacity(items.len());
    for i in 0..items.len() {
        if i > 0 && key(&items[i]).order(actual) == key(&items[i - 1]).order(actual) {
            ranks.push(ranks[i - 1]);
        } else {
            ranks.push(i as i64 + 1);
        }
    }
    ranks
}

#[cfg(test)]
mod tests {
    use super::*;

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
