//! The handler and the cold start through the real `stresslens_core::Model`: a small forest trained from a fixture
//! of posts written for these tests (golden probabilities), and a truncated artifact at init.

mod common;

use async_trait::async_trait;
use common::*;
use serde_json::{json, Value};
use std::path::Path;
use std::sync::Arc;
use stresslens_aws::{ModelStore, ModelStoreError};
use stresslens_core::dataset::Dataset;
use stresslens_core::features::NumericSelection;
use stresslens_core::train::{train_artifact, TrainConfig};
use stresslens_lambda::init::load_model;

fn artifact() -> Vec<u8> {
    let data = Dataset::from_csv_path(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/train_posts.csv"),
    )
    .unwrap();
    let mut config = TrainConfig {
        name: "lambda-fixture".into(),
        cv_folds: 0,
        created_at: Some("2026-12-03T00:00:00Z".into()),
        ..TrainConfig::default()
    };
    config.features.max_vocab = 80;
    config.features.numeric =
        NumericSelection::Columns(FIELDS.iter().map(|f| f.to_string()).collect());
    config.forest.n_trees = 25;
    config.forest.seed = 7;
    train_artifact(&data, "train_posts.csv", &config, &|| {}).unwrap()
}

struct BytesStore(Vec<u8>);

#[async_trait]
impl ModelStore for BytesStore {
    async fn fetch(&self, _uri: &str) -> Result<Vec<u8>, ModelStoreError> {
        Ok(self.0.clone())
    }
}

fn events_file(name: &str) -> Value {
    let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Loads `artifact` as the cold start does and returns the predictions written for events/clean.json, after
/// checking that the batch succeeded.
async fn predictions_for_the_clean_event(artifact: Vec<u8>, uri: &str) -> Vec<Value> {
    let loaded = load_model(&BytesStore(artifact), uri).await.unwrap();
    let mut h = accepting();
    h.deps.scorer = Arc::new(loaded.model);
    let handled = run(&h, &events_file("clean.json")).await;
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
    written(&h.predictions)
}

#[tokio::test]
async fn golden_predictions_through_the_real_model() {
    let predictions =
        predictions_for_the_clean_event(artifact(), "s3://fixtures/lambda-fixture.bin").await;
    let got: Vec<(String, f64, bool)> = predictions
        .iter()
        .map(|p| {
            (
                p["id"].as_str().unwrap().to_string(),
                p["probability"].as_f64().unwrap(),
                p["stress"].as_bool().unwrap(),
            )
        })
        .collect();
    assert_eq!(got, GOLDEN.map(|(id, p, s)| (id.to_string(), p, s)));
    assert_eq!(predictions[0]["model"]["name"], "lambda-fixture");
    assert_eq!(predictions[0]["threshold"], 0.42);
}

/// Share of the 25 trees voting stress; posts 0, 2 and 4 of events/clean.json are the stressed ones.
const GOLDEN: [(&str, f64, bool); 6] = [
    ("post-00000", 0.96, true),
    ("post-00001", 0.0, false),
    ("post-00002", 0.96, true),
    ("post-00003", 0.12, false),
    ("post-00004", 0.96, true),
    ("post-00005", 0.0, false),
];

#[tokio::test]
async fn a_truncated_artifact_names_the_uri() {
    let artifact = artifact();
    let truncated = artifact[..artifact.len() / 2].to_vec();
    let error = match load_model(&BytesStore(truncated), "s3://b/m.bin").await {
        Ok(_) => panic!("a truncated artifact loaded"),
        Err(e) => e.to_string(),
    };
    assert!(
        error.starts_with("cannot load the model from MODEL_URI=s3://b/m.bin: truncated artifact"),
        "{error}"
    );
}

#[tokio::test]
async fn the_committed_default_model_scores_the_clean_sample_event() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/stresslens-dreaddit.bin");
    let predictions = predictions_for_the_clean_event(
        std::fs::read(&path).unwrap(),
        "models/stresslens-dreaddit.bin",
    )
    .await;
    let probabilities: Vec<f64> = predictions
        .iter()
        .map(|p| p["probability"].as_f64().unwrap())
        .collect();
    // share of the 100 trees voting stress; posts 0, 2 and 4 are the stressed ones
    assert_eq!(probabilities, vec![0.86, 0.05, 0.95, 0.05, 0.91, 0.01]);
    let stress: Vec<bool> = predictions
        .iter()
        .map(|p| p["stress"].as_bool().unwrap())
        .collect();
    assert_eq!(stress, vec![true, false, true, false, true, false]);
}
