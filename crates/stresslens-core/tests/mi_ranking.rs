//! Mutual information on synthetic data whose answer is known, and the selection it drives.

use stresslens_core::dataset::Dataset;
use stresslens_core::features::{FeatureConfig, FeaturePipeline, NumericSelection, Weighting};
use stresslens_core::mi::{mutual_information, MiOptions};
use stresslens_core::numeric::rank_by_mutual_information;

/// A small deterministic generator for the synthetic data (uniform in [0, 1)).
struct Lcg(u64);

impl Lcg {
    fn uniform(&mut self) -> f64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Approximately normal (sum of 12 uniforms).
    fn normal(&mut self) -> f64 {
        (0..12).map(|_| self.uniform()).sum::<f64>() - 6.0
    }
}

const N: usize = 600;

fn labels() -> Vec<u8> {
    (0..N).map(|i| (i % 2) as u8).collect()
}

fn noisy_copy(labels: &[u8], noise: f64, seed: u64) -> Vec<f64> {
    let mut rng = Lcg(seed);
    labels
        .iter()
        .map(|&y| f64::from(y) + noise * rng.normal())
        .collect()
}

fn pure_noise(seed: u64) -> Vec<f64> {
    let mut rng = Lcg(seed);
    (0..N).map(|_| rng.normal()).collect()
}

#[test]
fn perfectly_separating_feature_has_ln_2() {
    let labels = labels();
    let mut rng = Lcg(3);
    let separating: Vec<f64> = labels
        .iter()
        .map(|&y| f64::from(y) * 10.0 + rng.uniform())
        .collect();
    let mi = mutual_information(&separating, &labels, MiOptions::default());
    assert!((mi - std::f64::consts::LN_2).abs() < 0.01, "{mi}");
}

#[test]
fn independent_feature_has_about_zero() {
    let mi = mutual_information(&pure_noise(11), &labels(), MiOptions::default());
    assert!(mi < 0.02, "{mi}");
}

#[test]
fn ties_are_broken_deterministically() {
    // A count-like feature: mostly zeros, more often non-zero for class 1.
    let labels = labels();
    let values: Vec<f64> = (0..N)
        .map(|i| {
            if i % 2 == 1 && i % 3 != 0 {
                (i % 4) as f64
            } else {
                0.0
            }
        })
        .collect();
    let first = mutual_information(&values, &labels, MiOptions::default());
    assert_eq!(
        first,
        mutual_information(&values, &labels, MiOptions::default())
    );
    assert!(first > 0.1, "{first}");
    // A constant feature carries no information, whatever the ties.
    assert_eq!(
        mutual_information(&vec![5.0; N], &labels, MiOptions::default()),
        0.0
    );
}

#[test]
fn degenerate_inputs_give_zero() {
    assert_eq!(mutual_information(&[1.0], &[1], MiOptions::default()), 0.0);
    assert_eq!(
        mutual_information(&[1.0, 2.0, 3.0], &[1, 1, 1], MiOptions::default()),
        0.0
    );
}

#[test]
fn ranking_and_auto_selection_follow_information() {
    let labels = labels();
    let data = Dataset {
        source: "synthetic".into(),
        sha256: String::new(),
        texts: (0..N)
            .map(|i| {
                if i % 2 == 1 {
                    "stressed".into()
                } else {
                    "calm".into()
                }
            })
            .collect(),
        labels: labels.clone(),
        post_ids: (0..N).map(|i| i.to_string()).collect(),
        numeric_names: vec![
            "noise_a".into(),
            "weak".into(),
            "strong".into(),
            "noise_b".into(),
        ],
        numeric: vec![
            pure_noise(1),
            noisy_copy(&labels, 1.5, 2),
            noisy_copy(&labels, 0.3, 3),
            pure_noise(4),
        ],
        non_numeric_columns: Vec::new(),
    };
    let rows: Vec<usize> = (0..N).collect();
    let ranked = rank_by_mutual_information(&data, &rows, MiOptions::default());
    let names: Vec<&str> = ranked.iter().map(|(name, _)| name.as_str()).collect();
    assert_eq!(&names[..2], ["strong", "weak"]);
    let scores: Vec<f64> = ranked.iter().map(|(_, mi)| *mi).collect();
    assert!(
        scores[0] > 0.4 && scores[1] > 0.03 && scores[2] < 0.02,
        "{scores:?}"
    );

    let config = FeatureConfig {
        numeric: NumericSelection::Auto(2),
        weighting: Weighting::Binary,
        ..FeatureConfig::default()
    };
    let pipeline = FeaturePipeline::fit(&data, &rows, &config).unwrap();
    assert_eq!(pipeline.numeric_fields(), ["strong", "weak"]);
    assert_eq!(pipeline.vocabulary(), ["calm", "stress"]);
    // A ranking computed once (per cross-validation fold) gives the same pipeline.
    let reused = FeaturePipeline::fit_with_ranking(&data, &rows, &config, &ranked).unwrap();
    assert_eq!(reused, pipeline);
    let config = FeatureConfig {
        numeric: NumericSelection::Auto(3),
        ..config
    };
    assert_eq!(
        FeaturePipeline::fit_with_ranking(&data, &rows, &config, &ranked[..2])
            .unwrap_err()
            .to_string(),
        "asked for the top 3 numeric columns by mutual information, the ranking has 2"
    );
}
