//! Scripted fakes for tests (feature `test-support`): a PutRecords sink that answers from a script and records
//! every call it received.

use crate::sink::{EntryResult, OutputRecord, RecordSink, SinkError};
use async_trait::async_trait;
use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

/// The answer to one PutRecords call.
#[derive(Clone)]
pub enum Reply {
    /// Every entry written.
    WriteAll,
    /// The entries at these positions of the call fail with `ProvisionedThroughputExceededException`.
    ThrottlePositions(Vec<usize>),
    /// Entries for which the predicate holds fail with `ProvisionedThroughputExceededException`.
    ThrottleWhere(Arc<dyn Fn(&OutputRecord) -> bool + Send + Sync>),
    /// The whole call fails (as a network error or a throttled call would).
    CallError,
    /// The whole call fails when it holds a record for which the predicate holds, else everything is written.
    CallErrorWhere(Arc<dyn Fn(&OutputRecord) -> bool + Send + Sync>),
}

/// A [`RecordSink`] answering calls from a script, then with a fixed reply; it keeps every call's records.
pub struct ScriptedSink {
    script: Mutex<VecDeque<Reply>>,
    otherwise: Reply,
    calls: Mutex<Vec<Vec<OutputRecord>>>,
}

impl ScriptedSink {
    pub fn new(script: Vec<Reply>, otherwise: Reply) -> Self {
        Self {
            script: Mutex::new(script.into()),
            otherwise,
            calls: Mutex::new(Vec::new()),
        }
    }

    /// Writes everything, always.
    pub fn accepting() -> Self {
        Self::new(Vec::new(), Reply::WriteAll)
    }

    /// Every call received so far, with its records.
    pub fn calls(&self) -> Vec<Vec<OutputRecord>> {
        self.calls.lock().map(|c| c.clone()).unwrap_or_default()
    }
}

const THROTTLED: &str = "ProvisionedThroughputExceededException";

#[async_trait]
impl RecordSink for ScriptedSink {
    async fn put_records(&self, records: &[OutputRecord]) -> Result<Vec<EntryResult>, SinkError> {
        if let Ok(mut calls) = self.calls.lock() {
            calls.push(records.to_vec());
        }
        let reply = self
            .script
            .lock()
            .ok()
            .and_then(|mut s| s.pop_front())
            .unwrap_or_else(|| self.otherwise.clone());
        let throttled = || EntryResult::Failed {
            code: THROTTLED.into(),
            message: "Rate exceeded for shard shardId-000000000000".into(),
        };
        match reply {
            Reply::WriteAll => Ok(vec![EntryResult::Written; records.len()]),
            Reply::ThrottlePositions(positions) => Ok((0..records.len())
                .map(|i| {
                    if positions.contains(&i) {
                        throttled()
                    } else {
                        EntryResult::Written
                    }
                })
                .collect()),
            Reply::ThrottleWhere(predicate) => Ok(records
                .iter()
                .map(|r| {
                    if predicate(r) {
                        throttled()
                    } else {
                        EntryResult::Written
                    }
                })
                .collect()),
            Reply::CallError => Err(call_error()),
            Reply::CallErrorWhere(predicate) if records.iter().any(|r| predicate(r)) => {
                Err(call_error())
            }
            Reply::CallErrorWhere(_) => Ok(vec![EntryResult::Written; records.len()]),
        }
    }
}

fn call_error() -> SinkError {
    SinkError {
        operation: "PutRecords",
        code: Some("ServiceUnavailable".into()),
        message: "connection reset by peer".into(),
    }
}
