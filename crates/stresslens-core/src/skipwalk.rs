//! Scoring a [`Forest`] on sparse rows by skipping the runs of "word absent" splits.
//!
//! The trees are grown to purity on word counts, so a walk mostly follows long chains of splits on words the post
//! does not contain (27 nodes per tree on the training posts, of which 5 matter), each a memory load and a compare
//! that can only go to the `<=` side.
//! In the depth-first layout the `<=` child of node `i` is node `i + 1`, so such a chain is a run of consecutive
//! node indices, and a walk can jump over the whole run at once if it knows where the run stops mattering.
//!
//! Nodes are split in two kinds when the index is built:
//! - **stop** nodes: leaves and every split on a feature that has a negative threshold somewhere (the
//!   standardised numeric features). A walk always looks at them (compare with the row's value).
//! - **skippable** nodes: splits on features whose thresholds are all `>= 0` (word counts and weights). For a
//!   feature absent from a sparse row (value 0) such a split always goes to `<=`. Per post, the few skippable
//!   splits that go the other way are *marked*: for each non-zero feature of the row, its splits with
//!   `threshold < value`, found in a per-feature list sorted by threshold.
//!
//! A walk then goes from node `i` to the first node at or after `i` that is a stop or marked (one bit scan over
//! `stop | marked`), decides there by comparing with the dense row, and repeats until a leaf. Every node it jumps
//! over is an unmarked skippable split, which goes to `i + 1` whatever the row: the answers equal
//! [`Forest::probability_dense`] exactly (a test compares them on random rows), for any row, including NaN
//! (which goes to `>` at a stop and marks every split of its feature).

use crate::forest::{depth_first_layout, CompactNode, Forest};

/// `feature` value of a leaf voting stress / no stress.
const LEAF_STRESS: u32 = u32::MAX;
const LEAF_CALM: u32 = u32::MAX - 1;

/// A [`Forest`] re-indexed for [`SkipWalkForest::probability`]. Built once per loaded model (a few ms).
#[derive(Debug, Clone)]
pub struct SkipWalkForest {
    width: usize,
    /// Index of each tree's root in the node arrays (trees stored one after another, each depth first).
    roots: Vec<u32>,
    nodes: Vec<Node>,
    /// Bit per node: always looked at by a walk.
    stop: Vec<u64>,
    /// Skippable splits of feature `f` are `by_feature_node[by_feature_start[f]..by_feature_start[f + 1]]`,
    /// ordered by threshold.
    by_feature_start: Vec<u32>,
    by_feature_node: Vec<u32>,
    /// The distinct thresholds of feature `f`, ascending, are `levels[level_start[f]..level_start[f + 1]]`, each
    /// with the end (in `by_feature_node`) of the splits at or below it. Word counts have a handful of levels
    /// (0.5, 1.5, ...), so a short forward scan finds the splits a value sends to `>`.
    level_start: Vec<u32>,
    levels: Vec<(f32, u32)>,
}

/// One node, 12 bytes (a walk reads one cache line per node it looks at).
#[derive(Debug, Clone, Copy)]
struct Node {
    threshold: f32,
    /// The split feature, or [`LEAF_STRESS`] / [`LEAF_CALM`].
    feature: u32,
    /// The `>` child (global index); the `<=` child of a split is the next node.
    if_gt: u32,
}

/// Trees walked together for one post, so that their memory loads overlap.
const LANES: usize = 16;

/// Per-post buffers of [`SkipWalkForest::probability`]; reuse between posts.
#[derive(Debug, Default, Clone)]
pub struct SkipWalkScratch {
    dense: Vec<f32>,
    marked: Vec<u64>,
}

