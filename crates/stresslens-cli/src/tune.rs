//! `stresslens tune`: random search over the model's hyperparameters with grouped K-fold cross-validation.
//!
//! Trial 1 is always the current default configuration, so a search can only confirm or beat the defaults. Each
//! trial trains K forests (one per fold); the stress threshold is not searched by refitting but chosen from the
//! pooled out-of-fold probabilities (0.30 to 0.70 in steps of 0.01), and the trial is scored by the mean and
//! standard deviation of the per-fold F1 at that threshold. The best trial is retrained on all rows and written
//! as the model, with its cross-validated metrics in the header.

use crate::args::{created_at_from_env, file_name, load_dataset, write_file, DEFAULT_DATA};
use crate::progress::tree_bar;
use crate::Outcome;
use anyhow::{Context, Result};
use clap::builder::TypedValueParser as _;
use clap::Args;
use serde::Serialize;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Instant;
use stresslens_core::artifact::CvMetrics;
use stresslens_core::cv::SplitMix64;
use stresslens_core::dataset::Dataset;
use stresslens_core::features::{FeatureConfig, NumericSelection, Weighting};
use stresslens_core::forest::ForestParams;
use stresslens_core::metrics::best_threshold;
use stresslens_core::train::{build_artifact, cross_validate, TrainConfig, DEFAULT_MODEL_NAME};

#[derive(Args, Debug)]
pub struct TuneArgs {
    /// Labelled CSV (columns by name: text, label, post_id, numeric features)
    #[arg(long, env = "STRESSLENS_DATA", default_value = DEFAULT_DATA)]
    pub data: PathBuf,
    /// Number of configurations to try (the first is the current default)
    #[arg(long, default_value_t = 12, value_parser = clap::value_parser!(u64).range(1..).map(|v| v as usize))]
    pub trials: usize,
    /// Cross-validation folds (grouped by post_id)
    #[arg(long, default_value_t = 5, value_parser = clap::value_parser!(u64).range(2..).map(|v| v as usize))]
    pub folds: usize,
    /// Seed of the search, the folds and the forests
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Where to write the best model (retrained on all rows)
    #[arg(long)]
    pub out: PathBuf,
    /// Report path: JSON there and a Markdown table beside it (.md); default: next to --out
    #[arg(long)]
    pub report: Option<PathBuf>,
}

/// The search space (each trial draws one value per dimension).
struct Space;

impl Space {
    const TREES: [u16; 4] = [100, 200, 300, 500];
    const MAX_DEPTH: [Option<u16>; 3] = [None, Some(30), Some(60)];
    const MIN_SPLIT: [usize; 3] = [2, 5, 10];
    const MIN_LEAF: [usize; 3] = [1, 2, 4];
    /// Multiples of sqrt(width) for mtry (None: sqrt).
    const MTRY_FACTOR: [Option<f64>; 3] = [None, Some(2.0), Some(0.5)];
    const MAX_VOCAB: [usize; 4] = [500, 1000, 2000, 4000];
    const WEIGHTING: [Weighting; 3] = [Weighting::Count, Weighting::Binary, Weighting::TfIdf];
    const NUMERIC: [usize; 5] = [0, 5, 10, 20, 40];

    fn pick<T: Copy>(rng: &mut SplitMix64, values: &[T]) -> T {
        values[rng.below(values.len())]
    }

    /// One configuration; `candidates` (numeric columns in the data) caps the number of numeric features.
    fn draw(
        rng: &mut SplitMix64,
        seed: u64,
        base: &TrainConfig,
        candidates: usize,
    ) -> (FeatureConfig, ForestParams, Option<f64>) {
        let numeric = match Self::pick(rng, &Self::NUMERIC).min(candidates) {
            0 => NumericSelection::None,
            k => NumericSelection::Auto(k),
        };
        let features = FeatureConfig {
            min_df: base.features.min_df,
            max_vocab: Self::pick(rng, &Self::MAX_VOCAB),
            weighting: Self::pick(rng, &Self::WEIGHTING),
            ngram_max: base.features.ngram_max,
            numeric,
        };
        let mtry_factor = Self::pick(rng, &Self::MTRY_FACTOR);
        let forest = ForestParams {
            n_trees: Self::pick(rng, &Self::TREES),
            max_depth: Self::pick(rng, &Self::MAX_DEPTH),
            min_samples_split: Self::pick(rng, &Self::MIN_SPLIT),
            min_samples_leaf: Self::pick(rng, &Self::MIN_LEAF),
            mtry: None,
            seed,
        };
        (features, forest, mtry_factor)
    }
}

