//! "Did you mean …?": the nearest known ids or names to one a person typed.
//!
//! Distance is Levenshtein's edit distance counted in characters (so 公共安全 vs 公共安金 is 1),
//! after lower-casing. A candidate is suggested when its distance is at most a third of the
//! longer string's length (at least 1), or when one string (of 3 characters or more)
//! contains the other.

/// Edit distance (insertions, deletions, substitutions) between two strings, in characters.
pub fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Up to `k` candidates close to `typed`, nearest first (ties in candidate order).
pub fn nearest<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>, k: usize) -> Vec<&'a str> {
    let t = typed.to_lowercase();
    let mut scored: Vec<(usize, usize, &'a str)> = candidates
        .into_iter()
        .enumerate()
        .filter_map(|(pos, c)| {
            let lc = c.to_lowercase();
            let d = levenshtein(&t, &lc);
            let longest = t.chars().count().max(lc.chars().count());
            let short = t.chars().count().min(lc.chars().count()) < 3;
            let contains = !short && (lc.contains(&t) || t.contains(&lc));
            (d <= (longest / 3).max(1) || contains).then_some((d, pos, c))
        })
        .collect();
    scored.sort_by_key(|&(d, pos, _)| (d, pos));
    let mut out: Vec<&'a str> = Vec::new();
    for (_, _, c) in scored {
        if !out.contains(&c) {
            out.push(c);
        }
        if out.len() == k {
            break;
        }
    }
    out
}

/// `"did you mean `a`, `b`?"`, or an empty string when nothing is close.
pub fn did_you_mean<'a>(typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let near = nearest(typed, candidates, 3);
    if near.is_empty() {
        String::new()
    } else {
        format!(
            "did you mean {}?",
            near.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")
        )
    }
}

/// `context` followed by a did-you-mean hint, joined with "; " when both are present.
pub fn with_hint<'a>(context: &str, typed: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    let hint = did_you_mean(typed, candidates);
    match (context.is_empty(), hint.is_empty()) {
        (_, true) => context.to_owned(),
        (true, false) => hint,
        (false, false) => format!("{context}; {hint}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_by_hand() {
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert_eq!(levenshtein("公共安全", "公共安金"), 1);
        assert_eq!(levenshtein("same", "same"), 0);
    }

    #[test]
    fn suggests_the_nearest_and_nothing_far() {
        let ids = ["safety", "rule_of_law", "services", "mediation_success_pct"];
        assert_eq!(nearest("safty", ids, 3), vec!["safety"]);
        assert_eq!(nearest("mediation", ids, 3), vec!["mediation_success_pct"]);
        assert!(nearest("zzzzzz", ids, 3).is_empty());
        assert!(
            nearest("safty", ["a", "b"], 3).is_empty(),
            "one-letter ids are not suggested for containment"
        );
        assert_eq!(did_you_mean("Safety", ids), "did you mean `safety`?");
        assert_eq!(with_hint("weight set", "zzz", ids), "weight set");
        assert_eq!(with_hint("weight set", "savety", ids), "weight set; did you mean `safety`?");
    }
}
