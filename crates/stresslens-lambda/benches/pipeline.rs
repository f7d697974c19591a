//! decode + parse + features + score + serialise, in process, without network: the handler over the real default
//! model (`models/stresslens-dreaddit.bin`) and a sink that accepts every record without keeping it.
//! One core: a current-thread runtime, and RAYON_NUM_THREADS=1 in case the core parallelises scoring.

use async_trait::async_trait;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;
use stresslens_aws::{EntryResult, KinesisBatcher, OutputRecord, RecordSink, SinkError};
use stresslens_core::{Model, RecordLimits};
use stresslens_lambda::{handle, Deps};

struct DiscardingSink;

#[async_trait]
impl RecordSink for DiscardingSink {
    async fn put_records(&self, records: &[OutputRecord]) -> Result<Vec<EntryResult>, SinkError> {
        Ok(vec![EntryResult::Written; records.len()])
    }
}

const TEXTS: [&str; 4] = [
    "I have three deadlines tomorrow and I keep staring at the screen instead of working.",
    "Went hiking with my sister this weekend, the view from the ridge was worth every step.",
    "My landlord says the rent goes up again next month and I do not know how I will cover it.",
    "Can't sleep. Every time I close my eyes I replay the argument we had at dinner.",
];

fn event(n: usize, fields: &[String]) -> Value {
    let records: Vec<Value> = (0..n)
        .map(|i| {
            let mut post = serde_json::Map::new();
            post.insert("id".into(), json!(format!("bench-{i}")));
            post.insert("text".into(), json!(TEXTS[i % TEXTS.len()]));
            for (k, field) in fields.iter().enumerate() {
                post.insert(field.clone(), json!((i * 7 + k * 13) % 50) );
            }
            let data = STANDARD.encode(Value::Object(post).to_string());
            json!({
                "kinesis": {"partitionKey": format!("user-{}", i % 97), "sequenceNumber": format!("{}", 49_000_000 + i),
                            "data": data, "approximateArrivalTimestamp": 1796292000.125},
                "eventSource": "aws:kinesis", "eventID": format!("shardId-000000000000:{}", 49_000_000 + i),
                "eventSourceARN": "arn:aws:kinesis:eu-west-1:123456789012:stream/posts"
            })
        })
        .collect();
    json!({ "Records": records })
}

fn pipeline(c: &mut Criterion) {
    // STRESSLENS_MODEL: another artifact to measure with (default: the committed model)
    let path = std::env::var("STRESSLENS_MODEL").unwrap_or_else(|_| {
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../models/stresslens-dreaddit.bin"
        )
        .to_string()
    });
    let model = match Model::load_path(std::path::Path::new(&path)) {
        Ok(model) => model,
        Err(e) => panic!("the benchmark needs the committed default model: {e}"),
    };
    let fields = model.numeric_fields().to_vec();
    let deps = Deps {
        scorer: Arc::new(model),
        predictions: KinesisBatcher::new(Arc::new(DiscardingSink)),
        rejects: None,
        threshold_override: None,
        limits: RecordLimits::default(),
        clock: Arc::new(chrono::Utc::now),
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let mut group = c.benchmark_group("handler");
    for n in [100usize, 1000] {
        let event = event(n, &fields);
        group.throughput(Throughput::Elements(n as u64));
        group.bench_with_input(BenchmarkId::new("records", n), &event, |b, event| {
            b.iter(|| {
                let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
                let handled = runtime.block_on(handle(event, &deps, deadline)).unwrap();
                assert_eq!(handled.metrics.scored, n);
                handled
            })
        });
    }
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
