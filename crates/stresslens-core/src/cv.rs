//! K-fold cross-validation folds grouped by post: all segments of one post land in the same fold, so a model is
//! never tested on a segment of a post it was trained on.

use std::collections::HashMap;

/// One fold: row indices to train on and to test on (both ascending).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fold {
    pub train: Vec<usize>,
    pub test: Vec<usize>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CvError {
    #[error("cross-validation needs at least 2 folds, got {0}")]
    TooFewFolds(usize),
    #[error("{folds} folds need at least {folds} distinct posts, the data has {groups}")]
    TooFewGroups { folds: usize, groups: usize },
}

/// A small deterministic generator (splitmix64): the folds depend on the seed only, on every platform.
#[derive(Debug, Clone)]
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        SplitMix64(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..bound` (bound > 0); the modulo bias is negligible for the sizes used here.
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next_u64() % bound as u64) as usize
    }
}

/// Splits rows into `k` folds by `group_ids`: groups are shuffled with `seed`, ordered by size (largest first,
/// shuffled order among equals), and each goes to the fold with the fewest rows so far (lowest index on ties),
/// which keeps fold sizes within one group of each other.
pub fn grouped_k_fold(group_ids: &[String], k: usize, seed: u64) -> Result<Vec<Fold>, CvError> {
    if k < 2 {
        return Err(CvError::TooFewFolds(k));
    }
    // Groups in order of first appearance, with their rows.
    let mut group_of: HashMap<&str, usize> = HashMap::new();
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (row, id) in group_ids.iter().enumerate() {
        let next = groups.len();
        let group = *group_of.entry(id.as_str()).or_insert(next);
        if group == next {
            groups.push(Vec::new());
        }
        groups[group].push(row);
    }
    if groups.len() < k {
        return Err(CvError::TooFewGroups {
            folds: k,
            groups: groups.len(),
        });
    }
    let mut rng = SplitMix64::new(seed);
    for i in (1..groups.len()).rev() {
        let j = rng.below(i + 1);
        groups.swap(i, j);
    }
    // Largest groups first (stable: equal sizes keep the shuffled order) keeps the folds balanced.
    groups.sort_by_key(|rows| std::cmp::Reverse(rows.len()));
    let mut fold_rows: Vec<Vec<usize>> = vec![Vec::new(); k];
    for group in groups {
        let smallest = (0..k).min_by_key(|&f| (fold_rows[f].len(), f)).unwrap_or(0);
        fold_rows[smallest].extend(group);
    }
    let mut fold_of = vec![0usize; group_ids.len()];
    for (fold, rows) in fold_rows.iter().enumerate() {
        for &row in rows {
            fold_of[row] = fold;
        }
    }
    Ok((0..k)
        .map(|fold| {
            let (test, train): (Vec<usize>, Vec<usize>) =
                (0..group_ids.len()).partition(|&row| fold_of[row] == fold);
            Fold { train, test }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn rows_of_one_post_stay_together_and_every_row_is_tested_once() {
        let groups: Vec<String> = (0..103).map(|i| format!("post-{}", i / 3)).collect();
        let folds = grouped_k_fold(&groups, 5, 9).unwrap();
        assert_eq!(folds.len(), 5);
        let mut tested = vec![0; groups.len()];
        for fold in &folds {
            assert_eq!(fold.train.len() + fold.test.len(), groups.len());
            for &row in &fold.test {
                tested[row] += 1;
                assert!(!fold.train.iter().any(|&t| groups[t] == groups[row]));
            }
            // 35 groups of 3 (one of 1): sizes within one group of each other
            assert!((18..=24).contains(&fold.test.len()), "{}", fold.test.len());
        }
        assert!(tested.iter().all(|&t| t == 1));
    }

    #[test]
    fn same_seed_same_folds_other_seed_other_folds() {
        let groups: Vec<String> = (0..60).map(|i| format!("p{}", i / 2)).collect();
        let a = grouped_k_fold(&groups, 4, 1).unwrap();
        assert_eq!(a, grouped_k_fold(&groups, 4, 1).unwrap());
        assert_ne!(a, grouped_k_fold(&groups, 4, 2).unwrap());
    }

    #[test]
    fn exact_assignment_for_a_tiny_set() {
        // Groups a(3 rows) b(1) c(1) d(1); the result is fixed by the seed.
        let groups = ids(&["a", "b", "a", "c", "a", "d"]);
        let folds = grouped_k_fold(&groups, 2, 0).unwrap();
        let tests: Vec<Vec<usize>> = folds.iter().map(|f| f.test.clone()).collect();
        // `a` (largest) goes first, to fold 0; b, c and d then all fit best in fold 1.
        assert_eq!(tests, vec![vec![0, 2, 4], vec![1, 3, 5]]);
    }

    #[test]
    fn too_few_folds_or_groups_are_errors() {
        assert_eq!(
            grouped_k_fold(&ids(&["a", "b"]), 1, 0),
            Err(CvError::TooFewFolds(1))
        );
        assert_eq!(
            grouped_k_fold(&ids(&["a", "a", "b"]), 3, 0),
            Err(CvError::TooFewGroups {
                folds: 3,
                groups: 2
            })
        );
    }
}
