//! Per-record decoding, poison records, timestamps, encryption types, Unicode, KPL: the handler with a fake scorer
//! and scripted Kinesis writers. Exact JSON and counts.

mod common;

use common::*;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use stresslens_aws::kpl;
use stresslens_core::RejectReason;

fn reasons(rejects: &[Value]) -> Vec<(String, String)> {
    rejects
        .iter()
        .map(|r| {
            (
                r["source"]["sequence_number"]
                    .as_str()
                    .unwrap_or("null")
                    .to_string(),
                r["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_clean_record_becomes_exactly_the_designed_prediction() {
    let h = accepting();
    let handled = run(
        &h,
        &event(vec![good(
            "49590338271490256608559692538361571095921575989136588898",
            6.0,
        )]),
    )
    .await;
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
    let calls = h.predictions.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        calls[0][0].partition_key,
        "user-49590338271490256608559692538361571095921575989136588898"
    );
    assert_eq!(
        String::from_utf8(calls[0][0].data.to_vec()).unwrap(),
        concat!(
            r#"{"id":"49590338271490256608559692538361571095921575989136588898","stress":true,"probability":0.75,"#,
            r#""threshold":0.5,"model":{"name":"fake-negemo","version":"v-test","sha256":"00ff"},"#,
            r#""source":{"stream":"arn:aws:kinesis:eu-west-1:123456789012:stream/posts","shard":"shardId-000000000000","#,
            r#""sequence_number":"49590338271490256608559692538361571095921575989136588898","sub_sequence":null},"#,
            r#""scored_at":"2026-12-03T10:00:01.123Z"}"#
        )
    );
    assert_eq!(*h.scorer.calls.lock().unwrap(), vec![1]);
    assert!(h.rejects.as_ref().unwrap().calls().is_empty());
}

#[tokio::test]
async fn the_whole_batch_is_scored_in_one_call() {
    let h = accepting();
    let records = (1..=7).map(|i| good(&i.to_string(), i as f64)).collect();
    let handled = run(&h, &event(records)).await;
    assert_eq!(*h.scorer.calls.lock().unwrap(), vec![7]);
    let probabilities: Vec<f64> = written(&h.predictions)
        .iter()
        .map(|p| p["probability"].as_f64().unwrap())
        .collect();
    assert_eq!(
        probabilities,
        vec![0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875]
    );
    let stress: Vec<bool> = written(&h.predictions)
        .iter()
        .map(|p| p["stress"].as_bool().unwrap())
        .collect();
    assert_eq!(stress, vec![false, false, false, true, true, true, true]);
    assert_eq!((handled.metrics.scored, handled.metrics.stressed), (7, 4));
    assert_eq!(handled.metrics.mean_probability(), Some(0.5));
}

async fn middle_record_handled_alone(middle: Value, reason: &str, message_start: &str) {
    let h = accepting();
    let handled = run(&h, &event(vec![good("1", 6.0), middle, good("3", 2.0)])).await;
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
    assert_eq!(ids(&written(&h.predictions)), vec!["1", "3"]);
    let rejects = written(h.rejects.as_ref().unwrap());
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0]["reason"], reason);
    assert!(
        rejects[0]["message"]
            .as_str()
            .unwrap()
            .starts_with(message_start),
        "{}",
        rejects[0]["message"]
    );
    assert_eq!(handled.metrics.records, 3);
    assert_eq!(handled.metrics.scored, 2);
    assert_eq!(handled.metrics.rejected_total(), 1);
}

#[tokio::test]
async fn a_double_base64_record_is_rejected_alone() {
    let twice = b64(b64(post("encoded twice", 7.0)));
    middle_record_handled_alone(
        record("2", json!(twice)),
        "invalid_json",
        "record is not valid JSON",
    )
    .await;
    let h = accepting();
    run(
        &h,
        &event(vec![record("2", json!(b64(b64(post("x", 1.0)))))]),
    )
    .await;
    let reject = &written(h.rejects.as_ref().unwrap())[0];
    assert!(reject["message"]
        .as_str()
        .unwrap()
        .ends_with("(the data looks base64-encoded twice)"));
    // the reject keeps the bytes as received after one decoding: the inner base64 text
    assert_eq!(reject["data"], b64(b64(post("x", 1.0))));
    assert_eq!(reject["source"]["sequence_number"], "2");
    assert_eq!(reject["partition_key"], "user-2");
}

#[tokio::test]
async fn raw_json_instead_of_base64_is_rejected_alone() {
    let raw = post("not encoded", 7.0);
    middle_record_handled_alone(
        record("2", json!(raw)),
        "invalid_base64",
        "kinesis.data is not base64",
    )
    .await;
}

#[tokio::test]
async fn a_null_sequence_number_is_rejected_alone_and_never_reported() {
    let mut middle = good("2", 7.0);
    middle["kinesis"]["sequenceNumber"] = Value::Null;
    middle_record_handled_alone(
        middle.clone(),
        "missing_field",
        "kinesis.sequenceNumber is missing",
    )
    .await;
    let h = accepting();
    run(&h, &event(vec![middle])).await;
    let reject = &written(h.rejects.as_ref().unwrap())[0];
    assert_eq!(reject["source"]["sequence_number"], Value::Null);
    assert_eq!(reject["data"], b64(post("post number 2", 7.0)));
}

#[tokio::test]
async fn every_arrival_timestamp_shape_is_scored_with_the_right_lag() {
    // now is 1796292001.123; each arrival is given as the issue lists the shapes
    let cases: [(Value, i64); 8] = [
        (json!(1796292000.4), 723),
        (json!(1796292000.47), 653),
        (json!(1796292000.477), 646),
        (json!(1796292000.4771), 646),
        (json!(1796292000.582194), 541),
        (json!(1796292000u64), 1123),
        (json!(1796292000582u64), 541),
        (
            serde_json::from_str::<Value>("1480641523.4").unwrap(),
            1_796_292_001_123 - 1_480_641_523_400,
        ),
    ];
    let mut all = Vec::new();
    for (i, (timestamp, lag)) in cases.iter().enumerate() {
        let mut r = good(&i.to_string(), 5.0);
        r["kinesis"]["approximateArrivalTimestamp"] = timestamp.clone();
        let h = accepting();
        let handled = run(&h, &event(vec![r.clone()])).await;
        assert_eq!(handled.metrics.scored, 1, "{timestamp}");
        assert_eq!(
            handled.metrics.max_arrival_lag_ms,
            Some(*lag),
            "{timestamp}"
        );
        all.push(r);
    }
    let h = accepting();
    let handled = run(&h, &event(all)).await;
    assert_eq!(handled.metrics.scored, 8);
    assert_eq!(handled.metrics.max_arrival_lag_ms, Some(315_650_477_723));
    assert_eq!(
        handled.metrics.to_emf("f", 0)["MaxArrivalLag"],
        315_650_477_723i64
    );
}

#[tokio::test]
async fn any_encryption_type_is_scored() {
    let mut records = Vec::new();
    for (i, encryption) in [
        None,
        Some(json!("NONE")),
        Some(json!("none")),
        Some(json!("KMS")),
        Some(Value::Null),
    ]
    .into_iter()
    .enumerate()
    {
        let mut r = good(&i.to_string(), 5.0);
        if let Some(encryption) = encryption {
            r["kinesis"]["encryptionType"] = encryption;
        }
        records.push(r);
    }
    let h = accepting();
    let handled = run(&h, &event(records)).await;
    assert_eq!(handled.metrics.scored, 5);
    assert_eq!(ids(&written(&h.predictions)), vec!["0", "1", "2", "3", "4"]);
}

#[tokio::test]
async fn poison_records_are_rejected_with_their_reason_and_never_reported() {
    let missing_numeric =
        json!({"text": "no numbers", "lex_liwc_Tone": 1, "lex_liwc_i": 1, "lex_liwc_negemo": 1,
                                 "lex_liwc_Clout": 1})
        .to_string();
    let nan_string = post("nan", 1.0).replace("\"sentiment\":-0.1", "\"sentiment\":\"NaN\"");
    let nan_literal = post("nan", 1.0).replace("\"sentiment\":-0.1", "\"sentiment\":NaN");
    let records = vec![
        good("1", 6.0),
        record("2", json!(b64("}{"))),
        record("3", json!("")),
        record("4", json!(b64(b"\xff\xfe{\"text\":\"x\"}"))),
        record("5", json!(b64(r#"{"lex_liwc_Tone":1}"#))),
        record("6", json!(b64(r#"{"text":42}"#))),
        record("7", json!(b64(missing_numeric))),
        record("8", json!(b64(nan_string))),
        record("9", json!(b64(nan_literal))),
        record("10", json!(b64(r#"{"text":"   "}"#))),
        good("11", 2.0),
    ];
    let h = accepting();
    let handled = run(&h, &event(records)).await;
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
    assert_eq!(ids(&written(&h.predictions)), vec!["1", "11"]);
    let rejects = written(h.rejects.as_ref().unwrap());
    assert_eq!(
        reasons(&rejects),
        [
            ("2", "invalid_json"),
            ("3", "invalid_json"),
            ("4", "not_utf8"),
            ("5", "missing_field"),
            ("6", "invalid_field"),
            ("7", "missing_field"),
            ("8", "invalid_field"),
            ("9", "invalid_json"),
            ("10", "empty_text"),
        ]
        .map(|(s, r)| (s.to_string(), r.to_string()))
    );
    assert_eq!(
        rejects[5]["message"],
        "numeric field `sentiment` is missing"
    );
    assert_eq!(
        rejects[6]["message"],
        "numeric field `sentiment` is NaN, not a finite number"
    );
    assert_eq!(rejects[1]["data"], "");
    assert_eq!(rejects[2]["data"], b64(b"\xff\xfe{\"text\":\"x\"}"));
    assert_eq!(
        handled.metrics.rejected,
        BTreeMap::from([
            (RejectReason::InvalidJson, 3),
            (RejectReason::NotUtf8, 1),
            (RejectReason::MissingField, 2),
            (RejectReason::InvalidField, 2),
            (RejectReason::EmptyText, 1),
        ])
    );
    let emf = handled.metrics.to_emf("f", 0);
    assert_eq!(
        (
            &emf["Records"],
            &emf["Scored"],
            &emf["Rejected"],
            &emf["Rejected_invalid_json"],
            &emf["Failed"]
        ),
        (&json!(11), &json!(2), &json!(9), &json!(3), &json!(0))
    );
}

#[tokio::test]
async fn without_a_rejects_destination_rejections_are_counted_only() {
    let h = harness(stresslens_aws::testing::ScriptedSink::accepting(), None);
    let handled = run(
        &h,
        &event(vec![good("1", 6.0), record("2", json!(b64("}{")))]),
    )
    .await;
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
    assert_eq!(
        handled.metrics.rejected,
        BTreeMap::from([(RejectReason::InvalidJson, 1)])
    );
    assert_eq!(ids(&written(&h.predictions)), vec!["1"]);
}

#[tokio::test]
async fn unicode_is_scored_and_a_lone_surrogate_is_rejected() {
    let field_tail = r#","lex_liwc_Tone":1,"lex_liwc_i":1,"lex_liwc_negemo":4,"lex_liwc_Clout":1,"sentiment":0}"#;
    let records = vec![
        record("1", json!(b64(post("exams again 😩🔥 cannot sleep", 4.0)))),
        record(
            "2",
            json!(b64(format!(
                r#"{{"text":"escaped pair \ud83d\ude2b here"{field_tail}"#
            ))),
        ),
        record("3", json!(b64(post("أنا متوتر جداً بسبب العمل", 4.0)))),
        record(
            "4",
            json!(b64(format!(
                r#"{{"text":"lone \udc00 surrogate"{field_tail}"#
            ))),
        ),
        record("5", json!(b64(post("עברית and English mixed ‏", 4.0)))),
    ];
    let h = accepting();
    let handled = run(&h, &event(records)).await;
    assert_eq!(ids(&written(&h.predictions)), vec!["1", "2", "3", "5"]);
    let rejects = written(h.rejects.as_ref().unwrap());
    assert_eq!(
        reasons(&rejects),
        vec![("4".to_string(), "invalid_json".to_string())]
    );
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
}

#[tokio::test]
async fn a_kpl_aggregate_of_three_posts_gives_three_predictions() {
    let posts = [post("first", 2.0), post("second", 4.0), post("third", 6.0)];
    let aggregate = kpl::aggregate([
        ("user-a", posts[0].as_bytes()),
        ("user-b", posts[1].as_bytes()),
        ("user-a", posts[2].as_bytes()),
    ]);
    let h = accepting();
    let handled = run(
        &h,
        &event(vec![
            record("900", json!(b64(&aggregate))),
            good("901", 8.0),
        ]),
    )
    .await;
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
    let predictions = written(&h.predictions);
    assert_eq!(ids(&predictions), vec!["900:0", "900:1", "900:2", "901"]);
    let subs: Vec<&Value> = predictions
        .iter()
        .map(|p| &p["source"]["sub_sequence"])
        .collect();
    assert_eq!(subs, vec![&json!(0), &json!(1), &json!(2), &Value::Null]);
    let keys: Vec<String> = h.predictions.calls()[0]
        .iter()
        .map(|r| r.partition_key.clone())
        .collect();
    assert_eq!(keys, vec!["user-a", "user-b", "user-a", "user-901"]);
    assert_eq!(
        (
            handled.metrics.records,
            handled.metrics.posts,
            handled.metrics.scored
        ),
        (2, 4, 4)
    );
}

#[tokio::test]
async fn a_kpl_aggregate_with_a_bad_md5_is_one_plain_record() {
    let mut aggregate = kpl::aggregate([("user-a", post("first", 2.0).as_bytes())]);
    let last = aggregate.len() - 1;
    aggregate[last] ^= 0x01;
    let h = accepting();
    let handled = run(&h, &event(vec![record("900", json!(b64(&aggregate)))])).await;
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
    assert!(h.predictions.calls().is_empty());
    let rejects = written(h.rejects.as_ref().unwrap());
    // Treated as a plain record, which is not a post: the magic F3 89 9A C2 is not even UTF-8, so the reason the
    // JSON parser gives is not_utf8 (the issue's "invalid JSON").
    assert_eq!(
        reasons(&rejects),
        vec![("900".to_string(), "not_utf8".to_string())]
    );
    assert_eq!(rejects[0]["data"], b64(&aggregate));
    assert_eq!(rejects[0]["source"]["sub_sequence"], Value::Null);
}

#[tokio::test]
async fn a_kpl_sub_record_that_is_poison_is_rejected_with_its_sub_sequence() {
    let good_post = post("fine", 2.0);
    let aggregate = kpl::aggregate([("k", good_post.as_bytes()), ("k", &b"}{"[..])]);
    let h = accepting();
    let handled = run(&h, &event(vec![record("77", json!(b64(&aggregate)))])).await;
    assert_eq!(ids(&written(&h.predictions)), vec!["77:0"]);
    let rejects = written(h.rejects.as_ref().unwrap());
    assert_eq!(rejects[0]["source"]["sub_sequence"], 1);
    assert_eq!(rejects[0]["data"], b64("}{"));
    assert_eq!(rejects[0]["partition_key"], "k");
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
}

#[tokio::test]
async fn partition_keys_over_256_characters_are_hashed() {
    let long_key = "p".repeat(300);
    let aggregate = kpl::aggregate([(long_key.as_str(), post("long key", 2.0).as_bytes())]);
    let mut plain = good("2", 2.0);
    plain["kinesis"]["partitionKey"] = json!(long_key);
    let h = accepting();
    run(&h, &event(vec![record("1", json!(b64(&aggregate))), plain])).await;
    let keys: Vec<String> = h.predictions.calls()[0]
        .iter()
        .map(|r| r.partition_key.clone())
        .collect();
    use sha2::Digest;
    let hashed = format!(
        "sha256:{}",
        hex::encode(sha2::Sha256::digest(long_key.as_bytes()))
    );
    assert_eq!(keys, vec![hashed.clone(), hashed]);
}

#[tokio::test]
async fn an_empty_batch_makes_no_call() {
    let h = accepting();
    let handled = run(&h, &event(vec![])).await;
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
    assert!(h.predictions.calls().is_empty());
    assert!(h.rejects.as_ref().unwrap().calls().is_empty());
    assert!(h.scorer.calls.lock().unwrap().is_empty());
    assert_eq!(handled.metrics.to_emf("f", 0)["Records"], 0);
}

#[tokio::test]
async fn a_non_kinesis_event_fails_the_invocation() {
    let h = accepting();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(1);
    let error = stresslens_lambda::handle(
        &json!({"Records": [{"eventSource": "aws:sqs"}]}),
        &h.deps,
        deadline,
    )
    .await
    .unwrap_err();
    assert_eq!(
        error.to_string(),
        "not a Kinesis event: record 0 has eventSource \"aws:sqs\""
    );
    let error = stresslens_lambda::handle(&json!("hello"), &h.deps, deadline)
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "not a Kinesis event: expected a JSON object, found a string"
    );
}

#[tokio::test]
async fn a_threshold_override_is_used() {
    let mut h = accepting();
    h.deps.threshold_override = Some(0.8);
    run(&h, &event(vec![good("1", 6.0), good("2", 7.0)])).await;
    let predictions = written(&h.predictions);
    assert_eq!(predictions[0]["threshold"], 0.8);
    assert_eq!(predictions[0]["stress"], false);
    assert_eq!(predictions[1]["stress"], true);
}
