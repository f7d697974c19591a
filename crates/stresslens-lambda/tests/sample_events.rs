//! The sample events in `events/` through the handler: exact outcome of each.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use stresslens_core::RejectReason;

fn load(name: &str) -> Value {
    let path = format!("{}/../../events/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

fn sequence(n: u32) -> String {
    format!("49650000000000000000000000000000000000000{n:07}")
}

#[tokio::test]
async fn clean_event_is_all_scored() {
    let h = accepting();
    let handled = run(&h, &load("clean.json")).await;
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
    assert_eq!(
        ids(&written(&h.predictions)),
        vec![
            "post-00000",
            "post-00001",
            "post-00002",
            "post-00003",
            "post-00004",
            "post-00005"
        ]
    );
    assert_eq!(handled.metrics.rejected_total(), 0);
    // the oldest arrival is 1796292000.4, now is 1796292001.123
    assert_eq!(handled.metrics.max_arrival_lag_ms, Some(723));
}

#[tokio::test]
async fn bad_records_event_rejects_each_with_its_reason() {
    let h = accepting();
    let handled = run(&h, &load("bad-records.json")).await;
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
    assert_eq!(
        ids(&written(&h.predictions)),
        vec!["post-00000", "post-00009"]
    );
    let rejects = written(h.rejects.as_ref().unwrap());
    let got: Vec<(Value, String)> = rejects
        .iter()
        .map(|r| {
            (
                r["source"]["sequence_number"].clone(),
                r["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected: Vec<(Value, String)> = [
        (Some(1), "invalid_base64"),
        (None, "missing_field"),
        (Some(2), "invalid_json"),
        (Some(4), "invalid_json"),
        (Some(5), "invalid_json"),
        (Some(6), "not_utf8"),
        (Some(7), "missing_field"),
        (Some(8), "invalid_field"),
        (Some(9), "missing_field"),
        (Some(10), "invalid_field"),
        (Some(11), "empty_text"),
        (Some(12), "invalid_json"),
        (Some(13), "not_utf8"),
        (Some(14), "text_too_long"),
    ]
    .into_iter()
    .map(|(n, reason)| {
        (
            n.map_or(Value::Null, |n| json!(sequence(n))),
            reason.to_string(),
        )
    })
    .collect();
    // decoding rejects come first, then parsing rejects, each in record order
    assert_eq!(got, expected);
    assert_eq!(
        handled.metrics.rejected,
        BTreeMap::from([
            (RejectReason::InvalidBase64, 1),
            (RejectReason::NotUtf8, 2),
            (RejectReason::InvalidJson, 4),
            (RejectReason::MissingField, 3),
            (RejectReason::InvalidField, 2),
            (RejectReason::TextTooLong, 1),
            (RejectReason::EmptyText, 1),
        ])
    );
}

#[tokio::test]
async fn kpl_event_gives_four_predictions() {
    let h = accepting();
    let handled = run(&h, &load("kpl-aggregated.json")).await;
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
    let predictions = written(&h.predictions);
    assert_eq!(
        ids(&predictions),
        vec!["post-00000", "post-00001", "post-00002", "post-00003"]
    );
    let subs: Vec<&Value> = predictions
        .iter()
        .map(|p| &p["source"]["sub_sequence"])
        .collect();
    assert_eq!(subs, vec![&json!(0), &json!(1), &json!(2), &Value::Null]);
    assert_eq!(predictions[0]["source"]["sequence_number"], sequence(0));
    assert_eq!((handled.metrics.records, handled.metrics.posts), (2, 4));
}

#[tokio::test]
async fn empty_event_makes_no_call() {
    let h = accepting();
    let handled = run(&h, &load("empty.json")).await;
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
    assert!(h.predictions.calls().is_empty());
}
