//! Reading inputs: counts as a paper prints them (`7/1000`, `0.7%/1000`, `12/100000`,
//! `MEAN,SD,N`) and small CSV files (one row per stratum). Patient-level trial files come with the
//! ingestion layer (polars).

pub mod counts;
pub mod filter;
pub mod layout;
pub mod reader;
pub mod strata;
pub mod subjects;
pub mod table;

/// Closest candidate to `name` by edit distance (for "did you mean" hints), if reasonably close.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lname = name.to_ascii_lowercase();
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        let d = levenshtein(&lname, &c.to_ascii_lowercase());
        if best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.filter(|(d, c)| *d <= (c.len().max(name.len()) / 3).max(2)).map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut cur = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    #[test]
    fn closest_finds_misspelling() {
        let cols = ["stratum", "events_treated", "n_treated", "events_control", "n_control"];
        assert_eq!(super::closest("events_treatd", cols), Some("events_treated"));
        assert_eq!(super::closest("n_contrl", cols), Some("n_control"));
        assert_eq!(super::closest("zzzzzzzzzzzz", cols), None);
    }
}
