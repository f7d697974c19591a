//! `stresslens predict`: JSON lines of posts in, prediction records out.

use crate::Outcome;
use anyhow::{Context, Result};
use clap::Args;
use rayon::prelude::*;
use serde::Serialize;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use stresslens_core::record::{parse_post, RecordLimits, RejectReason};
use stresslens_core::{Model, PredictionRecord};

/// Lines parsed, scored and written together (bounded memory whatever the input size).
const CHUNK: usize = 512;

#[derive(Args, Debug)]
#[command(
    after_help = "Input: one JSON object per line with `text`, optional `id`, and the model's numeric \
fields. Output: one prediction record per accepted line on stdout (id = the record's `id` or `line-<n>`). A bad \
line never stops the run: it is reported on stderr as {\"line\":N,\"reason\":...,\"message\":...} and skipped; blank \
lines are ignored.\n\nExit codes: 0 every line was scored; 1 at least one line was rejected (the last stderr line \
counts them) or the model/input could not be read; 2 usage error."
)]
pub struct PredictArgs {
    /// Model artifact
    #[arg(long)]
    pub model: PathBuf,
    /// JSON-lines file, or `-` for stdin
    #[arg(long, default_value = "-")]
    pub input: String,
}

#[derive(Serialize)]
struct LineRejection<'a> {
    line: u64,
    reason: RejectReason,
    message: &'a str,
}

pub fn run(args: PredictArgs) -> Result<Outcome> {
    let model = Model::load_path(std::path::Path::new(&args.model))?;
    let reader: Box<dyn BufRead> = if args.input == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let file = std::fs::File::open(&args.input)
            .with_context(|| format!("cannot read {}", args.input))?;
        Box::new(std::io::BufReader::new(file))
    };
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let stats = predict_lines(&model, reader, &mut out, &args.input)?;
    out.flush().context("cannot write to stdout")?;
    if stats.rejected > 0 {
        return Ok(Outcome::Failure(format!(
            "{} of {} lines rejected",
            stats.rejected,
            stats.rejected + stats.scored
        )));
    }
    Ok(Outcome::Success)
}

#[derive(Default)]
struct Stats {
    scored: u64,
    rejected: u64,
}

fn predict_lines(
    model: &Model,
    mut reader: impl BufRead,
    out: &mut impl Write,
    input_name: &str,
) -> Result<Stats> {
    let mut stats = Stats::default();
    let mut chunk: Vec<(u64, Vec<u8>)> = Vec::with_capacity(CHUNK);
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .with_context(|| format!("cannot read {input_name}"))?;
        if read == 0 {
            break;
        }
        number += 1;
        let body = trim_line_end(&line);
        if body.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        chunk.push((number, body.to_vec()));
        if chunk.len() == CHUNK {
            predict_chunk(model, &mut chunk, out, &mut stats)?;
        }
    }
    predict_chunk(model, &mut chunk, out, &mut stats)?;
    Ok(stats)
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Parses, scores and writes a chunk of numbered lines (emptied). Parsing and serialising run on every core, like
/// scoring (rayon keeps the order): one thread doing them was most of the time of a large input. Rejections go to
/// stderr and predictions to stdout in line order.
fn predict_chunk(
    model: &Model,
    chunk: &mut Vec<(u64, Vec<u8>)>,
    out: &mut impl Write,
    stats: &mut Stats,
) -> Result<()> {
    let parsed: Vec<_> = chunk
        .par_iter()
        .map(|(_, body)| parse_post(body, model.numeric_fields(), RecordLimits::default()))
        .collect();
    let mut numbers = Vec::with_capacity(chunk.len());
    let mut posts = Vec::with_capacity(chunk.len());
    for ((number, _), parsed) in chunk.drain(..).zip(parsed) {
        match parsed {
            Ok(post) => {
                numbers.push(number);
                posts.push(post);
            }
            Err(rejection) => {
                stats.rejected += 1;
                let report = LineRejection {
                    line: number,
                    reason: rejection.reason,
                    message: &rejection.message,
                };
                eprintln!("{}", serde_json::to_string(&report)?);
            }
        }
    }
    if posts.is_empty() {
        return Ok(());
    }
    let probabilities = model.score_batch(&posts)?;
    let scored_at = PredictionRecord::timestamp(chrono::Utc::now());
    let threshold = model.threshold();
    let lines: Vec<serde_json::Result<Vec<u8>>> = numbers
        .into_par_iter()
        .zip(posts.into_par_iter())
        .zip(probabilities.into_par_iter())
        .map(|((number, post), probability)| {
            let record = PredictionRecord {
                id: post.id.unwrap_or_else(|| format!("line-{number}")),
                stress: probability >= threshold,
                probability,
                threshold,
                model: model.identity().clone(),
                source: None,
                scored_at: scored_at.clone(),
            };
            let mut line = serde_json::to_vec(&record)?;
            line.push(b'\n');
            Ok(line)
        })
        .collect();
    for line in lines {
        out.write_all(&line?).context("cannot write to stdout")?;
        stats.scored += 1;
    }
    Ok(())
}
