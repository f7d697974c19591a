//! Destinations for rejected records: a Kinesis stream or an SQS queue, one trait.

use crate::batcher::{Delivery, DeliveryReport, KinesisBatcher, RetryPolicy};
use crate::sink::OutputRecord;
use async_trait::async_trait;
use aws_sdk_sqs::error::ProvideErrorMetadata;
use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use tokio::time::Instant;

/// Writes rejected records; one outcome per message, in order.
#[async_trait]
pub trait RejectSink: Send + Sync {
    /// Largest message (data plus partition key) the destination takes, so callers can shrink what they send.
    fn max_message_bytes(&self) -> usize;
    /// Human name for logs, e.g. `kinesis:rejects` or the queue URL.
    fn describe(&self) -> String;
    async fn send(&self, messages: Vec<OutputRecord>, deadline: Instant) -> DeliveryReport;
}

/// Rejects to a Kinesis stream, with the same batching and retries as predictions.
pub struct KinesisRejectSink {
    batcher: KinesisBatcher,
    stream: String,
}

impl KinesisRejectSink {
    pub fn new(batcher: KinesisBatcher, stream: impl Into<String>) -> Self {
        Self {
            batcher,
            stream: stream.into(),
        }
    }
}

#[async_trait]
impl RejectSink for KinesisRejectSink {
    fn max_message_bytes(&self) -> usize {
        self.batcher.limits().max_record_bytes
    }

    fn describe(&self) -> String {
        format!("kinesis:{}", self.stream)
    }

    async fn send(&self, messages: Vec<OutputRecord>, deadline: Instant) -> DeliveryReport {
        self.batcher.send(messages, deadline).await
    }
}

/// SQS limits of SendMessageBatch.
const SQS_MAX_ENTRIES: usize = 10;
const SQS_MAX_BATCH_BYTES: usize = 256 * 1024;