/// mtry as a multiple of sqrt(width); the width is known only once the vocabulary is fitted, so it is
/// estimated from the configured vocabulary size and numeric count (the vocabulary is full on Dreaddit).
fn mtry_for(features: &FeatureConfig, factor: Option<f64>) -> Option<usize> {
    let numeric = match &features.numeric {
        NumericSelection::Auto(k) => *k,
        NumericSelection::None => 0,
        NumericSelection::Columns(c) => c.len(),
    };
    let width = (features.max_vocab + numeric).max(1) as f64;
    factor.map(|f| ((width.sqrt() * f).round() as usize).max(1))
}

/// `auto:K` asks for at most as many columns as the data has (small files in tests, other data sets).
fn cap_numeric(mut features: FeatureConfig, candidates: usize) -> FeatureConfig {
    if let NumericSelection::Auto(k) = features.numeric {
        features.numeric = match k.min(candidates) {
            0 => NumericSelection::None,
            k => NumericSelection::Auto(k),
        };
    }
    features
}

#[derive(Serialize, Clone)]
struct Trial {
    trial: usize,
    features: FeatureConfig,
    forest: ForestParams,
    threshold: f64,
    f1_mean: f64,
    f1_std: f64,
    f1_mean_at_0_5: f64,
    roc_auc_mean: f64,
    seconds: f64,
    #[serde(skip)]
    metrics: CvMetrics,
}

#[derive(Serialize)]
struct Report<'a> {
    data: String,
    data_sha256: &'a str,
    folds: usize,
    seed: u64,
    threshold_candidates: String,
    best_trial: usize,
    trials: &'a [Trial],
}

fn threshold_candidates() -> Vec<f64> {
    (30..=70).map(|i| f64::from(i) / 100.0).collect()
}

fn run_trial(
    data: &Dataset,
    index: usize,
    features: FeatureConfig,
    forest: ForestParams,
    args: &TuneArgs,
) -> Result<Trial> {
    let started = Instant::now();
    let bar = tree_bar(
        u64::from(forest.n_trees) * args.folds as u64,
        &format!("trial {index}"),
    );
    let outcome = cross_validate(data, &features, &forest, args.folds, args.seed, &|| {
        bar.inc(1)
    })
    .with_context(|| format!("trial {index} failed"))?;
    bar.finish_and_clear();
    let (threshold, _) =
        best_threshold(&data.labels, &outcome.out_of_fold, &threshold_candidates())
            .context("no threshold candidates")?;
    let metrics = outcome.metrics(&data.labels, threshold, args.seed);
    let at_half = outcome.metrics(&data.labels, 0.5, args.seed);
    Ok(Trial {
        trial: index,
        features,
        forest,
        threshold,
        f1_mean: metrics.f1_mean,
        f1_std: metrics.f1_std,
        f1_mean_at_0_5: at_half.f1_mean,
        roc_auc_mean: metrics.roc_auc_mean,
        seconds: started.elapsed().as_secs_f64(),
        metrics,
    })
}

fn describe(features: &FeatureConfig, forest: &ForestParams) -> String {
    let numeric = match &features.numeric {
        NumericSelection::Auto(k) => format!("auto:{k}"),
        NumericSelection::None => "none".into(),
        NumericSelection::Columns(c) => c.join(","),
    };
    format!(
        "trees={} depth={} split={} leaf={} mtry={} vocab={} min_df={} weighting={:?} ngrams={} numeric={}",
        forest.n_trees,
        forest.max_depth.map_or("none".into(), |d| d.to_string()),
        forest.min_samples_split,
        forest.min_samples_leaf,
        forest.mtry.map_or("sqrt".into(), |m| m.to_string()),
        features.max_vocab,
        features.min_df,
        features.weighting,
        features.ngram_max,
        numeric
    )
}

