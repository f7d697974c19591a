//! The committed default model is exactly what `stresslens train` (default flags) produces from the Dreaddit train
//! file, and it records that file's sha256. Skips with a note when the data file is absent (it is never committed).

mod common;

use common::{root, train_file as data_path};
use stresslens_core::artifact;
use stresslens_core::dataset::Dataset;
use stresslens_core::train::{build_artifact, TrainConfig};

#[test]
fn committed_model_is_reproduced_byte_for_byte_from_the_data() {
    let data_path = data_path();
    if !data_path.exists() {
        eprintln!(
            "note: {} is absent; skipping the committed-model reproduction test",
            data_path.display()
        );
        return;
    }
    let committed = std::fs::read(root().join("models/stresslens-dreaddit.bin")).unwrap();
    let decoded = artifact::decode(&committed, "models/stresslens-dreaddit.bin").unwrap();
    let header = &decoded.header;
    let data = Dataset::from_csv_path(&data_path).unwrap();
    assert_eq!(header.training_data.sha256, data.sha256);
    assert_eq!(header.training_data.file_name, "dreaddit-train.csv");
    assert_eq!(header.training_data.rows, 2838);

    // The artifact was made with the defaults of this build (what `stresslens train` uses without flags) ...
    let defaults = TrainConfig::default();
    assert_eq!(header.features.config, defaults.features);
    assert_eq!(header.hyperparameters.forest, defaults.forest);
    assert_eq!(header.threshold, defaults.threshold);
    let metrics = header.metrics.clone().unwrap();
    assert_eq!(metrics.folds, defaults.cv_folds);

    // ... and retraining on the whole file reproduces every byte. The cross-validation recorded in the header is
    // taken over rather than recomputed (it would multiply this test's time by the number of folds); the
    // determinism of cross-validation itself is covered by artifact_format.rs.
    let config = TrainConfig {
        created_at: header.created_at.clone(),
        ..defaults
    };
    let bytes =
        build_artifact(&data, "dreaddit-train.csv", &config, Some(metrics), &|| {}).unwrap();
    assert!(
        bytes == committed,
        "retrained artifact differs from models/stresslens-dreaddit.bin: run `make model`"
    );
}
