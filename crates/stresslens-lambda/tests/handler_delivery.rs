//! PutRecords partial failures, retries within the budget, whole-call errors, chunking and the rejects path's
//! failures: what ends up in `batchItemFailures`. Exact JSON and counts.

mod common;

use common::*;
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use stresslens_aws::testing::{Reply, ScriptedSink};
use stresslens_aws::OutputRecord;
use stresslens_lambda::handle;

fn id_of(record: &OutputRecord) -> String {
    let value: Value = serde_json::from_slice(&record.data).unwrap();
    value["id"].as_str().unwrap().to_string()
}

fn is_id(id: &'static str) -> Arc<dyn Fn(&OutputRecord) -> bool + Send + Sync> {
    Arc::new(move |r: &OutputRecord| id_of(r) == id)
}

fn batch(n: usize) -> Value {
    event((1..=n).map(|i| good(&i.to_string(), 5.0)).collect())
}

#[tokio::test(start_paused = true)]
async fn throttled_entries_one_and_three_are_resent_exactly_once() {
    let h = harness(
        ScriptedSink::new(vec![Reply::ThrottlePositions(vec![1, 3])], Reply::WriteAll),
        None,
    );
    let handled = run(&h, &batch(5)).await;
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
    let calls = h.predictions.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        calls[0].iter().map(id_of).collect::<Vec<_>>(),
        vec!["1", "2", "3", "4", "5"]
    );
    assert_eq!(
        calls[1].iter().map(id_of).collect::<Vec<_>>(),
        vec!["2", "4"]
    );
    assert_eq!(calls[1][0].partition_key, "user-2");
    assert_eq!(
        (
            handled.metrics.put_records_calls,
            handled.metrics.put_records_retries
        ),
        (2, 1)
    );
    assert_eq!(handled.metrics.to_emf("f", 0)["PutRecordsRetries"], 1);
}

#[tokio::test(start_paused = true)]
async fn entries_failing_past_the_budget_report_exactly_their_sequence_numbers() {
    let two_or_four = Arc::new(|r: &OutputRecord| matches!(id_of(r).as_str(), "2" | "4"));
    let h = harness(
        ScriptedSink::new(vec![], Reply::ThrottleWhere(two_or_four)),
        None,
    );
    let started = tokio::time::Instant::now();
    let deadline = started + Duration::from_secs(2);
    let handled = handle(&batch(5), &h.deps, deadline).await.unwrap();
    assert!(tokio::time::Instant::now() <= deadline);
    assert_eq!(
        failures(&handled),
        json!({"batchItemFailures": [{"itemIdentifier": "2"}, {"itemIdentifier": "4"}]})
    );
    let calls = h.predictions.calls();
    assert!(calls.len() >= 2);
    for retry in &calls[1..] {
        assert_eq!(retry.iter().map(id_of).collect::<Vec<_>>(), vec!["2", "4"]);
    }
    assert_eq!(handled.metrics.failed, 2);
    assert_eq!(handled.metrics.scored, 5);
}

#[tokio::test(start_paused = true)]
async fn a_whole_call_error_reports_the_records_of_that_chunk() {
    // 501 predictions: two calls; the call holding record 501 always fails as a whole
    let h = harness(
        ScriptedSink::new(vec![], Reply::CallErrorWhere(is_id("501"))),
        None,
    );
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    let handled = handle(&batch(501), &h.deps, deadline).await.unwrap();
    assert_eq!(
        failures(&handled),
        json!({"batchItemFailures": [{"itemIdentifier": "501"}]})
    );

    let h = harness(ScriptedSink::new(vec![], Reply::CallError), None);
    let handled = handle(&batch(3), &h.deps, deadline).await.unwrap();
    assert_eq!(
        failures(&handled),
        json!({"batchItemFailures": [{"itemIdentifier": "1"}, {"itemIdentifier": "2"}, {"itemIdentifier": "3"}]})
    );
}

#[tokio::test(start_paused = true)]
async fn a_call_error_once_is_retried_and_nothing_is_reported() {
    let h = harness(
        ScriptedSink::new(vec![Reply::CallError], Reply::WriteAll),
        None,
    );
    let handled = run(&h, &batch(3)).await;
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
    assert_eq!(h.predictions.calls().len(), 2);
}

#[tokio::test]
async fn five_hundred_and_one_records_make_two_calls() {
    let h = accepting();
    let handled = run(&h, &batch(501)).await;
    let mut sizes: Vec<usize> = h.predictions.calls().iter().map(Vec::len).collect();
    sizes.sort();
    assert_eq!(sizes, vec![1, 500]);
    assert_eq!(handled.metrics.put_records_calls, 2);
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
}

