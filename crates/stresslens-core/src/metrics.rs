//! Binary classification metrics for the stress class (label 1).

use serde::{Deserialize, Serialize};

/// Counts of a binary confusion matrix; "positive" is stress.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ConfusionMatrix {
    pub true_positive: usize,
    pub false_positive: usize,
    pub true_negative: usize,
    pub false_negative: usize,
}

impl ConfusionMatrix {
    /// Counts predictions (`probability >= threshold` means stress) against labels (1 = stress).
    pub fn from_probabilities(labels: &[u8], probabilities: &[f64], threshold: f64) -> Self {
        let mut matrix = ConfusionMatrix::default();
        for (&label, &p) in labels.iter().zip(probabilities) {
            match (label == 1, p >= threshold) {
                (true, true) => matrix.true_positive += 1,
                (false, true) => matrix.false_positive += 1,
                (false, false) => matrix.true_negative += 1,
                (true, false) => matrix.false_negative += 1,
            }
        }
        matrix
    }

    pub fn total(&self) -> usize {
        self.true_positive + self.false_positive + self.true_negative + self.false_negative
    }

    pub fn accuracy(&self) -> f64 {
        ratio(self.true_positive + self.true_negative, self.total())
    }

    /// 0 when nothing is predicted as stress.
    pub fn precision(&self) -> f64 {
        ratio(self.true_positive, self.true_positive + self.false_positive)
    }

    /// 0 when there is no stress label.
    pub fn recall(&self) -> f64 {
        ratio(self.true_positive, self.true_positive + self.false_negative)
    }

    /// Harmonic mean of precision and recall; 0 when both are 0.
    pub fn f1(&self) -> f64 {
        ratio(
            2 * self.true_positive,
            2 * self.true_positive + self.false_positive + self.false_negative,
        )
    }
}

fn ratio(numerator: usize, denominator: usize) -> f64 {
    if denominator == 0 {
        0.0
    } else {
        numerator as f64 / denominator as f64
    }
}

/// Area under the ROC curve from ranks (Mann-Whitney U), ties counted as half. `None` when only one class is
/// present (the area is undefined).
pub fn roc_auc(labels: &[u8], scores: &[f64]) -> Option<f64> {
    let n = labels.len().min(scores.len());
    let positives = labels[..n].iter().filter(|&&l| l == 1).count();
    let negatives = n - positives;
    if positives == 0 || negatives == 0 {
        return None;
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    // Sum of the (1-based, tie-averaged) ranks of the positives.
    let mut positive_rank_sum = 0.0;
    let mut start = 0;
    while start < n {
        let mut end = start + 1;
        while end < n && scores[order[end]] == scores[order[start]] {
            end += 1;
        }
        let average_rank = (start + 1 + end) as f64 / 2.0;
        let tied_positives = order[start..end]
            .iter()
            .filter(|&&i| labels[i] == 1)
            .count();
        positive_rank_sum += average_rank * tied_positives as f64;
        start = end;
    }
    let u = positive_rank_sum - (positives * (positives + 1)) as f64 / 2.0;
    Some(u / (positives * negatives) as f64)
}

/// Everything `stresslens evaluate` reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub accuracy: f64,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    /// `null` when the labels hold one class only.
    pub roc_auc: Option<f64>,
    pub n: usize,
    pub threshold: f64,
    pub confusion_matrix: ConfusionMatrix,
}

impl Evaluation {
    pub fn new(labels: &[u8], probabilities: &[f64], threshold: f64) -> Self {
        let confusion_matrix =
            ConfusionMatrix::from_probabilities(labels, probabilities, threshold);
        Evaluation {
            accuracy: confusion_matrix.accuracy(),
            precision: confusion_matrix.precision(),
            recall: confusion_matrix.recall(),
            f1: confusion_matrix.f1(),
            roc_auc: roc_auc(labels, probabilities),
            n: confusion_matrix.total(),
            threshold,
            confusion_matrix,
        }
    }
}

