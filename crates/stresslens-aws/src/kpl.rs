//! KPL record (de-)aggregation: magic `F3 89 9A C2` + protobuf `AggregatedRecord` + MD5 of the protobuf bytes.
//!
//! Follows the behaviour of the KCL and the AWS de-aggregation libraries: data that starts with the magic but whose
//! MD5 trailer does not match is not an aggregate at all and is handed back as one plain record.

use md5::{Digest, Md5};
use prost::Message;

/// The four bytes every KPL aggregate starts with.
pub const KPL_MAGIC: [u8; 4] = [0xF3, 0x89, 0x9A, 0xC2];
const MD5_LEN: usize = 16;

/// protobuf `AggregatedRecord` of the KPL (hand-written so no protoc is needed at build time).
#[derive(Clone, PartialEq, Message)]
pub struct AggregatedRecord {
    #[prost(string, repeated, tag = "1")]
    pub partition_key_table: Vec<String>,
    #[prost(string, repeated, tag = "2")]
    pub explicit_hash_key_table: Vec<String>,
    #[prost(message, repeated, tag = "3")]
    pub records: Vec<AggregatedEntry>,
}

/// protobuf `Record` inside an `AggregatedRecord`.
#[derive(Clone, PartialEq, Message)]
pub struct AggregatedEntry {
    #[prost(uint64, required, tag = "1")]
    pub partition_key_index: u64,
    #[prost(uint64, optional, tag = "2")]
    pub explicit_hash_key_index: Option<u64>,
    #[prost(bytes = "vec", required, tag = "3")]
    pub data: Vec<u8>,
    #[prost(message, repeated, tag = "4")]
    pub tags: Vec<Tag>,
}

/// protobuf `Tag` (carried by the format, unused here).
#[derive(Clone, PartialEq, Message)]
pub struct Tag {
    #[prost(string, required, tag = "1")]
    pub key: String,
    #[prost(string, optional, tag = "2")]
    pub value: Option<String>,
}

/// One user record out of an aggregate; `sub_sequence` is its position in the aggregate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubRecord {
    pub sub_sequence: u64,
    pub partition_key: String,
    pub explicit_hash_key: Option<String>,
    pub data: Vec<u8>,
}

/// What a Kinesis record's data turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deaggregated {
    /// Not an aggregate (no magic, too short, or an MD5 mismatch): the data is one record as it is.
    Plain,
    /// A verified aggregate and its user records, in order.
    Aggregate(Vec<SubRecord>),
}

/// An aggregate whose MD5 matched but whose content is unusable.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AggregateError {
    #[error("KPL aggregate protobuf does not decode: {0}")]
    Protobuf(String),
    #[error(
        "KPL aggregate record {index} names partition key {key_index}, the table has {table_len}"
    )]
    PartitionKeyIndex {
        index: usize,
        key_index: u64,
        table_len: usize,
    },
    #[error("KPL aggregate holds no records")]
    Empty,
}