#[tokio::test]
async fn six_hundred_predictions_of_ten_kib_stay_under_five_mib_per_call() {
    // a prediction is small unless the caller's id is big: ids of 10 KiB make 10 KiB predictions
    let records: Vec<Value> = (0..600)
        .map(|i| {
            let body = post("big id", 5.0).replacen(
                '{',
                &format!("{{\"id\":\"{i:04}{}\",", "i".repeat(10 * 1024)),
                1,
            );
            record(&i.to_string(), json!(b64(body)))
        })
        .collect();
    let h = accepting();
    let handled = run(&h, &event(records)).await;
    assert_eq!(handled.metrics.scored, 600);
    let calls = h.predictions.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls.iter().map(Vec::len).sum::<usize>(), 600);
    for call in &calls {
        let bytes: usize = call.iter().map(OutputRecord::size).sum();
        assert!(bytes <= 5 * 1024 * 1024, "{bytes} bytes in one call");
        assert!(call.len() <= 500);
    }
}

#[tokio::test]
async fn a_prediction_over_one_mib_is_rejected_not_reported() {
    let huge_id = "x".repeat(1024 * 1024 + 10);
    let body = post("huge id", 5.0).replacen('{', &format!("{{\"id\":\"{huge_id}\","), 1);
    let h = accepting();
    let handled = run(
        &h,
        &event(vec![good("1", 5.0), record("2", json!(b64(&body)))]),
    )
    .await;
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
    assert_eq!(ids(&written(&h.predictions)), vec!["1"]);
    let rejects = written(h.rejects.as_ref().unwrap());
    assert_eq!(rejects.len(), 1);
    assert_eq!(rejects[0]["reason"], "output_too_large");
    assert!(rejects[0]["message"]
        .as_str()
        .unwrap()
        .starts_with("prediction cannot be written: record is 1048"));
    // the original bytes do not fit a 1 MiB reject record either: cut short, with the full size kept
    assert_eq!(rejects[0]["data_truncated"], true);
    assert_eq!(rejects[0]["data_bytes"], body.len());
    assert!(h.rejects.as_ref().unwrap().calls()[0][0].size() <= 1024 * 1024);
}

#[tokio::test(start_paused = true)]
async fn a_rejection_that_cannot_be_written_reports_its_record() {
    let rejects = ScriptedSink::new(vec![], Reply::CallError);
    let h = harness(ScriptedSink::accepting(), Some(rejects));
    let deadline = tokio::time::Instant::now() + Duration::from_secs(1);
    let mut unidentified = record("9", json!(b64("}{")));
    unidentified["kinesis"]["sequenceNumber"] = Value::Null;
    let handled = handle(
        &event(vec![
            good("1", 5.0),
            record("2", json!(b64("}{"))),
            unidentified,
        ]),
        &h.deps,
        deadline,
    )
    .await
    .unwrap();
    // record 2 cannot be rejected now: it is retried later; the unidentified one cannot be reported at all
    assert_eq!(
        failures(&handled),
        json!({"batchItemFailures": [{"itemIdentifier": "2"}]})
    );
    assert_eq!(ids(&written(&h.predictions)), vec!["1"]);
    assert_eq!(handled.metrics.failed, 1);
}

#[tokio::test(start_paused = true)]
async fn a_throttled_rejection_is_retried_like_a_prediction() {
    let rejects = ScriptedSink::new(vec![Reply::ThrottlePositions(vec![0])], Reply::WriteAll);
    let h = harness(ScriptedSink::accepting(), Some(rejects));
    let handled = run(&h, &event(vec![record("2", json!(b64("}{")))])).await;
    assert_eq!(failures(&handled), json!({"batchItemFailures": []}));
    assert_eq!(h.rejects.as_ref().unwrap().calls().len(), 2);
    assert_eq!(handled.metrics.put_records_retries, 1);
}

#[tokio::test(start_paused = true)]
async fn one_failed_sub_record_reports_its_aggregate_once() {
    let posts = [post("a", 2.0), post("b", 4.0)];
    let aggregate =
        stresslens_aws::kpl::aggregate([("k", posts[0].as_bytes()), ("k", posts[1].as_bytes())]);
    let h = harness(
        ScriptedSink::new(vec![], Reply::ThrottleWhere(is_id("50:1"))),
        None,
    );
    let deadline = tokio::time::Instant::now() + Duration::from_millis(500);
    let handled = handle(
        &event(vec![
            good("49", 1.0),
            record("50", json!(b64(&aggregate))),
            good("51", 1.0),
        ]),
        &h.deps,
        deadline,
    )
    .await
    .unwrap();
    assert_eq!(
        failures(&handled),
        json!({"batchItemFailures": [{"itemIdentifier": "50"}]})
    );
}
