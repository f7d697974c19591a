//! `stresslens-lambda`: the Lambda bootstrap, or, outside Lambda, `stresslens-lambda --event FILE` to run the same
//! handler once on an event file and print its response on stdout.

use anyhow::{bail, Context};
use lambda_runtime::{service_fn, LambdaEvent};
use serde_json::Value;
use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use stresslens_lambda::runtime::{check_lambda_env, init_tracing, retry_budget};
use stresslens_lambda::wiring::{build_deps, InitReport};
use stresslens_lambda::{handle, Config, Deps, Handled};
use tracing_subscriber::fmt::writer::BoxMakeWriter;

const USAGE: &str = "usage: stresslens-lambda [--event FILE [--timeout-secs N]]\n\
  Inside Lambda (AWS_LAMBDA_RUNTIME_API set) it serves invocations; with --event it handles one Kinesis event file\n\
  with the same environment and prints the response JSON on stdout (exit 0), or the failure on stderr (exit 1).";

enum Mode {
    Lambda,
    Event { path: String, timeout: Duration },
    Help,
}

fn env(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

fn parse_args(args: &[String]) -> Result<Mode, String> {
    let mut event = None;
    let mut timeout = Duration::from_secs(60);
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--event" => event = Some(args.next().ok_or("--event needs a FILE")?.clone()),
            "--timeout-secs" => {
                let secs = args.next().ok_or("--timeout-secs needs a number")?;
                timeout = Duration::from_secs(
                    secs.parse()
                        .map_err(|_| format!("--timeout-secs {secs:?} is not a number"))?,
                );
            }
            "-h" | "--help" => return Ok(Mode::Help),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    match event {
        Some(path) => Ok(Mode::Event { path, timeout }),
        None if env("AWS_LAMBDA_RUNTIME_API").is_some() => Ok(Mode::Lambda),
        None => Err(
            "not running in Lambda (AWS_LAMBDA_RUNTIME_API is unset): pass --event FILE"
                .to_string(),
        ),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mode = match parse_args(&args) {
        Ok(Mode::Help) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Ok(mode) => mode,
        Err(why) => {
            eprintln!("stresslens-lambda: {why}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("stresslens-lambda: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let result = match mode {
        Mode::Lambda => runtime.block_on(serve_lambda()),
        Mode::Event { path, timeout } => runtime.block_on(run_event_file(&path, timeout)),
        Mode::Help => Ok(()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("stresslens-lambda: {e:#}");
            ExitCode::from(1)
        }
    }
}

async fn init(config: &Config) -> anyhow::Result<Deps> {
    let (deps, report) = build_deps(config).await?;
    log_init(&report);
    Ok(deps)
}

fn log_init(report: &InitReport) {
    tracing::info!(
        model = %report.model_name,
        version = %report.model_version,
        artifact_bytes = report.artifact_bytes,
        fetch_ms = report.fetch_time.as_millis() as u64,
        validate_ms = report.validate_time.as_millis() as u64,
        init_ms = report.total_time.as_millis() as u64,
        "model loaded"
    );
}

async fn serve_lambda() -> anyhow::Result<()> {
    init_tracing(env, BoxMakeWriter::new(std::io::stdout));
    check_lambda_env(env).map_err(anyhow::Error::msg)?;
    let config = Config::from_lookup(env).context("invalid configuration")?;
    let deps = Arc::new(init(&config).await?);
    let function_name = env("AWS_LAMBDA_FUNCTION_NAME").unwrap_or_default();
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| {
        let deps = Arc::clone(&deps);
        let function_name = function_name.clone();
        async move {
            let remaining_ms = event.context.deadline.saturating_sub(now_millis());
            let deadline =
                tokio::time::Instant::now() + retry_budget(Duration::from_millis(remaining_ms));
            let handled = handle(&event.payload, &deps, deadline).await?;
            // EMF goes to stdout as its own line, which CloudWatch Logs turns into metrics.
            write_emf(&mut std::io::stdout(), &handled, &function_name);
            Ok::<_, lambda_runtime::Error>(handled.response)
        }
    }))
    .await
    .map_err(|e| anyhow::anyhow!("Lambda runtime stopped: {e}"))
}

async fn run_event_file(path: &str, timeout: Duration) -> anyhow::Result<()> {
    // stdout carries only the response here, so logs and the EMF line go to stderr.
    init_tracing(env, BoxMakeWriter::new(std::io::stderr));
    // The text is dropped once parsed: a 10,000-record event file is megabytes.
    let event: Value = {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read event file {path}"))?;
        serde_json::from_str(&text).with_context(|| format!("event file {path} is not JSON"))?
    };
    let config = Config::from_lookup(env).context("invalid configuration")?;
    let deps = init(&config).await?;
    let deadline = tokio::time::Instant::now() + retry_budget(timeout);
    let handled = handle(&event, &deps, deadline).await?;
    write_emf(&mut std::io::stderr(), &handled, "local");
    let response =
        serde_json::to_string(&handled.response).context("cannot serialise the response")?;
    let mut stdout = std::io::stdout().lock();
    if writeln!(stdout, "{response}")
        .and_then(|()| stdout.flush())
        .is_err()
    {
        bail!("cannot write the response to stdout");
    }
    Ok(())
}

fn write_emf(out: &mut impl Write, handled: &Handled, function_name: &str) {
    let line = handled.metrics.to_emf(function_name, now_millis() as i64);
    // A closed log pipe must not fail the invocation.
    let _ = writeln!(out, "{line}");
}

fn now_millis() -> u64 {
    u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(0)
}
