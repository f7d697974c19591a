//! Numeric features: choosing the columns (by name or by mutual information with the label) and standardising
//! them with means and standard deviations fitted once, on the training rows.

use crate::dataset::Dataset;
use crate::mi::{MiEstimator, MiOptions};
use serde::{Deserialize, Serialize};

/// Every candidate column of `data` with its mutual information with the label on `rows`, highest first (ties in
/// file order). Rows out of range are skipped.
pub fn rank_by_mutual_information(
    data: &Dataset,
    rows: &[usize],
    options: MiOptions,
) -> Vec<(String, f64)> {
    let rows: Vec<usize> = rows
        .iter()
        .copied()
        .filter(|&row| row < data.len())
        .collect();
    let labels: Vec<u8> = rows.iter().map(|&row| data.labels[row]).collect();
    let estimator = MiEstimator::new(&labels, options);
    let mut values = Vec::with_capacity(rows.len());
    let mut ranked: Vec<(String, f64)> = data
        .numeric_names
        .iter()
        .zip(&data.numeric)
        .map(|(name, column)| {
            values.clear();
            values.extend(
                rows.iter()
                    .map(|&row| column.get(row).copied().unwrap_or(0.0)),
            );
            (name.clone(), estimator.estimate(&values))
        })
        .collect();
    // A stable sort keeps file order among equal scores.
    ranked.sort_by(|(_, a), (_, b)| b.total_cmp(a));
    ranked
}

/// `(x − mean) / std` per column; a column with no spread gets std 1 (it then maps every value to x − mean).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standardiser {
    means: Vec<f64>,
    stds: Vec<f64>,
}

impl Standardiser {
    /// Population mean and standard deviation (as scikit-learn's `StandardScaler`) of each column over `rows`
    /// (rows a column does not have are skipped).
    pub fn fit(columns: &[&[f64]], rows: &[usize]) -> Standardiser {
        let (means, stds) = columns
            .iter()
            .map(|column| {
                let values: Vec<f64> = rows
                    .iter()
                    .filter_map(|&row| column.get(row).copied())
                    .collect();
                let n = values.len().max(1) as f64;
                let mean = values.iter().sum::<f64>() / n;
                let variance = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
                let std = variance.sqrt();
                (
                    mean,
                    if std > 0.0 && std.is_finite() {
                        std
                    } else {
                        1.0
                    },
                )
            })
            .unzip();
        Standardiser { means, stds }
    }

    /// Rebuilds stored parameters, checking them.
    pub fn from_parts(means: Vec<f64>, stds: Vec<f64>) -> Result<Standardiser, String> {
        if means.len() != stds.len() {
            return Err(format!(
                "scaler has {} means but {} standard deviations",
                means.len(),
                stds.len()
            ));
        }
        if let Some(mean) = means.iter().find(|m| !m.is_finite()) {
            return Err(format!("scaler mean {mean} is not finite"));
        }
        if let Some(std) = stds.iter().find(|s| !(s.is_finite() && **s > 0.0)) {
            return Err(format!(
                "scaler standard deviation {std} is not a positive number"
            ));
        }
        Ok(Standardiser { means, stds })
    }

    pub fn means(&self) -> &[f64] {
        &self.means
    }

    pub fn stds(&self) -> &[f64] {
        &self.stds
    }

    pub fn len(&self) -> usize {
        self.means.len()
    }

    pub fn is_empty(&self) -> bool {
        self.means.is_empty()
    }

    /// Standardised value of `value` in column `column` (`value` unchanged for a column the scaler does not have).
    pub fn apply(&self, column: usize, value: f64) -> f64 {
        match (self.means.get(column), self.stds.get(column)) {
            (Some(mean), Some(std)) => (value - mean) / std,
            _ => value,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fits_population_statistics_on_the_given_rows() {
        let a = [1.0, 2.0, 3.0, 100.0];
        let b = [5.0, 5.0, 5.0, 7.0];
        let scaler = Standardiser::fit(&[&a, &b], &[0, 1, 2]);
        assert_eq!(scaler.means(), &[2.0, 5.0]);
        assert_eq!(scaler.stds(), &[(2.0f64 / 3.0).sqrt(), 1.0]);
        assert_eq!(scaler.apply(1, 7.0), 2.0);
        assert_eq!(scaler.apply(0, 2.0), 0.0);
    }

    #[test]
    fn stored_parameters_are_checked() {
        assert!(Standardiser::from_parts(vec![0.0], vec![1.0]).is_ok());
        assert_eq!(
            Standardiser::from_parts(vec![0.0], vec![0.0]).unwrap_err(),
            "scaler standard deviation 0 is not a positive number"
        );
        assert_eq!(
            Standardiser::from_parts(vec![f64::NAN], vec![1.0]).unwrap_err(),
            "scaler mean NaN is not finite"
        );
        assert_eq!(
            Standardiser::from_parts(vec![0.0, 1.0], vec![1.0]).unwrap_err(),
            "scaler has 2 means but 1 standard deviations"
        );
    }
}
