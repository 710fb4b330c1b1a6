//! Drawing a round's questions for one participant: topic quotas and a
//! difficulty mix, with the randomness injected so the rule stays testable.
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// How many questions to take per topic and per difficulty. Topics without a
/// quota fill the rest; an empty difficulty mix means any.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrawRules {
    #[serde(default)]
    pub topics: BTreeMap<String, i64>,
    #[serde(default)]
    pub difficulty: BTreeMap<i64, i64>,
}

/// A question a draw may take, borrowed from the pool (a draw runs at every start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate<'a> {
    pub topic: &'a str,
    pub difficulty: i64,
    /// A draw takes at most one candidate of a group (empty: a group of its own).
    pub group: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrawError {
    /// Quotas add up to more than the round's number of questions.
    QuotasExceedCount,
    /// Not enough active questions in this topic.
    TopicShort(String),
    /// Not enough active questions of this difficulty.
    DifficultyShort(i64),
    /// Not enough active questions at all.
    BankShort,
}

impl DrawRules {
    pub fn check(&self, n: i64) -> Result<(), DrawError> {
        fn bad<'a>(v: impl Iterator<Item = &'a i64> + Clone, n: i64) -> bool {
            v.clone().any(|x| *x < 0) || v.sum::<i64>() > n
        }
        if bad(self.topics.values(), n) || bad(self.difficulty.values(), n) {
            return Err(DrawError::QuotasExceedCount);
        }
        Ok(())
    }
}

