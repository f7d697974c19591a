//! The stresslens Kinesis consumer: lenient per-record decoding, batch scoring, PutRecords with partial-failure
//! retries, a rejects path, `batchItemFailures` and one EMF line per invocation.

pub mod arrival;
pub mod config;
pub mod event;
pub mod handler;
pub mod init;
pub mod metrics;
pub mod output;
pub mod runtime;
pub mod scorer;
pub mod wiring;

pub use config::{Config, RejectsDestination};
pub use handler::{handle, BatchItemFailure, BatchResponse, Clock, Deps, Handled, HandlerError};
pub use scorer::Scorer;
