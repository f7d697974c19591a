//! The feature pipeline on a small invented data set: exact vocabularies, exact vectors, training/serving parity,
//! serialisation and its checks.

use std::path::PathBuf;
use stresslens_core::dataset::Dataset;
use stresslens_core::features::{
    CsrMatrix, FeatureConfig, FeatureError, FeaturePipeline, FeatureScratch, NumericSelection,
    Weighting,
};
use stresslens_core::record::Post;

fn small() -> Dataset {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/dataset_small.csv");
    Dataset::from_csv_path(&path).unwrap()
}

fn config(weighting: Weighting, numeric: &[&str]) -> FeatureConfig {
    FeatureConfig {
        min_df: 2,
        max_vocab: 100,
        weighting,
        ngram_max: 1,
        numeric: NumericSelection::Columns(numeric.iter().map(|s| s.to_string()).collect()),
    }
}

fn all_rows(data: &Dataset) -> Vec<usize> {
    (0..data.len()).collect()
}

fn post(text: &str, numeric: &[f64]) -> Post {
    Post {
        id: None,
        text: text.into(),
        numeric: numeric.to_vec(),
    }
}

/// Standardised mood: mean 0.25, population std sqrt(5.3125).
fn mood(value: f64) -> f32 {
    ((value - 0.25) / 5.3125f64.sqrt()) as f32
}

#[test]
fn count_vectors_are_exact() {
    let data = small();
    let pipeline = FeaturePipeline::fit(
        &data,
        &all_rows(&data),
        &config(Weighting::Count, &["mood"]),
    )
    .unwrap();
    assert_eq!(pipeline.vocabulary(), ["calm", "dog", "worri"]);
    assert_eq!(pipeline.numeric_fields(), ["mood"]);
    assert_eq!(pipeline.width(), 4);
    assert_eq!(pipeline.scaler().means(), &[0.25]);
    assert_eq!(pipeline.scaler().stds(), &[5.3125f64.sqrt()]);
    assert!(pipeline.idf().is_empty());

    let matrix = pipeline.transform_dataset(&data, &all_rows(&data));
    assert_eq!(
        matrix,
        CsrMatrix {
            n_cols: 4,
            indptr: vec![0, 2, 5, 7, 10],
            indices: vec![2, 3, 0, 1, 3, 2, 3, 0, 1, 3],
            values: vec![
                1.0,
                mood(-2.5),
                1.0,
                1.0,
                mood(3.0),
                1.0,
                mood(-1.5),
                1.0,
                1.0,
                mood(2.0)
            ],
        }
    );
    let (indices, values) = pipeline
        .transform_post(&post("Calm dogs, calm CATS, worried dog-walkers", &[0.25]))
        .unwrap();
    assert_eq!(indices, vec![0, 1, 2, 3]);
    assert_eq!(values, vec![2.0, 2.0, 1.0, 0.0]);
    assert_eq!(pipeline.column_name(1).as_deref(), Some("text:dog"));
    assert_eq!(pipeline.column_name(3).as_deref(), Some("num:mood"));
    assert_eq!(pipeline.column_name(4), None);
}

#[test]
fn binary_and_tfidf_weighting() {
    let data = small();
    let rows = all_rows(&data);
    let binary = FeaturePipeline::fit(&data, &rows, &config(Weighting::Binary, &[])).unwrap();
    assert_eq!(
        binary
            .transform_post(&post("calm calm calm dogs", &[]))
            .unwrap(),
        (vec![0, 1], vec![1.0, 1.0])
    );

    let tfidf =
        FeaturePipeline::fit(&data, &rows, &config(Weighting::TfIdf, &["word_count"])).unwrap();
    // Every term is in 2 of 4 rows: idf = ln(5/3) + 1.
    let idf = (5.0f64 / 3.0).ln() + 1.0;
    assert_eq!(tfidf.idf(), &[idf, idf, idf]);
    let (indices, values) = tfidf
        .transform_post(&post("calm, calm; dogs worried", &[7.5]))
        .unwrap();
    assert_eq!(indices, vec![0, 1, 2, 3]);
    let norm = 6.0f64.sqrt();
    assert_eq!(
        values,
        vec![
            (2.0 / norm) as f32,
            (1.0 / norm) as f32,
            (1.0 / norm) as f32,
            0.0
        ]
    );
    // The numeric part is not normalised with the text part.
    let (_, values) = tfidf
        .transform_post(&post("nothing known here", &[10.0]))
        .unwrap();
    assert_eq!(values, vec![(2.5f64 / 1.5) as f32]);
}

