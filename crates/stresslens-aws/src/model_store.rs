//! Fetching the model artifact's bytes from `s3://bucket/key` or a local path.

use async_trait::async_trait;
use aws_sdk_s3::error::ProvideErrorMetadata;
use std::path::PathBuf;

/// Where a model artifact lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelUri {
    S3 { bucket: String, key: String },
    Local(PathBuf),
}

impl ModelUri {
    /// `s3://bucket/key` or anything else as a local path (`file://` prefix allowed).
    pub fn parse(uri: &str) -> Result<ModelUri, ModelStoreError> {
        let invalid = |why: &str| ModelStoreError {
            uri: uri.to_string(),
            kind: FetchErrorKind::InvalidUri(why.to_string()),
        };
        if let Some(rest) = uri.strip_prefix("s3://") {
            let (bucket, key) = rest
                .split_once('/')
                .ok_or_else(|| invalid("expected s3://bucket/key"))?;
            if bucket.is_empty() || key.is_empty() {
                return Err(invalid("expected s3://bucket/key"));
            }
            return Ok(ModelUri::S3 {
                bucket: bucket.to_string(),
                key: key.to_string(),
            });
        }
        let path = uri.strip_prefix("file://").unwrap_or(uri);
        if path.is_empty() {
            return Err(invalid("empty path"));
        }
        Ok(ModelUri::Local(PathBuf::from(path)))
    }
}

/// Why the artifact bytes could not be fetched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FetchErrorKind {
    #[error("invalid model URI: {0}")]
    InvalidUri(String),
    #[error("no such object: {0}")]
    Missing(String),
    #[error("access denied: {0}")]
    AccessDenied(String),
    #[error("{0}")]
    Other(String),
}

/// The artifact could not be fetched; `Display` names the URI and the cause.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{uri}: {kind}")]
pub struct ModelStoreError {
    pub uri: String,
    pub kind: FetchErrorKind,
}

/// Fetches the bytes of a model artifact.
#[async_trait]
pub trait ModelStore: Send + Sync {
    async fn fetch(&self, uri: &str) -> Result<Vec<u8>, ModelStoreError>;
}

/// S3 through aws-sdk-s3 for `s3://` URIs, the file system for everything else.
#[derive(Debug, Clone)]
pub struct S3ModelStore {
    client: aws_sdk_s3::Client,
}

impl S3ModelStore {
    pub fn new(client: aws_sdk_s3::Client) -> Self {
        Self { client }
    }
}

#[async_trait]
impl ModelStore for S3ModelStore {
    async fn fetch(&self, uri: &str) -> Result<Vec<u8>, ModelStoreError> {
        let error = |kind| ModelStoreError {
            uri: uri.to_string(),
            kind,
        };
        match ModelUri::parse(uri)? {
            ModelUri::Local(path) => tokio::fs::read(&path)
                .await
                .map_err(|e| error(classify_io(&e))),
            ModelUri::S3 { bucket, key } => {
                let output = self
                    .client
                    .get_object()
                    .bucket(&bucket)
                    .key(&key)
                    .send()
                    .await
                    .map_err(|e| {
                        let status = e.raw_response().map(|r| r.status().as_u16());
                        error(classify_s3(e.code(), status, crate::sink::concise(&e)))
                    })?;
                let expected = output.content_length();
                let bytes = output
                    .body
                    .collect()
                    .await
                    .map_err(|e| {
                        error(FetchErrorKind::Other(format!(
                            "reading the object body failed: {e}"
                        )))
                    })?
                    .into_bytes()
                    .to_vec();
                match expected {
                    Some(len) if len >= 0 && len as usize != bytes.len() => {
                        Err(error(FetchErrorKind::Other(format!(
                            "object body ended after {} of {len} bytes",
                            bytes.len()
                        ))))
                    }
                    _ => Ok(bytes),
                }
            }
        }
    }
}

fn classify_io(e: &std::io::Error) -> FetchErrorKind {
    match e.kind() {
        std::io::ErrorKind::NotFound => FetchErrorKind::Missing(e.to_string()),
        std::io::ErrorKind::PermissionDenied => FetchErrorKind::AccessDenied(e.to_string()),
        _ => FetchErrorKind::Other(e.to_string()),
    }
}

/// Maps an S3 error code (or, for bodiless HEAD-style answers, the HTTP status) onto a cause.
pub fn classify_s3(code: Option<&str>, status: Option<u16>, detail: String) -> FetchErrorKind {
    match (code, status) {
        (Some("NoSuchKey" | "NoSuchBucket" | "NotFound"), _) | (None, Some(404)) => {
            FetchErrorKind::Missing(detail)
        }
        (
            Some("AccessDenied" | "Forbidden" | "InvalidAccessKeyId" | "SignatureDoesNotMatch"),
            _,
        )
        | (None, Some(403)) => FetchErrorKind::AccessDenied(detail),
        _ => FetchErrorKind::Other(detail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_s3_and_local_uris() {
        assert_eq!(
            ModelUri::parse("s3://models/stresslens/v1/model.bin").unwrap(),
            ModelUri::S3 {
                bucket: "models".into(),
                key: "stresslens/v1/model.bin".into()
            }
        );
        assert_eq!(
            ModelUri::parse("file:///opt/model.bin").unwrap(),
            ModelUri::Local("/opt/model.bin".into())
        );
        assert_eq!(
            ModelUri::parse("models/m.bin").unwrap(),
            ModelUri::Local("models/m.bin".into())
        );
        assert_eq!(
            ModelUri::parse("s3://bucket-only").unwrap_err().to_string(),
            "s3://bucket-only: invalid model URI: expected s3://bucket/key"
        );
    }

    #[test]
    fn classifies_s3_errors() {
        let d = || "detail".to_string();
        assert_eq!(
            classify_s3(Some("NoSuchKey"), Some(404), d()),
            FetchErrorKind::Missing(d())
        );
        assert_eq!(
            classify_s3(None, Some(404), d()),
            FetchErrorKind::Missing(d())
        );
        assert_eq!(
            classify_s3(Some("AccessDenied"), Some(403), d()),
            FetchErrorKind::AccessDenied(d())
        );
        assert_eq!(
            classify_s3(None, Some(403), d()),
            FetchErrorKind::AccessDenied(d())
        );
        assert_eq!(
            classify_s3(Some("SlowDown"), Some(503), d()),
            FetchErrorKind::Other(d())
        );
    }

    #[tokio::test]
    async fn a_missing_local_file_names_the_path_and_the_cause() {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(aws_sdk_s3::config::BehaviorVersion::latest())
            .build();
        let store = S3ModelStore::new(aws_sdk_s3::Client::from_conf(config));
        let dir = tempfile::tempdir().unwrap();
        let uri = dir.path().join("absent.bin").display().to_string();
        let error = store.fetch(&uri).await.unwrap_err();
        assert_eq!(error.uri, uri);
        assert!(matches!(error.kind, FetchErrorKind::Missing(_)), "{error}");
        assert!(
            error
                .to_string()
                .starts_with(&format!("{uri}: no such object: ")),
            "{error}"
        );

        std::fs::write(dir.path().join("m.bin"), b"bytes").unwrap();
        let bytes = store
            .fetch(&dir.path().join("m.bin").display().to_string())
            .await
            .unwrap();
        assert_eq!(bytes, b"bytes");
    }
}
