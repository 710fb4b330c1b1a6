//! The unit tree: the city, its districts, and the communes and agencies below them.
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, strum::IntoStaticStr, strum::EnumString)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum UnitKind {
    City,
    District,
    Commune,
    Agency,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unit {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub kind: UnitKind,
    /// Number of officials expected to take part: the denominator of the participation rate.
    pub headcount: i64,
}

/// A unit with its depth and the names of its ancestors, in tree (pre-)order.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitNode {
    pub unit: Unit,
    pub depth: usize,
    /// "Thành phố Hà Nội › Huyện Ứng Hòa", without the unit itself.
    pub path: String,
}

/// Orders units as a tree (parents before children, siblings by name) with their
/// paths. Units whose parent is missing are treated as roots; cycles are cut.
pub fn flatten_tree(units: &[Unit]) -> Vec<UnitNode> {
    let ids: std::collections::HashSet<Uuid> = units.iter().map(|u| u.id).collect();
    let mut children: HashMap<Option<Uuid>, Vec<&Unit>> = HashMap::new();
    for u in units {
        let parent = u.parent_id.filter(|p| ids.contains(p));
        children.entry(parent).or_default().push(u);
    }
    for list in children.values_mut() {
        list.sort_by(|a, b| a.name.cmp(&b.name));
    }
    let mut out = Vec::with_capacity(units.len());
    let mut seen = std::collections::HashSet::new();
    fn walk(
        parent: Option<Uuid>,
        depth: usize,
        path: &str,
        children: &HashMap<Option<Uuid>, Vec<&Unit>>,
        seen: &mut std::collections::HashSet<Uuid>,
        out: &mut Vec<UnitNode>,
    ) {
        for u in children.get(&parent).into_iter().flatten() {
            if !seen.insert(u.id) {
                continue;
            }
            out.push(UnitNode { unit: (*u).clone(), depth, path: path.to_string() });
            let sub = if path.is_empty() { u.name.clone() } else { format!("{path} › {}", u.name) };
            walk(Some(u.id), depth + 1, &sub, children, seen, out);
        }
    }
    walk(None, 0, "", &children, &mut seen, &mut out);
    out
}

/// The unit and all its descendants.
pub fn subtree(units: &[Unit], root: Uuid) -> Vec<Uuid> {
    let mut out = vec![root];
    let mut i = 0;
    while i < out.len() {
        let cur = out[i];
        out.extend(units.iter().filter(|u| u.parent_id == Some(cur) && u.id != root).map(|u| u.id));
        i += 1;
    }
    out
}

/// One unit's counts for a round or a contest; added up the tree.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub headcount: i64,
    /// Members who started at least one attempt.
    pub participants: i64,
    pub attempts: i64,
    /// Members with a counted result.
    pub graded: i64,
    pub score_sum: i64,
    pub perfect: i64,
}

impl std::ops::AddAssign for Tally {
    fn add_assign(&mut self, o: Self) {
        self.headcount += o.headcount;
        self.participants += o.participants;
        self.attempts += o.attempts;
        self.graded += o.graded;
        self.score_sum += o.score_sum;
        self.perfect += o.perfect;
    }
}

impl Tally {
    /// participants ÷ headcount; 0 when the headcount is unknown.
    pub fn participation_rate(&self) -> f64 {
        if self.headcount > 0 {
            self.participants as f64 / self.headcount as f64
        } else {
            0.0
        }
    }

    /// Average counted score per participant (one who never finished counts 0).
    pub fn average_score(&self) -> f64 {
        self.score_sum as f64 / self.participants.max(1) as f64
    }
}

