//! The model artifact: one self-checking file (DESIGN.md "Model artifact").
//!
//! Layout (all integers little-endian):
//! ```text
//! magic            8 bytes   "SLMODEL\0"
//! format version   u32       FORMAT_VERSION
//! header length    u32       H
//! header           H bytes   JSON (ArtifactHeader): readable with `head -c`, no binary needed to inspect a model
//! payload length   u64       P
//! payload          P bytes   postcard (ModelPayload): fitted feature pipeline + compact forest
//! sha256           32 bytes  of every byte before it
//! ```
//! Loading checks, in order: magic, version, lengths (a prefix of any length is reported as truncated, extra bytes
//! as trailing garbage), checksum, then the decoded structure (header, pipeline, forest and their agreement).
//!
//! Determinism: the same data and configuration give byte-identical files. Nothing in the file comes from the
//! clock or the machine: the version id is `<first 8 hex of the data sha256>-<first 8 hex of the configuration
//! hash>`, `created_at` is only set when the caller passes it (the CLI takes it from `SOURCE_DATE_EPOCH`, the
//! reproducible-builds convention), the data file is recorded by its name and sha256 (not its path), and every
//! serialised structure is made of vectors (no hash maps).

use crate::features::{FeatureConfig, FeaturePipeline};
use crate::forest::{Forest, ForestParams};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub const MAGIC: [u8; 8] = *b"SLMODEL\0";
pub const FORMAT_VERSION: u32 = 1;
const PREFIX_LEN: usize = 8 + 4 + 4;
const CHECKSUM_LEN: usize = 32;
/// Headers are small JSON documents; anything larger is not ours.
const MAX_HEADER_LEN: usize = 1 << 20;

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
    #[error("checksum mismatch (corrupted or tampered): content sha256 is {actual}, the artifact records {expected}")]
    ChecksumMismatch { expected: String, actual: String },
    #[error("invalid artifact: {0}")]
    Invalid(String),
}

impl ArtifactErrorKind {
    fn at(self, source: &str) -> ArtifactError {
        ArtifactError {
            source_name: source.to_string(),
            kind: self,
        }
    }
}

/// Where the training data came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrainingData {
    /// File name only (paths differ between machines and would break determinism).
    pub file_name: String,
    /// sha256 of the file's bytes.
    pub sha256: String,
    pub rows: usize,
    pub stress_rows: usize,
}

/// What a post must provide and how it becomes a row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSpec {
    pub config: FeatureConfig,
    /// Numeric input fields, in the order the model reads them.
    pub numeric_fields: Vec<String>,
    pub vocabulary_size: usize,
    /// Columns of a feature row: vocabulary + numeric fields.
    pub width: usize,
}

/// Forest hyperparameters as given and the features-per-split actually used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hyperparameters {
    pub forest: ForestParams,
    pub mtry_used: usize,
}

/// Cross-validated quality of this configuration (grouped K-fold on the training file).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CvMetrics {
    pub folds: usize,
    pub seed: u64,
    pub f1_mean: f64,
    pub f1_std: f64,
    pub accuracy_mean: f64,
    pub precision_mean: f64,
    pub recall_mean: f64,
    pub roc_auc_mean: f64,
    pub f1_per_fold: Vec<f64>,
}

/// The readable part of an artifact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArtifactHeader {
    pub name: String,
    /// `<data sha256, 8 hex>-<configuration hash, 8 hex>`.
    pub version: String,
    /// RFC 3339, only when given at training time (see the module docs for why it is not the clock).
    pub created_at: Option<String>,
    pub training_data: TrainingData,
    pub features: FeatureSpec,
    pub hyperparameters: Hyperparameters,
    /// Stress when probability >= threshold.
    pub threshold: f64,
    /// `None` when training skipped cross-validation.
    pub metrics: Option<CvMetrics>,
}

/// The fitted parts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelPayload {
    pub pipeline: FeaturePipeline,
    pub forest: Forest,
}

/// A decoded and fully validated artifact.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedArtifact {
    pub header: ArtifactHeader,
    pub payload: ModelPayload,
    /// sha256 of the whole file, hex: the model's identity in predictions.
    pub sha256: String,
}

/// Hex sha256 of some bytes.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Checks that header and payload agree with each other and are usable for scoring.
pub fn check_consistency(header: &ArtifactHeader, payload: &ModelPayload) -> Result<(), String> {
    payload.forest.validate().map_err(|e| e.to_string())?;
    let pipeline = &payload.pipeline;
    if payload.forest.width() != pipeline.width() {
        return Err(format!(
            "forest expects {} features, the feature pipeline produces {}",
            payload.forest.width(),
            pipeline.width()
        ));
    }
    if header.features.width != pipeline.width() {
        return Err(format!(
            "header says {} features, the feature pipeline produces {}",
            header.features.width,
            pipeline.width()
        ));
    }
    if header.features.numeric_fields != pipeline.numeric_fields() {
        return Err(format!(
            "header numeric fields {:?} differ from the pipeline's {:?}",
            header.features.numeric_fields,
            pipeline.numeric_fields()
        ));
    }
    if header.features.config != *pipeline.config() {
        return Err("header feature configuration differs from the pipeline's".into());
    }
    if !(0.0..=1.0).contains(&header.threshold) {
        return Err(format!(
            "threshold {} is not a probability",
            header.threshold
        ));
    }
    Ok(())
}

