//! Training: fit the feature pipeline and the forest on rows of a data set, cross-validate, build the artifact.
//!
//! The defaults here are the tuned configuration: `stresslens train` with no tuning flags uses exactly
//! [`TrainConfig::default`], so the committed model and the CLI cannot drift apart.

use crate::artifact::{
    self, ArtifactHeader, CvMetrics, FeatureSpec, Hyperparameters, ModelPayload, TrainingData,
};
use crate::cv::{grouped_k_fold, CvError};
use crate::dataset::Dataset;
use crate::features::{FeatureConfig, FeatureError, FeaturePipeline, NumericSelection, Weighting};
use crate::forest::{self, DenseColumns, Forest, ForestError, ForestParams};
use crate::metrics::{mean_std, Evaluation};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// Name written into artifacts (and every prediction) unless another is given.
pub const DEFAULT_MODEL_NAME: &str = "stresslens-dreaddit";

/// Feature pipeline of the tuned default model.
pub fn default_feature_config() -> FeatureConfig {
    FeatureConfig {
        min_df: 2,
        max_vocab: 1000,
        weighting: Weighting::Count,
        ngram_max: 1,
        // The input contract (DESIGN.md) is that the default model needs `text` plus five numeric fields: MI picks
        // exactly lex_liwc_Tone, lex_liwc_negemo, lex_liwc_i, lex_liwc_Clout and sentiment on Dreaddit. More columns
        // gained at most ~0.005 CV F1 (within fold noise) and would make every producer compute 20-40 LIWC values.
        numeric: NumericSelection::Auto(5),
    }
}

/// Forest of the tuned default model.
pub fn default_forest_params() -> ForestParams {
    ForestParams {
        // 100 trees: CV F1 0.7818 +- 0.0189 against 0.7824 +- 0.0174 for 200, at half the scoring time and size.
        // Leaves of 3-5 samples, min_samples_split 10 or 60 trees cost 0.004-0.008 CV F1.
        n_trees: 100,
        max_depth: None,
        min_samples_split: 2,
        min_samples_leaf: 1,
        mtry: None,
        seed: 42,
    }
}

/// Stress cut-off of the tuned default model.
pub const DEFAULT_THRESHOLD: f64 = 0.42;

/// Folds of the cross-validation recorded in a trained artifact's header (0: none).
pub const DEFAULT_CV_FOLDS: usize = 5;