/// Picks `n` distinct candidates (their indices). `random(k)` returns a number below `k`.
pub fn plan(cands: &[Candidate<'_>], rules: &DrawRules, n: usize, random: &mut dyn FnMut(usize) -> usize) -> Result<Vec<usize>, DrawError> {
    rules.check(n as i64)?;
    // a random order of all candidates (Fisher–Yates)
    let mut order: Vec<usize> = (0..cands.len()).collect();
    for i in (1..order.len()).rev() {
        order.swap(i, random(i + 1));
    }
    let mut demand: BTreeMap<i64, i64> = rules.difficulty.clone();
    let mut taken = vec![false; cands.len()];
    // a candidate whose group was drawn is taken too
    let mark = |taken: &mut Vec<bool>, i: usize| {
        taken[i] = true;
        if !cands[i].group.is_empty() {
            for (j, c) in cands.iter().enumerate() {
                if c.group == cands[i].group {
                    taken[j] = true;
                }
            }
        }
    };
    let mut out = Vec::with_capacity(n);
    // Takes up to `k` from `pool` (indices in random order): first what a difficulty
    // still in demand needs (anything when no mix is set), then difficulties outside the mix.
    let take = |pool: Vec<usize>, k: usize, taken: &mut Vec<bool>, out: &mut Vec<usize>, demand: &mut BTreeMap<i64, i64>| -> usize {
        let mut got = 0;
        for pass in 0..2 {
            for &i in &pool {
                if got == k {
                    return got;
                }
                let d = cands[i].difficulty;
                let ok = match pass {
                    0 => demand.is_empty() || demand.get(&d).is_some_and(|v| *v > 0),
                    _ => !demand.contains_key(&d),
                };
                if !taken[i] && ok {
                    mark(taken, i);
                    out.push(i);
                    got += 1;
                    if let Some(v) = demand.get_mut(&d) {
                        *v -= 1;
                    }
                }
            }
        }
        got
    };
    for (topic, quota) in &rules.topics {
        let pool: Vec<usize> = order.iter().copied().filter(|&i| cands[i].topic == topic.as_str()).collect();
        if take(pool, *quota as usize, &mut taken, &mut out, &mut demand) < *quota as usize {
            return Err(DrawError::TopicShort(topic.clone()));
        }
    }
    let rest = n - out.len();
    let pool: Vec<usize> = order.iter().copied().filter(|&i| !rules.topics.contains_key(cands[i].topic)).collect();
    let got = take(pool, rest, &mut taken, &mut out, &mut demand);
    if let Some((d, _)) = demand.iter().find(|(_, v)| **v > 0) {
        return Err(DrawError::DifficultyShort(*d));
    }
    if got < rest {
        return Err(DrawError::BankShort);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bank() -> Vec<Candidate<'static>> {
        let mut v = Vec::new();
        for (topic, count) in [("a", 10), ("b", 10), ("c", 10)] {
            for i in 0..count {
                v.push(Candidate { topic, difficulty: (i % 3) + 1, group: "" });
            }
        }
        v
    }

    /// A deterministic "random" source.
    fn lcg(seed: u64) -> impl FnMut(usize) -> usize {
        let mut s = seed;
        move |k| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            ((s >> 33) as usize) % k
        }
    }

    #[test]
    fn any_question_without_rules() {
        let b = bank();
        let picked = plan(&b, &DrawRules::default(), 20, &mut lcg(1)).unwrap();
        assert_eq!(picked.len(), 20);
        let mut d = picked.clone();
        d.sort();
        d.dedup();
        assert_eq!(d.len(), 20, "distinct");
    }

    #[test]
    fn quotas_and_mix_hold_for_many_seeds() {
        let b = bank();
        let rules = DrawRules { topics: [("a".to_string(), 4), ("b".to_string(), 3)].into(), difficulty: [(1, 5), (2, 3), (3, 2)].into() };
        for seed in 0..200 {
            let picked = plan(&b, &rules, 10, &mut lcg(seed)).unwrap_or_else(|e| panic!("seed {seed}: {e:?}"));
            assert_eq!(picked.len(), 10);
            let count = |f: &dyn Fn(&Candidate) -> bool| picked.iter().filter(|&&i| f(&b[i])).count();
            assert_eq!(count(&|c| c.topic == "a"), 4, "seed {seed}");
            assert_eq!(count(&|c| c.topic == "b"), 3, "seed {seed}");
            assert_eq!(count(&|c| c.topic == "c"), 3, "seed {seed}");
            assert_eq!(
                (count(&|c| c.difficulty == 1), count(&|c| c.difficulty == 2), count(&|c| c.difficulty == 3)),
                (5, 3, 2),
                "seed {seed}"
            );
        }
    }

    #[test]
    fn shortages_are_named() {
        let b = bank();
        let r = |topics: &[(&str, i64)], difficulty: &[(i64, i64)]| DrawRules {
            topics: topics.iter().map(|(t, n)| (t.to_string(), *n)).collect(),
            difficulty: difficulty.iter().copied().collect(),
        };
        assert_eq!(plan(&b, &r(&[("a", 11)], &[]), 20, &mut lcg(1)), Err(DrawError::TopicShort("a".into())));
        assert_eq!(plan(&b, &r(&[("x", 1)], &[]), 20, &mut lcg(1)), Err(DrawError::TopicShort("x".into())));
        assert_eq!(plan(&b, &r(&[], &[(1, 13)]), 20, &mut lcg(1)), Err(DrawError::DifficultyShort(1)), "12 easy questions exist");
        assert_eq!(plan(&b, &r(&[("a", 15), ("b", 10)], &[]), 20, &mut lcg(1)), Err(DrawError::QuotasExceedCount));
        assert_eq!(plan(&b, &DrawRules::default(), 31, &mut lcg(1)), Err(DrawError::BankShort));
    }

    /// A draw serves at most one question of a group, whatever the seed.
    #[test]
    fn one_question_per_group() {
        let mut b = bank();
        for (i, c) in b.iter_mut().enumerate() {
            c.group = match i % 6 {
                0 => "g0",
                3 => "g3",
                _ => "",
            };
        }
        for seed in 0..300 {
            let picked = plan(&b, &DrawRules::default(), 20, &mut lcg(seed)).unwrap();
            let groups: Vec<&str> = picked.iter().map(|&i| b[i].group).filter(|g| !g.is_empty()).collect();
            let mut distinct = groups.clone();
            distinct.sort();
            distinct.dedup();
            assert_eq!(groups.len(), distinct.len(), "seed {seed}: {groups:?}");
        }
        // 30 candidates, 10 of them in 2 groups: at most 22 distinct questions
        assert_eq!(plan(&b, &DrawRules::default(), 22, &mut lcg(1)).map(|p| p.len()), Ok(22));
        assert_eq!(plan(&b, &DrawRules::default(), 23, &mut lcg(1)), Err(DrawError::BankShort));
    }
}
