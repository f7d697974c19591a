//! Cold-start failures: the init error names MODEL_URI and the cause.

use async_trait::async_trait;
use stresslens_aws::{FetchErrorKind, ModelStore, ModelStoreError, S3ModelStore};
use stresslens_lambda::init::load_model;

/// Answers every fetch with fixed bytes or a fixed error.
struct FixedStore(Result<Vec<u8>, FetchErrorKind>);

#[async_trait]
impl ModelStore for FixedStore {
    async fn fetch(&self, uri: &str) -> Result<Vec<u8>, ModelStoreError> {
        self.0.clone().map_err(|kind| ModelStoreError {
            uri: uri.to_string(),
            kind,
        })
    }
}

async fn error_of(store: FixedStore, uri: &str) -> String {
    match load_model(&store, uri).await {
        Ok(_) => panic!("loading {uri} succeeded"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn a_missing_object_names_the_uri() {
    let message = error_of(
        FixedStore(Err(FetchErrorKind::Missing(
            "NoSuchKey: The specified key does not exist.".into(),
        ))),
        "s3://stresslens-models/models/v1/model.bin",
    )
    .await;
    assert_eq!(
        message,
        "cannot load the model from MODEL_URI=s3://stresslens-models/models/v1/model.bin: no such object: NoSuchKey: The specified key does not exist."
    );
}

#[tokio::test]
async fn access_denied_names_the_uri() {
    let message = error_of(
        FixedStore(Err(FetchErrorKind::AccessDenied(
            "AccessDenied: Access Denied".into(),
        ))),
        "s3://b/m.bin",
    )
    .await;
    assert_eq!(message, "cannot load the model from MODEL_URI=s3://b/m.bin: access denied: AccessDenied: Access Denied");
}

#[tokio::test]
async fn a_missing_local_file_names_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("model.bin").display().to_string();
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
        .build();
    let store = S3ModelStore::new(aws_sdk_s3::Client::from_conf(config));
    let message = match load_model(&store, &path).await {
        Ok(_) => panic!("loaded a missing file"),
        Err(e) => e.to_string(),
    };
    assert_eq!(
        message,
        format!("cannot load the model from MODEL_URI={path}: no such object: No such file or directory (os error 2)")
    );
}

#[tokio::test]
async fn wrong_magic_names_the_uri() {
    let message = error_of(
        FixedStore(Ok(b"PK\x03\x04 this is a zip file, not a model".to_vec())),
        "s3://b/m.bin",
    )
    .await;
    assert_eq!(
        message,
        "cannot load the model from MODEL_URI=s3://b/m.bin: not a stresslens model artifact (wrong magic)"
    );
}
