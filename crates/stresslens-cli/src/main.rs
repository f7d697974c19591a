//! `stresslens`: train, tune, evaluate and run the stress model from the command line.
//!
//! Exit codes (DESIGN.md CLI contract): 0 ok, 2 usage error (from clap), 1 anything else, with a one-line cause on
//! stderr.

mod args;
mod evaluate;
mod predict;
mod progress;
mod train;
mod tune;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(
    name = "stresslens",
    version,
    about = "Predict stress in social-media posts with a random forest",
    after_help = "Exit codes: 0 ok, 2 usage error, 1 anything else (one-line cause on stderr)."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Train a model on a labelled CSV file (defaults: the tuned configuration).
    Train(train::TrainArgs),
    /// Search hyperparameters by grouped K-fold cross-validation; write the best model and a report.
    Tune(tune::TuneArgs),
    /// Score a labelled CSV file with a model and report accuracy, precision, recall, F1, ROC-AUC.
    Evaluate(evaluate::EvaluateArgs),
    /// Score JSON-lines posts; prediction records on stdout, rejected lines on stderr.
    Predict(predict::PredictArgs),
}

/// Outcome of a command that ran to the end.
pub enum Outcome {
    Success,
    /// Finished, but something must be signalled through the exit code (e.g. rejected input lines).
    Failure(String),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train(args) => train::run(args),
        Command::Tune(args) => tune::run(args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Predict(args) => predict::run(args),
    };
    match result {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Failure(cause)) => {
            eprintln!("stresslens: {}", one_line(&cause));
            ExitCode::FAILURE
        }
        Err(error) => {
            eprintln!("stresslens: error: {}", one_line(&format!("{error:#}")));
            ExitCode::FAILURE
        }
    }
}

/// Keeps the cause on one line whatever the underlying message contains.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}
