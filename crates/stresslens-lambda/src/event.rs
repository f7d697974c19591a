//! Lenient reading of the Kinesis event: the envelope must be a Kinesis event, but each record is decoded on its
//! own, so one odd record never fails the batch (unlike `aws_lambda_events::KinesisEvent`, which rejects the whole
//! event for one bad field).

use crate::arrival::arrival_millis;
use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig};
use base64::engine::DecodePaddingMode;
use base64::{alphabet, Engine};
use serde_json::Value;
use stresslens_core::{RejectReason, Rejection};

/// Standard alphabet; padding optional, as some producers strip it.
const LENIENT_BASE64: GeneralPurpose = GeneralPurpose::new(
    &alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// The event is not a Kinesis event at all: the invocation fails.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a Kinesis event: {0}")]
pub struct EnvelopeError(pub String);

/// The records of a Kinesis event; an event from another source (e.g. SQS) is an error.
pub fn event_records(event: &Value) -> Result<&[Value], EnvelopeError> {
    let object = event
        .as_object()
        .ok_or_else(|| EnvelopeError(format!("expected a JSON object, found {}", kind(event))))?;
    let records = match object.get("Records") {
        Some(Value::Array(records)) => records,
        Some(other) => {
            return Err(EnvelopeError(format!(
                "`Records` must be an array, found {}",
                kind(other)
            )))
        }
        None => return Err(EnvelopeError("no `Records` array".to_string())),
    };
    for (index, record) in records.iter().enumerate() {
        if let Some(source) = record.get("eventSource").and_then(Value::as_str) {
            if source != "aws:kinesis" {
                return Err(EnvelopeError(format!(
                    "record {index} has eventSource {source:?}"
                )));
            }
        }
    }
    Ok(records)
}

/// Where one Kinesis record came from; every field may be absent in a broken record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordOrigin {
    pub stream: String,
    pub shard: String,
    pub sequence_number: Option<String>,
    pub partition_key: Option<String>,
    /// `approximateArrivalTimestamp` in milliseconds since the epoch.
    pub arrival_ms: Option<i64>,
}

/// One Kinesis record after base64: its bytes, or why it has none usable (with the bytes it arrived as).
#[derive(Debug, Clone, PartialEq)]
pub struct InputRecord {
    pub origin: RecordOrigin,
    pub data: Result<Vec<u8>, RawRejection>,
}

/// A rejection and the bytes to keep with it.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRejection {
    pub bytes: Vec<u8>,
    pub rejection: Rejection,
}

/// Decodes one element of `Records`; never fails, whatever its shape.
pub fn decode_record(record: &Value) -> InputRecord {
    let kinesis = record.get("kinesis");
    let field = |name: &str| kinesis.and_then(|k| k.get(name));
    let text = |value: Option<&Value>| value.and_then(Value::as_str).map(str::to_string);
    let origin = RecordOrigin {
        stream: text(record.get("eventSourceARN")).unwrap_or_default(),
        shard: text(record.get("eventID"))
            .and_then(|id| id.split_once(':').map(|(shard, _)| shard.to_string()))
            .unwrap_or_default(),
        sequence_number: text(field("sequenceNumber")).filter(|s| !s.is_empty()),
        partition_key: text(field("partitionKey")),
        arrival_ms: field("approximateArrivalTimestamp").and_then(arrival_millis),
    };
    let data = decode_data(field("data"));
    let data = match (&origin.sequence_number, data) {
        (Some(_), data) => data,
        (None, data) => {
            let bytes = match data {
                Ok(bytes) => bytes,
                Err(raw) => raw.bytes,
            };
            let message = match field("sequenceNumber") {
                None | Some(Value::Null) => "kinesis.sequenceNumber is missing: the record cannot be identified",
                Some(_) => "kinesis.sequenceNumber is not a non-empty string: the record cannot be identified",
            };
            Err(RawRejection {
                bytes,
                rejection: Rejection::new(RejectReason::MissingField, message),
            })
        }
    };
    InputRecord { origin, data }
}

/// Base64-decodes `kinesis.data` exactly once (Lambda encodes it once).
fn decode_data(data: Option<&Value>) -> Result<Vec<u8>, RawRejection> {
    let reject = |bytes: Vec<u8>, reason, message: String| RawRejection {
        bytes,
        rejection: Rejection::new(reason, message),
    };
    match data {
        None | Some(Value::Null) => Err(reject(
            Vec::new(),
            RejectReason::MissingField,
            "kinesis.data is missing".to_string(),
        )),
        Some(Value::String(encoded)) => LENIENT_BASE64.decode(encoded).map_err(|e| {
            reject(
                encoded.as_bytes().to_vec(),
                RejectReason::InvalidBase64,
                format!("kinesis.data is not base64: {e}"),
            )
        }),
        Some(other) => Err(reject(
            other.to_string().into_bytes(),
            RejectReason::InvalidField,
            format!(
                "kinesis.data must be a base64 string, found {}",
                kind(other)
            ),
        )),
    }
}

