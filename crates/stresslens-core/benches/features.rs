//! Feature extraction per post (text pipeline + vocabulary lookup + scaling), the serving hot path.
//!
//! Uses the Dreaddit train file when it is there (`STRESSLENS_DATA`, default `../shared/data/...`), otherwise
//! invented ~90-word posts. Reports time per post; throughput = 1 / time.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use std::path::PathBuf;
use stresslens_core::dataset::Dataset;
use stresslens_core::features::{
    FeatureConfig, FeaturePipeline, FeatureScratch, NumericSelection, Weighting,
};
use stresslens_core::mi::MiOptions;
use stresslens_core::numeric::rank_by_mutual_information;
use stresslens_core::record::Post;

const WORDS: &[&str] = &[
    "i",
    "feel",
    "so",
    "anxious",
    "about",
    "work",
    "and",
    "my",
    "boss",
    "keeps",
    "calling",
    "me",
    "late",
    "at",
    "night",
    "the",
    "rent",
    "is",
    "due",
    "tomorrow",
    "can't",
    "sleep",
    "friends",
    "say",
    "relax",
    "but",
    "it's",
    "hard",
    "when",
    "everything",
    "piles",
    "up",
    "we",
    "went",
    "hiking",
    "yesterday",
    "lovely",
    "weather",
    "dog",
    "happy",
    "worried",
    "exams",
    "money",
    "family",
    "help",
    "advice",
    "please",
    "thanks",
    "reading",
    "this",
];

fn invented_data() -> Dataset {
    let mut state = 42u64;
    let mut next = |bound: usize| {
        state = state
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((state >> 33) as usize) % bound
    };
    let n = 400;
    let texts: Vec<String> = (0..n)
        .map(|_| {
            (0..90)
                .map(|_| WORDS[next(WORDS.len())])
                .collect::<Vec<_>>()
                .join(" ")
                + "."
        })
        .collect();
    let labels: Vec<u8> = (0..n).map(|i| (i % 2) as u8).collect();
    let numeric: Vec<Vec<f64>> = (0..5)
        .map(|_| (0..n).map(|_| next(1000) as f64 / 10.0).collect())
        .collect();
    Dataset {
        source: "invented".into(),
        sha256: String::new(),
        texts,
        labels,
        post_ids: (0..n).map(|i| i.to_string()).collect(),
        numeric_names: (0..5).map(|i| format!("x{i}")).collect(),
        numeric,
        non_numeric_columns: Vec::new(),
    }
}

fn load_data() -> (Dataset, &'static str) {
    let path = std::env::var_os("STRESSLENS_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/data/dreaddit/dreaddit-train.csv")
        });
    match Dataset::from_csv_path(&path) {
        Ok(data) => (data, "dreaddit"),
        Err(_) => (invented_data(), "invented"),
    }
}

fn bench_features(c: &mut Criterion) {
    let (data, name) = load_data();
    let rows: Vec<usize> = (0..data.len()).collect();
    let mut group = c.benchmark_group(format!("features/{name}"));
    for (label, weighting, ngram_max) in [
        ("count_unigram", Weighting::Count, 1),
        ("tfidf_bigram", Weighting::TfIdf, 2),
    ] {
        let config = FeatureConfig {
            weighting,
            ngram_max,
            numeric: NumericSelection::Auto(5),
            ..FeatureConfig::default()
        };
        let pipeline = match FeaturePipeline::fit(&data, &rows, &config) {
            Ok(pipeline) => pipeline,
            Err(e) => {
                eprintln!("cannot fit the pipeline: {e}");
                return;
            }
        };
        let posts: Vec<Post> = rows
            .iter()
            .filter_map(|&row| data.post(row, pipeline.numeric_fields()))
            .collect();
        let words: usize = posts
            .iter()
            .map(|p| p.text.split_whitespace().count())
            .sum();
        eprintln!(
            "{name}: {} posts, {:.1} words per post",
            posts.len(),
            words as f64 / posts.len() as f64
        );
        group.throughput(Throughput::Elements(posts.len() as u64));
        group.bench_function(format!("{label}/transform_post_into"), |b| {
            let mut scratch = FeatureScratch::default();
            let (mut indices, mut values) = (Vec::new(), Vec::new());
            b.iter(|| {
                for post in &posts {
                    let _ = pipeline.transform_post_into(
                        black_box(post),
                        &mut scratch,
                        &mut indices,
                        &mut values,
                    );
                    black_box((&indices, &values));
                }
            })
        });
        group.bench_function(format!("{label}/transform_post"), |b| {
            b.iter(|| {
                for post in &posts {
                    black_box(pipeline.transform_post(black_box(post)).ok());
                }
            })
        });
    }
    group.finish();
}

/// Ranking every numeric candidate by mutual information (what `NumericSelection::Auto` does in each fit).
fn bench_mutual_information(c: &mut Criterion) {
    let (data, name) = load_data();
    let rows: Vec<usize> = (0..data.len()).collect();
    c.bench_function(&format!("mi_rank_all_columns/{name}"), |b| {
        b.iter(|| {
            black_box(rank_by_mutual_information(
                &data,
                &rows,
                MiOptions::default(),
            ))
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20);
    targets = bench_features, bench_mutual_information
}
criterion_main!(benches);