/// Each unit's total: its own tally plus those of every unit below it. A unit's
/// headcount is its own members, so a district's headcount is the sum of its units'.
pub fn rollup(units: &[Unit], own: &HashMap<Uuid, Tally>) -> HashMap<Uuid, Tally> {
    let ids: std::collections::HashSet<Uuid> = units.iter().map(|u| u.id).collect();
    let mut children: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    let mut roots = Vec::new();
    for u in units {
        match u.parent_id.filter(|p| ids.contains(p) && *p != u.id) {
            Some(p) => children.entry(p).or_default().push(u.id),
            None => roots.push(u.id),
        }
    }
    let heads: HashMap<Uuid, i64> = units.iter().map(|u| (u.id, u.headcount)).collect();
    let mut total: HashMap<Uuid, Tally> = HashMap::with_capacity(units.len());
    // depth-first, children before their parent; a unit seen twice (a cycle) is cut
    let mut seen = std::collections::HashSet::new();
    let mut stack: Vec<(Uuid, bool)> = roots.into_iter().map(|r| (r, false)).collect();
    while let Some((id, done)) = stack.pop() {
        if done {
            let mut t = own.get(&id).copied().unwrap_or_default();
            t.headcount = heads.get(&id).copied().unwrap_or(0);
            for c in children.get(&id).into_iter().flatten() {
                if let Some(ct) = total.get(c) {
                    t += *ct;
                }
            }
            total.insert(id, t);
        } else if seen.insert(id) {
            stack.push((id, true));
            stack.extend(children.get(&id).into_iter().flatten().map(|c| (*c, false)));
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rollup_adds_members_and_headcounts_up_the_tree() {
        let mut units =
            vec![unit(1, None, "Hà Nội"), unit(2, Some(1), "Ứng Hòa"), unit(3, Some(2), "Vân Đình"), unit(4, Some(2), "Trầm Lộng")];
        for (u, h) in units.iter_mut().zip([0, 10, 100, 50]) {
            u.headcount = h;
        }
        let own: HashMap<Uuid, Tally> = [
            (Uuid::from_u128(2), Tally { participants: 1, attempts: 2, graded: 1, score_sum: 9, perfect: 0, headcount: 0 }),
            (Uuid::from_u128(3), Tally { participants: 40, attempts: 55, graded: 38, score_sum: 300, perfect: 5, headcount: 0 }),
            (Uuid::from_u128(4), Tally { participants: 10, attempts: 10, graded: 10, score_sum: 100, perfect: 10, headcount: 0 }),
        ]
        .into();
        let t = rollup(&units, &own);
        assert_eq!(t[&Uuid::from_u128(3)], Tally { headcount: 100, ..own[&Uuid::from_u128(3)] });
        let district = t[&Uuid::from_u128(2)];
        assert_eq!(
            (district.headcount, district.participants, district.attempts, district.score_sum, district.perfect),
            (160, 51, 67, 409, 15)
        );
        assert_eq!(t[&Uuid::from_u128(1)].participants, 51);
        assert!((district.participation_rate() - 51.0 / 160.0).abs() < 1e-9);
        assert_eq!(Tally::default().participation_rate(), 0.0);
    }

    fn unit(id: u128, parent: Option<u128>, name: &str) -> Unit {
        Unit { id: Uuid::from_u128(id), parent_id: parent.map(Uuid::from_u128), name: name.into(), kind: UnitKind::Commune, headcount: 10 }
    }

    #[test]
    fn tree_order_and_paths() {
        let units = vec![unit(3, Some(1), "Xã B"), unit(1, None, "Hà Nội"), unit(2, Some(1), "Xã A"), unit(4, Some(2), "Thôn 1")];
        let flat = flatten_tree(&units);
        let names: Vec<_> = flat.iter().map(|n| (n.unit.name.as_str(), n.depth)).collect();
        assert_eq!(names, vec![("Hà Nội", 0), ("Xã A", 1), ("Thôn 1", 2), ("Xã B", 1)]);
        assert_eq!(flat[2].path, "Hà Nội › Xã A");
    }

    #[test]
    fn cycles_and_orphans_do_not_loop() {
        let units = vec![unit(1, Some(2), "A"), unit(2, Some(1), "B"), unit(3, Some(99), "C")];
        let flat = flatten_tree(&units);
        // the orphan is a root; the cycle has no root and is left out rather than looping
        assert_eq!(flat.len(), 1);
        assert_eq!(flat[0].unit.name, "C");
    }

    #[test]
    fn subtree_collects_descendants() {
        let units = vec![unit(1, None, "R"), unit(2, Some(1), "A"), unit(3, Some(2), "B"), unit(4, None, "X")];
        let mut s = subtree(&units, Uuid::from_u128(1));
        s.sort();
        assert_eq!(s, vec![Uuid::from_u128(1), Uuid::from_u128(2), Uuid::from_u128(3)]);
    }

    #[test]
    fn kinds_round_trip() {
        for k in [UnitKind::City, UnitKind::District, UnitKind::Commune, UnitKind::Agency] {
            assert_eq!(UnitKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(UnitKind::parse("ward"), None);
    }
}