pub fn run(args: TuneArgs) -> Result<Outcome> {
    let data = load_dataset(&args.data)?;
    let base = TrainConfig::default();
    let mut rng = SplitMix64::new(args.seed);
    let mut trials: Vec<Trial> = Vec::with_capacity(args.trials);
    for index in 1..=args.trials {
        let (features, forest) = if index == 1 {
            let mut forest = base.forest.clone();
            forest.seed = args.seed;
            (base.features.clone(), forest)
        } else {
            let (features, mut forest, factor) =
                Space::draw(&mut rng, args.seed, &base, data.numeric_names.len());
            forest.mtry = mtry_for(&features, factor);
            (features, forest)
        };
        let features = cap_numeric(features, data.numeric_names.len());
        let trial = run_trial(&data, index, features, forest, &args)?;
        println!(
            "trial {index}/{}: {} -> F1 {:.4} ± {:.4} at threshold {:.2} (F1 {:.4} at 0.50, AUC {:.4}) [{:.0} s]",
            args.trials,
            describe(&trial.features, &trial.forest),
            trial.f1_mean,
            trial.f1_std,
            trial.threshold,
            trial.f1_mean_at_0_5,
            trial.roc_auc_mean,
            trial.seconds
        );
        trials.push(trial);
    }
    let best = trials
        .iter()
        .max_by(|a, b| a.f1_mean.total_cmp(&b.f1_mean).then(b.trial.cmp(&a.trial)))
        .cloned()
        .context("no trials ran")?;
    println!(
        "best: trial {} F1 {:.4} ± {:.4} at threshold {:.2}: {}",
        best.trial,
        best.f1_mean,
        best.f1_std,
        best.threshold,
        describe(&best.features, &best.forest)
    );
    let config = TrainConfig {
        name: DEFAULT_MODEL_NAME.to_string(),
        features: best.features.clone(),
        forest: best.forest.clone(),
        threshold: best.threshold,
        cv_folds: args.folds,
        created_at: created_at_from_env()?,
    };
    let bar = tree_bar(u64::from(config.forest.n_trees), "final model");
    let bytes = build_artifact(
        &data,
        &file_name(&args.data),
        &config,
        Some(best.metrics.clone()),
        &|| bar.inc(1),
    )
    .context("training the best configuration failed")?;
    bar.finish_and_clear();
    write_file(&args.out, &bytes)?;
    let report_path = args
        .report
        .clone()
        .unwrap_or_else(|| args.out.with_extension("tune.json"));
    write_reports(&report_path, &args, &data, &trials, best.trial)?;
    println!(
        "wrote {} ({} bytes) and {} (+ .md)",
        args.out.display(),
        bytes.len(),
        report_path.display()
    );
    Ok(Outcome::Success)
}

fn write_reports(
    path: &Path,
    args: &TuneArgs,
    data: &Dataset,
    trials: &[Trial],
    best: usize,
) -> Result<()> {
    let report = Report {
        data: file_name(&args.data),
        data_sha256: &data.sha256,
        folds: args.folds,
        seed: args.seed,
        threshold_candidates: "0.30..=0.70 step 0.01 (chosen on pooled out-of-fold probabilities)"
            .into(),
        best_trial: best,
        trials,
    };
    let json = serde_json::to_string_pretty(&report)?;
    write_file(path, json.as_bytes())?;
    write_file(&path.with_extension("md"), markdown(&report).as_bytes())
}

fn markdown(report: &Report<'_>) -> String {
    let mut md = format!(
        "# stresslens tune\n\nData `{}` (sha256 `{}`), {}-fold CV grouped by post_id, seed {}. Threshold per trial: {}.\n\n\
         | trial | configuration | threshold | F1 mean ± std | F1 at 0.50 | ROC-AUC | seconds |\n\
         | --- | --- | --- | --- | --- | --- | --- |\n",
        report.data, report.data_sha256, report.folds, report.seed, report.threshold_candidates
    );
    for t in report.trials {
        let marker = if t.trial == report.best_trial {
            " **best**"
        } else {
            ""
        };
        let _ = writeln!(
            md,
            "| {}{marker} | {} | {:.2} | {:.4} ± {:.4} | {:.4} | {:.4} | {:.0} |",
            t.trial,
            describe(&t.features, &t.forest),
            t.threshold,
            t.f1_mean,
            t.f1_std,
            t.f1_mean_at_0_5,
            t.roc_auc_mean,
            t.seconds
        );
    }
    md
}
