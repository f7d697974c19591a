//! The labelled CSV data set, read into memory.
//!
//! Columns are found by NAME (files differ in column order); RFC 4180 quoting, CRLF or LF line ends and a UTF-8 BOM
//! are accepted. Required: `text` and `label` (0 or 1). `post_id` groups rows of one post for cross-validation
//! (without it every row is its own group).
//!
//! Numeric candidate columns (what feature selection may choose from): every column whose every value parses as a
//! finite number, except the columns that describe a row rather than its content: [`NON_FEATURE_COLUMNS`]
//! (identifiers, the label, the annotators' confidence — known only after labelling — and the posting time).
//! On the Dreaddit train file that leaves 108 of 116 columns. A column with a value that is not a number is not a
//! candidate; asking for it by name ([`Dataset::require_numeric`]) reports the first bad value's line and column.

use crate::record::Post;
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::path::Path;

/// Columns never used as numeric features, even when all their values are numbers.
pub const NON_FEATURE_COLUMNS: [&str; 8] = [
    "id",
    "post_id",
    "label",
    "confidence",
    "social_timestamp",
    "sentence_range",
    "subreddit",
    "text",
];

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct DatasetError {
    pub path: String,
    pub message: String,
}

/// A column left out of the numeric candidates because of a value that is not a finite number.
#[derive(Debug, Clone, PartialEq)]
pub struct NonNumericColumn {
    pub name: String,
    /// Line of the file (the header is line 1) holding the first such value.
    pub line: u64,
    pub value: String,
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
    /// Feature columns that are not candidates because a value is not a number (for error messages).
    pub non_numeric_columns: Vec<NonNumericColumn>,
}

/// Where each needed column is in the file, and the state of each possible numeric column while reading.
struct Layout {
    text: usize,
    label: usize,
    post_id: Option<usize>,
    numeric: Vec<NumericColumn>,
}

struct NumericColumn {
    position: usize,
    name: String,
    values: Vec<f64>,
    first_bad: Option<(u64, String)>,
}

