//! The feature pipeline: Post -> sparse row of width `vocabulary + numeric`.
//!
//! Text columns come first (vocabulary order, see [`crate::vocab`]), then the standardised numeric columns in
//! `numeric_fields()` order (always present, even when 0). Fitted once on training rows and never re-fitted at
//! inference: training ([`FeaturePipeline::transform_dataset`]) and serving ([`FeaturePipeline::transform_post`])
//! share one code path, so they cannot disagree.

use crate::dataset::{Dataset, DatasetError};
use crate::mi::MiOptions;
use crate::numeric::{rank_by_mutual_information, Standardiser};
use crate::record::Post;
use crate::text::Terms;
use crate::vocab::{UnigramCache, Vocabulary};
use serde::{Deserialize, Serialize};
use std::cell::RefCell;

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
    /// Occurrences of the term in the post.
    Count,
    /// 1 if the term occurs.
    Binary,
    /// Count × smooth IDF (`ln((1 + n) / (1 + df)) + 1`, as scikit-learn), text part of the row L2-normalised.
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
    /// A term must occur in at least this many training rows (at least 1).
    pub min_df: usize,
    /// At most this many terms (0: no text features).
    pub max_vocab: usize,
    pub weighting: Weighting,
    /// 1 = unigrams, 2 = unigrams and bigrams.
    pub ngram_max: u8,
    pub numeric: NumericSelection,
}

