//! The pieces of `main` worth testing: time budget, Lambda environment check, logging setup.

use std::time::Duration;
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::EnvFilter;

/// Variables `lambda_runtime` reads at start and panics without; checked first so a missing one is a clear error.
pub const LAMBDA_RUNTIME_VARS: [&str; 4] = [
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
];

/// Names the runtime variables that are missing or unusable.
pub fn check_lambda_env(lookup: impl Fn(&str) -> Option<String>) -> Result<(), String> {
    let missing: Vec<&str> = LAMBDA_RUNTIME_VARS
        .iter()
        .copied()
        .filter(|name| lookup(name).is_none_or(|v| v.is_empty()))
        .collect();
    if !missing.is_empty() {
        return Err(format!(
            "missing Lambda runtime environment: {}",
            missing.join(", ")
        ));
    }
    match lookup("AWS_LAMBDA_FUNCTION_MEMORY_SIZE").map(|v| v.parse::<i32>()) {
        Some(Ok(_)) => Ok(()),
        _ => Err("AWS_LAMBDA_FUNCTION_MEMORY_SIZE must be a whole number of MB".to_string()),
    }
}

/// Time left for PutRecords retries: the invocation's remaining time minus a margin for answering Lambda
/// (a tenth of it, between 200 ms and 2 s).
pub fn retry_budget(remaining: Duration) -> Duration {
    let margin = (remaining / 10).clamp(Duration::from_millis(200), Duration::from_secs(2));
    remaining.saturating_sub(margin)
}

/// Log output honouring the Lambda advanced logging controls: `AWS_LAMBDA_LOG_FORMAT` (`JSON` or `Text`) and
/// `AWS_LAMBDA_LOG_LEVEL`, falling back to `RUST_LOG`, then `info`.
pub fn init_tracing(lookup: impl Fn(&str) -> Option<String>, writer: BoxMakeWriter) {
    let filter = match lookup("AWS_LAMBDA_LOG_LEVEL").map(|l| lambda_level(&l)) {
        Some(level) => EnvFilter::new(level),
        None => lookup("RUST_LOG")
            .and_then(|directives| EnvFilter::try_new(directives).ok())
            .unwrap_or_else(|| EnvFilter::new("info")),
    };
    let json = lookup("AWS_LAMBDA_LOG_FORMAT").is_some_and(|f| f.eq_ignore_ascii_case("json"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .with_target(false);
    // A second initialisation (only possible in tests) keeps the first subscriber.
    let _ = if json {
        builder
            .json()
            .with_current_span(false)
            .with_span_list(false)
            .try_init()
    } else {
        builder.try_init()
    };
}

/// Lambda's level names (`TRACE` .. `FATAL`) as tracing directives.
pub fn lambda_level(level: &str) -> &'static str {
    match level.trim().to_ascii_uppercase().as_str() {
        "TRACE" => "trace",
        "DEBUG" => "debug",
        "WARN" => "warn",
        "ERROR" | "FATAL" => "error",
        _ => "info",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn budget_keeps_a_margin() {
        assert_eq!(
            retry_budget(Duration::from_secs(60)),
            Duration::from_secs(58)
        );
        assert_eq!(
            retry_budget(Duration::from_secs(3)),
            Duration::from_millis(2700)
        );
        assert_eq!(
            retry_budget(Duration::from_millis(500)),
            Duration::from_millis(300)
        );
        assert_eq!(retry_budget(Duration::from_millis(100)), Duration::ZERO);
    }

    #[test]
    fn names_missing_runtime_variables() {
        let env: HashMap<&str, &str> = HashMap::from([
            ("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9001"),
            ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128"),
        ]);
        assert_eq!(
            check_lambda_env(|k| env.get(k).map(|v| v.to_string())).unwrap_err(),
            "missing Lambda runtime environment: AWS_LAMBDA_FUNCTION_NAME, AWS_LAMBDA_FUNCTION_VERSION"
        );
        let mut env = env;
        env.extend([
            ("AWS_LAMBDA_FUNCTION_NAME", "f"),
            ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST"),
        ]);
        assert_eq!(
            check_lambda_env(|k| env.get(k).map(|v| v.to_string())),
            Ok(())
        );
        env.insert("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "lots");
        assert!(check_lambda_env(|k| env.get(k).map(|v| v.to_string())).is_err());
    }

    #[test]
    fn maps_lambda_levels() {
        let levels: Vec<&str> = ["TRACE", "debug", "INFO", "WARN", "ERROR", "FATAL", "x"]
            .iter()
            .map(|l| lambda_level(l))
            .collect();
        assert_eq!(
            levels,
            vec!["trace", "debug", "info", "warn", "error", "error", "info"]
        );
    }
}
