//! Builds the real dependencies from the configuration: AWS clients (once), the model (once, in an `Arc`).

use crate::config::{Config, RejectsDestination};
use crate::handler::{Clock, Deps};
use crate::init::{load_model, ModelLoadError};
use aws_config::BehaviorVersion;
use std::sync::Arc;
use std::time::Duration;
use stresslens_aws::{
    KinesisBatcher, KinesisRecordSink, KinesisRejectSink, RejectSink, S3ModelStore, SqsBatchSender,
    SqsRejectSink,
};
use stresslens_core::RecordLimits;

/// What the cold start did, for the init log line.
#[derive(Debug, Clone, PartialEq)]
pub struct InitReport {
    pub model_name: String,
    pub model_version: String,
    pub artifact_bytes: usize,
    pub fetch_time: Duration,
    pub validate_time: Duration,
    pub total_time: Duration,
}

/// Loads the SDK configuration from the environment (credentials, region, `AWS_ENDPOINT_URL`), builds the clients
/// and loads the model named by `MODEL_URI`.
pub async fn build_deps(config: &Config) -> Result<(Deps, InitReport), ModelLoadError> {
    let started = std::time::Instant::now();
    let sdk = aws_config::defaults(BehaviorVersion::latest()).load().await;
    // An endpoint override (LocalStack, moto, a proxy) is an address S3 cannot put the bucket name in front of.
    let endpoint_override = sdk.endpoint_url().is_some()
        || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some_and(|v| !v.is_empty());
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(endpoint_override)
            .build(),
    );
    let kinesis = aws_sdk_kinesis::Client::new(&sdk);

    let loaded = load_model(&S3ModelStore::new(s3), &config.model_uri).await?;
    let predictions = KinesisBatcher::new(Arc::new(KinesisRecordSink::new(
        kinesis.clone(),
        &config.predictions_stream,
    )));
    let rejects: Option<Arc<dyn RejectSink>> = match &config.rejects {
        RejectsDestination::None => None,
        RejectsDestination::Stream(stream) => Some(Arc::new(KinesisRejectSink::new(
            KinesisBatcher::new(Arc::new(KinesisRecordSink::new(kinesis, stream))),
            stream,
        ))),
        RejectsDestination::Queue(url) => Some(Arc::new(SqsRejectSink::new(
            Box::new(SqsBatchSender::new(aws_sdk_sqs::Client::new(&sdk), url)),
            url,
        ))),
    };
    let identity = loaded.model.identity().clone();
    let clock: Clock = Arc::new(chrono::Utc::now);
    let deps = Deps {
        scorer: Arc::new(loaded.model),
        predictions,
        rejects,
        threshold_override: config.stress_threshold,
        limits: RecordLimits {
            max_text_bytes: config.max_text_bytes,
        },
        clock,
    };
    Ok((
        deps,
        InitReport {
            model_name: identity.name,
            model_version: identity.version,
            artifact_bytes: loaded.artifact_bytes,
            fetch_time: loaded.fetch_time,
            validate_time: loaded.validate_time,
            total_time: started.elapsed(),
        },
    ))
}