#[test]
fn bigrams_and_max_vocab() {
    let data = small();
    let config = FeatureConfig {
        min_df: 1,
        max_vocab: 5,
        weighting: Weighting::Count,
        ngram_max: 2,
        numeric: NumericSelection::None,
    };
    let pipeline = FeaturePipeline::fit(&data, &all_rows(&data), &config).unwrap();
    // df 2: calm, dog, worri; then df 1 in byte order: "can't", "can't sleep".
    assert_eq!(
        pipeline.vocabulary(),
        ["calm", "can't", "can't sleep", "dog", "worri"]
    );
    assert_eq!(
        pipeline
            .transform_post(&post("I can't sleep, can't stop", &[]))
            .unwrap(),
        (vec![1, 2], vec![2.0, 1.0])
    );
}

#[test]
fn training_and_serving_build_the_same_rows() {
    let data = small();
    let rows = all_rows(&data);
    for weighting in [Weighting::Count, Weighting::Binary, Weighting::TfIdf] {
        let mut config = config(weighting, &["word_count", "mood"]);
        config.min_df = 1;
        config.ngram_max = 2;
        let pipeline = FeaturePipeline::fit(&data, &rows, &config).unwrap();
        let order = [3, 1, 0, 2, 1];
        let matrix = pipeline.transform_dataset(&data, &order);
        assert_eq!(matrix.n_rows(), 5);
        let mut scratch = FeatureScratch::default();
        let (mut indices, mut values) = (Vec::new(), Vec::new());
        for (i, &row) in order.iter().enumerate() {
            let post = data.post(row, pipeline.numeric_fields()).unwrap();
            let (expected_indices, expected_values) = matrix.row(i);
            assert_eq!(
                pipeline.transform_post(&post).unwrap(),
                (expected_indices.to_vec(), expected_values.to_vec())
            );
            pipeline
                .transform_post_into(&post, &mut scratch, &mut indices, &mut values)
                .unwrap();
            assert_eq!(
                (indices.as_slice(), values.as_slice()),
                (expected_indices, expected_values)
            );
            assert!(expected_indices.windows(2).all(|w| w[0] < w[1]));
        }
        assert_eq!(
            pipeline.try_transform_dataset(&data, &order).unwrap(),
            matrix
        );
    }
}

#[test]
fn fitted_on_training_rows_only() {
    let data = small();
    let pipeline =
        FeaturePipeline::fit(&data, &[0, 2], &config(Weighting::Count, &["mood"])).unwrap();
    // Rows 0 and 2 share only `worri`; the scaler sees only -2.5 and -1.5.
    assert_eq!(pipeline.vocabulary(), ["worri"]);
    assert_eq!(pipeline.scaler().means(), &[-2.0]);
    assert_eq!(pipeline.scaler().stds(), &[0.5]);
    assert_eq!(
        pipeline.transform_post(&post("worried", &[-2.0])).unwrap(),
        (vec![0, 1], vec![1.0, 0.0])
    );
}

#[test]
fn a_constant_column_gets_std_one() {
    let csv = "text,label,flat\ncalm day,0,4\ncalm night,1,4\n";
    let data = Dataset::from_csv_bytes(csv.as_bytes(), "flat.csv").unwrap();
    let pipeline =
        FeaturePipeline::fit(&data, &[0, 1], &config(Weighting::Count, &["flat"])).unwrap();
    assert_eq!(pipeline.scaler().stds(), &[1.0]);
    assert_eq!(
        pipeline.transform_post(&post("calm", &[6.0])).unwrap(),
        (vec![0, 1], vec![1.0, 2.0])
    );
}

#[test]
fn serialised_pipeline_round_trips_and_is_checked() {
    let data = small();
    let pipeline = FeaturePipeline::fit(
        &data,
        &all_rows(&data),
        &config(Weighting::TfIdf, &["mood"]),
    )
    .unwrap();
    let bytes = postcard::to_stdvec(&pipeline).unwrap();
    let back: FeaturePipeline = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(back, pipeline);
    assert_eq!(postcard::to_stdvec(&back).unwrap(), bytes);

    let json = serde_json::to_value(&pipeline).unwrap();
    let broken = |field: &str, value: serde_json::Value| {
        let mut json = json.clone();
        json[field] = value;
        serde_json::from_value::<FeaturePipeline>(json)
            .unwrap_err()
            .to_string()
    };
    assert_eq!(
        broken("terms", serde_json::json!(["worri", "calm", "dog"])),
        "vocabulary is not strictly sorted: `worri` before `calm`"
    );
    assert_eq!(
        broken("idf", serde_json::json!([1.0])),
        "1 IDF weights for 3 terms with TfIdf weighting"
    );
    assert_eq!(
        broken("stds", serde_json::json!([0.0])),
        "scaler standard deviation 0 is not a positive number"
    );
    assert_eq!(
        broken("numeric_fields", serde_json::json!(["sentiment"])),
        "numeric fields [\"sentiment\"] do not match the configured selection Columns([\"mood\"])"
    );
    assert_eq!(
        broken("means", serde_json::json!([0.0, 1.0])),
        "scaler has 2 means but 1 standard deviations"
    );
}

