//! Configuration from the Lambda environment (DESIGN.md "Configuration").

use stresslens_core::record::DEFAULT_MAX_TEXT_BYTES;

/// Where rejected records go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RejectsDestination {
    /// Only logged and counted.
    None,
    Stream(String),
    Queue(String),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    pub model_uri: String,
    pub predictions_stream: String,
    pub rejects: RejectsDestination,
    /// Overrides the model's cut-off when set.
    pub stress_threshold: Option<f64>,
    pub max_text_bytes: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{0} is not set")]
    Missing(&'static str),
    #[error("{name}={value:?} is invalid: {why}")]
    Invalid {
        name: &'static str,
        value: String,
        why: &'static str,
    },
    #[error("REJECTS_STREAM and REJECTS_QUEUE_URL are both set; set one of them")]
    TwoRejectDestinations,
}

impl Config {
    /// Reads the configuration through `lookup` (the process environment in `main`); empty values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let get = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let model_uri = get("MODEL_URI").ok_or(ConfigError::Missing("MODEL_URI"))?;
        let predictions_stream =
            get("PREDICTIONS_STREAM").ok_or(ConfigError::Missing("PREDICTIONS_STREAM"))?;
        let rejects = match (get("REJECTS_STREAM"), get("REJECTS_QUEUE_URL")) {
            (Some(_), Some(_)) => return Err(ConfigError::TwoRejectDestinations),
            (Some(stream), None) => RejectsDestination::Stream(stream),
            (None, Some(queue)) => RejectsDestination::Queue(queue),
            (None, None) => RejectsDestination::None,
        };
        let stress_threshold = match get("STRESS_THRESHOLD") {
            None => None,
            Some(value) => match value.parse::<f64>() {
                Ok(t) if (0.0..=1.0).contains(&t) => Some(t),
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "STRESS_THRESHOLD",
                        value,
                        why: "expected a probability between 0 and 1",
                    })
                }
            },
        };
        let max_text_bytes = match get("MAX_TEXT_BYTES") {
            None => DEFAULT_MAX_TEXT_BYTES,
            Some(value) => match value.parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => {
                    return Err(ConfigError::Invalid {
                        name: "MAX_TEXT_BYTES",
                        value,
                        why: "expected a positive whole number of bytes",
                    })
                }
            },
        };
        Ok(Config {
            model_uri,
            predictions_stream,
            rejects,
            stress_threshold,
            max_text_bytes,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    const BASE: [(&str, &str); 2] = [
        ("MODEL_URI", "s3://b/m.bin"),
        ("PREDICTIONS_STREAM", "predictions"),
    ];

    #[test]
    fn defaults_apply_when_only_the_required_variables_are_set() {
        assert_eq!(
            config(&BASE).unwrap(),
            Config {
                model_uri: "s3://b/m.bin".into(),
                predictions_stream: "predictions".into(),
                rejects: RejectsDestination::None,
                stress_threshold: None,
                max_text_bytes: 65536,
            }
        );
    }

    #[test]
    fn reads_every_optional_variable() {
        let mut vars = BASE.to_vec();
        vars.extend([
            ("REJECTS_QUEUE_URL", "http://q/1"),
            ("STRESS_THRESHOLD", "0.4"),
            ("MAX_TEXT_BYTES", "100"),
        ]);
        let c = config(&vars).unwrap();
        assert_eq!(c.rejects, RejectsDestination::Queue("http://q/1".into()));
        assert_eq!(c.stress_threshold, Some(0.4));
        assert_eq!(c.max_text_bytes, 100);
        let c = config(&[BASE[0], BASE[1], ("REJECTS_STREAM", "rejects")]).unwrap();
        assert_eq!(c.rejects, RejectsDestination::Stream("rejects".into()));
    }

    #[test]
    fn names_what_is_wrong() {
        assert_eq!(
            config(&[BASE[1]]).unwrap_err().to_string(),
            "MODEL_URI is not set"
        );
        assert_eq!(
            config(&[BASE[0], ("PREDICTIONS_STREAM", " ")])
                .unwrap_err()
                .to_string(),
            "PREDICTIONS_STREAM is not set"
        );
        assert_eq!(
            config(&[BASE[0], BASE[1], ("STRESS_THRESHOLD", "1.5")])
                .unwrap_err()
                .to_string(),
            "STRESS_THRESHOLD=\"1.5\" is invalid: expected a probability between 0 and 1"
        );
        assert_eq!(
            config(&[BASE[0], BASE[1], ("MAX_TEXT_BYTES", "0")])
                .unwrap_err()
                .to_string(),
            "MAX_TEXT_BYTES=\"0\" is invalid: expected a positive whole number of bytes"
        );
        assert_eq!(
            config(&[
                BASE[0],
                BASE[1],
                ("REJECTS_STREAM", "r"),
                ("REJECTS_QUEUE_URL", "q")
            ])
            .unwrap_err(),
            ConfigError::TwoRejectDestinations
        );
    }
}
