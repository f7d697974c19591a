//! The input record contract: one post as a UTF-8 JSON object (DESIGN.md "Input record").
//!
//! Parsing is shared by every entry point (Lambda, CLI `predict`, HTTP service) so that a record is accepted or
//! rejected for the same reason everywhere.

use serde::Serialize;
use serde_json::{Map, Value};

/// Default upper bound for `text`, in bytes of UTF-8.
pub const DEFAULT_MAX_TEXT_BYTES: usize = 64 * 1024;

/// A post ready for feature extraction: numeric values are in the order of the model's numeric fields.
#[derive(Debug, Clone, PartialEq)]
pub struct Post {
    pub id: Option<String>,
    pub text: String,
    pub numeric: Vec<f64>,
}

/// Limits applied while parsing a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordLimits {
    pub max_text_bytes: usize,
}

impl Default for RecordLimits {
    fn default() -> Self {
        Self {
            max_text_bytes: DEFAULT_MAX_TEXT_BYTES,
        }
    }
}

/// Machine-readable reason for a final rejection (DESIGN.md "Rejected record").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    InvalidBase64,
    NotUtf8,
    InvalidJson,
    MissingField,
    InvalidField,
    TextTooLong,
    EmptyText,
    BadAggregate,
    /// The prediction for this record cannot be written (e.g. larger than a Kinesis record may be).
    OutputTooLarge,
}

impl RejectReason {
    pub const ALL: [RejectReason; 9] = [
        RejectReason::InvalidBase64,
        RejectReason::NotUtf8,
        RejectReason::InvalidJson,
        RejectReason::MissingField,
        RejectReason::InvalidField,
        RejectReason::TextTooLong,
        RejectReason::EmptyText,
        RejectReason::BadAggregate,
        RejectReason::OutputTooLarge,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::InvalidBase64 => "invalid_base64",
            RejectReason::NotUtf8 => "not_utf8",
            RejectReason::InvalidJson => "invalid_json",
            RejectReason::MissingField => "missing_field",
            RejectReason::InvalidField => "invalid_field",
            RejectReason::TextTooLong => "text_too_long",
            RejectReason::EmptyText => "empty_text",
            RejectReason::BadAggregate => "bad_aggregate",
            RejectReason::OutputTooLarge => "output_too_large",
        }
    }
}

impl std::fmt::Display for RejectReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a record was rejected: a reason for machines and a message for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    pub reason: RejectReason,
    pub message: String,
}

impl Rejection {
    pub fn new(reason: RejectReason, message: impl Into<String>) -> Self {
        Self {
            reason,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.reason, self.message)
    }
}

/// Parses one record's bytes into a [`Post`], reading `numeric_fields` in the given order.
pub fn parse_post(
    data: &[u8],
    numeric_fields: &[String],
    limits: RecordLimits,
) -> Result<Post, Rejection> {
    let body = std::str::from_utf8(data).map_err(|e| {
        Rejection::new(
            RejectReason::NotUtf8,
            format!("record is not valid UTF-8 (byte {})", e.valid_up_to()),
        )
    })?;
    let value: Value = serde_json::from_str(body).map_err(|e| {
        Rejection::new(
            RejectReason::InvalidJson,
            format!("record is not valid JSON: {e}"),
        )
    })?;
    let Value::Object(fields) = value else {
        return Err(Rejection::new(
            RejectReason::InvalidJson,
            format!("record must be a JSON object, found {}", json_kind(&value)),
        ));
    };
    post_from_object(&fields, numeric_fields, limits)
}

/// Builds a [`Post`] from an already parsed JSON object.
pub fn post_from_object(
    fields: &Map<String, Value>,
    numeric_fields: &[String],
    limits: RecordLimits,
) -> Result<Post, Rejection> {
    let text = match fields.get("text") {
        None | Some(Value::Null) => {
            return Err(Rejection::new(
                RejectReason::MissingField,
                "field `text` is missing",
            ))
        }
        Some(Value::String(text)) => text,
        Some(other) => {
            return Err(Rejection::new(
                RejectReason::InvalidField,
                format!("field `text` must be a string, found {}", json_kind(other)),
            ))
        }
    };
    if text.trim().is_empty() {
        return Err(Rejection::new(
            RejectReason::EmptyText,
            "field `text` is empty",
        ));
    }
    if text.len() > limits.max_text_bytes {
        return Err(Rejection::new(
            RejectReason::TextTooLong,
            format!(
                "field `text` has {} bytes, more than the limit of {}",
                text.len(),
                limits.max_text_bytes
            ),
        ));
    }
    let id = match fields.get("id") {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(id.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(other) => {
            return Err(Rejection::new(
                RejectReason::InvalidField,
                format!("field `id` must be a string, found {}", json_kind(other)),
            ))
        }
    };
    let numeric = numeric_fields
        .iter()
        .map(|name| numeric_field(fields, name))
        .collect::<Result<Vec<f64>, Rejection>>()?;
    Ok(Post {
        id,
        text: text.clone(),
        numeric,
    })
}

fn numeric_field(fields: &Map<String, Value>, name: &str) -> Result<f64, Rejection> {
    let value = match fields.get(name) {
        None => {
            return Err(Rejection::new(
                RejectReason::MissingField,
                format!("numeric field `{name}` is missing"),
            ))
        }
        Some(Value::Null) => {
            return Err(Rejection::new(
                RejectReason::MissingField,
                format!("numeric field `{name}` is null"),
            ))
        }
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(s)) => s.trim().parse::<f64>().ok(),
        Some(_) => None,
    };
    match value {
        Some(v) if v.is_finite() => Ok(v),
        Some(v) => Err(Rejection::new(
            RejectReason::InvalidField,
            format!("numeric field `{name}` is {v}, not a finite number"),
        )),
        None => Err(Rejection::new(
            RejectReason::InvalidField,
            format!(
                "numeric field `{name}` must be a number or a numeric string, found {}",
                fields.get(name).map_or("nothing", json_kind)
            ),
        )),
    }
}

