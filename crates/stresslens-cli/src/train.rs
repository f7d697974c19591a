//! `stresslens train`: fit the default (tuned) model or any configuration given by flags.

use crate::args::{
    created_at_from_env, file_name, load_dataset, parse_ngrams, parse_probability, write_file,
    DepthArg, MtryArg, NumericArg, OptionalCount, WeightingArg, DEFAULT_DATA,
};
use crate::progress::tree_bar;
use crate::Outcome;
use anyhow::{Context, Result};
use clap::builder::TypedValueParser as _;
use clap::Args;
use std::path::PathBuf;
use stresslens_core::artifact;
use stresslens_core::features::FeatureConfig;
use stresslens_core::forest::ForestParams;
use stresslens_core::train::{
    default_feature_config as features, default_forest_params as forest, total_trees,
    train_artifact, TrainConfig, DEFAULT_CV_FOLDS, DEFAULT_MODEL_NAME, DEFAULT_THRESHOLD,
};

/// Hyperparameter flags shared by `train` (defaults: the tuned configuration).
#[derive(Args, Debug, Clone)]
pub struct ModelFlags {
    /// Numeric columns: `auto:K` (top K by mutual information), `none`, or names `COL,COL`
    #[arg(long, default_value_t = NumericArg(features().numeric))]
    pub numeric: NumericArg,
    /// Number of trees
    #[arg(long, default_value_t = forest().n_trees, value_parser = clap::value_parser!(u16).range(1..))]
    pub trees: u16,
    /// Random seed (bootstrap samples, feature sampling, CV folds)
    #[arg(long, default_value_t = forest().seed)]
    pub seed: u64,
    /// Maximum tree depth, or `none`
    #[arg(long, default_value_t = OptionalCount(forest().max_depth.map(usize::from)))]
    pub max_depth: DepthArg,
    /// Minimum samples to split a node
    #[arg(long, default_value_t = forest().min_samples_split)]
    pub min_samples_split: usize,
    /// Minimum samples in a leaf
    #[arg(long, default_value_t = forest().min_samples_leaf, value_parser = clap::value_parser!(u64).range(1..).map(|v| v as usize))]
    pub min_samples_leaf: usize,
    /// Features tried per split, or `sqrt` (square root of the width)
    #[arg(long, default_value_t = OptionalCount(forest().mtry))]
    pub mtry: MtryArg,
    /// Maximum vocabulary size (0: no text features)
    #[arg(long, default_value_t = features().max_vocab)]
    pub max_vocab: usize,
    /// Minimum number of training rows a term must occur in
    #[arg(long, default_value_t = features().min_df, value_parser = clap::value_parser!(u64).range(1..).map(|v| v as usize))]
    pub min_df: usize,
    /// Text weighting
    #[arg(long, value_enum, default_value_t = WeightingArg::from_core(features().weighting))]
    pub weighting: WeightingArg,
    /// 1: words; 2: words and word pairs
    #[arg(long, default_value_t = features().ngram_max, value_parser = parse_ngrams)]
    pub ngrams: u8,
    /// Stress when probability >= threshold
    #[arg(long, default_value_t = DEFAULT_THRESHOLD, value_parser = parse_probability)]
    pub threshold: f64,
}

impl ModelFlags {
    pub fn feature_config(&self) -> FeatureConfig {
        FeatureConfig {
            min_df: self.min_df,
            max_vocab: self.max_vocab,
            weighting: self.weighting.to_core(),
            ngram_max: self.ngrams,
            numeric: self.numeric.0.clone(),
        }
    }

    pub fn forest_params(&self) -> Result<ForestParams> {
        let max_depth = match self.max_depth.0 {
            None => None,
            Some(depth) => Some(
                u16::try_from(depth)
                    .with_context(|| format!("--max-depth {depth} is too large"))?,
            ),
        };
        Ok(ForestParams {
            n_trees: self.trees,
            max_depth,
            min_samples_split: self.min_samples_split,
            min_samples_leaf: self.min_samples_leaf,
            mtry: self.mtry.0,
            seed: self.seed,
        })
    }
}

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Labelled CSV (columns by name: text, label, post_id, numeric features)
    #[arg(long, env = "STRESSLENS_DATA", default_value = DEFAULT_DATA)]
    pub data: PathBuf,
    /// Where to write the model artifact
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub model: ModelFlags,
    /// Folds of the grouped cross-validation whose metrics are recorded in the artifact (0: skip)
    #[arg(long, default_value_t = DEFAULT_CV_FOLDS)]
    pub cv_folds: usize,
    /// Model name recorded in the artifact and in every prediction
    #[arg(long, default_value = DEFAULT_MODEL_NAME)]
    pub name: String,
}

pub fn run(args: TrainArgs) -> Result<Outcome> {
    let data = load_dataset(&args.data)?;
    let config = TrainConfig {
        name: args.name,
        features: args.model.feature_config(),
        forest: args.model.forest_params()?,
        threshold: args.model.threshold,
        cv_folds: args.cv_folds,
        created_at: created_at_from_env()?,
    };
    let bar = tree_bar(total_trees(&config), "training");
    let bytes = train_artifact(&data, &file_name(&args.data), &config, &|| bar.inc(1))
        .with_context(|| format!("training on {} failed", args.data.display()))?;
    bar.finish_and_clear();
    let header = artifact::read_header(&bytes, &args.out.display().to_string())?;
    write_file(&args.out, &bytes)?;
    let cv = header
        .metrics
        .as_ref()
        .map(|m| {
            format!(
                ", CV F1 {:.4} ± {:.4} ({} folds)",
                m.f1_mean, m.f1_std, m.folds
            )
        })
        .unwrap_or_default();
    println!(
        "wrote {} ({} bytes, version {}, {} features, {} trees{cv})",
        args.out.display(),
        bytes.len(),
        header.version,
        header.features.width,
        header.hyperparameters.forest.n_trees
    );
    Ok(Outcome::Success)
}