/// Everything that determines a trained model.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TrainConfig {
    pub name: String,
    pub features: FeatureConfig,
    pub forest: ForestParams,
    pub threshold: f64,
    /// Grouped K-fold CV metrics recorded in the header; 0 skips cross-validation.
    pub cv_folds: usize,
    /// Recorded as given (RFC 3339); `None` keeps the artifact free of wall-clock time.
    pub created_at: Option<String>,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            name: DEFAULT_MODEL_NAME.to_string(),
            features: default_feature_config(),
            forest: default_forest_params(),
            threshold: DEFAULT_THRESHOLD,
            cv_folds: DEFAULT_CV_FOLDS,
            created_at: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    // Transparent: the inner messages are complete, and a prefix here would repeat them in error chains.
    #[error(transparent)]
    Features(#[from] FeatureError),
    #[error(transparent)]
    Forest(#[from] ForestError),
    #[error(transparent)]
    Cv(#[from] CvError),
    #[error("{0}")]
    Invalid(String),
}

/// A forest trained on some rows, with the pipeline that produced its features.
pub struct Fitted {
    pub pipeline: FeaturePipeline,
    pub forest: Forest,
}

impl Fitted {
    /// Stress probabilities for rows of `data`.
    pub fn score_rows(&self, data: &Dataset, rows: &[usize]) -> Result<Vec<f64>, TrainError> {
        let matrix = self.pipeline.try_transform_dataset(data, rows)?;
        let mut scratch = Vec::new();
        (0..matrix.n_rows())
            .map(|row| {
                let (indices, values) = matrix.row(row);
                self.forest
                    .probability_sparse(indices, values, &mut scratch)
                    .ok_or_else(|| {
                        TrainError::Invalid(format!("row {row} does not fit the forest"))
                    })
            })
            .collect()
    }
}

/// Fits the pipeline and the forest on `rows` of `data`; `on_tree_done` is called once per tree.
pub fn fit(
    data: &Dataset,
    rows: &[usize],
    features: &FeatureConfig,
    params: &ForestParams,
    on_tree_done: &(dyn Fn() + Sync),
) -> Result<Fitted, TrainError> {
    let pipeline = FeaturePipeline::fit(data, rows, features)?;
    let matrix = pipeline.try_transform_dataset(data, rows)?;
    // Dense for smartcore: rows x (vocabulary + numeric) f32, e.g. 2,838 x 2,005 x 4 B = 23 MB.
    let dense = DenseColumns::from_sparse_rows(
        matrix.n_cols,
        (0..matrix.n_rows()).map(|row| matrix.row(row)),
    )?;
    let labels: Vec<u8> = rows
        .iter()
        .map(|&row| data.labels.get(row).copied())
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| TrainError::Invalid("row index out of range".into()))?;
    let forest = forest::train(&dense, &labels, params, on_tree_done)?;
    Ok(Fitted { pipeline, forest })
}

/// Results of grouped K-fold cross-validation.
#[derive(Debug, Clone, PartialEq)]
pub struct CvOutcome {
    /// Out-of-fold stress probability of every row of the data set.
    pub out_of_fold: Vec<f64>,
    /// Test rows of each fold.
    pub fold_tests: Vec<Vec<usize>>,
}

impl CvOutcome {
    /// Each fold's evaluation if stress were `probability >= threshold`.
    pub fn evaluate_at(&self, labels: &[u8], threshold: f64) -> Vec<Evaluation> {
        self.fold_tests
            .iter()
            .map(|rows| {
                let fold_labels: Vec<u8> = rows.iter().map(|&r| labels[r]).collect();
                let probabilities: Vec<f64> = rows.iter().map(|&r| self.out_of_fold[r]).collect();
                Evaluation::new(&fold_labels, &probabilities, threshold)
            })
            .collect()
    }

    /// Summary at `threshold` for the artifact header and reports.
    pub fn metrics(&self, labels: &[u8], threshold: f64, seed: u64) -> CvMetrics {
        let folds = self.evaluate_at(labels, threshold);
        let collect = |f: fn(&Evaluation) -> f64| -> Vec<f64> { folds.iter().map(f).collect() };
        let f1 = collect(|e| e.f1);
        let (f1_mean, f1_std) = mean_std(&f1);
        CvMetrics {
            folds: folds.len(),
            seed,
            f1_mean,
            f1_std,
            accuracy_mean: mean_std(&collect(|e| e.accuracy)).0,
            precision_mean: mean_std(&collect(|e| e.precision)).0,
            recall_mean: mean_std(&collect(|e| e.recall)).0,
            roc_auc_mean: mean_std(&collect(|e| e.roc_auc.unwrap_or(0.5))).0,
            f1_per_fold: f1,
        }
    }
}

/// Grouped (by `post_id`) K-fold cross-validation with folds drawn from `fold_seed`.
pub fn cross_validate(
    data: &Dataset,
    features: &FeatureConfig,
    params: &ForestParams,
    folds: usize,
    fold_seed: u64,
    on_tree_done: &(dyn Fn() + Sync),
) -> Result<CvOutcome, TrainError> {
    let splits = grouped_k_fold(&data.post_ids, folds, fold_seed)?;
    let mut out_of_fold = vec![0.0; data.len()];
    let mut fold_tests = Vec::with_capacity(splits.len());
    for split in splits {
        let fitted = fit(data, &split.train, features, params, on_tree_done)?;
        let probabilities = fitted.score_rows(data, &split.test)?;
        for (&row, &p) in split.test.iter().zip(&probabilities) {
            out_of_fold[row] = p;
        }
        fold_tests.push(split.test);
    }
    Ok(CvOutcome {
        out_of_fold,
        fold_tests,
    })
}

fn check_threshold(threshold: f64) -> Result<(), TrainError> {
    if (0.0..=1.0).contains(&threshold) {
        Ok(())
    } else {
        Err(TrainError::Invalid(format!(
            "threshold {threshold} is not between 0 and 1"
        )))
    }
}

/// First 8 hex digits of the sha256 of everything that determines the model apart from the data.
pub fn config_hash(config: &TrainConfig) -> String {
    let json = serde_json::to_vec(config).unwrap_or_default();
    hex::encode(Sha256::digest(&json))[..8].to_string()
}

/// Trees trained by [`train_artifact`] for this configuration (for progress bars).
pub fn total_trees(config: &TrainConfig) -> u64 {
    u64::from(config.forest.n_trees) * (config.cv_folds as u64 + 1)
}

/// Trains on all rows of `data` (after cross-validating when `config.cv_folds > 0`) and returns the artifact.
pub fn train_artifact(
    data: &Dataset,
    file_name: &str,
    config: &TrainConfig,
    on_tree_done: &(dyn Fn() + Sync),
) -> Result<Vec<u8>, TrainError> {
    check_threshold(config.threshold)?;
    let metrics = if config.cv_folds > 0 {
        let outcome = cross_validate(
            data,
            &config.features,
            &config.forest,
            config.cv_folds,
            config.forest.seed,
            on_tree_done,
        )?;
        Some(outcome.metrics(&data.labels, config.threshold, config.forest.seed))
    } else {
        None
    };
    build_artifact(data, file_name, config, metrics, on_tree_done)
}

/// Trains on all rows of `data` and returns the artifact, recording `metrics` (already cross-validated).
pub fn build_artifact(
    data: &Dataset,
    file_name: &str,
    config: &TrainConfig,
    metrics: Option<CvMetrics>,
    on_tree_done: &(dyn Fn() + Sync),
) -> Result<Vec<u8>, TrainError> {
    check_threshold(config.threshold)?;
    let all_rows: Vec<usize> = (0..data.len()).collect();
    let fitted = fit(
        data,
        &all_rows,
        &config.features,
        &config.forest,
        on_tree_done,
    )?;
    let header = ArtifactHeader {
        name: config.name.clone(),
        version: format!(
            "{}-{}",
            &data.sha256[..8.min(data.sha256.len())],
            config_hash(config)
        ),
        created_at: config.created_at.clone(),
        training_data: TrainingData {
            file_name: file_name.to_string(),
            sha256: data.sha256.clone(),
            rows: data.len(),
            stress_rows: data.labels.iter().filter(|&&l| l == 1).count(),
        },
        features: FeatureSpec {
            config: config.features.clone(),
            numeric_fields: fitted.pipeline.numeric_fields().to_vec(),
            vocabulary_size: fitted.pipeline.vocabulary().len(),
            width: fitted.pipeline.width(),
        },
        hyperparameters: Hyperparameters {
            forest: config.forest.clone(),
            mtry_used: config.forest.resolved_mtry(fitted.pipeline.width()),
        },
        threshold: config.threshold,
        metrics,
    };
    let payload = ModelPayload {
        pipeline: fitted.pipeline,
        forest: fitted.forest,
    };
    artifact::encode(&header, &payload).map_err(TrainError::Invalid)
}