impl Default for FeatureConfig {
    fn default() -> Self {
        Self {
            min_df: 2,
            max_vocab: 2000,
            weighting: Weighting::Count,
            ngram_max: 1,
            numeric: NumericSelection::Auto(5),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum FeatureError {
    #[error("post has {found} numeric values, the pipeline needs {expected}")]
    NumericWidth { expected: usize, found: usize },
    #[error("numeric column `{0}` is not in the data set")]
    UnknownColumn(String),
    #[error("{0}")]
    Invalid(String),
    #[error(transparent)]
    Data(#[from] DatasetError),
}

/// Buffers reused from post to post so that feature extraction does not allocate per token.
#[derive(Debug, Default)]
pub struct FeatureScratch {
    terms: Terms,
    unigrams: UnigramCache,
    hits: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<FeatureScratch> = RefCell::new(FeatureScratch::default());
}

/// The fitted pipeline (vocabulary, IDF weights, numeric columns, scaler means and standard deviations).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "StoredPipeline", into = "StoredPipeline")]
pub struct FeaturePipeline {
    config: FeatureConfig,
    vocabulary: Vocabulary,
    /// One weight per term for TF-IDF, empty otherwise.
    idf: Vec<f64>,
    numeric_fields: Vec<String>,
    scaler: Standardiser,
}

/// The serialised form: plain vectors only (no hash maps, so the bytes are deterministic); checked when read.
#[derive(Serialize, Deserialize)]
struct StoredPipeline {
    config: FeatureConfig,
    terms: Vec<String>,
    idf: Vec<f64>,
    numeric_fields: Vec<String>,
    means: Vec<f64>,
    stds: Vec<f64>,
}

impl From<FeaturePipeline> for StoredPipeline {
    fn from(pipeline: FeaturePipeline) -> Self {
        StoredPipeline {
            terms: pipeline.vocabulary.terms().to_vec(),
            idf: pipeline.idf,
            means: pipeline.scaler.means().to_vec(),
            stds: pipeline.scaler.stds().to_vec(),
            numeric_fields: pipeline.numeric_fields,
            config: pipeline.config,
        }
    }
}

impl TryFrom<StoredPipeline> for FeaturePipeline {
    type Error = String;

    fn try_from(stored: StoredPipeline) -> Result<Self, String> {
        let vocabulary = Vocabulary::from_terms(stored.terms, stored.config.ngram_max)?;
        let expected_idf = match stored.config.weighting {
            Weighting::TfIdf => vocabulary.len(),
            Weighting::Count | Weighting::Binary => 0,
        };
        if stored.idf.len() != expected_idf {
            return Err(format!(
                "{} IDF weights for {} terms with {:?} weighting",
                stored.idf.len(),
                vocabulary.len(),
                stored.config.weighting
            ));
        }
        if let Some(weight) = stored.idf.iter().find(|w| !(w.is_finite() && **w >= 1.0)) {
            return Err(format!("IDF weight {weight} is not a number of at least 1"));
        }
        let scaler = Standardiser::from_parts(stored.means, stored.stds)?;
        if scaler.len() != stored.numeric_fields.len() {
            return Err(format!(
                "{} numeric fields but scaler parameters for {}",
                stored.numeric_fields.len(),
                scaler.len()
            ));
        }
        check_unique(&stored.numeric_fields)?;
        let consistent = match &stored.config.numeric {
            NumericSelection::Auto(k) => *k == stored.numeric_fields.len(),
            NumericSelection::None => stored.numeric_fields.is_empty(),
            NumericSelection::Columns(names) => *names == stored.numeric_fields,
        };
        if !consistent {
            return Err(format!(
                "numeric fields {:?} do not match the configured selection {:?}",
                stored.numeric_fields, stored.config.numeric
            ));
        }
        Ok(FeaturePipeline {
            config: stored.config,
            vocabulary,
            idf: stored.idf,
            numeric_fields: stored.numeric_fields,
            scaler,
        })
    }
}

fn check_unique(names: &[String]) -> Result<(), String> {
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            return Err(format!("numeric column `{name}` is listed twice"));
        }
    }
    Ok(())
}

impl FeaturePipeline {
    /// Fits on the given rows of `data` (all rows for a final model, the training folds in cross-validation).
    pub fn fit(
        data: &Dataset,
        rows: &[usize],
        config: &FeatureConfig,
    ) -> Result<FeaturePipeline, FeatureError> {
        FeaturePipeline::fit_ranked(data, rows, config, None)
    }

    /// [`fit`](Self::fit) with the mutual-information ranking of the numeric candidates on these same rows already
    /// computed ([`rank_by_mutual_information`]): cross-validation fits many configurations on one fold, and the
    /// ranking is the slow part of a fit. Only `NumericSelection::Auto` reads it.
    pub fn fit_with_ranking(
        data: &Dataset,
        rows: &[usize],
        config: &FeatureConfig,
        ranking: &[(String, f64)],
    ) -> Result<FeaturePipeline, FeatureError> {
        FeaturePipeline::fit_ranked(data, rows, config, Some(ranking))
    }

    fn fit_ranked(
        data: &Dataset,
        rows: &[usize],
        config: &FeatureConfig,
        ranking: Option<&[(String, f64)]>,
    ) -> Result<FeaturePipeline, FeatureError> {
        if !(1..=2).contains(&config.ngram_max) {
            return Err(FeatureError::Invalid(format!(
                "ngram_max is {}, must be 1 or 2",
                config.ngram_max
            )));
        }
        if config.min_df == 0 {
            return Err(FeatureError::Invalid("min_df must be at least 1".into()));
        }
        if rows.is_empty() {
            return Err(FeatureError::Invalid("no training rows".into()));
        }
        if let Some(row) = rows.iter().find(|&&row| row >= data.len()) {
            return Err(FeatureError::Invalid(format!(
                "row {row} is out of range: {} has {} rows",
                data.source,
                data.len()
            )));
        }
        let numeric_fields = select_numeric(data, rows, &config.numeric, ranking)?;
        let columns = data.require_numeric(&numeric_fields)?;
        let column_values: Vec<&[f64]> = columns
            .iter()
            .map(|&c| data.numeric[c].as_slice())
            .collect();
        let scaler = Standardiser::fit(&column_values, rows);

        let fitted = Vocabulary::fit(
            rows.iter()
                .map(|&row| data.texts.get(row).map_or("", String::as_str)),
            config.min_df,
            config.max_vocab,
            config.ngram_max,
        );
        let idf = match config.weighting {
            Weighting::TfIdf => {
                let n = fitted.documents as f64;
                fitted
                    .document_frequencies
                    .iter()
                    .map(|&df| ((1.0 + n) / (1.0 + df as f64)).ln() + 1.0)
                    .collect()
            }
            Weighting::Count | Weighting::Binary => Vec::new(),
        };
        if fitted.vocabulary.is_empty() && numeric_fields.is_empty() {
            return Err(FeatureError::Invalid(
                "the configuration selects no features: no term passes min_df/max_vocab and no numeric column".into(),
            ));
        }
        Ok(FeaturePipeline {
            config: config.clone(),
            vocabulary: fitted.vocabulary,
            idf,
            numeric_fields,
            scaler,
        })
    }

    pub fn numeric_fields(&self) -> &[String] {
        &self.numeric_fields
    }

    /// Number of columns: vocabulary size plus numeric fields.
    pub fn width(&self) -> usize {
        self.vocabulary.len() + self.numeric_fields.len()
    }

    pub fn config(&self) -> &FeatureConfig {
        &self.config
    }

    /// The terms of the text columns, in column order.
    pub fn vocabulary(&self) -> &[String] {
        self.vocabulary.terms()
    }

    /// IDF weight per term (empty unless the weighting is TF-IDF).
    pub fn idf(&self) -> &[f64] {
        &self.idf
    }

    pub fn scaler(&self) -> &Standardiser {
        &self.scaler
    }

    /// Name of column `index` (`"text:<term>"` or `"num:<field>"`), for reports.
    pub fn column_name(&self, index: usize) -> Option<String> {
        match self.vocabulary.terms().get(index) {
            Some(term) => Some(format!("text:{term}")),
            None => self
                .numeric_fields
                .get(index.checked_sub(self.vocabulary.len())?)
                .map(|field| format!("num:{field}")),
        }
    }

    /// One post as a sparse row (sorted indices).
    pub fn transform_post(&self, post: &Post) -> Result<(Vec<u32>, Vec<f32>), FeatureError> {
        let mut indices = Vec::new();
        let mut values = Vec::new();
        with_scratch(|scratch| self.transform_post_into(post, scratch, &mut indices, &mut values))?;
        Ok((indices, values))
    }

    /// [`transform_post`](Self::transform_post) into caller-owned buffers (cleared first): the allocation-free path
    /// for scoring many posts.
    pub fn transform_post_into(
        &self,
        post: &Post,
        scratch: &mut FeatureScratch,
        indices: &mut Vec<u32>,
        values: &mut Vec<f32>,
    ) -> Result<(), FeatureError> {
        if post.numeric.len() != self.numeric_fields.len() {
            return Err(FeatureError::NumericWidth {
                expected: self.numeric_fields.len(),
                found: post.numeric.len(),
            });
        }
        indices.clear();
        values.clear();
        self.append_row(
            &post.text,
            post.numeric.iter().copied(),
            scratch,
            indices,
            values,
        );
        Ok(())
    }

    /// Rows of a data set (in the order given). A numeric field the data set lacks is taken as its training mean
    /// (standardised 0); use [`try_transform_dataset`](Self::try_transform_dataset) to refuse such data instead.
    pub fn transform_dataset(&self, data: &Dataset, rows: &[usize]) -> CsrMatrix {
        let columns: Vec<Option<usize>> = self
            .numeric_fields
            .iter()
            .map(|name| data.numeric_names.iter().position(|n| n == name))
            .collect();
        self.transform_rows(data, rows, &columns)
    }

    /// Rows of a data set (in the order given); an error if the data set lacks a numeric field of the pipeline or
    /// a row is out of range.
    pub fn try_transform_dataset(
        &self,
        data: &Dataset,
        rows: &[usize],
    ) -> Result<CsrMatrix, FeatureError> {
        let columns = data.require_numeric(&self.numeric_fields)?;
        if let Some(row) = rows.iter().find(|&&row| row >= data.len()) {
            return Err(FeatureError::Invalid(format!(
                "row {row} is out of range: {} has {} rows",
                data.source,
                data.len()
            )));
        }
        let columns: Vec<Option<usize>> = columns.into_iter().map(Some).collect();
        Ok(self.transform_rows(data, rows, &columns))
    }

    fn transform_rows(
        &self,
        data: &Dataset,
        rows: &[usize],
        columns: &[Option<usize>],
    ) -> CsrMatrix {
        let mut matrix = CsrMatrix {
            n_cols: self.width(),
            indptr: Vec::with_capacity(rows.len() + 1),
            ..CsrMatrix::default()
        };
        matrix.indptr.push(0);
        let mut scratch = FeatureScratch::default();
        for &row in rows {
            if let Some(text) = data.texts.get(row) {
                let numeric = columns.iter().enumerate().map(|(j, column)| {
                    column
                        .and_then(|c| data.numeric.get(c)?.get(row).copied())
                        .or_else(|| self.scaler.means().get(j).copied())
                        .unwrap_or(0.0)
                });
                self.append_row(
                    text,
                    numeric,
                    &mut scratch,
                    &mut matrix.indices,
                    &mut matrix.values,
                );
            }
            matrix.indptr.push(matrix.indices.len());
        }
        matrix
    }

    /// IDF weight of a text column (construction guarantees one per term; 1 keeps this total).
    fn idf_of(&self, column: u32) -> f64 {
        self.idf.get(column as usize).copied().unwrap_or(1.0)
    }

    /// Appends one row's entries (sorted by column) to `indices`/`values`.
    fn append_row(
        &self,
        text: &str,
        numeric: impl Iterator<Item = f64>,
        scratch: &mut FeatureScratch,
        indices: &mut Vec<u32>,
        values: &mut Vec<f32>,
    ) {
        let row_start = values.len();
        scratch.hits.clear();
        if !self.vocabulary.is_empty() {
            if self.vocabulary.ngram_max() == 1 {
                self.vocabulary.collect_unigram_hits(
                    text,
                    &mut scratch.terms,
                    &mut scratch.unigrams,
                    &mut scratch.hits,
                );
            } else {
                scratch.terms.analyse(text);
                self.vocabulary
                    .collect_hits(&scratch.terms, &mut scratch.hits);
            }
            scratch.hits.sort_unstable();
        }
        let mut squares = 0.0f64;
        for run in scratch.hits.chunk_by(|a, b| a == b) {
            let column = run[0];
            let count = run.len() as f64;
            let value = match self.config.weighting {
                Weighting::Count => count,
                Weighting::Binary => 1.0,
                Weighting::TfIdf => count * self.idf_of(column),
            };
            squares += value * value;
            indices.push(column);
            values.push(value as f32);
        }
        if self.config.weighting == Weighting::TfIdf && squares > 0.0 {
            let norm = squares.sqrt();
            // Recomputed from the unrounded weights so that f32 rounding happens once.
            for (value, run) in values[row_start..]
                .iter_mut()
                .zip(scratch.hits.chunk_by(|a, b| a == b))
            {
                *value = (run.len() as f64 * self.idf_of(run[0]) / norm) as f32;
            }
        }
        let offset = self.vocabulary.len() as u32;
        for (j, value) in numeric.enumerate() {
            indices.push(offset + j as u32);
            values.push(self.scaler.apply(j, value) as f32);
        }
    }
}

fn with_scratch<R>(f: impl FnOnce(&mut FeatureScratch) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        // Only when called re-entrantly on this thread: use fresh buffers.
        Err(_) => f(&mut FeatureScratch::default()),
    })
}

