//! Scoring a [`Forest`] on sparse rows by skipping the runs of "word absent" splits.
//!
//! The trees are grown to purity on word counts, so a walk mostly follows long chains of splits on words the post
//! does not contain (27 nodes per tree on the training posts, of which about 7 matter), each a memory load and a
//! compare that can only go to the `<=` side. Trees are laid out depth first with the `<=` child right after its
//! parent, so such a chain is a run of consecutive nodes, and a walk can jump over the whole run at once if it
//! knows where the run stops mattering.
//!
//! What is stored, one after another for all trees in that order, are *positions*: the splits, and the leaves
//! that are a `<=` child. A leaf that is a `>` child lives in its parent instead, so the structure that walks read
//! at random is a third smaller than the trees. Features are of two kinds:
//! - **word** features: every threshold is `>= 0` (counts and weights). An absent word (value 0) sends every one
//!   of its splits to `<=`. Per post, the few word splits that go to `>` are *marked*: for each non-zero word of
//!   the row, its splits with `threshold < value`, found in a per-feature list sorted by threshold.
//! - **dense** features: some threshold is negative (the standardised numeric features). Each distinct threshold
//!   of a dense feature is a *level*; per post, one binary search per dense feature counts the levels its value
//!   exceeds, so a dense split decides by comparing its level with that count (no row value or threshold load).
//!
//! Dense splits and leaves are *stops*. A walk goes from position `i` to the first position at or after `i` that
//! is a stop or a marked split (one bit scan over a per-post copy of the stops with the marks added), and there:
//! a leaf is the tree's vote, a marked split goes to its `>` child, a dense split to whichever side its level
//! says. Every position it jumps over is an unmarked word split, whose `<=` child is the next position: where the
//! dense walk goes too, whatever the row. So the answers equal [`Forest::probability_dense`] exactly (tests compare
//! them on random rows, NaN and negative values included: NaN exceeds no threshold in a compare, so it goes to `>`
//! everywhere, and here it marks every split of its word and counts as above every level of its dense feature).
//!
//! On a CPU with AVX-512 the walks run 8 to a vector (`skipwalk/avx512.rs`). Otherwise four walks go in lockstep
//! so that their memory loads overlap: on the default model 4 measured fastest (8, 16 and 32 were 15-20% slower,
//! perhaps because four neighbouring trees, about 20 kB of positions, fit the L1 cache), and a 4-byte packed
//! position and lanes that take the next tree as soon as theirs ends were slower too. A step chooses its side
//! without a branch (the side a split sends a post to is a coin toss for the branch predictor).

use crate::forest::{depth_first_layout, CompactNode, Forest};

#[cfg(target_arch = "x86_64")]
mod avx512;

/// [`Position::gt`]: the `>` child is a leaf (then [`LEAF_STRESS`] is its vote); otherwise it is a position.
const LEAF: u32 = 1 << 31;
const LEAF_STRESS: u32 = 1 << 30;
/// [`Position::test`] of a split of a dense feature: [`DENSE`], the feature's slot (its index in
/// [`SkipWalkForest::dense`]) and the split's level among the feature's thresholds (0 = the lowest).
const DENSE: u32 = 1 << 31;
const SLOT_SHIFT: u32 = 21;
const SLOT_MASK: u32 = (1 << 10) - 1;
const LEVEL_MASK: u32 = (1 << SLOT_SHIFT) - 1;
/// Positions must leave the [`LEAF`] bits free.
const MAX_POSITIONS: usize = 1 << 30;

/// A split or a `<=` leaf, 8 bytes. A walk needs no feature or threshold here: a word split it stops at is marked
/// (it goes to `>`), a dense split's level gives the answer, and a leaf is encoded as a split that always goes
/// to `>`, into [`LEAF`] with its vote.
#[derive(Debug, Clone, Copy)]
#[repr(C)] // the AVX-512 walk loads it as one little-endian u64
struct Position {
    gt: u32,
    test: u32,
}

/// The thresholds of one dense feature are `levels[start..end]`, ascending and distinct.
#[derive(Debug, Clone)]
struct DenseFeature {
    feature: u32,
    start: u32,
    end: u32,
}

