//! PutRecords batching: chunks within the Kinesis limits, sent concurrently, failed entries retried with
//! exponential backoff and full jitter until a deadline.

use crate::sink::{EntryResult, OutputRecord, RecordSink};
use rand::Rng;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Service limits of one PutRecords call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PutRecordsLimits {
    pub max_records_per_call: usize,
    /// Data plus partition keys of all entries of one call.
    pub max_bytes_per_call: usize,
    /// Data plus partition key of one entry.
    pub max_record_bytes: usize,
    /// Unicode scalar values in a partition key.
    pub max_partition_key_chars: usize,
}

impl PutRecordsLimits {
    pub const KINESIS: PutRecordsLimits = PutRecordsLimits {
        max_records_per_call: 500,
        max_bytes_per_call: 5 * 1024 * 1024,
        max_record_bytes: 1024 * 1024,
        max_partition_key_chars: 256,
    };
}

/// Backoff between attempts: attempt `n` sleeps a uniformly random time in `[0, min(max_backoff, base * 2^n)]`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max_backoff: Duration,
    /// Calls per chunk, the first one included.
    pub max_attempts: u32,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_millis(50),
            max_backoff: Duration::from_secs(2),
            max_attempts: 10,
        }
    }
}

impl RetryPolicy {
    pub(crate) fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(20)).unwrap_or(u32::MAX);
        self.base.saturating_mul(factor).min(self.max_backoff)
    }

    pub(crate) fn full_jitter(&self, retry: u32) -> Duration {
        let ceiling = self.ceiling(retry).as_micros() as u64;
        Duration::from_micros(rand::rng().random_range(0..=ceiling))
    }
}

/// The final outcome of one record handed to [`KinesisBatcher::send`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Delivery {
    Written,
    /// Still failing when the attempts or the time budget ran out (the last error seen).
    Failed {
        code: String,
        message: String,
    },
    /// Never sent: the record breaks a service limit and would fail every time.
    Refused {
        message: String,
    },
}

/// What a [`KinesisBatcher::send`] did: one outcome per record, in input order, and call counts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeliveryReport {
    pub outcomes: Vec<Delivery>,
    /// PutRecords calls made, retries included.
    pub calls: usize,
    /// Calls that resent failed entries.
    pub retry_calls: usize,
    /// Entries resent, summed over the retry calls.
    pub retried_records: usize,
}

impl DeliveryReport {
    pub fn failed_indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.outcomes
            .iter()
            .enumerate()
            .filter(|(_, o)| !matches!(o, Delivery::Written))
            .map(|(i, _)| i)
    }
}

/// Writes any number of records through a [`RecordSink`] within the PutRecords limits.
#[derive(Clone)]
pub struct KinesisBatcher {
    sink: Arc<dyn RecordSink>,
    limits: PutRecordsLimits,
    retry: RetryPolicy,
    max_concurrent_calls: usize,
}

