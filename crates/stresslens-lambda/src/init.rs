//! Cold start: fetch the model artifact named by `MODEL_URI` and validate it.

use std::time::{Duration, Instant};
use stresslens_aws::{ModelStore, ModelStoreError};
use stresslens_core::{ArtifactError, Model};

/// The init fails; the message names `MODEL_URI`, its value and the cause.
#[derive(Debug, thiserror::Error)]
pub enum ModelLoadError {
    #[error("cannot load the model from MODEL_URI={uri}: {}", .cause.kind)]
    Fetch { uri: String, cause: ModelStoreError },
    #[error("cannot load the model from MODEL_URI={uri}: {}", .cause.kind)]
    Artifact { uri: String, cause: ArtifactError },
}

/// A validated model and how long fetching and validating it took.
pub struct LoadedModel {
    pub model: Model,
    pub fetch_time: Duration,
    pub validate_time: Duration,
    pub artifact_bytes: usize,
}

pub async fn load_model(store: &dyn ModelStore, uri: &str) -> Result<LoadedModel, ModelLoadError> {
    let started = Instant::now();
    let bytes = store
        .fetch(uri)
        .await
        .map_err(|cause| ModelLoadError::Fetch {
            uri: uri.to_string(),
            cause,
        })?;
    let fetch_time = started.elapsed();
    let started = Instant::now();
    let model = Model::from_bytes(&bytes, uri).map_err(|cause| ModelLoadError::Artifact {
        uri: uri.to_string(),
        cause,
    })?;
    Ok(LoadedModel {
        model,
        fetch_time,
        validate_time: started.elapsed(),
        artifact_bytes: bytes.len(),
    })
}
