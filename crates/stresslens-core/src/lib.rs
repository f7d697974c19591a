//! stresslens-core: everything that turns a post into a stress probability, with no AWS and no async.
//!
//! The feature pipeline exists once, here, and is used by training, the Lambda, the CLI and the service.
//! Everything fitted at training time lives in the model artifact and is never re-fitted at inference.

pub mod artifact;
pub mod cv;
pub mod dataset;
pub mod features;
pub mod forest;
mod fxhash;
pub mod metrics;
pub mod mi;
pub mod model;
pub mod numeric;
pub mod prediction;
pub mod record;
mod shortword;
pub mod skipwalk;
pub mod text;
pub mod train;
pub mod vocab;
mod words;

pub use model::{ArtifactError, Model, ScoreError};
pub use prediction::{ModelIdentity, PredictionRecord, SourceCoordinates};
pub use record::{parse_post, Post, RecordLimits, RejectReason, Rejection};
