//! The model artifact: round trip, determinism, and every kind of damage reported with the source and the problem.

use std::path::Path;
use std::sync::OnceLock;
use stresslens_core::artifact::{
    self, layout, reseal, ArtifactErrorKind, ModelPayload, FORMAT_VERSION, MAGIC,
};
use stresslens_core::dataset::Dataset;
use stresslens_core::features::NumericSelection;
use stresslens_core::forest::{CompactNode, CompactTree, Forest};
use stresslens_core::train::{train_artifact, TrainConfig};
use stresslens_core::Model;

const SOURCE: &str = "s3://bucket/models/m.bin";

fn fixture() -> Dataset {
    Dataset::from_csv_path(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/model_posts.csv"),
    )
    .unwrap()
}

fn small_config(seed: u64) -> TrainConfig {
    let mut config = TrainConfig::default();
    config.features.max_vocab = 40;
    config.features.min_df = 2;
    config.features.numeric = NumericSelection::Auto(3);
    config.forest.n_trees = 12;
    config.forest.seed = seed;
    config.cv_folds = 2;
    config
}

fn trained() -> &'static Vec<u8> {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        train_artifact(&fixture(), "model_posts.csv", &small_config(7), &|| {}).unwrap()
    })
}

fn error_of(bytes: &[u8]) -> (String, ArtifactErrorKind) {
    let error = Model::from_bytes(bytes, SOURCE).unwrap_err();
    (error.to_string(), error.kind)
}

#[test]
fn round_trip_keeps_header_and_predictions() {
    let bytes = trained();
    let model = Model::from_bytes(bytes, SOURCE).unwrap();
    let header = model.header();
    let data = fixture();
    assert_eq!(&bytes[..8], b"SLMODEL\0");
    assert_eq!(header.name, "stresslens-dreaddit");
    assert_eq!(header.training_data.file_name, "model_posts.csv");
    assert_eq!(header.training_data.sha256, data.sha256);
    assert_eq!(header.training_data.rows, 80);
    assert_eq!(header.training_data.stress_rows, 40);
    assert_eq!(
        header.version,
        format!(
            "{}-{}",
            &data.sha256[..8],
            stresslens_core::train::config_hash(&small_config(7))
        )
    );
    assert_eq!(header.created_at, None);
    assert_eq!(header.hyperparameters.forest.n_trees, 12);
    assert_eq!(header.features.numeric_fields.len(), 3);
    assert_eq!(header.features.width, header.features.vocabulary_size + 3);
    assert_eq!(model.forest().trees().len(), 12);
    let metrics = header.metrics.as_ref().unwrap();
    assert_eq!(metrics.folds, 2);
    assert_eq!(metrics.f1_per_fold.len(), 2);
    assert_eq!(model.identity().sha256, artifact::sha256_hex(bytes));
    // Decoding and re-encoding gives the same bytes.
    let decoded = artifact::decode(bytes, SOURCE).unwrap();
    assert!(&artifact::encode(&decoded.header, &decoded.payload).unwrap() == bytes);
}

#[test]
fn same_data_and_seed_give_identical_bytes_another_seed_does_not() {
    let again = train_artifact(&fixture(), "model_posts.csv", &small_config(7), &|| {}).unwrap();
    assert_eq!(&again, trained());
    let other = train_artifact(&fixture(), "model_posts.csv", &small_config(8), &|| {}).unwrap();
    assert_ne!(&other, trained());
}

#[test]
fn every_prefix_is_reported_as_truncated() {
    let bytes = trained();
    for len in 0..bytes.len() {
        let (message, kind) = error_of(&bytes[..len]);
        assert!(
            matches!(kind, ArtifactErrorKind::Truncated(_)),
            "prefix {len}: {message}"
        );
        assert!(
            message.starts_with("s3://bucket/models/m.bin: truncated artifact: "),
            "{message}"
        );
    }
}

#[test]
fn wrong_magic() {
    let mut bytes = trained().clone();
    bytes[0] = b'X';
    let (message, kind) = error_of(&bytes);
    assert!(matches!(kind, ArtifactErrorKind::WrongMagic));
    assert_eq!(
        message,
        "s3://bucket/models/m.bin: not a stresslens model artifact (wrong magic)"
    );
    let (_, kind) = error_of(b"PK\x03\x04 a zip file");
    assert!(matches!(kind, ArtifactErrorKind::WrongMagic));
    let (_, kind) = error_of(b"SLX");
    assert!(matches!(kind, ArtifactErrorKind::WrongMagic));
}

