//! AWS adapters (S3 model store, Kinesis and SQS writers, KPL de-aggregation) behind traits.