/// The threshold among `candidates` with the highest F1 (the lowest such threshold on ties), and that F1.
/// `None` when there are no candidates.
pub fn best_threshold(
    labels: &[u8],
    probabilities: &[f64],
    candidates: &[f64],
) -> Option<(f64, f64)> {
    let mut best: Option<(f64, f64)> = None;
    for &threshold in candidates {
        let f1 = ConfusionMatrix::from_probabilities(labels, probabilities, threshold).f1();
        if best.is_none_or(|(_, best_f1)| f1 > best_f1) {
            best = Some((threshold, f1));
        }
    }
    best
}

/// Mean and (population) standard deviation; `(0, 0)` for no values.
pub fn mean_std(values: &[f64]) -> (f64, f64) {
    if values.is_empty() {
        return (0.0, 0.0);
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    let variance = values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / values.len() as f64;
    (mean, variance.sqrt())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn confusion_matrix_and_scores_have_exact_values() {
        let labels = [1, 1, 1, 0, 0, 1, 0, 0];
        let probabilities = [0.9, 0.6, 0.4, 0.7, 0.1, 0.5, 0.2, 0.5];
        let evaluation = Evaluation::new(&labels, &probabilities, 0.5);
        assert_eq!(
            evaluation.confusion_matrix,
            ConfusionMatrix {
                true_positive: 3,
                false_positive: 2,
                true_negative: 2,
                false_negative: 1
            }
        );
        assert_eq!(evaluation.n, 8);
        assert_eq!(evaluation.accuracy, 5.0 / 8.0);
        assert_eq!(evaluation.precision, 3.0 / 5.0);
        assert_eq!(evaluation.recall, 3.0 / 4.0);
        assert_eq!(evaluation.f1, 6.0 / 9.0);
        // positives 0.9, 0.6, 0.4, 0.5 vs negatives 0.7, 0.1, 0.2, 0.5:
        // pairs won 4 + 3 + 2 + 2.5 (tie with 0.5 counts half) = 11.5 of 16
        assert_eq!(evaluation.roc_auc, Some(11.5 / 16.0));
    }

    #[test]
    fn auc_edge_cases() {
        assert_eq!(roc_auc(&[1, 1, 0, 0], &[0.8, 0.9, 0.1, 0.2]), Some(1.0));
        assert_eq!(roc_auc(&[0, 0, 1, 1], &[0.8, 0.9, 0.1, 0.2]), Some(0.0));
        assert_eq!(roc_auc(&[0, 1, 0, 1], &[0.5, 0.5, 0.5, 0.5]), Some(0.5));
        assert_eq!(roc_auc(&[1, 1], &[0.5, 0.1]), None);
        assert_eq!(roc_auc(&[], &[]), None);
    }

    #[test]
    fn degenerate_predictions_give_zero_not_nan() {
        let evaluation = Evaluation::new(&[0, 0, 1], &[0.1, 0.2, 0.3], 0.9);
        assert_eq!(evaluation.precision, 0.0);
        assert_eq!(evaluation.recall, 0.0);
        assert_eq!(evaluation.f1, 0.0);
        assert_eq!(evaluation.accuracy, 2.0 / 3.0);
    }

    #[test]
    fn best_threshold_picks_the_highest_f1_and_the_lowest_on_ties() {
        let labels = [1, 1, 0, 0];
        let probabilities = [0.8, 0.6, 0.5, 0.2];
        // 0.3: tp2 fp1 -> 0.8; 0.55: tp2 fp0 -> 1.0; 0.6: same 1.0; 0.7: tp1 fn1 -> 0.667
        assert_eq!(
            best_threshold(&labels, &probabilities, &[0.3, 0.55, 0.6, 0.7]),
            Some((0.55, 1.0))
        );
        assert_eq!(best_threshold(&labels, &probabilities, &[]), None);
    }

    #[test]
    fn mean_and_population_std() {
        assert_eq!(
            mean_std(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]),
            (5.0, 2.0)
        );
        assert_eq!(mean_std(&[]), (0.0, 0.0));
    }
}
