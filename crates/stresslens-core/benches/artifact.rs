//! Loading (decoding + validating) the committed model artifact from bytes already in memory.

use criterion::{criterion_group, criterion_main, Criterion};
use std::hint::black_box;
use std::path::Path;
use stresslens_core::dataset::Dataset;
use stresslens_core::train::{train_artifact, TrainConfig};
use stresslens_core::Model;

fn artifact_bytes() -> Vec<u8> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let committed = root.join("../../models/stresslens-dreaddit.bin");
    if let Ok(bytes) = std::fs::read(&committed) {
        return bytes;
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
    train_artifact(&data, "model_posts.csv", &config, &|| {}).expect("train")
}

fn load(c: &mut Criterion) {
    let bytes = artifact_bytes();
    c.bench_function(&format!("artifact/load_{}_bytes", bytes.len()), |b| {
        b.iter(|| Model::from_bytes(black_box(&bytes), "bench").expect("load"))
    });
}

criterion_group!(benches, load);
criterion_main!(benches);
