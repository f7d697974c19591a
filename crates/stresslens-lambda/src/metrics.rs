//! One CloudWatch Embedded Metric Format line per invocation.

use serde_json::{json, Map, Value};
use std::collections::BTreeMap;
use stresslens_core::RejectReason;

pub const NAMESPACE: &str = "stresslens";

/// What one invocation did.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct InvocationMetrics {
    /// Kinesis records in the event.
    pub records: usize,
    /// Posts found in them (KPL aggregates hold several).
    pub posts: usize,
    pub scored: usize,
    pub rejected: BTreeMap<RejectReason, usize>,
    /// Records reported in `batchItemFailures`.
    pub failed: usize,
    pub put_records_calls: usize,
    /// PutRecords calls that resent failed entries (predictions and rejects).
    pub put_records_retries: usize,
    pub stressed: usize,
    pub probability_sum: f64,
    pub scoring_ms: f64,
    /// Largest `now - approximateArrivalTimestamp` over the batch.
    pub max_arrival_lag_ms: Option<i64>,
}

impl InvocationMetrics {
    pub fn rejected_total(&self) -> usize {
        self.rejected.values().sum()
    }

    pub fn stress_rate(&self) -> Option<f64> {
        (self.scored > 0).then(|| self.stressed as f64 / self.scored as f64)
    }

    pub fn mean_probability(&self) -> Option<f64> {
        (self.scored > 0).then(|| self.probability_sum / self.scored as f64)
    }

    /// The EMF document: every metric at the root, declared under `_aws`, one dimension `FunctionName`. Rejections
    /// by reason are separate metrics (`Rejected_<reason>`) so one line carries them all.
    pub fn to_emf(&self, function_name: &str, timestamp_ms: i64) -> Value {
        let mut values: Vec<(String, Value, &str)> = vec![
            ("Records".into(), json!(self.records), "Count"),
            ("Posts".into(), json!(self.posts), "Count"),
            ("Scored".into(), json!(self.scored), "Count"),
            ("Rejected".into(), json!(self.rejected_total()), "Count"),
        ];
        for reason in RejectReason::ALL {
            let count = self.rejected.get(&reason).copied().unwrap_or(0);
            values.push((
                format!("Rejected_{}", reason.as_str()),
                json!(count),
                "Count",
            ));
        }
        values.extend([
            ("Failed".into(), json!(self.failed), "Count"),
            (
                "PutRecordsCalls".into(),
                json!(self.put_records_calls),
                "Count",
            ),
            (
                "PutRecordsRetries".into(),
                json!(self.put_records_retries),
                "Count",
            ),
            (
                "ScoringTime".into(),
                json!(round3(self.scoring_ms)),
                "Milliseconds",
            ),
        ]);
        if let Some(rate) = self.stress_rate() {
            values.push(("StressRate".into(), json!(round6(rate)), "None"));
        }
        if let Some(mean) = self.mean_probability() {
            values.push(("MeanProbability".into(), json!(round6(mean)), "None"));
        }
        if let Some(lag) = self.max_arrival_lag_ms {
            values.push(("MaxArrivalLag".into(), json!(lag), "Milliseconds"));
        }
        let definitions: Vec<Value> = values
            .iter()
            .map(|(name, _, unit)| json!({"Name": name, "Unit": unit}))
            .collect();
        let mut root = Map::new();
        root.insert(
            "_aws".into(),
            json!({
                "Timestamp": timestamp_ms,
                "CloudWatchMetrics": [{
                    "Namespace": NAMESPACE,
                    "Dimensions": [["FunctionName"]],
                    "Metrics": definitions,
                }],
            }),
        );
        root.insert("FunctionName".into(), json!(function_name));
        for (name, value, _) in values {
            root.insert(name, value);
        }
        Value::Object(root)
    }
}

fn round3(x: f64) -> f64 {
    (x * 1e3).round() / 1e3
}

fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_one_emf_document() {
        let metrics = InvocationMetrics {
            records: 4,
            posts: 5,
            scored: 4,
            rejected: BTreeMap::from([(RejectReason::InvalidJson, 1)]),
            failed: 1,
            put_records_calls: 2,
            put_records_retries: 1,
            stressed: 1,
            probability_sum: 2.0,
            scoring_ms: 1.23456,
            max_arrival_lag_ms: Some(530),
        };
        let emf = metrics.to_emf("fn", 1_700_000_000_000);
        assert_eq!(emf["_aws"]["Timestamp"], 1_700_000_000_000i64);
        assert_eq!(
            emf["_aws"]["CloudWatchMetrics"][0]["Namespace"],
            "stresslens"
        );
        assert_eq!(
            emf["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
            json!([["FunctionName"]])
        );
        let declared: Vec<&str> = emf["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["Name"].as_str().unwrap())
            .collect();
        assert_eq!(declared.len(), 11 + RejectReason::ALL.len());
        for name in &declared {
            assert!(emf.get(*name).is_some(), "{name} declared but not set");
        }
        let mut values = emf.as_object().unwrap().clone();
        values.remove("_aws");
        assert_eq!(
            Value::Object(values),
            json!({
                "FunctionName": "fn", "Records": 4, "Posts": 5, "Scored": 4, "Rejected": 1,
                "Rejected_invalid_base64": 0, "Rejected_not_utf8": 0, "Rejected_invalid_json": 1,
                "Rejected_missing_field": 0, "Rejected_invalid_field": 0, "Rejected_text_too_long": 0,
                "Rejected_empty_text": 0, "Rejected_bad_aggregate": 0, "Rejected_output_too_large": 0,
                "Failed": 1, "PutRecordsCalls": 2, "PutRecordsRetries": 1, "ScoringTime": 1.235,
                "StressRate": 0.25, "MeanProbability": 0.5, "MaxArrivalLag": 530
            })
        );
    }

    #[test]
    fn rates_are_left_out_when_nothing_was_scored() {
        let emf = InvocationMetrics::default().to_emf("fn", 0);
        assert!(emf.get("StressRate").is_none());
        assert!(emf.get("MeanProbability").is_none());
        assert!(emf.get("MaxArrivalLag").is_none());
        assert_eq!(emf["Records"], 0);
    }
}