#[test]
fn fitting_is_deterministic() {
    // Hash maps inside the fit have a different random order each time; the stored bytes must not.
    let data = small();
    let config = FeatureConfig {
        min_df: 1,
        max_vocab: 7,
        weighting: Weighting::TfIdf,
        ngram_max: 2,
        numeric: NumericSelection::Auto(2),
    };
    let bytes: Vec<Vec<u8>> = (0..5)
        .map(|_| {
            let pipeline = FeaturePipeline::fit(&data, &all_rows(&data), &config).unwrap();
            postcard::to_stdvec(&pipeline).unwrap()
        })
        .collect();
    assert!(bytes.windows(2).all(|pair| pair[0] == pair[1]));
}

#[test]
fn errors_are_clear() {
    let data = small();
    let rows = all_rows(&data);
    let pipeline =
        FeaturePipeline::fit(&data, &rows, &config(Weighting::Count, &["mood"])).unwrap();
    let error = pipeline.transform_post(&post("calm", &[])).unwrap_err();
    assert!(matches!(
        error,
        FeatureError::NumericWidth {
            expected: 1,
            found: 0
        }
    ));
    assert_eq!(
        error.to_string(),
        "post has 0 numeric values, the pipeline needs 1"
    );

    let fit_error = |config: &FeatureConfig| {
        FeaturePipeline::fit(&data, &rows, config)
            .unwrap_err()
            .to_string()
    };
    let path = data.source.clone();
    assert_eq!(
        fit_error(&config(Weighting::Count, &["note"])),
        format!("{path}: line 2, column `note`: `fine` is not a number")
    );
    assert_eq!(
        fit_error(&config(Weighting::Count, &["sentiment"])),
        format!("{path}: missing column `sentiment`")
    );
    assert_eq!(
        fit_error(&config(Weighting::Count, &["mood", "mood"])),
        "numeric column `mood` is listed twice"
    );
    let mut too_many = config(Weighting::Count, &[]);
    too_many.numeric = NumericSelection::Auto(3);
    assert_eq!(
        fit_error(&too_many),
        format!("asked for the top 3 numeric columns by mutual information, {path} has 2 numeric columns")
    );
    let mut trigram = config(Weighting::Count, &[]);
    trigram.ngram_max = 3;
    assert_eq!(fit_error(&trigram), "ngram_max is 3, must be 1 or 2");
    let mut nothing = config(Weighting::Count, &[]);
    nothing.max_vocab = 0;
    assert_eq!(
        fit_error(&nothing),
        "the configuration selects no features: no term passes min_df/max_vocab and no numeric column"
    );
    assert_eq!(
        FeaturePipeline::fit(&data, &[], &config(Weighting::Count, &[]))
            .unwrap_err()
            .to_string(),
        "no training rows"
    );
    assert_eq!(
        FeaturePipeline::fit(&data, &[0, 4], &config(Weighting::Count, &[]))
            .unwrap_err()
            .to_string(),
        format!("row 4 is out of range: {path} has 4 rows")
    );

    let other = Dataset::from_csv_bytes(b"text,label\ncalm,0\n", "other.csv").unwrap();
    assert_eq!(
        pipeline
            .try_transform_dataset(&other, &[0])
            .unwrap_err()
            .to_string(),
        "other.csv: missing column `mood`"
    );
    // The unchecked variant takes the training mean (standardised 0) for the missing field.
    assert_eq!(
        pipeline.transform_dataset(&other, &[0]).row(0),
        (&[0u32, 3][..], &[1.0f32, 0.0][..])
    );
}

#[test]
fn default_config() {
    assert_eq!(
        FeatureConfig::default(),
        FeatureConfig {
            min_df: 2,
            max_vocab: 2000,
            weighting: Weighting::Count,
            ngram_max: 1,
            numeric: NumericSelection::Auto(5),
        }
    );
}
