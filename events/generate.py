#!/usr/bin/env python3
"""Writes the sample Kinesis events in this directory (deterministic), or a large synthetic one.

    events/generate.py                      # rewrites clean.json, bad-records.json, kpl-aggregated.json, empty.json
    events/generate.py --records 10000 --out /tmp/big.json   # N clean records, for memory and load runs

All posts are written for this project; none come from a data set. Standard library only.
"""
import argparse
import base64
import hashlib
import json
import os

STREAM = "arn:aws:kinesis:eu-west-1:123456789012:stream/stresslens-posts"
SHARD = "shardId-000000000000"
# Kinesis sequence numbers are decimal strings of up to 128 digits; these are 48 digits, increasing with n.
SEQ_PREFIX = "49650000000000000000000000000000000000000"
ARRIVAL = 1_796_292_000.125
KPL_MAGIC = bytes([0xF3, 0x89, 0x9A, 0xC2])

POSTS = [
    ("I have three deadlines tomorrow and I keep staring at the screen instead of working.", -61.2, 9.1, 4.3, 22.0, -0.42),
    ("Went hiking with my sister this weekend, the view from the ridge was worth every step.", 91.4, 3.2, 0.0, 55.1, 0.61),
    ("My landlord says the rent goes up again next month and I do not know how I will cover it.", -40.8, 8.4, 3.1, 18.7, -0.35),
    ("Finally fixed the leaking tap myself. Small win but I am weirdly proud of it.", 88.0, 6.0, 0.0, 40.2, 0.48),
    ("Can't sleep. Every time I close my eyes I replay the argument we had at dinner.", -72.5, 10.3, 5.6, 12.4, -0.58),
    ("Our team shipped the release today and nobody had to stay late for once.", 79.9, 1.5, 0.8, 70.3, 0.33),
    ("I was told my position might be cut and they will let us know 'soon'. Soon when?", -55.0, 7.7, 4.9, 25.6, -0.47),
    ("Baked bread for the first time, it came out flat but it tasted great.", 84.2, 4.4, 0.9, 38.8, 0.52),
    ("My chest gets tight whenever my phone buzzes with a work message after 9pm.", -66.3, 9.8, 6.2, 20.1, -0.51),
    ("Spent the afternoon reading in the park, nothing to report and that is lovely.", 93.7, 2.1, 0.0, 45.0, 0.7),
]


def post(i, **override):
    text, tone, i_rate, negemo, clout, sentiment = POSTS[i % len(POSTS)]
    body = {
        "id": f"post-{i:05d}",
        "text": text,
        "lex_liwc_Tone": tone,
        "lex_liwc_i": i_rate,
        "lex_liwc_negemo": negemo,
        "lex_liwc_Clout": clout,
        "sentiment": sentiment,
    }
    body.update(override)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))


def b64(data):
    return base64.b64encode(data if isinstance(data, bytes) else data.encode()).decode()


def record(n, data, partition_key=None, **kinesis_override):
    seq = f"{SEQ_PREFIX}{n:07d}"
    kinesis = {
        "kinesisSchemaVersion": "1.0",
        "partitionKey": partition_key or f"user-{n % 7}",
        "sequenceNumber": seq,
        "data": data,
        "approximateArrivalTimestamp": round(ARRIVAL + n * 0.01, 3),
    }
    kinesis.update(kinesis_override)
    return {
        "kinesis": kinesis,
        "eventSource": "aws:kinesis",
        "eventVersion": "1.0",
        "eventID": f"{SHARD}:{seq}",
        "eventName": "aws:kinesis:record",
        "invokeIdentityArn": "arn:aws:iam::123456789012:role/stresslens-lambda",
        "awsRegion": "eu-west-1",
        "eventSourceARN": STREAM,
    }


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def field(tag, wire, payload):
    key = varint(tag << 3 | wire)
    if wire == 2:
        return key + varint(len(payload)) + payload
    return key + payload