impl SkipWalkForest {
    /// Re-indexes a validated forest.
    pub fn new(forest: &Forest) -> Result<SkipWalkForest, String> {
        let width = forest.width();
        let mut roots = Vec::with_capacity(forest.trees().len());
        let mut nodes: Vec<CompactNode> = Vec::new();
        for tree in forest.trees() {
            let start = u32::try_from(nodes.len()).map_err(|_| "forest too large".to_string())?;
            roots.push(start);
            // Re-laid out here so that the `<=` child is always the next node, whatever the artifact's order.
            nodes.extend(
                depth_first_layout(&tree.nodes)
                    .into_iter()
                    .map(|node| node.map_children(|child| child.saturating_add(start))),
            );
        }
        let count = nodes.len();
        u32::try_from(count).map_err(|_| "forest too large".to_string())?;

        let mut has_negative_threshold = vec![false; width];
        for node in &nodes {
            if let CompactNode::Split {
                feature, threshold, ..
            } = *node
            {
                let slot = has_negative_threshold
                    .get_mut(feature as usize)
                    .ok_or_else(|| format!("split on feature {feature}, the width is {width}"))?;
                *slot |= threshold < 0.0 || threshold.is_nan();
            }
        }

        let mut compact = Vec::with_capacity(count);
        let mut stop = vec![0u64; count.div_ceil(64)];
        let mut skippable: Vec<(u32, f32, u32)> = Vec::new();
        for (index, node) in nodes.iter().enumerate() {
            let is_stop = match *node {
                CompactNode::Leaf { stress } => {
                    compact.push(Node {
                        threshold: 0.0,
                        feature: if stress { LEAF_STRESS } else { LEAF_CALM },
                        if_gt: 0,
                    });
                    true
                }
                CompactNode::Split {
                    feature: f,
                    threshold: t,
                    if_le,
                    if_gt: gt,
                } => {
                    if if_le as usize != index + 1 || gt as usize <= index || gt as usize >= count {
                        return Err(format!("node {index} is not in depth-first order"));
                    }
                    compact.push(Node {
                        threshold: t,
                        feature: f,
                        if_gt: gt,
                    });
                    let dense_feature = has_negative_threshold[f as usize];
                    if !dense_feature {
                        skippable.push((f, t, index as u32));
                    }
                    dense_feature
                }
            };
            if is_stop {
                stop[index / 64] |= 1 << (index % 64);
            }
        }
        skippable.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
        let mut by_feature_start = vec![0u32; width + 1];
        for &(f, _, _) in &skippable {
            by_feature_start[f as usize + 1] += 1;
        }
        for f in 0..width {
            by_feature_start[f + 1] += by_feature_start[f];
        }
        let mut level_start = Vec::with_capacity(width + 1);
        let mut levels: Vec<(f32, u32)> = Vec::new();
        for f in 0..width {
            level_start.push(levels.len() as u32);
            let (start, end) = (
                by_feature_start[f] as usize,
                by_feature_start[f + 1] as usize,
            );
            let first_level = levels.len();
            for (offset, &(_, t, _)) in skippable[start..end].iter().enumerate() {
                let split_end = (start + offset + 1) as u32;
                let same_level =
                    levels.len() > first_level && levels.last().is_some_and(|l| l.0 == t);
                match levels.last_mut() {
                    Some(last) if same_level => last.1 = split_end,
                    _ => levels.push((t, split_end)),
                }
            }
        }
        level_start.push(levels.len() as u32);
        Ok(SkipWalkForest {
            width,
            roots,
            nodes: compact,
            stop,
            by_feature_start,
            by_feature_node: skippable.iter().map(|s| s.2).collect(),
            level_start,
            levels,
        })
    }

    pub fn width(&self) -> usize {
        self.width
    }