impl Dataset {
    pub fn from_csv_path(path: &Path) -> Result<Dataset, DatasetError> {
        let source = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|e| DatasetError {
            path: source.clone(),
            message: format!("cannot read: {e}"),
        })?;
        Dataset::from_csv_bytes(&bytes, &source)
    }

    /// Parses CSV bytes; `source` names them in errors.
    pub fn from_csv_bytes(bytes: &[u8], source: &str) -> Result<Dataset, DatasetError> {
        let fail = |message: String| DatasetError {
            path: source.to_string(),
            message,
        };
        let sha256 = hex::encode(Sha256::digest(bytes));
        let body = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
        if body.iter().all(u8::is_ascii_whitespace) {
            return Err(fail("file is empty".into()));
        }
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(true)
            .flexible(false)
            .from_reader(body);
        let header: Vec<String> = reader
            .headers()
            .map_err(|e| fail(csv_error_message(&e, body)))?
            .iter()
            .map(|name| name.trim().to_string())
            .collect();
        let mut layout = Layout::of(&header).map_err(fail)?;

        let mut texts = Vec::new();
        let mut labels = Vec::new();
        let mut post_ids = Vec::new();
        let mut record = csv::StringRecord::new();
        let mut lines = LineCounter::new(body);
        loop {
            match reader.read_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(fail(csv_error_message(&e, body))),
            }
            let line = lines.line_at(record.position().map_or(0, csv::Position::byte));
            let field = |index: usize| record.get(index).unwrap_or("");
            labels.push(
                parse_label(field(layout.label)).map_err(|m| fail(format!("line {line}: {m}")))?,
            );
            texts.push(field(layout.text).to_string());
            post_ids.push(match layout.post_id {
                Some(index) => field(index).trim().to_string(),
                None => format!("row {line}"),
            });
            for column in &mut layout.numeric {
                if column.first_bad.is_some() {
                    continue;
                }
                let raw = field(column.position);
                match raw.trim().parse::<f64>() {
                    Ok(value) if value.is_finite() => column.values.push(value),
                    _ => column.first_bad = Some((line, raw.to_string())),
                }
            }
        }
        if labels.is_empty() {
            return Err(fail("no data rows after the header".into()));
        }

        let mut numeric_names = Vec::new();
        let mut numeric = Vec::new();
        let mut non_numeric_columns = Vec::new();
        for column in layout.numeric {
            match column.first_bad {
                None => {
                    numeric_names.push(column.name);
                    numeric.push(column.values);
                }
                Some((line, value)) => non_numeric_columns.push(NonNumericColumn {
                    name: column.name,
                    line,
                    value,
                }),
            }
        }
        Ok(Dataset {
            source: source.to_string(),
            sha256,
            texts,
            labels,
            post_ids,
            numeric_names,
            numeric,
            non_numeric_columns,
        })
    }

    pub fn len(&self) -> usize {
        self.labels.len()
    }

    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Positions in `numeric_names` of the named columns, in the order asked; an error names the file and, for a
    /// column with a bad value, its line and the value.
    pub fn require_numeric(&self, names: &[String]) -> Result<Vec<usize>, DatasetError> {
        names.iter().map(|name| self.numeric_column(name)).collect()
    }

    fn numeric_column(&self, name: &str) -> Result<usize, DatasetError> {
        if let Some(position) = self.numeric_names.iter().position(|n| n == name) {
            return Ok(position);
        }
        let message = if let Some(bad) = self.non_numeric_columns.iter().find(|c| c.name == name) {
            format!(
                "line {}, column `{}`: `{}` is not a number",
                bad.line, bad.name, bad.value
            )
        } else if NON_FEATURE_COLUMNS.contains(&name) {
            format!("column `{name}` is not a feature column")
        } else {
            format!("missing column `{name}`")
        };
        Err(DatasetError {
            path: self.source.clone(),
            message,
        })
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

impl Layout {
    fn of(header: &[String]) -> Result<Layout, String> {
        let mut seen = HashSet::new();
        if let Some(duplicate) = header.iter().find(|name| !seen.insert(name.as_str())) {
            return Err(format!("column `{duplicate}` appears more than once"));
        }
        let position = |name: &str| header.iter().position(|h| h == name);
        let required =
            |name: &str| position(name).ok_or_else(|| format!("missing column `{name}`"));
        Ok(Layout {
            text: required("text")?,
            label: required("label")?,
            post_id: position("post_id"),
            numeric: header
                .iter()
                .enumerate()
                .filter(|(_, name)| !NON_FEATURE_COLUMNS.contains(&name.as_str()))
                .map(|(position, name)| NumericColumn {
                    position,
                    name: name.clone(),
                    values: Vec::new(),
                    first_bad: None,
                })
                .collect(),
        })
    }
}

fn parse_label(raw: &str) -> Result<u8, String> {
    match raw.trim() {
        "0" => Ok(0),
        "1" => Ok(1),
        other => Err(format!("label `{other}` is not 0 or 1")),
    }
}

/// Line numbers from byte offsets. csv's own line count lags by one after a CRLF (it counts the `\n` when it reads
/// the next record), so lines are counted here: 1 + the `\n`s before the record's first byte.
struct LineCounter<'a> {
    body: &'a [u8],
    offset: usize,
    newlines: u64,
}

impl<'a> LineCounter<'a> {
    fn new(body: &'a [u8]) -> Self {
        Self {
            body,
            offset: 0,
            newlines: 0,
        }
    }

    /// Line of the record starting at byte `position` (line-end bytes at that position are skipped); positions must
    /// not decrease between calls.
    fn line_at(&mut self, position: u64) -> u64 {
        let mut start = usize::try_from(position)
            .unwrap_or(usize::MAX)
            .min(self.body.len());
        while matches!(self.body.get(start), Some(b'\r' | b'\n')) {
            start += 1;
        }
        if start >= self.offset {
            self.newlines += self.body[self.offset..start]
                .iter()
                .filter(|&&b| b == b'\n')
                .count() as u64;
            self.offset = start;
        }
        self.newlines + 1
    }
}

fn csv_error_message(error: &csv::Error, body: &[u8]) -> String {
    let line_of = |pos: &Option<csv::Position>| {
        LineCounter::new(body).line_at(pos.as_ref().map_or(0, csv::Position::byte))
    };
    match error.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => format!(
            "line {}: expected {expected_len} fields (as in the header), found {len}",
            line_of(pos)
        ),
        csv::ErrorKind::Utf8 { pos, err } => format!(
            "line {}: field {} is not valid UTF-8",
            line_of(pos),
            err.field() + 1
        ),
        _ => format!("cannot parse CSV: {error}"),
    }
}