/// Improves the message of a record that does not parse when its bytes are themselves base64 of JSON: the producer
/// encoded it twice. Still rejected: Lambda encodes once, so we decode once.
pub fn explain_double_encoding(bytes: &[u8], rejection: Rejection) -> Rejection {
    if rejection.reason != RejectReason::InvalidJson && rejection.reason != RejectReason::NotUtf8 {
        return rejection;
    }
    let trimmed = bytes.trim_ascii();
    match LENIENT_BASE64.decode(trimmed) {
        Ok(inner) if inner.trim_ascii_start().first() == Some(&b'{') => Rejection::new(
            rejection.reason,
            format!(
                "{} (the data looks base64-encoded twice)",
                rejection.message
            ),
        ),
        _ => rejection,
    }
}

use stresslens_core::record::json_kind as kind;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn reads_a_well_formed_record() {
        let record = json!({
            "kinesis": {"kinesisSchemaVersion": "1.0", "partitionKey": "user-7", "sequenceNumber": "4959",
                        "data": "eyJ0ZXh0IjoiaGkifQ==", "approximateArrivalTimestamp": 1701761035.5},
            "eventSource": "aws:kinesis", "eventID": "shardId-000000000003:4959",
            "eventSourceARN": "arn:aws:kinesis:eu-west-1:123456789012:stream/posts"
        });
        assert_eq!(
            decode_record(&record),
            InputRecord {
                origin: RecordOrigin {
                    stream: "arn:aws:kinesis:eu-west-1:123456789012:stream/posts".into(),
                    shard: "shardId-000000000003".into(),
                    sequence_number: Some("4959".into()),
                    partition_key: Some("user-7".into()),
                    arrival_ms: Some(1_701_761_035_500),
                },
                data: Ok(br#"{"text":"hi"}"#.to_vec()),
            }
        );
    }

    #[test]
    fn odd_records_are_rejected_alone_with_their_bytes() {
        let cases = [
            (
                json!({"sequenceNumber": "1", "data": "{\"text\":\"hi\"}"}),
                RejectReason::InvalidBase64,
                &b"{\"text\":\"hi\"}"[..],
            ),
            (
                json!({"sequenceNumber": "1", "data": null}),
                RejectReason::MissingField,
                b"",
            ),
            (
                json!({"sequenceNumber": "1"}),
                RejectReason::MissingField,
                b"",
            ),
            (
                json!({"sequenceNumber": "1", "data": 42}),
                RejectReason::InvalidField,
                b"42",
            ),
            (
                json!({"sequenceNumber": null, "data": "aGk="}),
                RejectReason::MissingField,
                b"hi",
            ),
            (
                json!({"sequenceNumber": "", "data": "aGk="}),
                RejectReason::MissingField,
                b"hi",
            ),
            (json!({"data": "%%%"}), RejectReason::MissingField, b"%%%"),
        ];
        for (kinesis, reason, bytes) in cases {
            let decoded = decode_record(&json!({ "kinesis": kinesis }));
            let raw = decoded.data.unwrap_err();
            assert_eq!(
                (raw.rejection.reason, raw.bytes.as_slice()),
                (reason, bytes),
                "{kinesis}"
            );
        }
        let decoded = decode_record(&json!({"kinesis": {"sequenceNumber": null, "data": "aGk="}}));
        assert_eq!(
            decoded.data.unwrap_err().rejection.message,
            "kinesis.sequenceNumber is missing: the record cannot be identified"
        );
    }

    #[test]
    fn padding_is_optional() {
        let decoded = decode_record(&json!({"kinesis": {"sequenceNumber": "1", "data": "aGk"}}));
        assert_eq!(decoded.data.unwrap(), b"hi");
    }

    #[test]
    fn the_envelope_must_be_a_kinesis_event() {
        assert_eq!(event_records(&json!({"Records": []})).unwrap().len(), 0);
        assert_eq!(
            event_records(&json!([])).unwrap_err().to_string(),
            "not a Kinesis event: expected a JSON object, found an array"
        );
        assert_eq!(
            event_records(&json!({})).unwrap_err().to_string(),
            "not a Kinesis event: no `Records` array"
        );
        assert_eq!(
            event_records(&json!({"Records": {}}))
                .unwrap_err()
                .to_string(),
            "not a Kinesis event: `Records` must be an array, found an object"
        );
        assert_eq!(
            event_records(&json!({"Records": [{"eventSource": "aws:sqs", "body": "x"}]}))
                .unwrap_err()
                .to_string(),
            "not a Kinesis event: record 0 has eventSource \"aws:sqs\""
        );
    }

    #[test]
    fn double_encoding_is_explained() {
        let once = LENIENT_BASE64.encode(br#"{"text":"hi"}"#);
        let rejection = Rejection::new(RejectReason::InvalidJson, "record is not valid JSON: x");
        assert_eq!(
            explain_double_encoding(once.as_bytes(), rejection.clone()).message,
            "record is not valid JSON: x (the data looks base64-encoded twice)"
        );
        assert_eq!(explain_double_encoding(b"}{", rejection.clone()), rejection);
    }
}
