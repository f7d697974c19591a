//! KinesisBatcher against a scripted sink: exactly the failed entries are resent, within the deadline.

use std::sync::Arc;
use std::time::Duration;
use stresslens_aws::testing::{Reply, ScriptedSink};
use stresslens_aws::{Delivery, KinesisBatcher, OutputRecord};
use tokio::time::Instant;

fn records(n: usize) -> Vec<OutputRecord> {
    (0..n)
        .map(|i| OutputRecord {
            data: format!("r{i}").into_bytes().into(),
            partition_key: format!("k{i}"),
        })
        .collect()
}

fn data_of(call: &[OutputRecord]) -> Vec<String> {
    call.iter()
        .map(|r| String::from_utf8(r.data.to_vec()).unwrap())
        .collect()
}

#[tokio::test(start_paused = true)]
async fn resends_exactly_the_throttled_entries() {
    let sink = Arc::new(ScriptedSink::new(
        vec![Reply::ThrottlePositions(vec![1, 3])],
        Reply::WriteAll,
    ));
    let batcher = KinesisBatcher::new(sink.clone());
    let report = batcher
        .send(records(5), Instant::now() + Duration::from_secs(10))
        .await;
    assert_eq!(report.outcomes, vec![Delivery::Written; 5]);
    assert_eq!(
        (report.calls, report.retry_calls, report.retried_records),
        (2, 1, 2)
    );
    let calls = sink.calls();
    assert_eq!(data_of(&calls[0]), vec!["r0", "r1", "r2", "r3", "r4"]);
    assert_eq!(data_of(&calls[1]), vec!["r1", "r3"]);
    assert_eq!(calls[1][1].partition_key, "k3");
}

#[tokio::test(start_paused = true)]
async fn gives_up_at_the_deadline_and_names_what_failed() {
    let r1_or_r3 = Reply::ThrottleWhere(Arc::new(|r: &OutputRecord| {
        matches!(r.data.as_ref(), b"r1" | b"r3")
    }));
    let sink = Arc::new(ScriptedSink::new(vec![], r1_or_r3));
    let batcher = KinesisBatcher::new(sink.clone());
    let started = Instant::now();
    let report = batcher
        .send(records(4), started + Duration::from_millis(500))
        .await;
    assert!(Instant::now() <= started + Duration::from_millis(500));
    assert_eq!(report.failed_indices().collect::<Vec<_>>(), vec![1, 3]);
    assert_eq!(
        report.outcomes[1],
        Delivery::Failed {
            code: "ProvisionedThroughputExceededException".into(),
            message: "Rate exceeded for shard shardId-000000000000".into()
        }
    );
    let calls = sink.calls();
    assert!(calls.len() >= 2, "{} calls", calls.len());
    for retry in &calls[1..] {
        assert_eq!(data_of(retry), vec!["r1", "r3"]);
    }
}

#[tokio::test(start_paused = true)]
async fn a_whole_call_error_fails_the_chunk_only() {
    let sink = Arc::new(ScriptedSink::new(
        vec![],
        Reply::ThrottleWhere(Arc::new(|r: &OutputRecord| r.data.as_ref() == b"r500")),
    ));
    let batcher = KinesisBatcher::new(sink.clone());
    let report = batcher
        .send(records(501), Instant::now() + Duration::from_millis(300))
        .await;
    assert_eq!(report.failed_indices().collect::<Vec<_>>(), vec![500]);

    let failing = Arc::new(ScriptedSink::new(vec![], Reply::CallError));
    let report = KinesisBatcher::new(failing.clone())
        .send(records(3), Instant::now() + Duration::from_millis(300))
        .await;
    assert_eq!(report.failed_indices().collect::<Vec<_>>(), vec![0, 1, 2]);
    assert_eq!(
        report.outcomes[0],
        Delivery::Failed {
            code: "ServiceUnavailable".into(),
            message: "PutRecords failed: connection reset by peer".into()
        }
    );
}

#[tokio::test(start_paused = true)]
async fn nothing_to_send_makes_no_call() {
    let sink = Arc::new(ScriptedSink::accepting());
    let report = KinesisBatcher::new(sink.clone())
        .send(vec![], Instant::now() + Duration::from_secs(1))
        .await;
    assert_eq!(report.calls, 0);
    assert!(sink.calls().is_empty());
}
