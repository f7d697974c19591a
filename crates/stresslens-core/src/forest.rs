//! A random forest with a stress probability, trained with smartcore and scored from a compact form of our own.
//!
//! smartcore's `RandomForestClassifier` has no probability output and its per-tree learner
//! (`DecisionTreeClassifier::fit_weak_learner`: bootstrap sample + `mtry` features per split) is crate-private, so
//! we bag it ourselves: every tree is a one-tree smartcore forest (which does the stratified bootstrap and the
//! feature sub-sampling) with its own seed derived from the master seed. Trees are trained in parallel with rayon
//! and collected in index order, so the result depends only on the seed, never on thread scheduling. The stress
//! probability of a post is the share of trees voting stress.
//!
//! After training, each smartcore tree is exported into [`CompactTree`]: smartcore's nodes are private, so the
//! tree is serialised with serde into a mirror of the pinned (=0.7.0) field layout and converted. Why not keep
//! smartcore's trees:
//! - size: a smartcore node carries `n_node_samples`, `split_score`, `impurity` and `Option<usize>` children, and
//!   every tree repeats its parameters; the compact node is a feature index, an `f32` threshold and two child
//!   indices (or a one-bit leaf), which keeps the artifact far below the reference pickle;
//! - speed and safety: scoring walks flat arrays over one dense `f32` scratch row per post, and every index in the
//!   structure is validated when it is built or loaded, so scoring can never index out of bounds (smartcore
//!   panics on a short row).

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use smartcore::ensemble::random_forest_classifier::{
    RandomForestClassifier, RandomForestClassifierParameters,
};
use smartcore::linalg::basic::matrix::DenseMatrix;

/// Hyperparameters of the forest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ForestParams {
    pub n_trees: u16,
    /// `None`: grow until leaves are pure or too small to split.
    pub max_depth: Option<u16>,
    pub min_samples_split: usize,
    pub min_samples_leaf: usize,
    /// Features tried per split; `None`: the square root of the width.
    pub mtry: Option<usize>,
    pub seed: u64,
}

impl ForestParams {
    /// The number of features tried per split for a matrix of this width.
    pub fn resolved_mtry(&self, width: usize) -> usize {
        self.mtry
            .unwrap_or_else(|| (width as f64).sqrt().floor() as usize)
            .clamp(1, width.max(1))
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ForestError {
    #[error("training data is empty")]
    Empty,
    #[error("training data has {rows} rows but {labels} labels")]
    LabelCount { rows: usize, labels: usize },
    #[error("training labels must be 0 or 1, found {0}")]
    BadLabel(u8),
    #[error("training data has only one class (label {0}); a classifier needs both")]
    OneClass(u8),
    #[error("invalid forest parameters: {0}")]
    Params(String),
    #[error("smartcore failed to fit tree {tree}: {message}")]
    Fit { tree: usize, message: String },
    #[error("cannot export tree {tree}: {message}")]
    Export { tree: usize, message: String },
    #[error("invalid forest: {0}")]
    Invalid(String),
}

/// One node of a [`CompactTree`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum CompactNode {
    /// The tree's vote.
    Leaf { stress: bool },
    /// Go to `if_le` when `row[feature] <= threshold`, else to `if_gt`. Children always have larger indices than
    /// their parent (checked), so a walk always ends.
    Split {
        feature: u32,
        threshold: f32,
        if_le: u32,
        if_gt: u32,
    },
}

impl CompactNode {
    /// The same node with its child indices passed through `f` (renumbering, offsetting).
    pub(crate) fn map_children(self, f: impl Fn(u32) -> u32) -> CompactNode {
        match self {
            CompactNode::Split {
                feature,
                threshold,
                if_le,
                if_gt,
            } => CompactNode::Split {
                feature,
                threshold,
                if_le: f(if_le),
                if_gt: f(if_gt),
            },
            leaf => leaf,
        }
    }
}

/// A decision tree as flat nodes; node 0 is the root.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CompactTree {
    pub nodes: Vec<CompactNode>,
}

