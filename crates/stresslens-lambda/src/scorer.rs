//! The model behind a trait, so the handler can be tested with a deterministic scorer.

use stresslens_core::{Model, ModelIdentity, Post, ScoreError};

/// What the handler needs from a model.
pub trait Scorer: Send + Sync {
    fn identity(&self) -> &ModelIdentity;
    /// Numeric input fields, in the order `Post::numeric` holds them.
    fn numeric_fields(&self) -> &[String];
    /// The model's own stress cut-off.
    fn threshold(&self) -> f64;
    /// One stress probability per post, in order.
    fn score_batch(&self, posts: &[Post]) -> Result<Vec<f64>, ScoreError>;
}

impl Scorer for Model {
    fn identity(&self) -> &ModelIdentity {
        Model::identity(self)
    }

    fn numeric_fields(&self) -> &[String] {
        Model::numeric_fields(self)
    }

    fn threshold(&self) -> f64 {
        Model::threshold(self)
    }

    fn score_batch(&self, posts: &[Post]) -> Result<Vec<f64>, ScoreError> {
        Model::score_batch(self, posts)
    }
}
