//! The handler: a plain async function over injected dependencies.
//!
//! decode each record alone -> de-aggregate -> parse -> score the whole batch in one call -> PutRecords predictions
//! and write rejections concurrently -> `batchItemFailures` for what could not be written.

use crate::event::{
    decode_record, event_records, explain_double_encoding, EnvelopeError, RecordOrigin,
};
use crate::metrics::InvocationMetrics;
use crate::output::{output_partition_key, RejectSource, RejectedRecord};
use crate::scorer::Scorer;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use std::sync::Arc;
use stresslens_aws::kpl::{deaggregate, Deaggregated};
use stresslens_aws::{Delivery, DeliveryReport, KinesisBatcher, OutputRecord, RejectSink};
use stresslens_core::{
    parse_post, Post, PredictionRecord, RecordLimits, RejectReason, Rejection, ScoreError,
    SourceCoordinates,
};
use tokio::time::Instant;

/// The current time; injected so tests get exact `scored_at` and lag values.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Everything the handler uses, built once per execution environment.
#[derive(Clone)]
pub struct Deps {
    pub scorer: Arc<dyn Scorer>,
    pub predictions: KinesisBatcher,
    /// `None`: rejections are only logged and counted.
    pub rejects: Option<Arc<dyn RejectSink>>,
    /// `STRESS_THRESHOLD`, overriding the model's cut-off.
    pub threshold_override: Option<f64>,
    pub limits: RecordLimits,
    pub clock: Clock,
}

impl Deps {
    pub fn threshold(&self) -> f64 {
        self.threshold_override
            .unwrap_or_else(|| self.scorer.threshold())
    }
}