/// Splits `data` into its user records if it is a KPL aggregate with a matching MD5.
pub fn deaggregate(data: &[u8]) -> Result<Deaggregated, AggregateError> {
    if data.len() < KPL_MAGIC.len() + MD5_LEN || !data.starts_with(&KPL_MAGIC) {
        return Ok(Deaggregated::Plain);
    }
    let (body, trailer) = data[KPL_MAGIC.len()..].split_at(data.len() - KPL_MAGIC.len() - MD5_LEN);
    if Md5::digest(body).as_slice() != trailer {
        return Ok(Deaggregated::Plain);
    }
    let aggregate =
        AggregatedRecord::decode(body).map_err(|e| AggregateError::Protobuf(e.to_string()))?;
    if aggregate.records.is_empty() {
        return Err(AggregateError::Empty);
    }
    let table_len = aggregate.partition_key_table.len();
    aggregate
        .records
        .into_iter()
        .enumerate()
        .map(|(index, entry)| {
            let partition_key = usize::try_from(entry.partition_key_index)
                .ok()
                .and_then(|i| aggregate.partition_key_table.get(i))
                .ok_or(AggregateError::PartitionKeyIndex {
                    index,
                    key_index: entry.partition_key_index,
                    table_len,
                })?
                .clone();
            let explicit_hash_key = entry
                .explicit_hash_key_index
                .and_then(|i| usize::try_from(i).ok())
                .and_then(|i| aggregate.explicit_hash_key_table.get(i))
                .cloned();
            Ok(SubRecord {
                sub_sequence: index as u64,
                partition_key,
                explicit_hash_key,
                data: entry.data,
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Deaggregated::Aggregate)
}

/// Builds a KPL aggregate of `(partition_key, data)` user records, as the KPL would (used by tests, sample events
/// and load generators).
pub fn aggregate<'a>(records: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Vec<u8> {
    let mut message = AggregatedRecord::default();
    for (key, data) in records {
        let key_index = match message.partition_key_table.iter().position(|k| k == key) {
            Some(i) => i,
            None => {
                message.partition_key_table.push(key.to_string());
                message.partition_key_table.len() - 1
            }
        };
        message.records.push(AggregatedEntry {
            partition_key_index: key_index as u64,
            explicit_hash_key_index: None,
            data: data.to_vec(),
            tags: Vec::new(),
        });
    }
    let body = message.encode_to_vec();
    let mut out = Vec::with_capacity(KPL_MAGIC.len() + body.len() + MD5_LEN);
    out.extend_from_slice(&KPL_MAGIC);
    out.extend_from_slice(&body);
    out.extend_from_slice(Md5::digest(&body).as_slice());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_three_records_with_a_shared_key() {
        let bytes = aggregate([("k1", &b"one"[..]), ("k2", b"two"), ("k1", b"three")]);
        assert_eq!(&bytes[..4], &KPL_MAGIC);
        let Deaggregated::Aggregate(records) = deaggregate(&bytes).unwrap() else {
            panic!("not recognised as an aggregate");
        };
        let summary: Vec<(u64, &str, &[u8])> = records
            .iter()
            .map(|r| (r.sub_sequence, r.partition_key.as_str(), r.data.as_slice()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (0, "k1", &b"one"[..]),
                (1, "k2", b"two"),
                (2, "k1", b"three")
            ]
        );
    }

    #[test]
    fn matches_the_kpl_wire_format_byte_for_byte() {
        // partition_key_table ["a"], one record {partition_key_index 0, data "x"}
        let body: &[u8] = &[0x0A, 0x01, b'a', 0x1A, 0x05, 0x08, 0x00, 0x1A, 0x01, b'x'];
        let mut expected = KPL_MAGIC.to_vec();
        expected.extend_from_slice(body);
        expected.extend_from_slice(Md5::digest(body).as_slice());
        assert_eq!(aggregate([("a", &b"x"[..])]), expected);
    }

    #[test]
    fn a_wrong_md5_means_a_plain_record() {
        let mut bytes = aggregate([("k", &b"data"[..])]);
        let last = bytes.len() - 1;
        bytes[last] ^= 0xFF;
        assert_eq!(deaggregate(&bytes).unwrap(), Deaggregated::Plain);
    }

    #[test]
    fn data_without_magic_or_too_short_is_plain() {
        assert_eq!(
            deaggregate(br#"{"text":"hi"}"#).unwrap(),
            Deaggregated::Plain
        );
        assert_eq!(deaggregate(&KPL_MAGIC).unwrap(), Deaggregated::Plain);
        assert_eq!(deaggregate(b"").unwrap(), Deaggregated::Plain);
    }

    fn with_trailer(body: &[u8]) -> Vec<u8> {
        let mut bytes = KPL_MAGIC.to_vec();
        bytes.extend_from_slice(body);
        bytes.extend_from_slice(Md5::digest(body).as_slice());
        bytes
    }

    #[test]
    fn a_verified_aggregate_with_broken_content_is_an_error() {
        assert!(matches!(
            deaggregate(&with_trailer(&[0x1A, 0xFF])),
            Err(AggregateError::Protobuf(_))
        ));
        assert_eq!(deaggregate(&with_trailer(&[])), Err(AggregateError::Empty));
        // one record pointing at partition key 3 of an empty table
        assert_eq!(
            deaggregate(&with_trailer(&[0x1A, 0x05, 0x08, 0x03, 0x1A, 0x01, b'x'])),
            Err(AggregateError::PartitionKeyIndex {
                index: 0,
                key_index: 3,
                table_len: 0
            })
        );
    }
}
