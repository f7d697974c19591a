//! `stresslens predict`: JSON lines of posts in, prediction records out.

use crate::Outcome;
use anyhow::{Context, Result};
use clap::Args;
use serde::Serialize;
use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use stresslens_core::record::{parse_post, Post, RecordLimits, RejectReason};
use stresslens_core::{Model, PredictionRecord};

/// Posts scored together (bounded memory whatever the input size).
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
            .with_context(|| format!("{}: cannot read", args.input))?;
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
    let mut stats = Stats {
        scored: 0,
        rejected: 0,
    };
    let mut chunk = Chunk::default();
    let mut line = Vec::new();
    let mut number = 0u64;
    loop {
        line.clear();
        let read = reader
            .read_until(b'\n', &mut line)
            .with_context(|| format!("{input_name}: cannot read"))?;
        if read == 0 {
            break;
        }
        number += 1;
        let body = trim_line_end(&line);
        if body.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match parse_post(body, model.numeric_fields(), RecordLimits::default()) {
            Ok(post) => {
                chunk.lines.push(number);
                chunk.posts.push(post);
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
        if chunk.posts.len() == CHUNK {
            stats.scored += write_chunk(model, &mut chunk, out)?;
        }
    }
    stats.scored += write_chunk(model, &mut chunk, out)?;
    Ok(stats)
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Accepted posts waiting to be scored, with their line numbers.
#[derive(Default)]
struct Chunk {
    lines: Vec<u64>,
    posts: Vec<Post>,
}

fn write_chunk(model: &Model, chunk: &mut Chunk, out: &mut impl Write) -> Result<u64> {
    if chunk.posts.is_empty() {
        return Ok(0);
    }
    let probabilities = model.score_batch(&chunk.posts)?;
    let count = chunk.posts.len() as u64;
    let scored_at = PredictionRecord::timestamp(chrono::Utc::now());
    let threshold = model.threshold();
    for ((number, post), probability) in chunk
        .lines
        .drain(..)
        .zip(chunk.posts.drain(..))
        .zip(probabilities)
    {
        let record = PredictionRecord {
            id: post.id.unwrap_or_else(|| format!("line-{number}")),
            stress: probability >= threshold,
            probability,
            threshold,
            model: model.identity().clone(),
            source: None,
            scored_at: scored_at.clone(),
        };
        serde_json::to_writer(&mut *out, &record).context("cannot write to stdout")?;
        out.write_all(b"\n").context("cannot write to stdout")?;
    }
    Ok(count)
}
