//! The unit tree: the city, its districts, and the communes and agencies below them.
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use uuid::Uuid;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    City,
    District,
    Commune,
    Agency,
}

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::City => "city",
            UnitKind::District => "district",
            UnitKind::Commune => "commune",
            UnitKind::Agency => "agency",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "city" => UnitKind::City,
            "district" => UnitKind::District,
            "commune" => UnitKind::Commune,
            "agency" => UnitKind::Agency,
            _ => return None,
        })
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

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