/// A [`Forest`] re-indexed for [`SkipWalkForest::probability`]. Built once per loaded model (a few ms).
#[derive(Debug, Clone)]
pub struct SkipWalkForest {
    width: usize,
    trees: usize,
    /// Stress votes of the trees that are a single leaf.
    constant_stress_votes: u32,
    /// Position of every other tree's root.
    roots: Vec<u32>,
    /// The same as u64, then [`avx512::LANES`] times `parked` (the AVX-512 walk loads 8 at a time).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    lane_roots: Vec<i64>,
    /// Walk with AVX-512 (when the CPU has it).
    #[cfg_attr(not(target_arch = "x86_64"), allow(dead_code))]
    use_avx512: bool,
    positions: Vec<Position>,
    /// A leaf after all trees, where parked lanes step.
    parked: u32,
    /// Bit per position: a dense split or a leaf; then a zero word (the AVX-512 walk loads a word past the one it
    /// scans).
    stop: Vec<u64>,
    /// Word splits of feature `f` are `word_splits[word_start[f]..word_start[f + 1]]`, ordered by threshold.
    word_start: Vec<u32>,
    word_splits: Vec<u32>,
    /// The distinct thresholds of word feature `f`, ascending, are `word_levels[word_level_start[f]..
    /// word_level_start[f + 1]]`, each with the end (in `word_splits`) of the splits at or below it. Word counts
    /// have a handful of levels (0.5, 1.5, ...), so a short forward scan finds the splits a value sends to `>`.
    word_level_start: Vec<u32>,
    word_levels: Vec<(f32, u32)>,
    dense: Vec<DenseFeature>,
    levels: Vec<f32>,
}

/// Entries of [`SkipWalkScratch::levels_below`] at least.
const MIN_SLOTS: usize = 8;

/// Walks in lockstep (module docs).
const LANES: usize = 4;

/// Per-post buffers of [`SkipWalkForest::probability`]; reuse between posts.
#[derive(Debug, Default, Clone)]
pub struct SkipWalkScratch {
    /// The row's values by column; all zeros between calls.
    row: Vec<f32>,
    /// Bit per position: a stop, or a word split this post sends to `>`.
    looked_at: Vec<u64>,
    /// Per dense feature (by slot): how many of its levels this post's value is above; a dense split goes to `>`
    /// when its level is below that. At least [`MIN_SLOTS`] entries (the AVX-512 walk loads 8).
    levels_below: Vec<i64>,
}

impl SkipWalkForest {
    /// Re-indexes a validated forest.
    pub fn new(forest: &Forest) -> Result<SkipWalkForest, String> {
        let width = forest.width();
        let mut dense_feature = vec![false; width];
        for tree in forest.trees() {
            for node in &tree.nodes {
                if let CompactNode::Split {
                    feature, threshold, ..
                } = *node
                {
                    if threshold.is_nan() {
                        return Err(format!("a split on feature {feature} has a NaN threshold"));
                    }
                    let slot = dense_feature.get_mut(feature as usize).ok_or_else(|| {
                        format!("split on feature {feature}, the width is {width}")
                    })?;
                    *slot |= threshold < 0.0;
                }
            }
        }

        let mut index = SkipWalkForest {
            width,
            trees: forest.trees().len(),
            constant_stress_votes: 0,
            roots: Vec::new(),
            lane_roots: Vec::new(),
            use_avx512: false,
            positions: Vec::new(),
            parked: 0,
            stop: Vec::new(),
            word_start: Vec::new(),
            word_splits: Vec::new(),
            word_level_start: Vec::new(),
            word_levels: Vec::new(),
            dense: Vec::new(),
            levels: Vec::new(),
        };
        // (feature, threshold, position) of every word split and of every dense split.
        let mut word: Vec<(u32, f32, u32)> = Vec::new();
        let mut dense: Vec<(u32, f32, u32)> = Vec::new();
        let mut stops: Vec<u32> = Vec::new();
        for tree in forest.trees() {
            // Re-laid out here so that the `<=` child is always the next node, whatever the artifact's order.
            let nodes = depth_first_layout(&tree.nodes);
            if let Some(CompactNode::Leaf { stress }) = nodes.first() {
                index.constant_stress_votes += u32::from(*stress);
                continue;
            }
            // A node has a position if it is a split or the `<=` child of one (the node right after a split).
            let mut position_of = vec![u32::MAX; nodes.len()];
            let mut next = index.positions.len();
            for (local, node) in nodes.iter().enumerate() {
                let after_split =
                    local > 0 && matches!(nodes.get(local - 1), Some(CompactNode::Split { .. }));
                if matches!(node, CompactNode::Split { .. }) || after_split {
                    position_of[local] = u32::try_from(next)
                        .ok()
                        .filter(|&p| (p as usize) < MAX_POSITIONS)
                        .ok_or("forest too large")?;
                    next += 1;
                }
            }
            index.roots.push(position_of[0]);
            let leaf = |stress: bool| LEAF | if stress { LEAF_STRESS } else { 0 };
            for (local, node) in nodes.iter().enumerate() {
                let position = position_of[local];
                if position == u32::MAX {
                    continue;
                }
                match *node {
                    CompactNode::Leaf { stress } => {
                        stops.push(position);
                        index.positions.push(Position {
                            gt: leaf(stress),
                            test: 0,
                        });
                    }
                    CompactNode::Split {
                        feature,
                        threshold,
                        if_le,
                        if_gt,
                    } => {
                        if if_le as usize != local + 1 || if_gt as usize <= local {
                            return Err(format!("node {local} is not in depth-first order"));
                        }
                        let gt = match nodes.get(if_gt as usize) {
                            Some(CompactNode::Leaf { stress }) => leaf(*stress),
                            Some(CompactNode::Split { .. }) => position_of[if_gt as usize],
                            None => return Err(format!("node {local} points past its tree")),
                        };
                        let test = if dense_feature[feature as usize] {
                            stops.push(position);
                            dense.push((feature, threshold, position));
                            DENSE
                        } else {
                            word.push((feature, threshold, position));
                            0
                        };
                        index.positions.push(Position { gt, test });
                    }
                }
            }
        }

        index.parked = u32::try_from(index.positions.len())
            .ok()
            .filter(|&p| (p as usize) < MAX_POSITIONS)
            .ok_or("forest too large")?;
        stops.push(index.parked);
        index.positions.push(Position { gt: LEAF, test: 0 });
        index.stop = vec![0u64; index.positions.len().div_ceil(64) + 1];
        for position in stops {
            index.stop[position as usize / 64] |= 1 << (position % 64);
        }
        index.index_dense_levels(&mut dense)?;
        index.index_word_splits(&mut word);
        index.lane_roots = index.roots.iter().map(|&root| i64::from(root)).collect();
        #[cfg(target_arch = "x86_64")]
        {
            let padding = [i64::from(index.parked); avx512::LANES];
            index.lane_roots.extend_from_slice(&padding);
            index.use_avx512 = avx512::available() && avx512::fits_index(&index);
        }
        Ok(index)
    }

