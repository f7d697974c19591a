//! The prediction record contract (DESIGN.md "Prediction record"): one per post on the predictions stream.

use serde::{Deserialize, Serialize};

/// Which model produced a prediction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelIdentity {
    pub name: String,
    pub version: String,
    pub sha256: String,
}

/// Where a post came from; `None` in a prediction made outside a stream (CLI, HTTP).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCoordinates {
    pub stream: String,
    pub shard: String,
    pub sequence_number: String,
    pub sub_sequence: Option<u64>,
}

/// One prediction. Deterministic for the same input and model apart from `scored_at`, so that a replayed record
/// can be recognised downstream by its source coordinates and identical content.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PredictionRecord {
    pub id: String,
    pub stress: bool,
    pub probability: f64,
    pub threshold: f64,
    pub model: ModelIdentity,
    pub source: Option<SourceCoordinates>,
    pub scored_at: String,
}

impl PredictionRecord {
    /// `scored_at` as RFC 3339 UTC with milliseconds, e.g. `2026-12-03T10:00:01.123Z`.
    pub fn timestamp(at: chrono::DateTime<chrono::Utc>) -> String {
        at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_exactly_as_the_design_shows() {
        let record = PredictionRecord {
            id: "p-1".into(),
            stress: true,
            probability: 0.83,
            threshold: 0.5,
            model: ModelIdentity {
                name: "stresslens-dreaddit".into(),
                version: "v1".into(),
                sha256: "ab".into(),
            },
            source: Some(SourceCoordinates {
                stream: "arn:aws:kinesis:eu-west-1:123456789012:stream/posts".into(),
                shard: "shardId-000000000000".into(),
                sequence_number: "4959".into(),
                sub_sequence: None,
            }),
            scored_at: PredictionRecord::timestamp(
                chrono::DateTime::from_timestamp_millis(1_764_756_001_123).unwrap(),
            ),
        };
        assert_eq!(
            serde_json::to_string(&record).unwrap(),
            r#"{"id":"p-1","stress":true,"probability":0.83,"threshold":0.5,"model":{"name":"stresslens-dreaddit","version":"v1","sha256":"ab"},"source":{"stream":"arn:aws:kinesis:eu-west-1:123456789012:stream/posts","shard":"shardId-000000000000","sequence_number":"4959","sub_sequence":null},"scored_at":"2025-12-03T10:00:01.123Z"}"#
        );
    }
}
