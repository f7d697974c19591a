//! Scoring with a model trained on the fixture: golden probabilities, agreement between the batch and data-set
//! paths, and width errors instead of panics.

use std::path::Path;
use stresslens_core::dataset::Dataset;
use stresslens_core::features::NumericSelection;
use stresslens_core::model::ScoreError;
use stresslens_core::train::{train_artifact, TrainConfig};
use stresslens_core::{Model, Post};

fn fixture() -> Dataset {
    Dataset::from_csv_path(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/model_posts.csv"),
    )
    .unwrap()
}

fn fields() -> Vec<String> {
    [
        "lex_liwc_Tone",
        "lex_liwc_i",
        "lex_liwc_negemo",
        "lex_liwc_Clout",
        "sentiment",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

fn model() -> Model {
    let mut config = TrainConfig {
        cv_folds: 0,
        ..TrainConfig::default()
    };
    config.features.max_vocab = 60;
    config.features.numeric = NumericSelection::Columns(fields());
    config.forest.n_trees = 20;
    config.forest.seed = 11;
    let bytes = train_artifact(&fixture(), "model_posts.csv", &config, &|| {}).unwrap();
    Model::from_bytes(&bytes, "fixture-model").unwrap()
}

fn post(text: &str, numeric: [f64; 5]) -> Post {
    Post {
        id: None,
        text: text.to_string(),
        numeric: numeric.to_vec(),
    }
}

#[test]
fn golden_probabilities_for_posts_written_for_this_test() {
    let model = model();
    assert_eq!(model.numeric_fields(), fields().as_slice());
    assert_eq!(model.threshold(), TrainConfig::default().threshold);
    let posts = [
        post(
            "I panic about the deadline and cannot sleep, I feel hopeless",
            [8.0, 10.0, 5.0, 25.0, -0.4],
        ),
        post(
            "We baked banana bread and walked the dog by the lake",
            [85.0, 3.0, 0.2, 60.0, 0.5],
        ),
        post(
            "The concert was fun but I am worried about the bills",
            [45.0, 6.0, 2.0, 40.0, 0.0],
        ),
        post("zzz qqq", [0.0, 0.0, 0.0, 0.0, 0.0]),
    ];
    let probabilities = model.score_batch(&posts).unwrap();
    assert_eq!(probabilities, GOLDEN);
}

/// Shares of the 20 trees voting stress (recorded from this build; a change means the pipeline or the forest
/// changed behaviour).
const GOLDEN: [f64; 4] = [1.0, 0.0, 0.55, 0.6];

#[test]
fn batch_scoring_equals_data_set_scoring_row_by_row() {
    let model = model();
    let data = fixture();
    let rows: Vec<usize> = (0..data.len()).collect();
    let from_dataset = model.score_dataset(&data, &rows).unwrap();
    let posts: Vec<Post> = rows
        .iter()
        .map(|&r| data.post(r, &fields()).unwrap())
        .collect();
    assert_eq!(model.score_batch(&posts).unwrap(), from_dataset);
    // every probability is a share of 20 trees
    assert!(from_dataset
        .iter()
        .all(|p| (p * 20.0).fract() == 0.0 && (0.0..=1.0).contains(p)));
}

#[test]
fn wrong_numeric_width_is_an_error_naming_the_post() {
    let model = model();
    let posts = [
        post("fine", [1.0, 2.0, 3.0, 4.0, 5.0]),
        Post {
            id: None,
            text: "short".into(),
            numeric: vec![1.0],
        },
    ];
    assert_eq!(
        model.score_batch(&posts).unwrap_err(),
        ScoreError::NumericWidth {
            index: 1,
            expected: 5,
            found: 1
        }
    );
    assert_eq!(model.score_batch(&[]).unwrap(), Vec::<f64>::new());
}