def kpl_aggregate(user_records, corrupt_md5=False):
    """user_records: [(partition_key, bytes)] -> magic + AggregatedRecord + md5, as the KPL writes it."""
    keys = []
    body = b""
    entries = b""
    for key, data in user_records:
        if key not in keys:
            keys.append(key)
        entry = field(1, 0, varint(keys.index(key))) + field(3, 2, data)
        entries += field(3, 2, entry)
    for key in keys:
        body += field(1, 2, key.encode())
    body += entries
    digest = bytearray(hashlib.md5(body).digest())
    if corrupt_md5:
        digest[-1] ^= 0x01
    return KPL_MAGIC + body + bytes(digest)


def event(records):
    return {"Records": records}


def clean():
    # valid in every field, but in the shapes real producers and emulators send: timestamps with 0-6 decimals,
    # integers and millisecond epochs; encryptionType absent, NONE, none, KMS
    shapes = [
        {"approximateArrivalTimestamp": 1796292000.4},
        {"approximateArrivalTimestamp": 1796292000.47, "encryptionType": "NONE"},
        {"approximateArrivalTimestamp": 1796292000.477, "encryptionType": "none"},
        {"approximateArrivalTimestamp": 1796292000.582194, "encryptionType": "KMS"},
        {"approximateArrivalTimestamp": 1796292001},
        {"approximateArrivalTimestamp": 1796292001582},
    ]
    return event([record(i, b64(post(i)), **shape) for i, shape in enumerate(shapes)])


def bad_records():
    lone = post(0).replace("three deadlines", "three \\udc00 deadlines")
    records = [
        record(0, b64(post(0))),
        record(1, post(1)),  # raw JSON where base64 belongs: invalid_base64
        record(2, b64(b64(post(2)))),  # base64 twice: invalid_json
        record(3, b64(post(3)), sequenceNumber=None),  # cannot be identified: missing_field, never reported
        record(4, b64("}{")),  # invalid_json
        record(5, ""),  # empty data: invalid_json
        record(6, b64(b"\xff\xfe\xfd not text")),  # not_utf8
        record(7, b64(json.dumps({"id": "no-text", "sentiment": 0.1}))),  # missing_field
        record(8, b64(post(8, text=42))),  # invalid_field
        record(9, b64(json.dumps({"text": "no numbers at all"}))),  # missing_field (numeric)
        record(10, b64(post(0, sentiment="NaN"))),  # invalid_field
        record(11, b64(post(1, text="   "))),  # empty_text
        record(12, b64(lone)),  # lone surrogate: invalid_json
        record(13, b64(kpl_aggregate([("k", post(4).encode())], corrupt_md5=True))),  # plain record: not_utf8
        record(14, b64(post(5, text="😩 exams " * 9000))),  # text_too_long (over 64 KiB)
        record(15, b64(post(9))),
    ]
    return event(records)


def kpl():
    aggregate = kpl_aggregate([("user-1", post(0).encode()), ("user-2", post(1).encode()), ("user-1", post(2).encode())])
    return event([record(0, b64(aggregate)), record(1, b64(post(3)))])


def big(n):
    return event([record(i, b64(post(i, id=f"load-{i:06d}"))) for i in range(n)])


def write(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, indent=1, ensure_ascii=False)
        f.write("\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, help="write one clean event of N records to --out")
    parser.add_argument("--out", help="output file for --records")
    args = parser.parse_args()
    if args.records is not None:
        if not args.out:
            parser.error("--records needs --out")
        with open(args.out, "w", encoding="utf-8") as f:
            json.dump(big(args.records), f, separators=(",", ":"))
        return
    here = os.path.dirname(os.path.abspath(__file__))
    write(os.path.join(here, "clean.json"), clean())
    write(os.path.join(here, "bad-records.json"), bad_records())
    write(os.path.join(here, "kpl-aggregated.json"), kpl())
    write(os.path.join(here, "empty.json"), event([]))


if __name__ == "__main__":
    main()