#[test]
fn future_format_version() {
    let mut bytes = trained().clone();
    bytes[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    reseal(&mut bytes);
    let (message, kind) = error_of(&bytes);
    assert!(matches!(
        kind,
        ArtifactErrorKind::UnsupportedVersion {
            found: 2,
            supported: 1
        }
    ));
    assert_eq!(
        message,
        "s3://bucket/models/m.bin: unsupported artifact format version 2 (this build reads version 1)"
    );
}

#[test]
fn any_flipped_byte_after_the_prefix_is_a_checksum_mismatch() {
    let original = trained();
    let parts = layout(original).unwrap();
    for at in [
        parts.header.0,
        parts.header.1 - 1,
        parts.payload.0 + 1,
        parts.payload.1 - 1,
        parts.checksum,
        original.len() - 1,
    ] {
        let mut bytes = original.clone();
        bytes[at] ^= 0x01;
        let (message, kind) = error_of(&bytes);
        assert!(
            matches!(kind, ArtifactErrorKind::ChecksumMismatch { .. }),
            "byte {at}: {message}"
        );
        assert!(
            message.starts_with("s3://bucket/models/m.bin: checksum mismatch"),
            "{message}"
        );
    }
}

#[test]
fn trailing_bytes_are_invalid() {
    let mut bytes = trained().clone();
    bytes.extend_from_slice(b"xx");
    let (message, _) = error_of(&bytes);
    assert_eq!(
        message,
        "s3://bucket/models/m.bin: invalid artifact: 2 trailing bytes after the checksum"
    );
}

/// Replaces the header JSON (keeping a valid checksum), as a careless or malicious tool might.
fn with_header(edit: impl Fn(&mut serde_json::Value)) -> Vec<u8> {
    let bytes = trained();
    let parts = layout(bytes).unwrap();
    let mut header: serde_json::Value =
        serde_json::from_slice(&bytes[parts.header.0..parts.header.1]).unwrap();
    edit(&mut header);
    let header = serde_json::to_vec(&header).unwrap();
    let mut out = Vec::new();
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    out.extend_from_slice(&header);
    out.extend_from_slice(&bytes[parts.header.1..parts.checksum]);
    out.extend_from_slice(&[0; 32]);
    reseal(&mut out);
    out
}

#[test]
fn resealed_but_inconsistent_headers_are_invalid() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (
            with_header(|h| h["features"]["width"] = 3.into()),
            "header says 3 features, the feature pipeline produces",
        ),
        (
            with_header(|h| h["features"]["numeric_fields"] = serde_json::json!(["a", "b", "c"])),
            "header numeric fields [\"a\", \"b\", \"c\"] differ",
        ),
        (
            with_header(|h| h["threshold"] = 1.5.into()),
            "threshold 1.5 is not a probability",
        ),
        (
            with_header(|h| h["name"] = 5.into()),
            "header: invalid type: integer `5`, expected a string",
        ),
    ];
    for (bytes, expected) in cases {
        let (message, kind) = error_of(&bytes);
        assert!(matches!(kind, ArtifactErrorKind::Invalid(_)), "{message}");
        assert!(
            message.starts_with("s3://bucket/models/m.bin: invalid artifact: "),
            "{message}"
        );
        assert!(message.contains(expected), "{message} lacks {expected}");
    }
}

/// Builds a sealed artifact with the given payload (bypassing the encoder's checks).
fn with_payload(payload: &ModelPayload) -> Vec<u8> {
    let bytes = trained();
    let parts = layout(bytes).unwrap();
    let payload = postcard::to_stdvec(payload).unwrap();
    let mut out = bytes[..parts.header.1].to_vec();
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    out.extend_from_slice(&payload);
    out.extend_from_slice(&[0; 32]);
    reseal(&mut out);
    out
}

#[test]
fn resealed_but_broken_forests_are_invalid_and_never_panic() {
    let decoded = artifact::decode(trained(), SOURCE).unwrap();
    let width = decoded.payload.forest.width();
    let leaf = CompactNode::Leaf { stress: true };
    let split = |feature: u32, if_le: u32, if_gt: u32| CompactNode::Split {
        feature,
        threshold: 0.5,
        if_le,
        if_gt,
    };
    // Forest::from_trees validates, so broken forests are built through serde the way an attacker would.
    let broken = |nodes: Vec<CompactNode>| -> Forest {
        let json = serde_json::json!({"width": width, "trees": [CompactTree { nodes }]});
        serde_json::from_value(json).unwrap()
    };
    let cases = [
        (
            broken(vec![split(width as u32, 1, 2), leaf, leaf]),
            format!("tree 0: node 0 splits on feature {width}, the width is {width}"),
        ),
        (
            broken(vec![split(0, 1, 9), leaf, leaf]),
            "tree 0: node 0 points to node 9 (must be after it and below 3)".to_string(),
        ),
        (
            broken(vec![split(0, 1, 2), split(0, 0, 2), leaf]),
            "tree 0: node 1 points to node 0 (must be after it and below 3)".to_string(),
        ),
        (broken(vec![]), "tree 0: tree has no nodes".to_string()),
    ];
    for (forest, expected) in cases {
        let payload = ModelPayload {
            pipeline: decoded.payload.pipeline.clone(),
            forest,
        };
        let (message, kind) = error_of(&with_payload(&payload));
        assert!(matches!(kind, ArtifactErrorKind::Invalid(_)), "{message}");
        assert_eq!(
            message,
            format!("s3://bucket/models/m.bin: invalid artifact: invalid forest: {expected}")
        );
    }
    // A payload that is not postcard of the right shape at all.
    let bytes = trained();
    let parts = layout(bytes).unwrap();
    let mut garbage = bytes[..parts.header.1].to_vec();
    garbage.extend_from_slice(&3u64.to_le_bytes());
    garbage.extend_from_slice(&[0xff, 0xff, 0xff]);
    garbage.extend_from_slice(&[0; 32]);
    reseal(&mut garbage);
    let (message, _) = error_of(&garbage);
    assert!(
        message.starts_with("s3://bucket/models/m.bin: invalid artifact: payload: "),
        "{message}"
    );
}

#[test]
fn missing_file_names_the_path() {
    let error = Model::load_path(Path::new("/nonexistent/model.bin")).unwrap_err();
    assert!(
        error
            .to_string()
            .starts_with("/nonexistent/model.bin: cannot read: "),
        "{error}"
    );
}