/// The partial-batch response Lambda reads (`ReportBatchItemFailures`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchResponse {
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<BatchItemFailure>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchItemFailure {
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

/// The handler's result: the response for Lambda and the metrics for the EMF line.
#[derive(Debug, Clone)]
pub struct Handled {
    pub response: BatchResponse,
    pub metrics: InvocationMetrics,
}

/// The whole invocation fails (Lambda retries the batch): only for problems that are not about one record.
#[derive(Debug, thiserror::Error)]
pub enum HandlerError {
    #[error(transparent)]
    Envelope(#[from] EnvelopeError),
    #[error("scoring the batch failed: {0}")]
    Scoring(#[from] ScoreError),
    #[error("the model returned {returned} probabilities for {posts} posts")]
    ScoreCount { posts: usize, returned: usize },
}

/// One post candidate: a plain record or one user record of a KPL aggregate.
struct Unit {
    record: usize,
    sub_sequence: Option<u64>,
    partition_key: Option<String>,
    data: Vec<u8>,
}

/// A record (or sub-record) that will not be scored.
struct Reject {
    record: usize,
    sub_sequence: Option<u64>,
    partition_key: Option<String>,
    bytes: Vec<u8>,
    rejection: Rejection,
}

/// Handles one Kinesis event; retries and waits end by `deadline`.
pub async fn handle(
    event: &Value,
    deps: &Deps,
    deadline: Instant,
) -> Result<Handled, HandlerError> {
    let records = event_records(event)?;
    let mut metrics = InvocationMetrics {
        records: records.len(),
        ..InvocationMetrics::default()
    };
    let mut origins: Vec<RecordOrigin> = Vec::with_capacity(records.len());
    let mut units: Vec<Unit> = Vec::with_capacity(records.len());
    let mut rejects: Vec<Reject> = Vec::new();
    for (index, record) in records.iter().enumerate() {
        let decoded = decode_record(record);
        let partition_key = decoded.origin.partition_key.clone();
        origins.push(decoded.origin);
        let data = match decoded.data {
            Ok(data) => data,
            Err(raw) => {
                rejects.push(Reject {
                    record: index,
                    sub_sequence: None,
                    partition_key,
                    bytes: raw.bytes,
                    rejection: raw.rejection,
                });
                continue;
            }
        };
        match deaggregate(&data) {
            Ok(Deaggregated::Plain) => units.push(Unit {
                record: index,
                sub_sequence: None,
                partition_key,
                data,
            }),
            Ok(Deaggregated::Aggregate(subs)) => units.extend(subs.into_iter().map(|sub| Unit {
                record: index,
                sub_sequence: Some(sub.sub_sequence),
                partition_key: Some(sub.partition_key),
                data: sub.data,
            })),
            Err(e) => rejects.push(Reject {
                record: index,
                sub_sequence: None,
                partition_key,
                bytes: data,
                rejection: Rejection::new(RejectReason::BadAggregate, e.to_string()),
            }),
        }
    }

    let now = (deps.clock)();
    metrics.max_arrival_lag_ms = origins
        .iter()
        .filter_map(|o| o.arrival_ms)
        .map(|arrival| (now.timestamp_millis() - arrival).max(0))
        .max();

    let fields = deps.scorer.numeric_fields();
    let mut posts: Vec<Post> = Vec::with_capacity(units.len());
    let mut scored_units: Vec<Unit> = Vec::with_capacity(units.len());
    for unit in units {
        match parse_post(&unit.data, fields, deps.limits) {
            Ok(post) => {
                posts.push(post);
                scored_units.push(unit);
            }
            Err(rejection) => rejects.push(Reject {
                rejection: explain_double_encoding(&unit.data, rejection),
                record: unit.record,
                sub_sequence: unit.sub_sequence,
                partition_key: unit.partition_key,
                bytes: unit.data,
            }),
        }
    }
    metrics.posts = scored_units.len() + rejects.len();

    let started = std::time::Instant::now();
    let probabilities = if posts.is_empty() {
        Vec::new()
    } else {
        deps.scorer.score_batch(&posts)?
    };
    metrics.scoring_ms = started.elapsed().as_secs_f64() * 1e3;
    if probabilities.len() != posts.len() {
        return Err(HandlerError::ScoreCount {
            posts: posts.len(),
            returned: probabilities.len(),
        });
    }

    let scored_at = PredictionRecord::timestamp((deps.clock)());
    let threshold = deps.threshold();
    let identity = deps.scorer.identity();
    let mut predictions: Vec<OutputRecord> = Vec::with_capacity(posts.len());
    let mut prediction_records: Vec<usize> = Vec::with_capacity(posts.len());
    for ((post, unit), probability) in posts.into_iter().zip(scored_units).zip(probabilities) {
        let origin = &origins[unit.record];
        let sequence_number = origin.sequence_number.clone().unwrap_or_default();
        let id = post.id.unwrap_or_else(|| match unit.sub_sequence {
            Some(sub) => format!("{sequence_number}:{sub}"),
            None => sequence_number.clone(),
        });
        let prediction = PredictionRecord {
            id,
            stress: probability >= threshold,
            probability,
            threshold,
            model: identity.clone(),
            source: Some(SourceCoordinates {
                stream: origin.stream.clone(),
                shard: origin.shard.clone(),
                sequence_number: sequence_number.clone(),
                sub_sequence: unit.sub_sequence,
            }),
            scored_at: scored_at.clone(),
        };
        let record = OutputRecord {
            data: serde_json::to_vec(&prediction).unwrap_or_default().into(),
            partition_key: output_partition_key(unit.partition_key.as_deref(), &sequence_number),
        };
        if let Some(why) = deps.predictions.refusal(&record) {
            rejects.push(Reject {
                record: unit.record,
                sub_sequence: unit.sub_sequence,
                partition_key: unit.partition_key,
                bytes: unit.data,
                rejection: Rejection::new(
                    RejectReason::OutputTooLarge,
                    format!("prediction cannot be written: {why}"),
                ),
            });
            continue;
        }
        metrics.scored += 1;
        metrics.stressed += usize::from(prediction.stress);
        metrics.probability_sum += probability;
        predictions.push(record);
        prediction_records.push(unit.record);
    }

    for reject in &rejects {
        *metrics.rejected.entry(reject.rejection.reason).or_default() += 1;
    }
    let rejected_at = PredictionRecord::timestamp((deps.clock)());
    let reject_messages: Option<Vec<OutputRecord>> = deps.rejects.as_ref().map(|sink| {
        rejects
            .iter()
            .map(|r| {
                reject_message(
                    r,
                    &origins[r.record],
                    &rejected_at,
                    sink.max_message_bytes(),
                )
            })
            .collect()
    });
    if reject_messages.is_none() {
        for r in &rejects {
            log_reject(r, &origins[r.record]);
        }
    }

    let send_rejects = async {
        match (&deps.rejects, reject_messages) {
            (Some(sink), Some(messages)) if !messages.is_empty() => {
                Some(sink.send(messages, deadline).await)
            }
            _ => None,
        }
    };
    let (written, rejects_written) =
        tokio::join!(deps.predictions.send(predictions, deadline), send_rejects);

    let mut failed_records = vec![false; origins.len()];
    collect_failures(
        &written,
        &prediction_records,
        &origins,
        &mut failed_records,
        "prediction",
    );
    metrics.put_records_calls += written.calls;
    metrics.put_records_retries += written.retry_calls;
    if let Some(report) = &rejects_written {
        let reject_records: Vec<usize> = rejects.iter().map(|r| r.record).collect();
        collect_failures(
            report,
            &reject_records,
            &origins,
            &mut failed_records,
            "rejection",
        );
        metrics.put_records_calls += report.calls;
        metrics.put_records_retries += report.retry_calls;
    }

    let batch_item_failures: Vec<BatchItemFailure> = failed_records
        .iter()
        .zip(&origins)
        .filter(|(failed, _)| **failed)
        .filter_map(|(_, origin)| origin.sequence_number.clone())
        .map(|item_identifier| BatchItemFailure { item_identifier })
        .collect();
    metrics.failed = batch_item_failures.len();
    Ok(Handled {
        response: BatchResponse {
            batch_item_failures,
        },
        metrics,
    })
}

/// Marks the input records of outputs that were not written. An unidentified record (no sequence number) cannot be
/// reported: that is logged as an error instead.
fn collect_failures(
    report: &DeliveryReport,
    output_records: &[usize],
    origins: &[RecordOrigin],
    failed_records: &mut [bool],
    what: &str,
) {
    for (outcome, &record) in report.outcomes.iter().zip(output_records) {
        let (code, message) = match outcome {
            Delivery::Written => continue,
            Delivery::Failed { code, message } => (code.as_str(), message.as_str()),
            Delivery::Refused { message } => ("Refused", message.as_str()),
        };
        let origin = &origins[record];
        match &origin.sequence_number {
            Some(sequence_number) => {
                failed_records[record] = true;
                tracing::warn!(%sequence_number, shard = %origin.shard, code, message, "{what} not written; reporting the record as a batch item failure");
            }
            None => {
                tracing::error!(shard = %origin.shard, code, message, "{what} of an unidentified record not written; it cannot be retried")
            }
        }
    }
}

fn reject_source(reject: &Reject, origin: &RecordOrigin) -> RejectSource {
    RejectSource {
        stream: origin.stream.clone(),
        shard: origin.shard.clone(),
        sequence_number: origin.sequence_number.clone(),
        sub_sequence: reject.sub_sequence,
    }
}

fn reject_message(
    reject: &Reject,
    origin: &RecordOrigin,
    rejected_at: &str,
    max_bytes: usize,
) -> OutputRecord {
    let partition_key = output_partition_key(
        reject.partition_key.as_deref(),
        origin.sequence_number.as_deref().unwrap_or_default(),
    );
    let data = RejectedRecord::to_json(
        &reject.rejection,
        &reject.bytes,
        reject_source(reject, origin),
        reject.partition_key.clone(),
        rejected_at.to_string(),
        max_bytes,
        partition_key.len(),
    );
    OutputRecord {
        data: data.into(),
        partition_key,
    }
}

fn log_reject(reject: &Reject, origin: &RecordOrigin) {
    tracing::warn!(
        reason = %reject.rejection.reason,
        message = %reject.rejection.message,
        sequence_number = origin.sequence_number.as_deref().unwrap_or("unknown"),
        sub_sequence = reject.sub_sequence,
        shard = %origin.shard,
        bytes = reject.bytes.len(),
        "record rejected (no rejects destination configured)"
    );
}