    /// Numbers the distinct thresholds of every dense feature and stores each dense split's level.
    fn index_dense_levels(&mut self, dense: &mut [(u32, f32, u32)]) -> Result<(), String> {
        dense.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        for run in dense.chunk_by(|a, b| a.0 == b.0) {
            let slot = self.dense.len() as u32;
            if slot > SLOT_MASK {
                return Err(format!(
                    "more than {} numeric features split at negative thresholds",
                    SLOT_MASK + 1
                ));
            }
            let start = self.levels.len() as u32;
            for &(feature, threshold, position) in run {
                if self.levels.len() as u32 == start || self.levels.last() != Some(&threshold) {
                    self.levels.push(threshold);
                }
                let level = self.levels.len() as u32 - 1 - start;
                if level > LEVEL_MASK {
                    return Err(format!(
                        "feature {feature} has more than {} distinct thresholds",
                        LEVEL_MASK + 1
                    ));
                }
                if let Some(node) = self.positions.get_mut(position as usize) {
                    node.test |= slot << SLOT_SHIFT | level;
                }
            }
            self.dense.push(DenseFeature {
                feature: run[0].0,
                start,
                end: self.levels.len() as u32,
            });
        }
        Ok(())
    }

    /// Builds the per-feature lists of word splits, sorted by threshold, and their levels.
    fn index_word_splits(&mut self, word: &mut [(u32, f32, u32)]) {
        word.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)).then(a.2.cmp(&b.2)));
        self.word_start = vec![0u32; self.width + 1];
        for &(f, _, _) in word.iter() {
            self.word_start[f as usize + 1] += 1;
        }
        for f in 0..self.width {
            self.word_start[f + 1] += self.word_start[f];
        }
        self.word_level_start = Vec::with_capacity(self.width + 1);
        for f in 0..self.width {
            self.word_level_start.push(self.word_levels.len() as u32);
            let (start, end) = (self.word_start[f] as usize, self.word_start[f + 1] as usize);
            let first_level = self.word_levels.len();
            for (offset, &(_, t, _)) in word[start..end].iter().enumerate() {
                let split_end = (start + offset + 1) as u32;
                let same_level = self.word_levels.len() > first_level
                    && self.word_levels.last().is_some_and(|last| last.0 == t);
                match self.word_levels.last_mut() {
                    Some(last) if same_level => last.1 = split_end,
                    _ => self.word_levels.push((t, split_end)),
                }
            }
        }
        self.word_level_start.push(self.word_levels.len() as u32);
        self.word_splits = word.iter().map(|s| s.2).collect();
    }

    pub fn width(&self) -> usize {
        self.width
    }

    /// Share of trees voting stress for a sparse row (`indices` ascending or not; a repeated index counts once,
    /// with its last value, as in a dense row), or `None` when an index is outside the width. Equal to
    /// [`Forest::probability_sparse`].
    pub fn probability(
        &self,
        indices: &[u32],
        values: &[f32],
        scratch: &mut SkipWalkScratch,
    ) -> Option<f64> {
        if self.trees == 0 || indices.iter().any(|&c| c as usize >= self.width) {
            return None;
        }
        if scratch.row.len() != self.width {
            scratch.row = vec![0.0; self.width];
        }
        // A few kB each; cheaper than remembering which bits were set (an unpredictable branch per mark).
        scratch.looked_at.clear();
        scratch.looked_at.extend_from_slice(&self.stop);
        scratch.levels_below.clear();
        scratch
            .levels_below
            .resize(self.dense.len().max(MIN_SLOTS), 0);
        for (&column, &value) in indices.iter().zip(values) {
            scratch.row[column as usize] = value;
        }
        // From the row, so that a repeated index counts once, with its last value. Dense features have no word
        // splits: this marks words only.
        for &column in indices {
            let value = scratch.row[column as usize];
            self.mark_word_splits_going_right(column as usize, value, &mut scratch.looked_at);
        }
        for (feature, below) in self.dense.iter().zip(scratch.levels_below.iter_mut()) {
            let value = scratch.row[feature.feature as usize];
            let levels = &self.levels[feature.start as usize..feature.end as usize];
            *below = if value.is_nan() {
                levels.len()
            } else {
                levels.partition_point(|&threshold| threshold < value)
            } as i64;
        }
        let votes = self.walk(&scratch.looked_at, &scratch.levels_below);
        for &column in indices {
            scratch.row[column as usize] = 0.0;
        }
        Some(f64::from(votes) / self.trees as f64)
    }

    /// Marks the splits of word feature `column` that `value` sends to `>`: those with `threshold < value` (all of
    /// them for NaN, as a compare would).
    fn mark_word_splits_going_right(&self, column: usize, value: f32, marked: &mut [u64]) {
        let start = self.word_start[column] as usize;
        let levels = &self.word_levels
            [self.word_level_start[column] as usize..self.word_level_start[column + 1] as usize];
        let end = if value.is_nan() {
            self.word_start[column + 1] as usize
        } else {
            levels
                .iter()
                .take_while(|(threshold, _)| *threshold < value)
                .last()
                .map_or(start, |&(_, end)| end as usize)
        };
        let splits = &self.word_splits[start..end];
        if marked.len() != self.stop.len() {
            for &split in splits {
                if let Some(word) = marked.get_mut(split as usize / 64) {
                    *word |= 1 << (split % 64);
                }
            }
            return;
        }
        let marked = marked.as_mut_ptr();
        for &split in splits {
            // SAFETY: every word split is a position (`new`), below `positions.len() <= 64 * stop.len()`, and
            // `marked` has `stop.len()` words (checked above).
            unsafe { *marked.add(split as usize / 64) |= 1 << (split % 64) };
        }
    }

    /// Stress votes of all trees: with AVX-512 when the CPU has it, else [`LANES`] at a time in lockstep.
    fn walk(&self, looked_at: &[u64], levels_below: &[i64]) -> u32 {
        #[cfg(target_arch = "x86_64")]
        if let Some(votes) = avx512::walk(self, looked_at, levels_below) {
            return votes;
        }
        self.walk_scalar(looked_at, levels_below)
    }

    fn walk_scalar(&self, looked_at: &[u64], levels_below: &[i64]) -> u32 {
        let mut votes = self.constant_stress_votes;
        for roots in self.roots.chunks(LANES) {
            votes += self.walk_lanes(roots, looked_at, levels_below);
        }
        votes
    }

    /// Stress votes of the trees rooted at `roots` (at most [`LANES`]). A lane that reaches its leaf parks there
    /// (it keeps stepping a dummy leaf, its result thrown away) so that a sweep has no branch per lane.
    fn walk_lanes(&self, roots: &[u32], looked_at: &[u64], levels_below: &[i64]) -> u32 {
        let mut lanes = [LEAF; LANES];
        for (lane, &root) in lanes.iter_mut().zip(roots) {
            *lane = root;
        }
        loop {
            let mut walking = 0;
            for lane in lanes.iter_mut() {
                let parked = *lane & LEAF != 0;
                let next = self.step(
                    if parked { self.parked } else { *lane },
                    looked_at,
                    levels_below,
                );
                *lane = if parked { *lane } else { next };
                walking |= !*lane & LEAF;
            }
            if walking == 0 {
                break;
            }
        }
        lanes
            .iter()
            .map(|&lane| u32::from(lane & LEAF_STRESS != 0))
            .sum()
    }

    /// From position `at`: skip to the next position to look at and take it. Returns the next position, or
    /// [`LEAF`] with the vote. Always moves forward, so a walk ends. Out-of-range indices cannot happen for an
    /// index built by [`new`](Self::new); such a walk ends with "no stress" instead of panicking.
    #[inline]
    fn step(&self, at: u32, looked_at: &[u64], levels_below: &[i64]) -> u32 {
        let Some(at) = next_set_bit(looked_at, at as usize) else {
            return LEAF;
        };
        let Some(&Position { gt, test }) = self.positions.get(at) else {
            return LEAF;
        };
        // Word splits and leaves always go to `>`; a dense split when the post's value is above its level.
        let slot = ((test >> SLOT_SHIFT) & SLOT_MASK) as usize;
        let below = levels_below.get(slot).copied().unwrap_or(0);
        let right = (!test >> 31) | u32::from(i64::from(test & LEVEL_MASK) < below);
        let take_gt = 0u32.wrapping_sub(right);
        (gt & take_gt) | ((at as u32 + 1) & !take_gt)
    }
}