impl CompactTree {
    /// Checks that walking the tree over a row of `width` values can never index out of bounds or loop.
    pub fn validate(&self, width: usize) -> Result<(), String> {
        if self.nodes.is_empty() {
            return Err("tree has no nodes".into());
        }
        let len = self.nodes.len();
        for (index, node) in self.nodes.iter().enumerate() {
            if let CompactNode::Split {
                feature,
                threshold,
                if_le,
                if_gt,
            } = *node
            {
                if feature as usize >= width {
                    return Err(format!(
                        "node {index} splits on feature {feature}, the width is {width}"
                    ));
                }
                if threshold.is_nan() {
                    return Err(format!("node {index} has a NaN threshold"));
                }
                for child in [if_le, if_gt] {
                    let child = child as usize;
                    if child <= index || child >= len {
                        return Err(format!(
                            "node {index} points to node {child} (must be after it and below {len})"
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// The tree's vote for a dense row. The caller guarantees `row.len()` is at least the validated width.
    fn votes_stress(&self, row: &[f32]) -> bool {
        let mut index = 0usize;
        loop {
            match self.nodes.get(index) {
                Some(CompactNode::Split {
                    feature,
                    threshold,
                    if_le,
                    if_gt,
                }) => {
                    let value = row.get(*feature as usize).copied().unwrap_or(0.0);
                    index = if value <= *threshold {
                        *if_le as usize
                    } else {
                        *if_gt as usize
                    };
                }
                Some(CompactNode::Leaf { stress }) => return *stress,
                // Unreachable for a validated tree; a missing node votes "no stress" rather than panicking.
                None => return false,
            }
        }
    }
}

/// A trained forest over rows of a fixed width.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Forest {
    width: u32,
    trees: Vec<CompactTree>,
}

impl Forest {
    /// Builds a forest from parts, validating every tree against `width`.
    pub fn from_trees(width: usize, trees: Vec<CompactTree>) -> Result<Forest, ForestError> {
        let forest = Forest {
            width: u32::try_from(width)
                .map_err(|_| ForestError::Invalid(format!("width {width} is too large")))?,
            trees,
        };
        forest.validate()?;
        Ok(forest)
    }

    /// Checks the whole structure (after deserialising untrusted bytes).
    pub fn validate(&self) -> Result<(), ForestError> {
        if self.trees.is_empty() {
            return Err(ForestError::Invalid("forest has no trees".into()));
        }
        for (index, tree) in self.trees.iter().enumerate() {
            tree.validate(self.width as usize)
                .map_err(|message| ForestError::Invalid(format!("tree {index}: {message}")))?;
        }
        Ok(())
    }

    pub fn width(&self) -> usize {
        self.width as usize
    }

    pub fn trees(&self) -> &[CompactTree] {
        &self.trees
    }

    /// Share of trees voting stress for a dense row, or `None` when the row is narrower than the forest.
    pub fn probability_dense(&self, row: &[f32]) -> Option<f64> {
        if row.len() < self.width() || self.trees.is_empty() {
            return None;
        }
        let votes = self
            .trees
            .iter()
            .filter(|tree| tree.votes_stress(row))
            .count();
        Some(votes as f64 / self.trees.len() as f64)
    }

    /// Share of trees voting stress for each of `n_rows` dense rows stored one after another in `rows`
    /// (`n_rows * width` values), or `None` when `rows` is too short. Same answers as
    /// [`probability_dense`](Self::probability_dense) row by row, faster: [`LANES`] rows walk each tree in
    /// lockstep, so the memory loads of independent walks overlap instead of waiting for each other.
    pub fn probabilities_dense_block(&self, rows: &[f32], n_rows: usize) -> Option<Vec<f64>> {
        let width = self.width();
        if rows.len() < n_rows.checked_mul(width)? || self.trees.is_empty() {
            return None;
        }
        let mut votes = vec![0u32; n_rows];
        for tree in &self.trees {
            for start in (0..n_rows).step_by(LANES) {
                let lanes = LANES.min(n_rows - start);
                let mut at = [0usize; LANES];
                let mut walking = lanes;
                while walking > 0 {
                    walking = 0;
                    for (lane, node) in at.iter_mut().enumerate().take(lanes) {
                        if let Some(CompactNode::Split {
                            feature,
                            threshold,
                            if_le,
                            if_gt,
                        }) = tree.nodes.get(*node)
                        {
                            let value = rows
                                .get((start + lane) * width + *feature as usize)
                                .copied()
                                .unwrap_or(0.0);
                            *node = if value <= *threshold {
                                *if_le as usize
                            } else {
                                *if_gt as usize
                            };
                            walking += 1;
                        }
                    }
                }
                for (vote, &node) in votes[start..start + lanes].iter_mut().zip(&at) {
                    if let Some(CompactNode::Leaf { stress: true }) = tree.nodes.get(node) {
                        *vote += 1;
                    }
                }
            }
        }
        let trees = self.trees.len() as f64;
        Some(votes.into_iter().map(|v| f64::from(v) / trees).collect())
    }

    /// Share of trees voting stress for a sparse row; `scratch` is reused between calls (any content).
    /// `None` when an index is outside the forest's width.
    pub fn probability_sparse(
        &self,
        indices: &[u32],
        values: &[f32],
        scratch: &mut Vec<f32>,
    ) -> Option<f64> {
        scratch.clear();
        scratch.resize(self.width(), 0.0);
        for (&column, &value) in indices.iter().zip(values) {
            *scratch.get_mut(column as usize)? = value;
        }
        self.probability_dense(scratch)
    }
}

/// Rows walked through a tree together by [`Forest::probabilities_dense_block`].
pub const LANES: usize = 8;

/// Training rows as a dense column-major `f32` matrix (what smartcore's tree learner reads).
#[derive(Debug, Clone, PartialEq)]
pub struct DenseColumns {
    pub n_rows: usize,
    pub n_cols: usize,
    /// `values[col * n_rows + row]`.
    pub values: Vec<f32>,
}

impl DenseColumns {
    /// Densifies sparse rows `(indices, values)` of width `n_cols`; indices outside the width are an error.
    pub fn from_sparse_rows<'a>(
        n_cols: usize,
        rows: impl ExactSizeIterator<Item = (&'a [u32], &'a [f32])>,
    ) -> Result<DenseColumns, ForestError> {
        let n_rows = rows.len();
        let mut values = vec![0f32; n_rows * n_cols];
        for (row, (indices, row_values)) in rows.enumerate() {
            for (&column, &value) in indices.iter().zip(row_values) {
                let column = column as usize;
                if column >= n_cols {
                    return Err(ForestError::Invalid(format!(
                        "row {row} has column {column}, the width is {n_cols}"
                    )));
                }
                values[column * n_rows + row] = value;
            }
        }
        Ok(DenseColumns {
            n_rows,
            n_cols,
            values,
        })
    }

    fn to_smartcore(&self) -> Result<DenseMatrix<f32>, ForestError> {
        DenseMatrix::new(self.n_rows, self.n_cols, self.values.clone(), true)
            .map_err(|e| ForestError::Invalid(e.to_string()))
    }
}

type SmartcoreForest = RandomForestClassifier<f32, u32, DenseMatrix<f32>, Vec<u32>>;

/// Seed of tree `tree` (splitmix64 of the master seed and the index): distinct, well-mixed seeds per tree.
pub fn tree_seed(master: u64, tree: usize) -> u64 {
    let mut z = master
        .wrapping_add(0x9E37_79B9_7F4A_7C15)
        .wrapping_add((tree as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

fn check_training_data(x: &DenseColumns, labels: &[u8]) -> Result<Vec<u32>, ForestError> {
    if x.n_rows == 0 || x.n_cols == 0 {
        return Err(ForestError::Empty);
    }
    if labels.len() != x.n_rows {
        return Err(ForestError::LabelCount {
            rows: x.n_rows,
            labels: labels.len(),
        });
    }
    if let Some(&bad) = labels.iter().find(|&&l| l > 1) {
        return Err(ForestError::BadLabel(bad));
    }
    if labels.iter().all(|&l| l == labels[0]) {
        return Err(ForestError::OneClass(labels[0]));
    }
    Ok(labels.iter().map(|&l| u32::from(l)).collect())
}

fn smartcore_params(
    params: &ForestParams,
    width: usize,
    seed: u64,
) -> RandomForestClassifierParameters {
    let mut p = RandomForestClassifierParameters::default()
        .with_n_trees(1)
        .with_m(params.resolved_mtry(width))
        .with_min_samples_split(params.min_samples_split)
        .with_min_samples_leaf(params.min_samples_leaf)
        .with_seed(seed);
    p.max_depth = params.max_depth;
    p
}

fn check_params(params: &ForestParams) -> Result<(), ForestError> {
    if params.n_trees == 0 {
        return Err(ForestError::Params("n_trees must be at least 1".into()));
    }
    if params.min_samples_leaf == 0 {
        return Err(ForestError::Params(
            "min_samples_leaf must be at least 1".into(),
        ));
    }
    if params.max_depth == Some(0) {
        return Err(ForestError::Params("max_depth must be at least 1".into()));
    }
    if params.mtry == Some(0) {
        return Err(ForestError::Params("mtry must be at least 1".into()));
    }
    Ok(())
}

/// Fits tree `tree` of the forest as a one-tree smartcore forest.
fn fit_smartcore_tree(
    matrix: &DenseMatrix<f32>,
    y: &Vec<u32>,
    params: &ForestParams,
    width: usize,
    tree: usize,
) -> Result<SmartcoreForest, ForestError> {
    SmartcoreForest::fit(
        matrix,
        y,
        smartcore_params(params, width, tree_seed(params.seed, tree)),
    )
    .map_err(|e| ForestError::Fit {
        tree,
        message: e.to_string(),
    })
}

/// Trains a forest on both cores; `on_tree_done` is called once per finished tree (for progress bars).
pub fn train(
    x: &DenseColumns,
    labels: &[u8],
    params: &ForestParams,
    on_tree_done: &(dyn Fn() + Sync),
) -> Result<Forest, ForestError> {
    check_params(params)?;
    let y = check_training_data(x, labels)?;
    let matrix = x.to_smartcore()?;
    let width = x.n_cols;
    let trees = (0..usize::from(params.n_trees))
        .into_par_iter()
        .map(|tree| {
            let fitted = fit_smartcore_tree(&matrix, &y, params, width, tree)?;
            let compact = export_tree(&fitted, tree)?;
            on_tree_done();
            Ok(compact)
        })
        .collect::<Result<Vec<CompactTree>, ForestError>>()?;
    Forest::from_trees(width, trees)
}

/// Mirror of smartcore 0.7.0's serialised `RandomForestClassifier` (only the fields we read).
#[derive(Deserialize)]
struct MirrorForest {
    trees: Option<Vec<MirrorTree>>,
}

/// Mirror of smartcore 0.7.0's serialised `DecisionTreeClassifier`.
#[derive(Deserialize)]
struct MirrorTree {
    nodes: Vec<MirrorNode>,
    classes: Vec<u32>,
}

/// Mirror of smartcore 0.7.0's private `tree::decision_tree_classifier::Node`.
#[derive(Deserialize)]
struct MirrorNode {
    output: usize,
    split_feature: usize,
    split_value: Option<f64>,
    true_child: Option<usize>,
    false_child: Option<usize>,
}

/// Converts a fitted one-tree smartcore forest into a [`CompactTree`].
///
/// smartcore walks a node as a leaf when `true_child` is `None` (its `output` is the class index), otherwise it
/// goes to `true_child` when `x <= split_value`. The threshold is the midpoint of two `f32` values computed in
/// `f32`, so storing it as `f32` is exact and comparisons give the same answers.
fn export_tree(fitted: &SmartcoreForest, tree: usize) -> Result<CompactTree, ForestError> {
    let export_error = |message: String| ForestError::Export { tree, message };
    let value = serde_json::to_value(fitted).map_err(|e| export_error(e.to_string()))?;
    let mirror: MirrorForest =
        serde_json::from_value(value).map_err(|e| export_error(e.to_string()))?;
    let mut trees = mirror.trees.unwrap_or_default();
    if trees.len() != 1 {
        return Err(export_error(format!(
            "expected 1 tree, found {}",
            trees.len()
        )));
    }
    let source = trees.remove(0);
    let nodes = source
        .nodes
        .iter()
        .enumerate()
        .map(|(index, node)| match node.true_child {
            None => {
                let class = source.classes.get(node.output).ok_or_else(|| {
                    export_error(format!(
                        "node {index} outputs unknown class {}",
                        node.output
                    ))
                })?;
                Ok(CompactNode::Leaf {
                    stress: *class == 1,
                })
            }
            Some(if_le) => {
                let if_gt = node
                    .false_child
                    .ok_or_else(|| export_error(format!("node {index} has no false child")))?;
                let to_u32 = |v: usize| {
                    u32::try_from(v)
                        .map_err(|_| export_error(format!("node {index}: index {v} too large")))
                };
                Ok(CompactNode::Split {
                    feature: to_u32(node.split_feature)?,
                    threshold: node.split_value.unwrap_or(f64::NAN) as f32,
                    if_le: to_u32(if_le)?,
                    if_gt: to_u32(if_gt)?,
                })
            }
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CompactTree {
        nodes: depth_first_layout(&nodes),
    })
}

/// Reorders nodes depth first with the `<=` child right after its parent. smartcore stores trees breadth first,
/// so a walk jumps across memory at every level; on our sparse rows most values are 0 and go to the `<=` side,
/// so in this layout the usual path is read sequentially (scoring was dominated by those cache misses). Parents
/// still precede their children, which keeps [`CompactTree::validate`]'s termination argument.
pub(crate) fn depth_first_layout(nodes: &[CompactNode]) -> Vec<CompactNode> {
    let mut order = Vec::with_capacity(nodes.len());
    let mut stack = vec![0usize];
    while let Some(index) = stack.pop() {
        let Some(node) = nodes.get(index) else {
            continue;
        };
        order.push(index);
        if let CompactNode::Split { if_le, if_gt, .. } = *node {
            stack.push(if_gt as usize);
            stack.push(if_le as usize);
        }
    }
    let mut new_index = vec![0u32; nodes.len()];
    for (new, &old) in order.iter().enumerate() {
        new_index[old] = new as u32;
    }
    let renumber = |i: u32| new_index.get(i as usize).copied().unwrap_or(u32::MAX);
    order
        .iter()
        .map(|&old| nodes[old].map_children(renumber))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use smartcore::linalg::basic::arrays::Array;

    /// A small deterministic data set: stress when feature 0 is high or feature 2 is present, with noise columns.
    fn synthetic(n: usize) -> (DenseColumns, Vec<u8>) {
        let width = 6;
        let mut values = vec![0f32; n * width];
        let mut labels = Vec::with_capacity(n);
        let mut state = 7u64;
        let mut next = || {
            state = tree_seed(state, 1);
            (state >> 40) as f32 / (1u64 << 24) as f32
        };
        for row in 0..n {
            let mut row_values = [0f32; 6];
            for v in row_values.iter_mut() {
                *v = next();
            }
            row_values[2] = if next() < 0.3 { 1.0 } else { 0.0 };
            let label = u8::from(row_values[0] > 0.6 || row_values[2] > 0.5);
            // a little label noise
            let label = if row % 17 == 0 { 1 - label } else { label };
            for (col, v) in row_values.iter().enumerate() {
                values[col * n + row] = *v;
            }
            labels.push(label);
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

    fn params(seed: u64) -> ForestParams {
        ForestParams {
            n_trees: 15,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            mtry: Some(2),
            seed,
        }
    }

    fn row(x: &DenseColumns, r: usize) -> Vec<f32> {
        (0..x.n_cols).map(|c| x.values[c * x.n_rows + r]).collect()
    }

    #[test]
    fn compact_trees_predict_exactly_like_smartcore_on_every_training_row() {
        let (x, labels) = synthetic(300);
        let y: Vec<u32> = labels.iter().map(|&l| u32::from(l)).collect();
        let matrix = x.to_smartcore().unwrap();
        let p = params(42);
        for tree in 0..5 {
            let fitted = fit_smartcore_tree(&matrix, &y, &p, x.n_cols, tree).unwrap();
            let compact = export_tree(&fitted, tree).unwrap();
            compact.validate(x.n_cols).unwrap();
            assert!(compact.nodes.len() > 10, "tree {tree} is trivial");
            let expected = fitted.predict(&matrix).unwrap();
            assert_eq!(expected.shape(), x.n_rows);
            for (r, &smartcore_class) in expected.iter().enumerate() {
                assert_eq!(
                    u32::from(compact.votes_stress(&row(&x, r))),
                    smartcore_class,
                    "tree {tree} row {r}"
                );
            }
        }
    }

    #[test]
    fn same_seed_same_forest_other_seed_other_forest() {
        let (x, labels) = synthetic(200);
        let a = train(&x, &labels, &params(1), &|| {}).unwrap();
        let b = train(&x, &labels, &params(1), &|| {}).unwrap();
        let c = train(&x, &labels, &params(2), &|| {}).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.trees().len(), 15);
    }

    #[test]
    fn probabilities_separate_the_classes() {
        let (x, labels) = synthetic(400);
        let forest = train(&x, &labels, &params(3), &|| {}).unwrap();
        let mut correct = 0;
        for (r, &label) in labels.iter().enumerate() {
            let p = forest.probability_dense(&row(&x, r)).unwrap();
            assert!((0.0..=1.0).contains(&p));
            if (p >= 0.5) == (label == 1) {
                correct += 1;
            }
        }
        // training accuracy of a bagged forest on its own (slightly noisy) data
        assert!(correct >= 380, "{correct}/400");
    }

    #[test]
    fn block_scoring_equals_row_by_row_scoring() {
        let (x, labels) = synthetic(300);
        let forest = train(&x, &labels, &params(5), &|| {}).unwrap();
        // 19 rows: two full blocks of lanes and a partial one
        let rows: Vec<Vec<f32>> = (0..19).map(|r| row(&x, r * 7)).collect();
        let flat: Vec<f32> = rows.concat();
        let expected: Vec<f64> = rows
            .iter()
            .map(|r| forest.probability_dense(r).unwrap())
            .collect();
        assert_eq!(
            forest.probabilities_dense_block(&flat, 19).unwrap(),
            expected
        );
        assert_eq!(forest.probabilities_dense_block(&flat[1..], 19), None);
        assert_eq!(
            forest.probabilities_dense_block(&[], 0).unwrap(),
            Vec::<f64>::new()
        );
    }

    #[test]
    fn progress_is_reported_once_per_tree() {
        let (x, labels) = synthetic(100);
        let count = std::sync::atomic::AtomicUsize::new(0);
        train(&x, &labels, &params(3), &|| {
            count.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        })
        .unwrap();
        assert_eq!(count.into_inner(), 15);
    }

    #[test]
    fn short_rows_and_out_of_range_indices_give_none() {
        let (x, labels) = synthetic(100);
        let forest = train(&x, &labels, &params(3), &|| {}).unwrap();
        assert_eq!(forest.probability_dense(&[0.5; 5]), None);
        let mut scratch = Vec::new();
        assert_eq!(forest.probability_sparse(&[6], &[1.0], &mut scratch), None);
        assert!(forest
            .probability_sparse(&[0, 5], &[1.0, 1.0], &mut scratch)
            .is_some());
    }

    #[test]
    fn bad_training_inputs_are_errors() {
        let (x, labels) = synthetic(50);
        assert_eq!(
            train(&x, &labels[..10], &params(1), &|| {}).unwrap_err(),
            ForestError::LabelCount {
                rows: 50,
                labels: 10
            }
        );
        assert_eq!(
            train(&x, &[1; 50], &params(1), &|| {}).unwrap_err(),
            ForestError::OneClass(1)
        );
        let mut bad = labels.clone();
        bad[3] = 2;
        assert_eq!(
            train(&x, &bad, &params(1), &|| {}).unwrap_err(),
            ForestError::BadLabel(2)
        );
        let mut p = params(1);
        p.n_trees = 0;
        assert!(matches!(
            train(&x, &labels, &p, &|| {}).unwrap_err(),
            ForestError::Params(_)
        ));
    }

    #[test]
    fn validation_rejects_broken_structures() {
        let leaf = CompactNode::Leaf { stress: true };
        let split = |feature, if_le, if_gt| CompactNode::Split {
            feature,
            threshold: 0.5,
            if_le,
            if_gt,
        };
        let cases = [
            (vec![], "tree has no nodes"),
            (
                vec![split(3, 1, 2), leaf, leaf],
                "node 0 splits on feature 3, the width is 3",
            ),
            (
                vec![split(0, 1, 3), leaf, leaf],
                "node 0 points to node 3 (must be after it and below 3)",
            ),
            (
                vec![split(0, 1, 2), split(0, 0, 2), leaf],
                "node 1 points to node 0 (must be after it and below 3)",
            ),
        ];
        for (nodes, message) in cases {
            assert_eq!(CompactTree { nodes }.validate(3).unwrap_err(), message);
        }
        assert!(CompactTree {
            nodes: vec![split(2, 1, 2), leaf, leaf]
        }
        .validate(3)
        .is_ok());
        assert_eq!(
            Forest::from_trees(3, vec![]).unwrap_err(),
            ForestError::Invalid("forest has no trees".into())
        );
    }
}