    /// Share of trees voting stress for a sparse row (`indices` ascending or not, each at most once), or `None`
    /// when an index is outside the width. Equal to [`Forest::probability_sparse`].
    pub fn probability(
        &self,
        indices: &[u32],
        values: &[f32],
        scratch: &mut SkipWalkScratch,
    ) -> Option<f64> {
        if self.roots.is_empty() || indices.iter().any(|&c| c as usize >= self.width) {
            return None;
        }
        // The dense row is all zeros between calls: only what this post sets is reset at the end.
        if scratch.dense.len() != self.width || scratch.marked.len() != self.stop.len() {
            scratch.dense = vec![0.0; self.width];
            scratch.marked = vec![0; self.stop.len()];
        } else {
            // A few kB; cheaper than remembering which words were marked (an unpredictable branch per mark).
            scratch.marked.fill(0);
        }
        for (&column, &value) in indices.iter().zip(values) {
            scratch.dense[column as usize] = value;
        }
        // From the dense row, so that a repeated index counts once, with its last value (as a dense walk sees it).
        for &column in indices {
            let value = scratch.dense[column as usize];
            self.mark_splits_going_right(column as usize, value, &mut scratch.marked);
        }
        let votes: u32 = self
            .roots
            .chunks(LANES)
            .map(|roots| self.walk_lanes(roots, &scratch.dense, &scratch.marked))
            .sum();
        for &column in indices {
            scratch.dense[column as usize] = 0.0;
        }
        Some(f64::from(votes) / self.roots.len() as f64)
    }

    /// Marks the skippable splits of `column` that `value` sends to `>`: those with `threshold < value` (all of
    /// them for NaN, as a compare would).
    fn mark_splits_going_right(&self, column: usize, value: f32, marked: &mut [u64]) {
        let start = self.by_feature_start[column] as usize;
        let levels =
            &self.levels[self.level_start[column] as usize..self.level_start[column + 1] as usize];
        let end = if value.is_nan() {
            self.by_feature_start[column + 1] as usize
        } else {
            levels
                .iter()
                .take_while(|(threshold, _)| *threshold < value)
                .last()
                .map_or(start, |&(_, end)| end as usize)
        };
        for &node in &self.by_feature_node[start..end] {
            marked[node as usize / 64] |= 1 << (node % 64);
        }
    }

    /// Votes for stress among the trees rooted at `roots` (at most [`LANES`]), walked in lockstep.
    /// Out-of-range indices cannot happen for an index built by [`new`](Self::new); such a walk ends with
    /// "no stress" instead of panicking.
    fn walk_lanes(&self, roots: &[u32], dense: &[f32], marked: &[u64]) -> u32 {
        let mut at = [usize::MAX; LANES];
        for (lane, &root) in at.iter_mut().zip(roots) {
            *lane = root as usize;
        }
        let mut votes = 0;
        let mut walking = roots.len();
        while walking > 0 {
            walking = 0;
            for node in at.iter_mut().filter(|node| **node != usize::MAX) {
                let Some(stop) = self.next_stop(*node, marked) else {
                    *node = usize::MAX;
                    continue;
                };
                let Some(&Node {
                    threshold,
                    feature,
                    if_gt,
                }) = self.nodes.get(stop)
                else {
                    *node = usize::MAX;
                    continue;
                };
                if feature >= LEAF_CALM {
                    votes += u32::from(feature == LEAF_STRESS);
                    *node = usize::MAX;
                    continue;
                }
                let value = dense.get(feature as usize).copied().unwrap_or(0.0);
                *node = if value <= threshold {
                    stop + 1
                } else {
                    if_gt as usize
                };
                walking += 1;
            }
        }
        votes
    }