impl KinesisBatcher {
    pub fn new(sink: Arc<dyn RecordSink>) -> Self {
        Self {
            sink,
            limits: PutRecordsLimits::KINESIS,
            retry: RetryPolicy::default(),
            max_concurrent_calls: 8,
        }
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    pub fn with_limits(mut self, limits: PutRecordsLimits) -> Self {
        self.limits = limits;
        self
    }

    pub fn limits(&self) -> PutRecordsLimits {
        self.limits
    }

    /// Why `record` can never be written, if it cannot.
    pub fn refusal(&self, record: &OutputRecord) -> Option<String> {
        let key_chars = record.partition_key.chars().count();
        if key_chars == 0 {
            Some("partition key is empty".to_string())
        } else if key_chars > self.limits.max_partition_key_chars {
            Some(format!(
                "partition key has {key_chars} characters, more than the limit of {}",
                self.limits.max_partition_key_chars
            ))
        } else if record.size() > self.limits.max_record_bytes {
            Some(format!(
                "record is {} bytes with its partition key, more than the limit of {}",
                record.size(),
                self.limits.max_record_bytes
            ))
        } else {
            None
        }
    }

    /// Groups the indices of the sendable records into calls, in order; refused records are left out.
    pub fn chunks(&self, records: &[OutputRecord]) -> Vec<Vec<usize>> {
        let mut chunks = Vec::new();
        let mut current: Vec<usize> = Vec::new();
        let mut current_bytes = 0usize;
        for (index, record) in records.iter().enumerate() {
            if self.refusal(record).is_some() {
                continue;
            }
            let size = record.size();
            if current.len() == self.limits.max_records_per_call
                || current_bytes + size > self.limits.max_bytes_per_call
            {
                chunks.push(std::mem::take(&mut current));
                current_bytes = 0;
            }
            current.push(index);
            current_bytes += size;
        }
        if !current.is_empty() {
            chunks.push(current);
        }
        chunks
    }

    /// Writes `records`, retrying exactly the failed entries until they succeed, the attempts run out or the next
    /// backoff would end after `deadline`. Never makes a call when there is nothing to send.
    pub async fn send(&self, records: Vec<OutputRecord>, deadline: Instant) -> DeliveryReport {
        let mut outcomes: Vec<Delivery> = records
            .iter()
            .map(|r| match self.refusal(r) {
                Some(message) => Delivery::Refused { message },
                None => Delivery::Failed {
                    code: "NotSent".into(),
                    message: "not sent".into(),
                },
            })
            .collect();
        let chunks = self.chunks(&records);
        let records: Arc<[OutputRecord]> = records.into();
        let permits = Arc::new(Semaphore::new(self.max_concurrent_calls.max(1)));
        let mut tasks = JoinSet::new();
        for chunk in chunks {
            let sink = Arc::clone(&self.sink);
            let records = Arc::clone(&records);
            let permits = Arc::clone(&permits);
            let retry = self.retry;
            tasks.spawn(async move {
                // The semaphore is never closed, so acquiring only waits.
                let _permit = permits.acquire_owned().await.ok();
                send_chunk(sink.as_ref(), &records, chunk, deadline, retry).await
            });
        }
        let mut report = DeliveryReport::default();
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok(chunk) => {
                    report.calls += chunk.calls;
                    report.retry_calls += chunk.retry_calls;
                    report.retried_records += chunk.retried_records;
                    for (index, outcome) in chunk.outcomes {
                        outcomes[index] = outcome;
                    }
                }
                // A panicking sink leaves its chunk's records as "not sent", which callers treat as failed.
                Err(e) => tracing::error!(error = %e, "PutRecords task did not finish"),
            }
        }
        report.outcomes = outcomes;
        report
    }
}

struct ChunkReport {
    outcomes: Vec<(usize, Delivery)>,
    calls: usize,
    retry_calls: usize,
    retried_records: usize,
}

