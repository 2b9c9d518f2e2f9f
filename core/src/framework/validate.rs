//! Spec → Framework: collect every problem, then build the arena.

use std::collections::HashMap;

use super::spec::{FrameworkSpec, FRAMEWORK_VERSION};
use super::tree::{Direction, Framework, Node, NodeKind};
use crate::error::{Error, Problem, ProblemKind, Result};

fn problem(node: Option<&str>, kind: ProblemKind, message: impl Into<String>) -> Problem {
    Problem {
        node: node.map(str::to_owned),
        kind,
        message: message.into(),
    }
}

pub(super) fn build(spec: FrameworkSpec) -> Result<Framework> {
    let mut problems = Vec::new();
    if spec.version != FRAMEWORK_VERSION {
        problems.push(problem(
            None,
            ProblemKind::Version,
            format!(
                "unsupported framework version {} (this zhili reads version {FRAMEWORK_VERSION})",
                spec.version
            ),
        ));
    }
    if spec.nodes.is_empty() {
        problems.push(problem(None, ProblemKind::Root, "the framework has no nodes"));
        return Err(Error::Framework(problems));
    }

    // Ids: empty and duplicate.
    let mut index: HashMap<String, usize> = HashMap::new();
    for (i, n) in spec.nodes.iter().enumerate() {
        if n.id.trim().is_empty() {
            problems.push(problem(None, ProblemKind::BadField, format!("node #{} has an empty id", i + 1)));
        } else if index.contains_key(&n.id) {
            problems.push(problem(
                Some(&n.id),
                ProblemKind::DuplicateId,
                format!("duplicate id `{}` (node #{})", crate::text::cut(&n.id), i + 1),
            ));
        } else {
            index.insert(n.id.clone(), i);
        }
    }

    // Parents.
    let mut parent: Vec<Option<usize>> = vec![None; spec.nodes.len()];
    let mut roots = Vec::new();
    for (i, n) in spec.nodes.iter().enumerate() {
        match n.parent.as_deref() {
            None | Some("") => roots.push(i),
            Some(p) => match index.get(p) {
                Some(&pi) if pi == i => problems.push(problem(Some(&n.id), ProblemKind::Cycle, "node is its own parent")),
                Some(&pi) => parent[i] = Some(pi),
                None => problems.push(problem(
                    Some(&n.id),
                    ProblemKind::UnknownParent,
                    format!("unknown parent `{}`", crate::text::cut(p)),
                )),
            },
        }
    }
    match roots.len() {
        1 => {}
        0 => problems.push(problem(None, ProblemKind::Root, "no root: every node has a parent")),
        _ => {
            let ids: Vec<&str> = roots.iter().map(|&r| spec.nodes[r].id.as_str()).collect();
            problems.push(problem(
                Some(ids[1]),
                ProblemKind::Root,
                format!("more than one root (nodes without parent): {}", ids.join(", ")),
            ));
        }
    }

    // Cycles: walk up from each node not yet seen, marking the path; meeting the current
    // path again closes a cycle, meeting an earlier walk's node cannot. Every node is walked
    // once (linear: 100,000 nodes must not cost 100,000² steps).
    let n_nodes = spec.nodes.len();
    const FRESH: usize = usize::MAX;
    const DONE: usize = usize::MAX - 1;
    // FRESH, DONE, or the start of the walk the node is on.
    let mut walk = vec![FRESH; n_nodes];
    let mut cycles: Vec<Vec<usize>> = Vec::new();
    for start in 0..n_nodes {
        let mut path = Vec::new();
        let mut cur = Some(start);
        while let Some(c) = cur {
            if walk[c] == start {
                // Back on this walk: `c` is on a cycle. Report it from its first node in
                // document order, following parents, as a reader would trace it.
                let first = path[path.iter().position(|&x| x == c).unwrap_or(0)..]
                    .iter()
                    .copied()
                    .min()
                    .unwrap_or(c);
                let mut members = vec![first];
                let mut x = parent[first];
                while let Some(m) = x.filter(|&m| m != first) {
                    members.push(m);
                    x = parent[m];
                }
                cycles.push(members);
                break;
            }
            if walk[c] != FRESH {
                break;
            }
            walk[c] = start;
            path.push(c);
            cur = parent[c];
        }
        for c in path {
            walk[c] = DONE;
        }
    }
    // One problem per cycle, in the document order of each cycle's first node.
    cycles.sort_by_key(|m| m[0]);
    for members in cycles {
        let path: Vec<&str> = members.iter().map(|&m| spec.nodes[m].id.as_str()).collect();
        problems.push(problem(
            Some(&spec.nodes[members[0]].id),
            ProblemKind::Cycle,
            format!("cycle in parents: {} -> {}", path.join(" -> "), spec.nodes[members[0]].id),
        ));
    }

    // Children.
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n_nodes];
    for (i, p) in parent.iter().enumerate() {
        if let Some(p) = p {
            children[*p].push(i);
        }
    }

    // Per-node fields.
    let mut kinds = vec![NodeKind::Indicator; n_nodes];
    let mut directions = vec![Direction::Benefit; n_nodes];
    for (i, n) in spec.nodes.iter().enumerate() {
        let id = Some(n.id.as_str());
        kinds[i] = match n.kind.as_deref().map(|k| k.trim().to_ascii_lowercase()) {
            None => {
                if children[i].is_empty() {
                    NodeKind::Indicator
                } else {
                    NodeKind::Aggregate
                }
            }
            Some(k) if k == "indicator" => {
                if !children[i].is_empty() {
                    problems.push(problem(
                        id,
                        ProblemKind::IndicatorWithChildren,
                        format!(
                            "indicator has children: {}",
                            children[i]
                                .iter()
                                .map(|&c| spec.nodes[c].id.as_str())
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    ));
                }
                NodeKind::Indicator
            }
            Some(k) if k == "aggregate" => {
                if children[i].is_empty() {
                    problems.push(problem(id, ProblemKind::ChildlessAggregate, "aggregate has no children"));
                }
                NodeKind::Aggregate
            }
            Some(k) => {
                problems.push(problem(
                    id,
                    ProblemKind::UnknownKind,
                    format!("unknown kind `{}` (expected indicator or aggregate)", crate::text::cut(&k)),
                ));
                NodeKind::Indicator
            }
        };
        if let Some(d) = &n.direction {
            match Direction::parse(d) {
                Some(d) => directions[i] = d,
                None => problems.push(problem(
                    id,
                    ProblemKind::UnknownDirection,
                    format!("unknown direction `{}` (expected benefit or cost)", crate::text::cut(d)),
                )),
            }
        }
        if !n.weight.is_finite() || n.weight < 0.0 {
            problems.push(problem(
                id,
                ProblemKind::BadWeight,
                format!("weight {} is not a finite non-negative number", n.weight),
            ));
        }
        if let Some([lo, hi]) = n.goalposts {
            if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                problems.push(problem(
                    id,
                    ProblemKind::BadField,
                    format!("goalposts [{lo}, {hi}] must be finite with lo < hi"),
                ));
            }
        }
        if let Some(t) = n.target {
            if !t.is_finite() {
                problems.push(problem(id, ProblemKind::BadField, format!("target {t} is not finite")));
            }
        }
    }
    for (i, ch) in children.iter().enumerate() {
        if !ch.is_empty() && ch.iter().all(|&c| spec.nodes[c].weight == 0.0) {
            problems.push(problem(
                Some(&spec.nodes[i].id),
                ProblemKind::ZeroSiblingWeights,
                "all children have weight 0",
            ));
        }
        // finite weights whose sum overflows would make every relative weight 0 or NaN
        let sum: f64 = ch.iter().map(|&c| spec.nodes[c].weight).sum();
        if ch.iter().all(|&c| spec.nodes[c].weight.is_finite()) && !sum.is_finite() {
            problems.push(problem(
                Some(&spec.nodes[i].id),
                ProblemKind::BadWeight,
                format!("the children's weights sum to {sum}: scale them down (only their ratios matter)"),
            ));
        }
    }

    if !problems.is_empty() {
        return Err(Error::Framework(problems));
    }

    // Levels (bottom-up) and depths (top-down); the tree is acyclic and rooted here.
    let root = roots[0];
    let mut order = Vec::with_capacity(n_nodes); // BFS from the root
    order.push(root);
    let mut k = 0;
    while k < order.len() {
        order.extend(children[order[k]].iter().copied());
        k += 1;
    }
    let mut depth = vec![0usize; n_nodes];
    for &i in &order {
        if let Some(p) = parent[i] {
            depth[i] = depth[p] + 1;
        }
    }
    let mut level = vec![1usize; n_nodes];
    for &i in order.iter().rev() {
        if let Some(m) = children[i].iter().map(|&c| level[c]).max() {
            level[i] = m + 1;
        }
    }

    let nodes: Vec<Node> = spec
        .nodes
        .iter()
        .enumerate()
        .map(|(i, n)| Node {
            id: n.id.clone(),
            name: n.name.clone(),
            parent: parent[i],
            children: children[i].clone(),
            kind: kinds[i],
            weight: n.weight,
            direction: directions[i],
            level: level[i],
            depth: depth[i],
            goalposts: n.goalposts,
            target: n.target,
            denominator: n.denominator.clone().filter(|d| !d.is_empty()),
            unit: n.unit.clone(),
        })
        .collect();
    let indicators: Vec<usize> = (0..n_nodes).filter(|&i| kinds[i] == NodeKind::Indicator).collect();
    let mut aggregates: Vec<usize> = (0..n_nodes).filter(|&i| kinds[i] == NodeKind::Aggregate).collect();
    aggregates.sort_by_key(|&i| level[i]); // stable: document order within a level
    Ok(Framework {
        spec,
        nodes,
        root,
        index,
        indicators,
        aggregates,
    })
}
