//! parse + decode + features + score + serialise, in process, without network: the event's bytes parsed as the
//! runtime does, then the handler over the real default model (`models/stresslens-dreaddit.bin`) and a sink that
//! accepts every record without keeping it. One core: a current-thread runtime inside a one-thread rayon pool
//! (the core scores batches on a rayon pool). `records/*`: short posts (~17 words); `long_posts/*`: ~85 words,
//! the mean length of a Dreaddit post.

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

/// About 85 words each, the mean length of a Dreaddit post (written for the benchmark).
const LONG_TEXTS: [&str; 3] = [
    "Ever since the layoffs were announced at work I have been waking up at four in the morning with my heart \
     racing. My manager keeps saying our team is safe but she said the same thing last spring before half of \
     the floor was let go. I have a mortgage, two kids in school and my partner is between jobs right now. I \
     keep refreshing my email and checking job boards instead of sleeping and I am exhausted all the time.",
    "Just wanted to share a small win with this community. Six months ago I could not walk to the end of my \
     street without feeling dizzy, and this morning I finished my first five kilometre run in the park near \
     my house. My physiotherapist was right that slow steady progress adds up. Thank you to everyone here who \
     answered my questions about pacing, shoes and breathing, the advice really helped me keep going on the \
     days when I wanted to give up.",
    "My roommate moved out without warning and left me with the full rent, the internet bill and a fridge full \
     of rotting food. The landlord says I have until Friday to find the money or he will start the eviction \
     process. I called my parents but they cannot help, and my bank already refused a small loan. I have been \
     crying in the bathroom at work so nobody sees. Does anyone know of emergency rent assistance programs?",
];

fn event_of(n: usize, fields: &[String], texts: &[&str]) -> Value {
    let records: Vec<Value> = (0..n)
        .map(|i| {
            let mut post = serde_json::Map::new();
            post.insert("id".into(), json!(format!("bench-{i}")));
            post.insert("text".into(), json!(texts[i % texts.len()]));
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
    let one_core = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let mut group = c.benchmark_group("handler");
    for (name, texts) in [("records", &TEXTS[..]), ("long_posts", &LONG_TEXTS[..])] {
        for n in [100usize, 1000] {
            // The event as the runtime receives it (bytes): parsing the envelope is part of the work.
            let event = serde_json::to_vec(&event_of(n, &fields, texts)).unwrap();
            group.throughput(Throughput::Elements(n as u64));
            group.bench_with_input(BenchmarkId::new(name, n), &event, |b, event| {
                b.iter(|| {
                    one_core.install(|| {
                        let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
                        let event: Value = serde_json::from_slice(event).unwrap();
                        let handled = runtime.block_on(handle(&event, &deps, deadline)).unwrap();
                        assert_eq!(handled.metrics.scored, n);
                        handled
                    })
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