/// Serialises an artifact. Fails only if the parts disagree (see [`check_consistency`]).
pub fn encode(header: &ArtifactHeader, payload: &ModelPayload) -> Result<Vec<u8>, String> {
    check_consistency(header, payload)?;
    let header_bytes = serde_json::to_vec(header).map_err(|e| format!("header: {e}"))?;
    let payload_bytes = postcard::to_stdvec(payload).map_err(|e| format!("payload: {e}"))?;
    let header_len = u32::try_from(header_bytes.len())
        .ok()
        .filter(|&len| (len as usize) <= MAX_HEADER_LEN)
        .ok_or_else(|| format!("header of {} bytes is too large", header_bytes.len()))?;
    let mut bytes = Vec::with_capacity(
        PREFIX_LEN + header_bytes.len() + 8 + payload_bytes.len() + CHECKSUM_LEN,
    );
    bytes.extend_from_slice(&MAGIC);
    bytes.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    bytes.extend_from_slice(&header_len.to_le_bytes());
    bytes.extend_from_slice(&header_bytes);
    bytes.extend_from_slice(&(payload_bytes.len() as u64).to_le_bytes());
    bytes.extend_from_slice(&payload_bytes);
    let checksum = Sha256::digest(&bytes);
    bytes.extend_from_slice(&checksum);
    Ok(bytes)
}

fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(bytes.get(at..at + 4)?.try_into().ok()?))
}

fn read_u64(bytes: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(bytes.get(at..at + 8)?.try_into().ok()?))
}

/// Decodes and validates an artifact; `source` names it in errors.
pub fn decode(bytes: &[u8], source: &str) -> Result<DecodedArtifact, ArtifactError> {
    use ArtifactErrorKind as Kind;
    let truncated = |what: String| Kind::Truncated(what).at(source);
    if bytes.len() < MAGIC.len() {
        return Err(if MAGIC.starts_with(bytes) {
            truncated(format!("{} bytes, shorter than the magic", bytes.len()))
        } else {
            Kind::WrongMagic.at(source)
        });
    }
    if bytes[..MAGIC.len()] != MAGIC {
        return Err(Kind::WrongMagic.at(source));
    }
    let version = read_u32(bytes, 8)
        .ok_or_else(|| truncated(format!("{} bytes, ends in the format version", bytes.len())))?;
    if version != FORMAT_VERSION {
        return Err(Kind::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        }
        .at(source));
    }
    let header_len = read_u32(bytes, 12)
        .ok_or_else(|| truncated(format!("{} bytes, ends in the header length", bytes.len())))?
        as usize;
    if header_len > MAX_HEADER_LEN {
        return Err(Kind::Invalid(format!("header length {header_len} is implausible")).at(source));
    }
    let header_end = PREFIX_LEN + header_len;
    let payload_len = read_u64(bytes, header_end).ok_or_else(|| {
        truncated(format!(
            "{} bytes, ends before the payload length at byte {header_end}",
            bytes.len()
        ))
    })?;
    let payload_start = header_end + 8;
    let expected_len = usize::try_from(payload_len)
        .ok()
        .and_then(|p| payload_start.checked_add(p))
        .and_then(|end| end.checked_add(CHECKSUM_LEN))
        .ok_or_else(|| {
            Kind::Invalid(format!("payload length {payload_len} is implausible")).at(source)
        })?;
    if bytes.len() < expected_len {
        return Err(truncated(format!(
            "{} bytes, the header says {expected_len}",
            bytes.len()
        )));
    }
    if bytes.len() > expected_len {
        return Err(Kind::Invalid(format!(
            "{} trailing bytes after the checksum",
            bytes.len() - expected_len
        ))
        .at(source));
    }
    let checked_end = expected_len - CHECKSUM_LEN;
    let actual = sha256_hex(&bytes[..checked_end]);
    let expected = hex::encode(&bytes[checked_end..]);
    if actual != expected {
        return Err(Kind::ChecksumMismatch { expected, actual }.at(source));
    }
    let header: ArtifactHeader = serde_json::from_slice(&bytes[PREFIX_LEN..header_end])
        .map_err(|e| Kind::Invalid(format!("header: {e}")).at(source))?;
    let payload: ModelPayload = postcard::from_bytes(&bytes[payload_start..checked_end])
        .map_err(|e| Kind::Invalid(format!("payload: {e}")).at(source))?;
    check_consistency(&header, &payload).map_err(|e| Kind::Invalid(e).at(source))?;
    Ok(DecodedArtifact {
        header,
        payload,
        sha256: sha256_hex(bytes),
    })
}

/// Reads only the header of an artifact after checking the whole file (for `stresslens` to show what a model is).
pub fn read_header(bytes: &[u8], source: &str) -> Result<ArtifactHeader, ArtifactError> {
    decode(bytes, source).map(|decoded| decoded.header)
}

/// Byte offsets inside an encoded artifact (for tests and tools that need to point at a part).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub header: (usize, usize),
    pub payload: (usize, usize),
    pub checksum: usize,
}

/// Where the parts of a well-formed artifact lie; `None` if the prefix is not readable.
pub fn layout(bytes: &[u8]) -> Option<Layout> {
    let header_len = read_u32(bytes, 12)? as usize;
    let header_end = PREFIX_LEN.checked_add(header_len)?;
    let payload_len = usize::try_from(read_u64(bytes, header_end)?).ok()?;
    let payload_start = header_end + 8;
    let payload_end = payload_start.checked_add(payload_len)?;
    Some(Layout {
        header: (PREFIX_LEN, header_end),
        payload: (payload_start, payload_end),
        checksum: payload_end,
    })
}

/// Recomputes the trailing checksum in place (tests use it to build "valid checksum, bad content" cases).
pub fn reseal(bytes: &mut Vec<u8>) {
    if let Some(layout) = layout(bytes) {
        bytes.truncate(layout.checksum);
        let checksum = Sha256::digest(&bytes[..]);
        bytes.extend_from_slice(&checksum);
    }
}
