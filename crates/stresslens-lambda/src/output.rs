//! The records this function writes: predictions (DESIGN.md "Prediction record") and rejections.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Serialize;
use sha2::{Digest, Sha256};
use stresslens_core::{RejectReason, Rejection};

/// Kinesis takes partition keys of 1 to 256 Unicode characters.
pub const MAX_PARTITION_KEY_CHARS: usize = 256;

/// The output partition key for an input key: the same key when Kinesis takes it, so predictions of a key stay on
/// one shard in order; a longer key (only possible inside a KPL aggregate or a hand-made event) is replaced by a
/// stable digest; a missing or empty one by the fallback (the sequence number).
pub fn output_partition_key(input: Option<&str>, fallback: &str) -> String {
    match input {
        Some(key) if !key.is_empty() && key.chars().count() <= MAX_PARTITION_KEY_CHARS => {
            key.to_string()
        }
        Some(key) if !key.is_empty() => {
            format!("sha256:{}", hex::encode(Sha256::digest(key.as_bytes())))
        }
        _ if !fallback.is_empty() => fallback.to_string(),
        _ => "unidentified".to_string(),
    }
}

/// Where a rejected record came from; unlike a prediction's source, the sequence number may be unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectSource {
    pub stream: String,
    pub shard: String,
    pub sequence_number: Option<String>,
    pub sub_sequence: Option<u64>,
}

/// One rejected record as written to the rejects destination.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RejectedRecord {
    pub reason: RejectReason,
    pub message: String,
    /// The record's original bytes, base64; cut short (see `data_truncated`) only when the destination's size
    /// limit demands it.
    pub data: String,
    /// Length of the original bytes.
    pub data_bytes: usize,
    pub data_truncated: bool,
    pub source: RejectSource,
    pub partition_key: Option<String>,
    pub rejected_at: String,
}

impl RejectedRecord {
    /// Serialises the rejection of `bytes`, keeping as much of them as fits in `max_bytes` together with
    /// `partition_key_len` bytes of partition key.
    pub fn to_json(
        rejection: &Rejection,
        bytes: &[u8],
        source: RejectSource,
        partition_key: Option<String>,
        rejected_at: String,
        max_bytes: usize,
        partition_key_len: usize,
    ) -> Vec<u8> {
        let mut record = RejectedRecord {
            reason: rejection.reason,
            message: rejection.message.clone(),
            data: String::new(),
            data_bytes: bytes.len(),
            data_truncated: false,
            source,
            partition_key,
            rejected_at,
        };
        let overhead = json_len(&record) + partition_key_len;
        let room = max_bytes.saturating_sub(overhead + 32);
        // base64 turns every 3 bytes into 4 characters
        let keep = (room / 4 * 3).min(bytes.len());
        record.data = STANDARD.encode(&bytes[..keep]);
        record.data_truncated = keep < bytes.len();
        serde_json::to_vec(&record).unwrap_or_default()
    }
}

fn json_len(value: &impl Serialize) -> usize {
    serde_json::to_vec(value)
        .map(|v| v.len())
        .unwrap_or(usize::MAX / 2)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_keys_are_kept_hashed_or_replaced() {
        assert_eq!(output_partition_key(Some("user-1"), "49"), "user-1");
        let at_limit = "é".repeat(256);
        assert_eq!(output_partition_key(Some(&at_limit), "49"), at_limit);
        let long = "k".repeat(300);
        assert_eq!(
            output_partition_key(Some(&long), "49"),
            format!("sha256:{}", hex::encode(Sha256::digest(long.as_bytes())))
        );
        assert_eq!(output_partition_key(Some(&long), "49").len(), 71);
        assert_eq!(output_partition_key(Some(""), "49"), "49");
        assert_eq!(output_partition_key(None, "49"), "49");
        assert_eq!(output_partition_key(None, ""), "unidentified");
    }

    fn source() -> RejectSource {
        RejectSource {
            stream: "arn:s".into(),
            shard: "shardId-0".into(),
            sequence_number: Some("7".into()),
            sub_sequence: None,
        }
    }

    #[test]
    fn serialises_a_rejection_with_its_bytes() {
        let json = RejectedRecord::to_json(
            &Rejection::new(RejectReason::InvalidJson, "record is not valid JSON"),
            b"}{",
            source(),
            Some("pk".into()),
            "2026-12-03T10:00:00.000Z".into(),
            1 << 20,
            2,
        );
        assert_eq!(
            String::from_utf8(json).unwrap(),
            r#"{"reason":"invalid_json","message":"record is not valid JSON","data":"fXs=","data_bytes":2,"data_truncated":false,"source":{"stream":"arn:s","shard":"shardId-0","sequence_number":"7","sub_sequence":null},"partition_key":"pk","rejected_at":"2026-12-03T10:00:00.000Z"}"#
        );
    }

    #[test]
    fn cuts_the_bytes_to_fit_the_destination() {
        let bytes = vec![b'a'; 400 * 1024];
        let json = RejectedRecord::to_json(
            &Rejection::new(RejectReason::TextTooLong, "long"),
            &bytes,
            source(),
            None,
            "t".into(),
            256 * 1024,
            1,
        );
        assert!(json.len() < 256 * 1024, "{}", json.len());
        let value: serde_json::Value = serde_json::from_slice(&json).unwrap();
        assert_eq!(value["data_truncated"], true);
        assert_eq!(value["data_bytes"], 409_600);
        let kept = STANDARD.decode(value["data"].as_str().unwrap()).unwrap();
        assert!(
            kept.len() > 190_000 && bytes.starts_with(&kept),
            "{}",
            kept.len()
        );
    }
}
