//! Shared fixtures of the handler tests: a deterministic scorer, scripted sinks, event builders.

#![allow(dead_code)]

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use stresslens_aws::testing::ScriptedSink;
use stresslens_aws::{KinesisBatcher, KinesisRejectSink, OutputRecord};
use stresslens_core::{ModelIdentity, Post, RecordLimits, ScoreError};
use stresslens_lambda::{handle, Clock, Deps, Handled, Scorer};

pub const STREAM: &str = "arn:aws:kinesis:eu-west-1:123456789012:stream/posts";
pub const SHARD: &str = "shardId-000000000000";
pub const FIELDS: [&str; 5] = [
    "lex_liwc_Tone",
    "lex_liwc_i",
    "lex_liwc_negemo",
    "lex_liwc_Clout",
    "sentiment",
];
/// 2026-12-03T10:00:01.123Z
pub const NOW_MS: i64 = 1_796_292_001_123;

/// Probability = `lex_liwc_negemo / 8`, clamped to [0, 1]: exact binary fractions for the values the tests use.
pub struct NegemoScorer {
    identity: ModelIdentity,
    fields: Vec<String>,
    pub calls: std::sync::Mutex<Vec<usize>>,
}

impl NegemoScorer {
    pub fn new() -> Self {
        Self {
            identity: ModelIdentity {
                name: "fake-negemo".into(),
                version: "v-test".into(),
                sha256: "00ff".into(),
            },
            fields: FIELDS.iter().map(|f| f.to_string()).collect(),
            calls: std::sync::Mutex::new(Vec::new()),
        }
    }
}

impl Scorer for NegemoScorer {
    fn identity(&self) -> &ModelIdentity {
        &self.identity
    }
    fn numeric_fields(&self) -> &[String] {
        &self.fields
    }
    fn threshold(&self) -> f64 {
        0.5
    }
    fn score_batch(&self, posts: &[Post]) -> Result<Vec<f64>, ScoreError> {
        self.calls.lock().unwrap().push(posts.len());
        Ok(posts
            .iter()
            .map(|p| (p.numeric[2] / 8.0).clamp(0.0, 1.0))
            .collect())
    }
}

pub struct Harness {
    pub deps: Deps,
    pub predictions: Arc<ScriptedSink>,
    pub rejects: Option<Arc<ScriptedSink>>,
    pub scorer: Arc<NegemoScorer>,
}

pub fn fixed_clock() -> Clock {
    Arc::new(|| chrono::DateTime::from_timestamp_millis(NOW_MS).unwrap())
}

pub fn harness(predictions: ScriptedSink, rejects: Option<ScriptedSink>) -> Harness {
    let predictions = Arc::new(predictions);
    let rejects = rejects.map(Arc::new);
    let scorer = Arc::new(NegemoScorer::new());
    let deps = Deps {
        scorer: scorer.clone(),
        predictions: KinesisBatcher::new(predictions.clone()),
        rejects: rejects.as_ref().map(|sink| {
            Arc::new(KinesisRejectSink::new(
                KinesisBatcher::new(sink.clone()),
                "rejects",
            )) as Arc<dyn stresslens_aws::RejectSink>
        }),
        threshold_override: None,
        limits: RecordLimits::default(),
        clock: fixed_clock(),
    };
    Harness {
        deps,
        predictions,
        rejects,
        scorer,
    }
}

/// Accepting sinks for predictions and rejects.
pub fn accepting() -> Harness {
    harness(ScriptedSink::accepting(), Some(ScriptedSink::accepting()))
}

pub async fn run(h: &Harness, event: &Value) -> Handled {
    handle(
        event,
        &h.deps,
        tokio::time::Instant::now() + Duration::from_secs(5),
    )
    .await
    .unwrap()
}

/// A post with all five numeric fields; `negemo` sets the fake probability.
pub fn post(text: &str, negemo: f64) -> String {
    json!({"text": text, "lex_liwc_Tone": 25.0, "lex_liwc_i": 3.0, "lex_liwc_negemo": negemo,
           "lex_liwc_Clout": 40.0, "sentiment": -0.1})
    .to_string()
}

pub fn b64(bytes: impl AsRef<[u8]>) -> String {
    STANDARD.encode(bytes)
}

/// One Kinesis event record as Lambda delivers it, with `kinesis` fields overridable.
pub fn record(seq: &str, data: Value) -> Value {
    json!({
        "kinesis": {
            "kinesisSchemaVersion": "1.0",
            "partitionKey": format!("user-{seq}"),
            "sequenceNumber": seq,
            "data": data,
            "approximateArrivalTimestamp": 1796292000.123
        },
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": format!("{SHARD}:{seq}"),
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::123456789012:role/stresslens",
        "awsRegion": "eu-west-1",
        "eventSourceARN": STREAM
    })
}

pub fn good(seq: &str, negemo: f64) -> Value {
    record(seq, json!(b64(post(&format!("post number {seq}"), negemo))))
}

pub fn event(records: Vec<Value>) -> Value {
    json!({ "Records": records })
}

/// Every record written to a sink, in call order, as JSON.
pub fn written(sink: &ScriptedSink) -> Vec<Value> {
    sink.calls()
        .iter()
        .flatten()
        .map(|r: &OutputRecord| serde_json::from_slice(&r.data).unwrap())
        .collect()
}

pub fn ids(values: &[Value]) -> Vec<String> {
    values
        .iter()
        .map(|v| v["id"].as_str().unwrap().to_string())
        .collect()
}

pub fn failures(handled: &Handled) -> Value {
    serde_json::to_value(&handled.response).unwrap()
}
