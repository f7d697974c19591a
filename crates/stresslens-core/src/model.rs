//! A loaded, validated model: fitted feature pipeline + forest + header. Scoring never panics.

pub use crate::artifact::{ArtifactError, ArtifactErrorKind};

use crate::artifact::{self, ArtifactHeader};
use crate::dataset::Dataset;
use crate::features::{FeaturePipeline, FeatureScratch};
use crate::forest::Forest;
use crate::prediction::ModelIdentity;
use crate::record::Post;
use crate::skipwalk::{SkipWalkForest, SkipWalkScratch};
use rayon::prelude::*;
use std::cell::RefCell;
use std::path::Path;

/// Posts per parallel scoring task: large enough that buffers and task overhead are amortised.
const PARALLEL_CHUNK: usize = 64;

/// Scoring failed for a whole batch (never for bad records: those are rejected before scoring).
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ScoreError {
    #[error("post {index} has {found} numeric values, the model needs {expected}")]
    NumericWidth {
        index: usize,
        expected: usize,
        found: usize,
    },
    #[error("post {index}: {message}")]
    Features { index: usize, message: String },
    #[error("data set cannot be scored: {0}")]
    Dataset(String),
}

#[derive(Debug, Clone)]
pub struct Model {
    identity: ModelIdentity,
    header: ArtifactHeader,
    pipeline: FeaturePipeline,
    forest: Forest,
    /// The forest indexed for fast sparse scoring (built at load, not stored in the artifact).
    scorer: SkipWalkForest,
}

impl Model {
    /// Decodes and validates an artifact; `source` names it in errors (`s3://bucket/key` or a path).
    pub fn from_bytes(bytes: &[u8], source: &str) -> Result<Model, ArtifactError> {
        let decoded = artifact::decode(bytes, source)?;
        let scorer =
            SkipWalkForest::new(&decoded.payload.forest).map_err(|message| ArtifactError {
                source_name: source.to_string(),
                kind: ArtifactErrorKind::Invalid(message),
            })?;
        Ok(Model {
            scorer,
            identity: ModelIdentity {
                name: decoded.header.name.clone(),
                version: decoded.header.version.clone(),
                sha256: decoded.sha256,
            },
            header: decoded.header,
            pipeline: decoded.payload.pipeline,
            forest: decoded.payload.forest,
        })
    }

    /// Reads and validates an artifact file.
    pub fn load_path(path: &Path) -> Result<Model, ArtifactError> {
        let source = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| ArtifactError {
            source_name: source.clone(),
            kind: ArtifactErrorKind::Io(e),
        })?;
        Model::from_bytes(&bytes, &source)
    }

    /// name, version id and sha256 of the artifact, as written into every prediction.
    pub fn identity(&self) -> &ModelIdentity {
        &self.identity
    }

    /// The numeric input fields the model needs, in the order `Post::numeric` must hold them.
    pub fn numeric_fields(&self) -> &[String] {
        self.pipeline.numeric_fields()
    }

    /// The stress probability cut-off stored in the model.
    pub fn threshold(&self) -> f64 {
        self.header.threshold
    }

    /// Everything the artifact says about itself (training data, features, hyperparameters, CV metrics).
    pub fn header(&self) -> &ArtifactHeader {
        &self.header
    }

    pub fn pipeline(&self) -> &FeaturePipeline {
        &self.pipeline
    }

    pub fn forest(&self) -> &Forest {
        &self.forest
    }

    /// Stress probability (share of trees voting stress) for each post, in order. Checks every post's numeric
    /// width first; never panics.
    pub fn score_batch(&self, posts: &[Post]) -> Result<Vec<f64>, ScoreError> {
        let expected = self.numeric_fields().len();
        if let Some((index, post)) = posts
            .iter()
            .enumerate()
            .find(|(_, post)| post.numeric.len() != expected)
        {
            return Err(ScoreError::NumericWidth {
                index,
                expected,
                found: post.numeric.len(),
            });
        }
        // Chunks scored in parallel (rayon keeps their order); each chunk reuses one set of buffers.
        let chunks: Vec<Result<Vec<f64>, ScoreError>> = posts
            .par_chunks(PARALLEL_CHUNK)
            .enumerate()
            .map(|(chunk, posts)| {
                SCORER.with(|scorer| match scorer.try_borrow_mut() {
                    Ok(mut scorer) => scorer.score_block(self, posts, chunk * PARALLEL_CHUNK),
                    // Only if scoring re-entered itself on this thread: fresh buffers, same answers.
                    Err(_) => Scorer::default().score_block(self, posts, chunk * PARALLEL_CHUNK),
                })
            })
            .collect();
        let mut probabilities = Vec::with_capacity(posts.len());
        for chunk in chunks {
            probabilities.extend(chunk?);
        }
        Ok(probabilities)
    }

    /// Stress probabilities for rows of a labelled data set (which must hold the model's numeric fields).
    pub fn score_dataset(&self, data: &Dataset, rows: &[usize]) -> Result<Vec<f64>, ScoreError> {
        let matrix = self
            .pipeline
            .try_transform_dataset(data, rows)
            .map_err(|e| ScoreError::Dataset(e.to_string()))?;
        let mut scratch = SkipWalkScratch::default();
        (0..matrix.n_rows())
            .map(|row| {
                let (indices, values) = matrix.row(row);
                self.scorer
                    .probability(indices, values, &mut scratch)
                    .ok_or_else(|| ScoreError::Features {
                        index: row,
                        message: "feature row does not fit the forest".into(),
                    })
            })
            .collect()
    }
}

thread_local! {
    /// Kept between batches: its word cache (surface word -> column) is most of what makes features fast, and
    /// rebuilding it for every batch would cost a stemming per distinct word.
    static SCORER: RefCell<Scorer> = RefCell::new(Scorer::default());
}

/// Buffers reused across posts and batches, so scoring allocates only while they grow.
#[derive(Default)]
struct Scorer {
    features: FeatureScratch,
    indices: Vec<u32>,
    values: Vec<f32>,
    forest: SkipWalkScratch,
}

impl Scorer {
    /// Probabilities of `posts` (the first is post `first_index` of the batch, for error messages).
    fn score_block(
        &mut self,
        model: &Model,
        posts: &[Post],
        first_index: usize,
    ) -> Result<Vec<f64>, ScoreError> {
        posts
            .iter()
            .enumerate()
            .map(|(offset, post)| {
                let index = first_index + offset;
                model
                    .pipeline
                    .transform_post_into(
                        post,
                        &mut self.features,
                        &mut self.indices,
                        &mut self.values,
                    )
                    .map_err(|e| ScoreError::Features {
                        index,
                        message: e.to_string(),
                    })?;
                model
                    .scorer
                    .probability(&self.indices, &self.values, &mut self.forest)
                    .ok_or_else(|| ScoreError::Features {
                        index,
                        message: format!(
                            "a feature column is outside the forest's width {}",
                            model.scorer.width()
                        ),
                    })
            })
            .collect()
    }
}
