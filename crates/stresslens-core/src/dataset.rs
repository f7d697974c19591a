//! CONTRACT STUB for the labelled CSV data set (to be implemented; keep the public signatures, add freely).
//! Columns are read by name; quoted fields, CRLF and a BOM are accepted.

use crate::record::Post;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct DatasetError {
    pub path: String,
    pub message: String,
}

/// A labelled data set held in memory.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    /// Where it was read from (for messages).
    pub source: String,
    /// sha256 of the file's bytes.
    pub sha256: String,
    pub texts: Vec<String>,
    /// 0 or 1.
    pub labels: Vec<u8>,
    /// Rows of one post share an id; cross-validation keeps them in one fold.
    pub post_ids: Vec<String>,
    /// Names of the numeric candidate columns (feature-selection candidates), in file order.
    pub numeric_names: Vec<String>,
    /// Column-major numeric values: `numeric[column][row]`.
    pub numeric: Vec<Vec<f64>>,
}

impl Dataset {
    pub fn from_csv_path(path: &Path) -> Result<Dataset, DatasetError> {
        Err(DatasetError {
            path: path.display().to_string(),
            message: "not implemented yet".into(),
        })
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Row `row` as a post carrying the given numeric fields (in that order); `None` if a field is unknown.
    pub fn post(&self, row: usize, numeric_fields: &[String]) -> Option<Post> {
        let numeric = numeric_fields
            .iter()
            .map(|name| {
                let col = self.numeric_names.iter().position(|n| n == name)?;
                self.numeric.get(col)?.get(row).copied()
            })
            .collect::<Option<Vec<f64>>>()?;
        Some(Post {
            id: None,
            text: self.texts.get(row)?.clone(),
            numeric,
        })
    }
}