    /// The first node at or after `node` that a walk must look at: a stop or a marked split.
    fn next_stop(&self, node: usize, marked: &[u64]) -> Option<usize> {
        let mut word = node / 64;
        let mut bits = (self.stop.get(word)? | marked.get(word)?) & (u64::MAX << (node % 64));
        while bits == 0 {
            word += 1;
            bits = self.stop.get(word)? | marked.get(word)?;
        }
        Some(word * 64 + bits.trailing_zeros() as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::forest::{train, tree_seed, DenseColumns, ForestParams};

    /// Deterministic pseudo-random numbers in [0, 1).
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> f32 {
            self.0 = tree_seed(self.0, 1);
            (self.0 >> 40) as f32 / (1u64 << 24) as f32
        }
    }

    const WORDS: usize = 40;
    const NUMERIC: usize = 3;

    /// Sparse word counts (features 0..40) and standardised numeric columns (40..43), labels from both.
    fn sparse_data(n: usize, rng: &mut Rng) -> (DenseColumns, Vec<u8>) {
        let width = WORDS + NUMERIC;
        let mut values = vec![0f32; n * width];
        let mut labels = Vec::with_capacity(n);
        for row in 0..n {
            let mut score = 0.0;
            for word in 0..WORDS {
                if rng.next() < 0.08 {
                    let count = 1.0 + (rng.next() * 3.0).floor();
                    values[word * n + row] = count;
                    score += if word % 3 == 0 { count } else { -0.3 * count };
                }
            }
            for j in 0..NUMERIC {
                let v = rng.next() * 4.0 - 2.0;
                values[(WORDS + j) * n + row] = v;
                score += v * (j as f32 - 1.0);
            }
            labels.push(u8::from(score + rng.next() - 0.5 > 0.0));
        }
        (
            DenseColumns {
                n_rows: n,
                n_cols: width,
                values,
            },
            labels,
        )
    }

    fn forest(seed: u64) -> Forest {
        let mut rng = Rng(seed);
        let (x, labels) = sparse_data(400, &mut rng);
        let params = ForestParams {
            n_trees: 25,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            mtry: Some(6),
            seed,
        };
        train(&x, &labels, &params, &|| {}).unwrap()
    }

    /// A random sparse row, with the awkward values a caller could pass: zeros, negatives, NaN, repeats.
    fn random_row(rng: &mut Rng, width: usize) -> (Vec<u32>, Vec<f32>) {
        let mut indices = Vec::new();
        let mut values = Vec::new();
        for column in 0..width as u32 {
            if rng.next() < 0.2 {
                indices.push(column);
                let r = rng.next();
                values.push(match (r * 20.0) as u32 {
                    0 => f32::NAN,
                    1 => 0.0,
                    2 => -1.5,
                    3 => 0.5,
                    _ => (rng.next() * 8.0 - 2.0).round() / 2.0,
                });
            }
        }
        if let (Some(&first), true) = (indices.first(), rng.next() < 0.3) {
            indices.push(first);
            values.push(rng.next() * 3.0);
        }
        (indices, values)
    }

    #[test]
    fn skip_walk_equals_the_dense_walk_on_random_rows() {
        let mut rng = Rng(99);
        for seed in [1, 2, 3] {
            let forest = forest(seed);
            let index = SkipWalkForest::new(&forest).unwrap();
            assert!(
                index.stop.iter().map(|w| w.count_ones()).sum::<u32>() < index.nodes.len() as u32,
                "some splits must be skippable for the test to mean anything"
            );
            let mut scratch = SkipWalkScratch::default();
            let mut dense_scratch = Vec::new();
            for _ in 0..2_000 {
                let (indices, values) = random_row(&mut rng, forest.width());
                assert_eq!(
                    index.probability(&indices, &values, &mut scratch),
                    forest.probability_sparse(&indices, &values, &mut dense_scratch),
                    "seed {seed} row {indices:?} {values:?}"
                );
            }
        }
    }

    #[test]
    fn buffers_are_clean_after_each_post() {
        let forest = forest(4);
        let index = SkipWalkForest::new(&forest).unwrap();
        let mut scratch = SkipWalkScratch::default();
        let empty = index.probability(&[], &[], &mut scratch);
        let all: Vec<u32> = (0..forest.width() as u32).collect();
        let _ = index.probability(&all, &vec![9.0; all.len()], &mut scratch);
        assert_eq!(index.probability(&[], &[], &mut scratch), empty);
        assert!(scratch.dense.iter().all(|&v| v == 0.0));
    }

    #[test]
    fn out_of_range_columns_give_none() {
        let forest = forest(5);
        let index = SkipWalkForest::new(&forest).unwrap();
        let mut scratch = SkipWalkScratch::default();
        let width = forest.width() as u32;
        assert_eq!(
            index.probability(&[0, width], &[1.0, 1.0], &mut scratch),
            None
        );
        assert!(index
            .probability(&[width - 1], &[1.0], &mut scratch)
            .is_some());
        assert!(scratch.dense.iter().all(|&v| v == 0.0));
    }
}
