//! `stresslens evaluate`: score a labelled CSV file and report the metrics at the model's threshold.

use crate::args::load_dataset;
use crate::Outcome;
use anyhow::{Context, Result};
use clap::Args;
use std::path::PathBuf;
use stresslens_core::metrics::Evaluation;
use stresslens_core::Model;

#[derive(Args, Debug)]
pub struct EvaluateArgs {
    /// Model artifact
    #[arg(long)]
    pub model: PathBuf,
    /// Labelled CSV (must hold the model's numeric columns)
    #[arg(long)]
    pub data: PathBuf,
    /// One JSON object on stdout instead of a table
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: EvaluateArgs) -> Result<Outcome> {
    let model = Model::load_path(&args.model)?;
    let data = load_dataset(&args.data)?;
    let rows: Vec<usize> = (0..data.len()).collect();
    let probabilities = model
        .score_dataset(&data, &rows)
        .with_context(|| format!("cannot score {}", args.data.display()))?;
    let evaluation = Evaluation::new(&data.labels, &probabilities, model.threshold());
    if args.json {
        let mut object = serde_json::to_value(&evaluation)?;
        if let Some(map) = object.as_object_mut() {
            map.insert("model".into(), serde_json::to_value(model.identity())?);
        }
        println!("{object}");
    } else {
        print!("{}", table(&evaluation, model.identity().version.as_str()));
    }
    Ok(Outcome::Success)
}

fn table(e: &Evaluation, version: &str) -> String {
    let m = &e.confusion_matrix;
    let auc = e.roc_auc.map_or_else(
        || "undefined (one class)".to_string(),
        |a| format!("{a:.4}"),
    );
    format!(
        "model      {version}\nn          {}\nthreshold  {}\naccuracy   {:.4}\nprecision  {:.4}\nrecall     {:.4}\nf1         {:.4}\nroc_auc    {auc}\n\
         confusion matrix    predicted stress  predicted no stress\n  \
         stress            {:>16}  {:>19}\n  \
         no stress         {:>16}  {:>19}\n",
        e.n,
        e.threshold,
        e.accuracy,
        e.precision,
        e.recall,
        e.f1,
        m.true_positive,
        m.false_negative,
        m.false_positive,
        m.true_negative
    )
}