async fn send_chunk(
    sink: &dyn RecordSink,
    records: &[OutputRecord],
    mut pending: Vec<usize>,
    deadline: Instant,
    retry: RetryPolicy,
) -> ChunkReport {
    let mut report = ChunkReport {
        outcomes: Vec::with_capacity(pending.len()),
        calls: 0,
        retry_calls: 0,
        retried_records: 0,
    };
    let mut attempt = 0u32;
    loop {
        let batch: Vec<OutputRecord> = pending.iter().map(|&i| records[i].clone()).collect();
        report.calls += 1;
        attempt += 1;
        let failed: Vec<(usize, String, String)> =
            match tokio::time::timeout_at(deadline, sink.put_records(&batch)).await {
                Err(_) => pending
                    .iter()
                    .map(|&i| {
                        (
                            i,
                            "Timeout".into(),
                            "time budget ran out during PutRecords".into(),
                        )
                    })
                    .collect(),
                Ok(Err(e)) => {
                    let code = e.code.clone().unwrap_or_else(|| "CallFailed".into());
                    pending
                        .iter()
                        .map(|&i| (i, code.clone(), e.to_string()))
                        .collect()
                }
                Ok(Ok(results)) if results.len() != pending.len() => pending
                    .iter()
                    .map(|&i| {
                        let message = format!(
                            "sink answered {} results for {} records",
                            results.len(),
                            batch.len()
                        );
                        (i, "CallFailed".into(), message)
                    })
                    .collect(),
                Ok(Ok(results)) => {
                    let mut failed = Vec::new();
                    for (&index, result) in pending.iter().zip(results) {
                        match result {
                            EntryResult::Written => {
                                report.outcomes.push((index, Delivery::Written))
                            }
                            EntryResult::Failed { code, message } => {
                                failed.push((index, code, message))
                            }
                        }
                    }
                    failed
                }
            };
        if failed.is_empty() {
            return report;
        }
        let backoff = retry.full_jitter(attempt - 1);
        if attempt >= retry.max_attempts || Instant::now() + backoff >= deadline {
            report.outcomes.extend(
                failed
                    .into_iter()
                    .map(|(index, code, message)| (index, Delivery::Failed { code, message })),
            );
            return report;
        }
        tracing::warn!(
            failed = failed.len(),
            attempt,
            backoff_ms = backoff.as_millis() as u64,
            code = %failed[0].1,
            "PutRecords entries failed, retrying"
        );
        tokio::time::sleep(backoff).await;
        pending = failed.into_iter().map(|(index, _, _)| index).collect();
        report.retry_calls += 1;
        report.retried_records += pending.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(size: usize, key: &str) -> OutputRecord {
        OutputRecord {
            data: vec![b'x'; size].into(),
            partition_key: key.to_string(),
        }
    }

    fn batcher() -> KinesisBatcher {
        struct Unused;
        #[async_trait::async_trait]
        impl RecordSink for Unused {
            async fn put_records(
                &self,
                _: &[OutputRecord],
            ) -> Result<Vec<EntryResult>, crate::sink::SinkError> {
                unreachable!("chunking makes no calls")
            }
        }
        KinesisBatcher::new(Arc::new(Unused))
    }

    #[test]
    fn five_hundred_and_one_records_make_two_calls() {
        let records: Vec<_> = (0..501).map(|_| record(10, "k")).collect();
        let chunks = batcher().chunks(&records);
        assert_eq!(
            chunks.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![500, 1]
        );
        assert_eq!(chunks[1], vec![500]);
    }

    #[test]
    fn six_hundred_records_of_ten_kib_stay_under_five_mib_per_call() {
        let key = "partition-key-0001";
        let records: Vec<_> = (0..600).map(|_| record(10 * 1024, key)).collect();
        let chunks = batcher().chunks(&records);
        // 5 MiB / (10240 + 18) = 511.1 -> at most 511 by bytes, but 500 by count first
        assert_eq!(
            chunks.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![500, 100]
        );
        let big: Vec<_> = (0..600).map(|_| record(20 * 1024, key)).collect();
        let chunks = batcher().chunks(&big);
        // (20480 + 18) * 255 = 5_226_990 <= 5_242_880 < (20480 + 18) * 256
        assert_eq!(
            chunks.iter().map(Vec::len).collect::<Vec<_>>(),
            vec![255, 255, 90]
        );
        for chunk in &chunks {
            let bytes: usize = chunk.iter().map(|&i| big[i].size()).sum();
            assert!(bytes <= 5 * 1024 * 1024, "{bytes}");
        }
    }

    #[test]
    fn records_over_the_limits_are_refused_and_not_chunked() {
        let b = batcher();
        let records = vec![
            record(10, "ok"),
            record(1024 * 1024, "k"),
            record(10, &"é".repeat(257)),
            record(10, ""),
            record(1024 * 1024 - 2, "ok"),
        ];
        assert_eq!(b.chunks(&records), vec![vec![0, 4]]);
        assert_eq!(
            b.refusal(&records[1]).unwrap(),
            "record is 1048577 bytes with its partition key, more than the limit of 1048576"
        );
        assert_eq!(
            b.refusal(&records[2]).unwrap(),
            "partition key has 257 characters, more than the limit of 256"
        );
        assert_eq!(b.refusal(&records[3]).unwrap(), "partition key is empty");
        assert_eq!(b.refusal(&record(10, &"é".repeat(256))), None);
    }

    #[test]
    fn backoff_ceiling_doubles_up_to_the_cap() {
        let policy = RetryPolicy {
            base: Duration::from_millis(50),
            max_backoff: Duration::from_millis(300),
            max_attempts: 5,
        };
        let ceilings: Vec<u128> = (0..5).map(|n| policy.ceiling(n).as_millis()).collect();
        assert_eq!(ceilings, vec![50, 100, 200, 300, 300]);
        for _ in 0..100 {
            assert!(policy.full_jitter(2) <= Duration::from_millis(200));
        }
    }
}