/// The numeric columns a configuration selects on these rows.
fn select_numeric(
    data: &Dataset,
    rows: &[usize],
    selection: &NumericSelection,
    ranking: Option<&[(String, f64)]>,
) -> Result<Vec<String>, FeatureError> {
    match selection {
        NumericSelection::None => Ok(Vec::new()),
        NumericSelection::Columns(names) => {
            check_unique(names).map_err(FeatureError::Invalid)?;
            data.require_numeric(names)?;
            Ok(names.clone())
        }
        NumericSelection::Auto(k) => {
            if *k > data.numeric_names.len() {
                return Err(FeatureError::Invalid(format!(
                    "asked for the top {k} numeric columns by mutual information, {} has {} numeric columns",
                    data.source,
                    data.numeric_names.len()
                )));
            }
            let names: Vec<String> = match ranking {
                Some(ranked) => ranked
                    .iter()
                    .take(*k)
                    .map(|(name, _)| name.clone())
                    .collect(),
                None => rank_by_mutual_information(data, rows, MiOptions::default())
                    .into_iter()
                    .take(*k)
                    .map(|(name, _)| name)
                    .collect(),
            };
            if names.len() < *k {
                return Err(FeatureError::Invalid(format!(
                    "asked for the top {k} numeric columns by mutual information, the ranking has {}",
                    names.len()
                )));
            }
            check_unique(&names).map_err(FeatureError::Invalid)?;
            Ok(names)
        }
    }
}