/// One SendMessageBatch call, behind a trait so the batching can be tested without AWS. Returns the failed
/// entry positions with their error code and whether the sender was at fault.
#[async_trait]
pub trait QueueBatchSender: Send + Sync {
    async fn send_batch(
        &self,
        bodies: &[String],
    ) -> Result<Vec<QueueEntryFailure>, crate::sink::SinkError>;
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueEntryFailure {
    pub position: usize,
    pub code: String,
    pub message: String,
    pub sender_fault: bool,
}

/// SendMessageBatch against one queue URL.
pub struct SqsBatchSender {
    client: aws_sdk_sqs::Client,
    queue_url: String,
}

impl SqsBatchSender {
    pub fn new(client: aws_sdk_sqs::Client, queue_url: impl Into<String>) -> Self {
        Self {
            client,
            queue_url: queue_url.into(),
        }
    }
}

#[async_trait]
impl QueueBatchSender for SqsBatchSender {
    async fn send_batch(
        &self,
        bodies: &[String],
    ) -> Result<Vec<QueueEntryFailure>, crate::sink::SinkError> {
        let call_error = |message: String, code: Option<String>| crate::sink::SinkError {
            operation: "SendMessageBatch",
            code,
            message,
        };
        let entries = bodies
            .iter()
            .enumerate()
            .map(|(i, body)| {
                SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(body)
                    .build()
                    .map_err(|e| call_error(format!("cannot build entry: {e}"), None))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let output = self
            .client
            .send_message_batch()
            .queue_url(&self.queue_url)
            .set_entries(Some(entries))
            .send()
            .await
            .map_err(|e| {
                call_error(
                    format!("queue {}: {}", self.queue_url, crate::sink::concise(&e)),
                    e.code().map(str::to_string),
                )
            })?;
        Ok(output
            .failed()
            .iter()
            .map(|f| QueueEntryFailure {
                position: f.id().parse().unwrap_or(usize::MAX),
                code: f.code().to_string(),
                message: f.message().unwrap_or_default().to_string(),
                sender_fault: f.sender_fault(),
            })
            .collect())
    }
}

/// Rejects to an SQS queue: at most 10 messages and 256 KiB per SendMessageBatch, failed entries retried with
/// backoff within the deadline unless the sender was at fault.
pub struct SqsRejectSink {
    sender: Box<dyn QueueBatchSender>,
    name: String,
    retry: RetryPolicy,
}

impl SqsRejectSink {
    pub fn new(sender: Box<dyn QueueBatchSender>, name: impl Into<String>) -> Self {
        Self {
            sender,
            name: name.into(),
            retry: RetryPolicy::default(),
        }
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Groups message positions into batches within the SQS limits; bodies over the limit are left out.
    fn batches(bodies: &[String]) -> Vec<Vec<usize>> {
        let mut batches = Vec::new();
        let mut current: Vec<usize> = Vec::new();
        let mut bytes = 0;
        for (i, body) in bodies.iter().enumerate() {
            if body.len() > SQS_MAX_BATCH_BYTES {
                continue;
            }
            if current.len() == SQS_MAX_ENTRIES || bytes + body.len() > SQS_MAX_BATCH_BYTES {
                batches.push(std::mem::take(&mut current));
                bytes = 0;
            }
            current.push(i);
            bytes += body.len();
        }
        if !current.is_empty() {
            batches.push(current);
        }
        batches
    }
}

#[async_trait]
impl RejectSink for SqsRejectSink {
    fn max_message_bytes(&self) -> usize {
        SQS_MAX_BATCH_BYTES
    }

    fn describe(&self) -> String {
        format!("sqs:{}", self.name)
    }

    async fn send(&self, messages: Vec<OutputRecord>, deadline: Instant) -> DeliveryReport {
        let bodies: Vec<String> = messages
            .into_iter()
            .map(|m| String::from_utf8_lossy(&m.data).into_owned())
            .collect();
        let mut report = DeliveryReport {
            outcomes: bodies
                .iter()
                .map(|b| {
                    if b.len() > SQS_MAX_BATCH_BYTES {
                        Delivery::Refused {
                            message: format!("message is {} bytes, more than SQS takes", b.len()),
                        }
                    } else {
                        Delivery::Written
                    }
                })
                .collect(),
            ..DeliveryReport::default()
        };
        for batch in Self::batches(&bodies) {
            let mut pending = batch;
            let mut attempt = 0u32;
            loop {
                attempt += 1;
                report.calls += 1;
                let sent: Vec<String> = pending.iter().map(|&i| bodies[i].clone()).collect();
                let failed: Vec<(usize, Delivery, bool)> =
                    match tokio::time::timeout_at(deadline, self.sender.send_batch(&sent)).await {
                        Err(_) => pending
                            .iter()
                            .map(|&i| {
                                let failure = Delivery::Failed {
                                    code: "Timeout".into(),
                                    message: "time budget ran out during SendMessageBatch".into(),
                                };
                                (i, failure, true)
                            })
                            .collect(),
                        Ok(Err(e)) => pending
                            .iter()
                            .map(|&i| {
                                let failure = Delivery::Failed {
                                    code: e.code.clone().unwrap_or_else(|| "CallFailed".into()),
                                    message: e.to_string(),
                                };
                                (i, failure, true)
                            })
                            .collect(),
                        Ok(Ok(failures)) => failures
                            .into_iter()
                            .filter_map(|f| {
                                let index = *pending.get(f.position)?;
                                let failure = Delivery::Failed {
                                    code: f.code,
                                    message: f.message,
                                };
                                Some((index, failure, !f.sender_fault))
                            })
                            .collect(),
                    };
                let retryable: Vec<usize> = failed.iter().filter(|f| f.2).map(|f| f.0).collect();
                for (index, outcome, _) in failed {
                    report.outcomes[index] = outcome;
                }
                if retryable.is_empty() {
                    break;
                }
                let backoff = self.retry.full_jitter(attempt - 1);
                if attempt >= self.retry.max_attempts || Instant::now() + backoff >= deadline {
                    break;
                }
                tokio::time::sleep(backoff).await;
                for &index in &retryable {
                    report.outcomes[index] = Delivery::Written;
                }
                report.retry_calls += 1;
                report.retried_records += retryable.len();
                pending = retryable;
            }
        }
        report
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    /// Fails the given positions of the first call with a retryable code, accepts everything after.
    struct FlakyQueue {
        calls: Mutex<Vec<Vec<String>>>,
        fail_first: Vec<(usize, bool)>,
    }

    #[async_trait]
    impl QueueBatchSender for FlakyQueue {
        async fn send_batch(
            &self,
            bodies: &[String],
        ) -> Result<Vec<QueueEntryFailure>, crate::sink::SinkError> {
            let mut calls = self.calls.lock().unwrap();
            calls.push(bodies.to_vec());
            if calls.len() > 1 {
                return Ok(vec![]);
            }
            Ok(self
                .fail_first
                .iter()
                .map(|&(position, sender_fault)| QueueEntryFailure {
                    position,
                    code: if sender_fault {
                        "InvalidMessageContents"
                    } else {
                        "InternalError"
                    }
                    .into(),
                    message: "no".into(),
                    sender_fault,
                })
                .collect())
        }
    }

    fn message(body: &str) -> OutputRecord {
        OutputRecord {
            data: body.as_bytes().to_vec().into(),
            partition_key: "k".into(),
        }
    }

    #[test]
    fn batches_hold_ten_messages_and_256_kib() {
        let small: Vec<String> = (0..23).map(|i| i.to_string()).collect();
        let lens: Vec<usize> = SqsRejectSink::batches(&small)
            .iter()
            .map(Vec::len)
            .collect();
        assert_eq!(lens, vec![10, 10, 3]);
        let big: Vec<String> = (0..5).map(|_| "x".repeat(100 * 1024)).collect();
        let lens: Vec<usize> = SqsRejectSink::batches(&big).iter().map(Vec::len).collect();
        assert_eq!(lens, vec![2, 2, 1]);
    }

    #[tokio::test(start_paused = true)]
    async fn retries_only_server_side_failures() {
        let queue = FlakyQueue {
            calls: Mutex::new(vec![]),
            fail_first: vec![(1, false), (2, true)],
        };
        let sink = SqsRejectSink::new(Box::new(queue), "q");
        let deadline = Instant::now() + std::time::Duration::from_secs(5);
        let report = sink
            .send(vec![message("a"), message("b"), message("c")], deadline)
            .await;
        assert_eq!(report.calls, 2);
        assert_eq!(report.retry_calls, 1);
        assert_eq!(report.retried_records, 1);
        assert_eq!(
            report.outcomes,
            vec![
                Delivery::Written,
                Delivery::Written,
                Delivery::Failed {
                    code: "InvalidMessageContents".into(),
                    message: "no".into()
                }
            ]
        );
    }
}
