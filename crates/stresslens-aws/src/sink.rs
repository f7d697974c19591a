//! One PutRecords call behind a trait, so batching and retries can be tested without AWS.

use async_trait::async_trait;
use aws_sdk_kinesis::error::{DisplayErrorContext, ProvideErrorMetadata};
use aws_sdk_kinesis::operation::put_records::PutRecordsOutput;
use aws_sdk_kinesis::primitives::Blob;
use aws_sdk_kinesis::types::PutRecordsRequestEntry;
use bytes::Bytes;

/// One record to write: its data and the partition key that picks the shard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputRecord {
    pub data: Bytes,
    pub partition_key: String,
}

impl OutputRecord {
    /// Bytes this record counts for against the Kinesis request and record limits.
    pub fn size(&self) -> usize {
        self.data.len() + self.partition_key.len()
    }
}

/// The outcome of one entry of a PutRecords call; responses line up with requests by position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EntryResult {
    Written,
    Failed { code: String, message: String },
}

/// A whole PutRecords call failed (throttling, network, access): none of its entries were written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{operation} failed: {message}")]
pub struct SinkError {
    pub operation: &'static str,
    pub code: Option<String>,
    pub message: String,
}

/// Writes one batch of records in one call (already within the service limits).
#[async_trait]
pub trait RecordSink: Send + Sync {
    async fn put_records(&self, records: &[OutputRecord]) -> Result<Vec<EntryResult>, SinkError>;
}

/// Kinesis PutRecords to one stream, named or given by ARN.
#[derive(Debug, Clone)]
pub struct KinesisRecordSink {
    client: aws_sdk_kinesis::Client,
    stream: String,
}

impl KinesisRecordSink {
    pub fn new(client: aws_sdk_kinesis::Client, stream: impl Into<String>) -> Self {
        Self {
            client,
            stream: stream.into(),
        }
    }
}

#[async_trait]
impl RecordSink for KinesisRecordSink {
    async fn put_records(&self, records: &[OutputRecord]) -> Result<Vec<EntryResult>, SinkError> {
        let entries = records
            .iter()
            .map(|r| {
                PutRecordsRequestEntry::builder()
                    .data(Blob::new(r.data.to_vec()))
                    .partition_key(&r.partition_key)
                    .build()
                    .map_err(|e| SinkError {
                        operation: "PutRecords",
                        code: None,
                        message: format!("cannot build request entry: {e}"),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let request = self.client.put_records().set_records(Some(entries));
        let request = if self.stream.starts_with("arn:") {
            request.stream_arn(&self.stream)
        } else {
            request.stream_name(&self.stream)
        };
        match request.send().await {
            Ok(output) => entry_results(&output, records.len()),
            Err(e) => Err(SinkError {
                operation: "PutRecords",
                code: e.code().map(str::to_string),
                message: format!("stream {}: {}", self.stream, concise(&e)),
            }),
        }
    }
}

/// `Code: message` of a service error; the whole context for others (network, timeouts), where it is the cause.
pub(crate) fn concise<E>(error: &E) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match (error.code(), error.message()) {
        (Some(code), Some(message)) => format!("{code}: {message}"),
        (Some(code), None) => code.to_string(),
        _ => DisplayErrorContext(error).to_string(),
    }
}

/// Maps a PutRecords response onto the request entries by position; a response of the wrong length is a call
/// failure, because positions could no longer be trusted.
pub fn entry_results(
    output: &PutRecordsOutput,
    sent: usize,
) -> Result<Vec<EntryResult>, SinkError> {
    if output.records().len() != sent {
        return Err(SinkError {
            operation: "PutRecords",
            code: None,
            message: format!(
                "response has {} entries for {sent} records sent",
                output.records().len()
            ),
        });
    }
    Ok(output
        .records()
        .iter()
        .map(|entry| match entry.error_code() {
            Some(code) if !code.is_empty() => EntryResult::Failed {
                code: code.to_string(),
                message: entry.error_message().unwrap_or_default().to_string(),
            },
            _ => EntryResult::Written,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_kinesis::types::PutRecordsResultEntry;

    fn ok_entry() -> PutRecordsResultEntry {
        PutRecordsResultEntry::builder()
            .sequence_number("1")
            .shard_id("shardId-000000000000")
            .build()
    }

    #[test]
    fn maps_failed_entries_by_position() {
        let output = PutRecordsOutput::builder()
            .failed_record_count(1)
            .records(ok_entry())
            .records(
                PutRecordsResultEntry::builder()
                    .error_code("ProvisionedThroughputExceededException")
                    .error_message("Rate exceeded for shard")
                    .build(),
            )
            .records(ok_entry())
            .build()
            .unwrap();
        assert_eq!(
            entry_results(&output, 3).unwrap(),
            vec![
                EntryResult::Written,
                EntryResult::Failed {
                    code: "ProvisionedThroughputExceededException".into(),
                    message: "Rate exceeded for shard".into()
                },
                EntryResult::Written
            ]
        );
    }

    #[test]
    fn a_response_of_the_wrong_length_is_a_call_failure() {
        let output = PutRecordsOutput::builder()
            .records(ok_entry())
            .build()
            .unwrap();
        assert_eq!(
            entry_results(&output, 2).unwrap_err().to_string(),
            "PutRecords failed: response has 1 entries for 2 records sent"
        );
    }
}
