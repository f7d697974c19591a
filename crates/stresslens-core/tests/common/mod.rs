//! Paths shared by the tests that read the real data set or the committed model.
#![allow(dead_code)] // each test crate uses its own part

use std::path::{Path, PathBuf};
use stresslens_core::Model;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The Dreaddit train file: `STRESSLENS_DATA`, default `../shared/data/dreaddit/dreaddit-train.csv` beside the
/// checkout (read at test time, never copied into the repo).
pub fn train_file() -> PathBuf {
    std::env::var_os("STRESSLENS_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("../shared/data/dreaddit/dreaddit-train.csv"))
}

/// The committed default model, `models/stresslens-dreaddit.bin`.
pub fn committed_model() -> Model {
    Model::load_path(&root().join("models/stresslens-dreaddit.bin")).unwrap()
}
