//! CONTRACT STUB for the feature pipeline (to be implemented; keep these public signatures, add freely).
//!
//! Post -> sparse row of width `vocabulary + numeric`: text columns first (vocabulary order), then the standardised
//! numeric columns in `numeric_fields()` order. Fitted once on training rows; never re-fitted at inference.

use crate::dataset::Dataset;
use crate::record::Post;
use serde::{Deserialize, Serialize};

/// Rows of features in compressed sparse row form; indices within a row are strictly increasing.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct CsrMatrix {
    pub n_cols: usize,
    pub indptr: Vec<usize>,
    pub indices: Vec<u32>,
    pub values: Vec<f32>,
}

impl CsrMatrix {
    pub fn n_rows(&self) -> usize {
        self.indptr.len().saturating_sub(1)
    }

    /// Column indices and values of row `i` (empty for an index out of range).
    pub fn row(&self, i: usize) -> (&[u32], &[f32]) {
        match (self.indptr.get(i), self.indptr.get(i + 1)) {
            (Some(&start), Some(&end)) => (&self.indices[start..end], &self.values[start..end]),
            _ => (&[], &[]),
        }
    }
}

/// How text is weighted in the vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Weighting {
    Count,
    Binary,
    TfIdf,
}

/// Which numeric columns the model uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum NumericSelection {
    /// The top K columns by mutual information with the label, among all numeric candidate columns.
    Auto(usize),
    /// Text only.
    None,
    /// These columns, in this order.
    Columns(Vec<String>),
}

/// Hyperparameters of the feature pipeline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureConfig {
    pub min_df: usize,
    pub max_vocab: usize,
    pub weighting: Weighting,
    /// 1 = unigrams, 2 = unigrams and bigrams.
    pub ngram_max: u8,
    pub numeric: NumericSelection,
}

#[derive(Debug, thiserror::Error)]
pub enum FeatureError {
    #[error("post has {found} numeric values, the pipeline needs {expected}")]
    NumericWidth { expected: usize, found: usize },
    #[error("numeric column `{0}` is not in the data set")]
    UnknownColumn(String),
    #[error("{0}")]
    Invalid(String),
}

/// The fitted pipeline (vocabulary, IDF weights, numeric columns, scaler means and standard deviations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeaturePipeline {
    numeric_fields: Vec<String>,
}

impl FeaturePipeline {
    /// Fits on the given rows of `data` (all rows for a final model, the training folds in cross-validation).
    pub fn fit(
        _data: &Dataset,
        _rows: &[usize],
        _config: &FeatureConfig,
    ) -> Result<FeaturePipeline, FeatureError> {
        Err(FeatureError::Invalid("not implemented yet".into()))
    }

    pub fn numeric_fields(&self) -> &[String] {
        &self.numeric_fields
    }

    /// Number of columns: vocabulary size plus numeric fields.
    pub fn width(&self) -> usize {
        self.numeric_fields.len()
    }

    /// One post as a sparse row (sorted indices).
    pub fn transform_post(&self, post: &Post) -> Result<(Vec<u32>, Vec<f32>), FeatureError> {
        if post.numeric.len() != self.numeric_fields.len() {
            return Err(FeatureError::NumericWidth {
                expected: self.numeric_fields.len(),
                found: post.numeric.len(),
            });
        }
        Ok((Vec::new(), Vec::new()))
    }

    /// Rows of a data set (in the order given).
    pub fn transform_dataset(&self, _data: &Dataset, rows: &[usize]) -> CsrMatrix {
        CsrMatrix {
            n_cols: self.width(),
            indptr: vec![0; rows.len() + 1],
            ..CsrMatrix::default()
        }
    }
}
