//! AWS adapters (S3 model store, Kinesis and SQS writers, KPL de-aggregation) behind traits.

pub mod batcher;
pub mod kpl;
pub mod model_store;
pub mod rejects;
pub mod sink;
#[cfg(any(test, feature = "test-support"))]
pub mod testing;

pub use batcher::{Delivery, DeliveryReport, KinesisBatcher, PutRecordsLimits, RetryPolicy};
pub use model_store::{FetchErrorKind, ModelStore, ModelStoreError, ModelUri, S3ModelStore};
pub use rejects::{KinesisRejectSink, QueueBatchSender, RejectSink, SqsBatchSender, SqsRejectSink};
pub use sink::{EntryResult, KinesisRecordSink, OutputRecord, RecordSink, SinkError};
