"""KPL record aggregation, hand-encoded: magic F3 89 9A C2, a protobuf AggregatedRecord, then the MD5 of it.

    message AggregatedRecord { repeated string partition_key_table = 1; repeated string explicit_hash_key_table = 2;
                               repeated Record records = 3; }
    message Record { required uint64 partition_key_index = 1; optional uint64 explicit_hash_key_index = 2;
                     required bytes data = 3; }
"""

from __future__ import annotations

import hashlib

MAGIC = bytes([0xF3, 0x89, 0x9A, 0xC2])


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, wire_type: int) -> bytes:
    return _varint(number << 3 | wire_type)


def _length_delimited(number: int, payload: bytes) -> bytes:
    return _field(number, 2) + _varint(len(payload)) + payload


def aggregate(records: list[tuple[str, bytes]]) -> bytes:
    """One aggregated Kinesis record holding (partition key, data) sub-records, partition keys de-duplicated."""
    keys: list[str] = []
    body = bytearray()
    for key, _ in records:
        if key not in keys:
            keys.append(key)
    for key in keys:
        body += _length_delimited(1, key.encode())
    for key, data in records:
        record = _field(1, 0) + _varint(keys.index(key)) + _length_delimited(3, data)
        body += _length_delimited(3, record)
    return MAGIC + bytes(body) + hashlib.md5(bytes(body)).digest()


def aggregate_with_bad_key_index(data: bytes) -> bytes:
    """A well-formed aggregate (MD5 matches) whose only record names a partition key the table does not have."""
    record = _field(1, 0) + _varint(5) + _length_delimited(3, data)
    body = _length_delimited(1, b"only-key") + _length_delimited(3, record)
    return MAGIC + body + hashlib.md5(body).digest()
