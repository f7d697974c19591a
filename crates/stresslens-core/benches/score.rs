//! Scoring with the committed model (or, without it, a small model trained on the fixture):
//! - `score/batch_of_500`: 500 posts written for the benchmark;
//! - `score/dreaddit_train`: every post of the Dreaddit train file (`STRESSLENS_DATA`, default
//!   `../shared/data/...`; skipped when absent), in one `score_batch` call: what the scikit-learn reference's batch
//!   figure measures (features + forest over the 2,838 posts, in process). `scripts/bench.sh` reads its estimate;
//! - `score/dreaddit_train_cold_caches`: the same on new threads, whose per-thread word caches start empty.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use stresslens_core::dataset::Dataset;
use stresslens_core::train::{train_artifact, TrainConfig};
use stresslens_core::{Model, Post};

/// The committed model when present, else one trained on the test fixture (a much smaller vocabulary).
fn bench_model() -> Model {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed = root.join("../../models/stresslens-dreaddit.bin");
    if let Ok(model) = Model::load_path(&committed) {
        return model;
    }
    eprintln!(
        "note: {} not found, benchmarking a fixture model",
        committed.display()
    );
    let data =
        Dataset::from_csv_path(&root.join("tests/fixtures/model_posts.csv")).expect("fixture");
    let config = TrainConfig {
        cv_folds: 0,
        ..TrainConfig::default()
    };
    let bytes = train_artifact(&data, "model_posts.csv", &config, &|| {}).expect("train");
    Model::from_bytes(&bytes, "fixture").expect("load")
}

/// 500 posts written for the benchmark (no data-set text), of typical Dreaddit segment length.
fn posts(numeric_fields: usize) -> Vec<Post> {
    let openings = [
        "I can't sleep because the rent is due and my manager keeps calling me about the missed shift",
        "We spent the weekend hiking by the lake and the kids found a family of ducks near the shore",
        "My exams start on Monday and every time I open my notes my chest gets tight and I start shaking",
        "Does anyone have tips for keeping basil alive indoors, mine keeps wilting on the windowsill",
        "After the accident I keep replaying it in my head and I am scared to drive to work again",
    ];
    let endings = [
        "and honestly I don't know who to talk to anymore.",
        "so I thought I would share it here with all of you.",
        "which makes everything feel heavier than it should be.",
        "and I am grateful for the advice people gave last time.",
    ];
    (0..500)
        .map(|i| Post {
            id: Some(format!("bench-{i}")),
            text: format!(
                "{} {} ({i})",
                openings[i % openings.len()],
                endings[(i / 5) % endings.len()]
            ),
            numeric: (0..numeric_fields)
                .map(|j| ((i * 7 + j * 13) % 50) as f64 - 10.0)
                .collect(),
        })
        .collect()
}

fn score_batch(c: &mut Criterion) {
    let model = bench_model();
    let batch = posts(model.numeric_fields().len());
    let mut group = c.benchmark_group("score");
    group.throughput(Throughput::Elements(batch.len() as u64));
    group.bench_function("batch_of_500", |b| {
        b.iter(|| model.score_batch(black_box(&batch)).expect("score"))
    });
    if let Some(posts) = dreaddit_posts(&model) {
        group.throughput(Throughput::Elements(posts.len() as u64));
        group.bench_function("dreaddit_train", |b| {
            b.iter(|| model.score_batch(black_box(&posts)).expect("score"))
        });
        // The same batch on threads that have never scored: their word caches start empty, so every distinct
        // word of the file is cleaned, stemmed and looked up once (what a fresh process or a cold Lambda pays).
        group.bench_function("dreaddit_train_cold_caches", |b| {
            b.iter_batched_ref(
                || {
                    rayon::ThreadPoolBuilder::new()
                        .num_threads(rayon::current_num_threads())
                        .build()
                        .expect("thread pool")
                },
                |pool| pool.install(|| model.score_batch(black_box(&posts)).expect("score")),
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// Every post of the Dreaddit train file with the model's numeric fields, or `None` when the file is absent.
fn dreaddit_posts(model: &Model) -> Option<Vec<Post>> {
    let path = std::env::var_os("STRESSLENS_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../../../shared/data/dreaddit/dreaddit-train.csv")
        });
    let data = match Dataset::from_csv_path(&path) {
        Ok(data) => data,
        Err(e) => {
            eprintln!("note: skipping score/dreaddit_train: {e}");
            return None;
        }
    };
    let posts: Vec<Post> = (0..data.len())
        .filter_map(|row| data.post(row, model.numeric_fields()))
        .collect();
    (posts.len() == data.len()).then_some(posts)
}

criterion_group!(benches, score_batch);
criterion_main!(benches);
