//! Argument types shared by the commands: how values are written on the command line and shown in `--help`.

use anyhow::{Context, Result};
use std::fmt;
use std::path::Path;
use stresslens_core::dataset::Dataset;
use stresslens_core::features::{NumericSelection, Weighting};

/// Where `--data` points unless given: `$STRESSLENS_DATA`, else the shared Dreaddit train file.
pub const DEFAULT_DATA: &str = "../shared/data/dreaddit/dreaddit-train.csv";

/// `--numeric auto:K | none | COL,COL`.
#[derive(Debug, Clone, PartialEq)]
pub struct NumericArg(pub NumericSelection);

impl std::str::FromStr for NumericArg {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if s == "none" {
            return Ok(NumericArg(NumericSelection::None));
        }
        if let Some(k) = s.strip_prefix("auto:") {
            let k = k
                .parse::<usize>()
                .map_err(|_| format!("`{s}`: K in auto:K must be a whole number"))?;
            return Ok(NumericArg(if k == 0 {
                NumericSelection::None
            } else {
                NumericSelection::Auto(k)
            }));
        }
        let columns: Vec<String> = s.split(',').map(|c| c.trim().to_string()).collect();
        if columns.iter().any(|c| c.is_empty()) {
            return Err(format!(
                "`{s}`: expected auto:K, none, or column names separated by commas"
            ));
        }
        Ok(NumericArg(NumericSelection::Columns(columns)))
    }
}

impl fmt::Display for NumericArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.0 {
            NumericSelection::Auto(k) => write!(f, "auto:{k}"),
            NumericSelection::None => f.write_str("none"),
            NumericSelection::Columns(columns) => f.write_str(&columns.join(",")),
        }
    }
}

/// `--weighting count|binary|tfidf`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum WeightingArg {
    Count,
    Binary,
    Tfidf,
}

impl WeightingArg {
    pub fn from_core(weighting: Weighting) -> Self {
        match weighting {
            Weighting::Count => WeightingArg::Count,
            Weighting::Binary => WeightingArg::Binary,
            Weighting::TfIdf => WeightingArg::Tfidf,
        }
    }

    pub fn to_core(self) -> Weighting {
        match self {
            WeightingArg::Count => Weighting::Count,
            WeightingArg::Binary => Weighting::Binary,
            WeightingArg::Tfidf => Weighting::TfIdf,
        }
    }
}

impl fmt::Display for WeightingArg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            WeightingArg::Count => "count",
            WeightingArg::Binary => "binary",
            WeightingArg::Tfidf => "tfidf",
        })
    }
}

/// A positive number or a word meaning "no limit" / "automatic" (`none` for depth, `sqrt` for mtry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OptionalCount<const AUTO: char>(pub Option<usize>);

/// `--max-depth N|none`.
pub type DepthArg = OptionalCount<'n'>;
/// `--mtry N|sqrt`.
pub type MtryArg = OptionalCount<'s'>;

impl<const AUTO: char> OptionalCount<AUTO> {
    fn word() -> &'static str {
        if AUTO == 'n' {
            "none"
        } else {
            "sqrt"
        }
    }
}

impl<const AUTO: char> std::str::FromStr for OptionalCount<AUTO> {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        if s == Self::word() {
            return Ok(OptionalCount(None));
        }
        match s.parse::<usize>() {
            Ok(n) if n > 0 => Ok(OptionalCount(Some(n))),
            _ => Err(format!(
                "`{s}`: expected a positive whole number or `{}`",
                Self::word()
            )),
        }
    }
}

impl<const AUTO: char> fmt::Display for OptionalCount<AUTO> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(n) => write!(f, "{n}"),
            None => f.write_str(Self::word()),
        }
    }
}

/// `--threshold`: a probability.
pub fn parse_probability(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(p) if (0.0..=1.0).contains(&p) => Ok(p),
        _ => Err(format!("`{s}`: expected a probability between 0 and 1")),
    }
}

/// `--ngrams 1|2`.
pub fn parse_ngrams(s: &str) -> Result<u8, String> {
    match s {
        "1" => Ok(1),
        "2" => Ok(2),
        _ => Err(format!(
            "`{s}`: expected 1 (words) or 2 (words and word pairs)"
        )),
    }
}

/// Reads a labelled CSV file with context for the error line.
pub fn load_dataset(path: &Path) -> Result<Dataset> {
    let data = Dataset::from_csv_path(path).context("cannot load the data set")?;
    if data.is_empty() {
        anyhow::bail!("{}: the file has no data rows", path.display());
    }
    Ok(data)
}

/// The data file's name as recorded in an artifact (no directories: they differ between machines).
pub fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string())
}

/// `created_at` for an artifact: `$SOURCE_DATE_EPOCH` (reproducible-builds convention) as RFC 3339, or none.
pub fn created_at_from_env() -> Result<Option<String>> {
    let Ok(value) = std::env::var("SOURCE_DATE_EPOCH") else {
        return Ok(None);
    };
    let seconds: i64 = value
        .trim()
        .parse()
        .with_context(|| format!("SOURCE_DATE_EPOCH `{value}` is not a whole number of seconds"))?;
    let at = chrono::DateTime::from_timestamp(seconds, 0)
        .with_context(|| format!("SOURCE_DATE_EPOCH `{value}` is out of range"))?;
    Ok(Some(at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
}

/// Writes a file atomically enough for a model: to a temporary sibling, then renamed.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create directory {}", dir.display()))?;
    }
    let tmp = path.with_extension("tmp-write");
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numeric_selection_forms() {
        assert_eq!(
            "auto:7".parse::<NumericArg>().unwrap().0,
            NumericSelection::Auto(7)
        );
        assert_eq!(
            "none".parse::<NumericArg>().unwrap().0,
            NumericSelection::None
        );
        assert_eq!(
            "a, b".parse::<NumericArg>().unwrap().0,
            NumericSelection::Columns(vec!["a".into(), "b".into()])
        );
        assert!("a,,b".parse::<NumericArg>().is_err());
        assert!("auto:x".parse::<NumericArg>().is_err());
        assert_eq!(NumericArg(NumericSelection::Auto(5)).to_string(), "auto:5");
    }

    #[test]
    fn optional_counts() {
        assert_eq!("none".parse::<DepthArg>().unwrap(), OptionalCount(None));
        assert_eq!("12".parse::<DepthArg>().unwrap(), OptionalCount(Some(12)));
        assert!("0".parse::<DepthArg>().is_err());
        assert!("none".parse::<MtryArg>().is_err());
        assert_eq!("sqrt".parse::<MtryArg>().unwrap().to_string(), "sqrt");
        assert_eq!(OptionalCount::<'n'>(None).to_string(), "none");
    }
}