/// The first set bit at or after `from`.
#[inline]
fn next_set_bit(bits: &[u64], from: usize) -> Option<usize> {
    let mut word = from / 64;
    let mut found = bits.get(word)? & (u64::MAX << (from % 64));
    while found == 0 {
        word += 1;
        found = *bits.get(word)?;
    }
    Some(word * 64 + found.trailing_zeros() as usize)
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

    /// Sparse word counts (features 0..40) and `numeric` standardised numeric columns after them, labels from
    /// both.
    fn sparse_data(n: usize, numeric: usize, rng: &mut Rng) -> (DenseColumns, Vec<u8>) {
        let width = WORDS + numeric;
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
            for j in 0..numeric {
                let v = rng.next() * 4.0 - 2.0;
                values[(WORDS + j) * n + row] = v;
                score += v * ((j % 3) as f32 - 1.0);
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
        forest_of(seed, 25, 3)
    }

    fn forest_of(seed: u64, n_trees: u16, numeric: usize) -> Forest {
        let mut rng = Rng(seed);
        let (x, labels) = sparse_data(400, numeric, &mut rng);
        let params = ForestParams {
            n_trees,
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
                index.stop.iter().map(|w| w.count_ones()).sum::<u32>()
                    < index.positions.len() as u32,
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

    /// The AVX-512 walk (where this CPU has it) and the scalar walk give the dense walk's answers: forests with
    /// fewer trees than one vector's lanes and with more, with dense features in a register (3) and gathered (12).
    #[test]
    fn both_walks_equal_the_dense_walk() {
        let mut rng = Rng(7);
        for (seed, n_trees, numeric) in [(11, 1, 3), (12, 3, 3), (13, 40, 3), (14, 30, 12)] {
            let forest = forest_of(seed, n_trees, numeric);
            let index = SkipWalkForest::new(&forest).unwrap();
            assert_eq!(
                index.dense.len(),
                numeric,
                "every numeric column is split on"
            );
            #[cfg(target_arch = "x86_64")]
            assert_eq!(index.use_avx512, avx512::available());
            let scalar = SkipWalkForest {
                use_avx512: false,
                ..index.clone()
            };
            let (mut scratch, mut dense_scratch) = (SkipWalkScratch::default(), Vec::new());
            for _ in 0..1_000 {
                let (indices, values) = random_row(&mut rng, forest.width());
                let expected = forest.probability_sparse(&indices, &values, &mut dense_scratch);
                assert!(expected.is_some());
                for walker in [&index, &scalar] {
                    assert_eq!(
                        walker.probability(&indices, &values, &mut scratch),
                        expected,
                        "seed {seed} avx512 {} row {indices:?} {values:?}",
                        walker.use_avx512
                    );
                }
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
        assert!(scratch.row.iter().all(|&v| v == 0.0));
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
        assert!(scratch.row.iter().all(|&v| v == 0.0));
    }
}