/// How a JSON value is named in rejection messages ("a number", "an array", ...).
pub fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields() -> Vec<String> {
        vec!["lex_liwc_i".to_string(), "sentiment".to_string()]
    }

    fn parse(json: &str) -> Result<Post, Rejection> {
        parse_post(json.as_bytes(), &fields(), RecordLimits::default())
    }

    #[test]
    fn parses_a_full_record_with_numeric_strings() {
        let post =
            parse(r#"{"id":"p-1","text":"so tired","lex_liwc_i":"3.5","sentiment":-0.25,"x":1}"#)
                .unwrap();
        assert_eq!(
            post,
            Post {
                id: Some("p-1".into()),
                text: "so tired".into(),
                numeric: vec![3.5, -0.25]
            }
        );
    }

    #[test]
    fn each_bad_record_gets_its_reason() {
        let cases: &[(&[u8], RejectReason, &str)] = &[
            (b"}{", RejectReason::InvalidJson, "record is not valid JSON"),
            (b"", RejectReason::InvalidJson, "record is not valid JSON"),
            (
                b"\xff\xfe",
                RejectReason::NotUtf8,
                "record is not valid UTF-8 (byte 0)",
            ),
            (
                b"[1]",
                RejectReason::InvalidJson,
                "record must be a JSON object, found an array",
            ),
            (
                br#"{"lex_liwc_i":1,"sentiment":1}"#,
                RejectReason::MissingField,
                "field `text` is missing",
            ),
            (
                br#"{"text":42}"#,
                RejectReason::InvalidField,
                "field `text` must be a string, found a number",
            ),
            (
                br#"{"text":"  \n"}"#,
                RejectReason::EmptyText,
                "field `text` is empty",
            ),
            (
                br#"{"text":"a","sentiment":1}"#,
                RejectReason::MissingField,
                "numeric field `lex_liwc_i` is missing",
            ),
            (
                br#"{"text":"a","lex_liwc_i":null,"sentiment":1}"#,
                RejectReason::MissingField,
                "numeric field `lex_liwc_i` is null",
            ),
            (
                br#"{"text":"a","lex_liwc_i":"NaN","sentiment":1}"#,
                RejectReason::InvalidField,
                "numeric field `lex_liwc_i` is NaN, not a finite number",
            ),
            (
                br#"{"text":"a","lex_liwc_i":"inf","sentiment":1}"#,
                RejectReason::InvalidField,
                "numeric field `lex_liwc_i` is inf, not a finite number",
            ),
            (
                br#"{"text":"a","lex_liwc_i":true,"sentiment":1}"#,
                RejectReason::InvalidField,
                "numeric field `lex_liwc_i` must be a number or a numeric string, found a boolean",
            ),
            (
                br#"{"text":"a","lex_liwc_i":1,"sentiment":1,"id":[]}"#,
                RejectReason::InvalidField,
                "field `id` must be a string, found an array",
            ),
        ];
        for (data, reason, message) in cases {
            let rejection = parse_post(data, &fields(), RecordLimits::default()).unwrap_err();
            assert_eq!(
                rejection.reason,
                *reason,
                "{:?}",
                String::from_utf8_lossy(data)
            );
            assert!(
                rejection.message.starts_with(message),
                "{}",
                rejection.message
            );
        }
    }

    #[test]
    fn bare_nan_literal_is_invalid_json() {
        assert_eq!(
            parse(r#"{"text":"a","lex_liwc_i":NaN,"sentiment":1}"#)
                .unwrap_err()
                .reason,
            RejectReason::InvalidJson
        );
    }

    #[test]
    fn lone_surrogate_is_rejected_and_pairs_are_kept() {
        assert_eq!(
            parse(r#"{"text":"a \ud800 b","lex_liwc_i":1,"sentiment":1}"#)
                .unwrap_err()
                .reason,
            RejectReason::InvalidJson
        );
        let post = parse(r#"{"text":"ok \ud83d\ude00","lex_liwc_i":1,"sentiment":1}"#).unwrap();
        assert_eq!(post.text, "ok \u{1F600}");
    }

    #[test]
    fn text_length_limit_is_in_bytes() {
        let limits = RecordLimits { max_text_bytes: 4 };
        let ok = parse_post(r#"{"text":"abcd"}"#.as_bytes(), &[], limits).unwrap();
        assert_eq!(ok.text, "abcd");
        let long = parse_post(r#"{"text":"abcdé"}"#.as_bytes(), &[], limits).unwrap_err();
        assert_eq!(long.reason, RejectReason::TextTooLong);
        assert_eq!(
            long.message,
            "field `text` has 6 bytes, more than the limit of 4"
        );
    }

    #[test]
    fn numeric_id_becomes_a_string() {
        let post = parse_post(br#"{"text":"x","id":17}"#, &[], RecordLimits::default()).unwrap();
        assert_eq!(post.id.as_deref(), Some("17"));
    }
}
