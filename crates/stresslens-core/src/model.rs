//! CONTRACT STUB (to be replaced by the real implementation; the public signatures below are what the Lambda,
//! the CLI and the service use — keep them, add to them freely).
//!
//! A loaded, validated model: fitted feature pipeline + forest + header. Scoring never panics.

use crate::prediction::ModelIdentity;
use crate::record::Post;
use std::path::Path;

/// A model artifact could not be loaded. `Display` always names the source (`s3://bucket/key` or a path) and what
/// is wrong, e.g. `s3://b/models/m.bin: truncated artifact: ...`.
#[derive(Debug, thiserror::Error)]
#[error("{source_name}: {kind}")]
pub struct ArtifactError {
    pub source_name: String,
    pub kind: ArtifactErrorKind,
}

#[derive(Debug, thiserror::Error)]
pub enum ArtifactErrorKind {
    #[error("cannot read: {0}")]
    Io(#[from] std::io::Error),
    #[error("not a stresslens model artifact (wrong magic)")]
    WrongMagic,
    #[error("unsupported artifact format version {found} (this build reads version {supported})")]
    UnsupportedVersion { found: u32, supported: u32 },
    #[error("truncated artifact: {0}")]
    Truncated(String),
    #[error("checksum mismatch: payload sha256 is {actual}, header says {expected}")]
    ChecksumMismatch { expected: String, actual: String },
    #[error("invalid artifact: {0}")]
    Invalid(String),
}

/// Scoring failed for a whole batch (never for bad records: those are rejected before scoring).
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error("post {index} has {found} numeric values, the model needs {expected}")]
    NumericWidth {
        index: usize,
        expected: usize,
        found: usize,
    },
}

#[derive(Debug)]
pub struct Model {
    identity: ModelIdentity,
    numeric_fields: Vec<String>,
    threshold: f64,
}

impl Model {
    /// Decodes and validates an artifact; `source` names it in errors (`s3://bucket/key` or a path).
    pub fn from_bytes(_bytes: &[u8], source: &str) -> Result<Model, ArtifactError> {
        Err(ArtifactError {
            source_name: source.to_string(),
            kind: ArtifactErrorKind::Invalid("not implemented yet".into()),
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
        &self.numeric_fields
    }

    /// The stress probability cut-off stored in the model.
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Stress probability (share of trees voting stress) for each post, in order. Checks every post's numeric
    /// width first; never panics.
    pub fn score_batch(&self, posts: &[Post]) -> Result<Vec<f64>, ScoreError> {
        posts
            .iter()
            .enumerate()
            .map(|(index, post)| {
                if post.numeric.len() != self.numeric_fields.len() {
                    return Err(ScoreError::NumericWidth {
                        index,
                        expected: self.numeric_fields.len(),
                        found: post.numeric.len(),
                    });
                }
                Ok(0.5)
            })
            .collect()
    }
}
