//! Mutual information between a continuous feature and a binary label: the k-nearest-neighbour estimator of
//! Ross (2014), "Mutual Information between Discrete and Continuous Data Sets", as scikit-learn's
//! `mutual_info_classif` computes it (in nats):
//!
//! For each point, `d` is the distance to its k-th nearest neighbour among points of the same label and `m` the
//! number of points of any label closer than `d` (the point itself included). Then
//! `I = ψ(N) + ⟨ψ(k)⟩ − ⟨ψ(N_label)⟩ − ⟨ψ(m)⟩`, clipped at 0.
//!
//! Like scikit-learn, the feature is first divided by its standard deviation and a tiny Gaussian jitter
//! (1e-10 × max(1, mean |x|)) breaks ties between equal values (counts such as `lex_liwc_i` are 0 in many rows).
//! The jitter comes from a fixed-seed generator, so the result is deterministic; [`MiOptions::repeats`] averages
//! several jitter draws to make the estimate less sensitive to one draw. In one dimension all neighbour searches
//! are done on sorted arrays: O(N log N) per feature.

/// Settings of the estimator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MiOptions {
    /// k, the number of neighbours (scikit-learn's default is 3).
    pub n_neighbors: usize,
    /// Number of jitter draws averaged.
    pub repeats: usize,
    /// Seed of the jitter generator.
    pub seed: u64,
}

impl Default for MiOptions {
    fn default() -> Self {
        Self {
            n_neighbors: 3,
            repeats: 5,
            seed: 0,
        }
    }
}

/// Mutual information (nats) between `values` and `labels` (`labels[i]` is the class of `values[i]`; any value other
/// than 0 counts as class 1). Returns 0 for fewer than two points, a constant label or a constant feature.
pub fn mutual_information(values: &[f64], labels: &[u8], options: MiOptions) -> f64 {
    let n = values.len().min(labels.len());
    let estimator = MiEstimator::new(&labels[..n], options);
    estimator.estimate(&values[..n])
}

/// The estimator for one label vector, reused across features: the jitter draws are made once (the same draws
/// for every feature, which is what [`mutual_information`] uses too).
pub struct MiEstimator {
    classes: Vec<bool>,
    jitter: Vec<Vec<f64>>,
    n_neighbors: usize,
}

impl MiEstimator {
    pub fn new(labels: &[u8], options: MiOptions) -> Self {
        let n = labels.len();
        let jitter = (0..options.repeats.max(1))
            .map(|repeat| {
                let mut normal = NormalGenerator::new(options.seed.wrapping_add(repeat as u64));
                (0..n).map(|_| normal.next()).collect()
            })
            .collect();
        Self {
            classes: labels.iter().map(|&label| label != 0).collect(),
            jitter,
            n_neighbors: options.n_neighbors,
        }
    }

    /// Mutual information of `values` (one per label given to [`MiEstimator::new`]) with the labels.
    pub fn estimate(&self, values: &[f64]) -> f64 {
        let classes = &self.classes;
        let n = values.len();
        if n != classes.len() || n < 2 || self.n_neighbors == 0 {
            return 0.0;
        }
        // One class, or one value: no information (returned exactly, not as the estimator's rounding noise).
        if classes.iter().all(|&c| c == classes[0]) || values.iter().all(|&v| v == values[0]) {
            return 0.0;
        }
        let scaled = scaled_by_std(values);
        let mean_abs = scaled.iter().map(|v| v.abs()).sum::<f64>() / n as f64;
        let jitter_scale = 1e-10 * mean_abs.max(1.0);
        let mut points: Vec<(f64, bool)> = Vec::with_capacity(n);
        let total: f64 = self
            .jitter
            .iter()
            .map(|noise| {
                points.clear();
                points.extend(
                    scaled
                        .iter()
                        .zip(noise)
                        .zip(classes)
                        .map(|((value, noise), &class)| (value + jitter_scale * noise, class)),
                );
                ross_estimate(&mut points, self.n_neighbors)
            })
            .sum();
        total / self.jitter.len() as f64
    }
}

/// The estimate for one set of (already jittered) points (value, class); sorts `points`.
fn ross_estimate(points: &mut [(f64, bool)], n_neighbors: usize) -> f64 {
    points.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let class_sizes = [false, true].map(|class| points.iter().filter(|p| p.1 == class).count());
    // Points alone in their class have no neighbour distance and are left out (as scikit-learn does).
    let kept = |class: bool| class_sizes[usize::from(class)] > 1;
    let all: Vec<f64> = points.iter().filter(|p| kept(p.1)).map(|p| p.0).collect();
    let n = all.len();
    if n < 2 {
        return 0.0;
    }
    let digamma = DigammaTable::new(n);
    let mut sum_k = 0.0;
    let mut sum_class = 0.0;
    let mut sum_m = 0.0;
    let mut sorted = Vec::with_capacity(n);
    for class in [false, true] {
        let count = class_sizes[usize::from(class)];
        if count < 2 {
            continue;
        }
        let k = n_neighbors.min(count - 1);
        sorted.clear();
        sorted.extend(points.iter().filter(|p| p.1 == class).map(|p| p.0));
        for (position, &centre) in sorted.iter().enumerate() {
            let radius = kth_neighbour_distance(&sorted, position, k);
            sum_m += digamma.at(points_within(&all, centre, just_below(radius)));
        }
        sum_k += count as f64 * digamma.at(k);
        sum_class += count as f64 * digamma.at(count);
    }
    let n_f = n as f64;
    (digamma.at(n) + sum_k / n_f - sum_class / n_f - sum_m / n_f).max(0.0)
}

/// Distance from `sorted[position]` to its k-th nearest other point in `sorted` (k < sorted.len()).
fn kth_neighbour_distance(sorted: &[f64], position: usize, k: usize) -> f64 {
    let centre = sorted[position];
    let (mut left, mut right) = (position, position + 1);
    let mut distance = 0.0;
    for _ in 0..k {
        let left_distance = (left > 0).then(|| centre - sorted[left - 1]);
        let right_distance = sorted.get(right).map(|v| v - centre);
        match (left_distance, right_distance) {
            (Some(l), Some(r)) if l <= r => {
                distance = l;
                left -= 1;
            }
            (_, Some(r)) => {
                distance = r;
                right += 1;
            }
            (Some(l), None) => {
                distance = l;
                left -= 1;
            }
            (None, None) => break,
        }
    }
    distance
}

/// Number of values in `sorted` at distance at most `radius` from `centre`.
fn points_within(sorted: &[f64], centre: f64, radius: f64) -> usize {
    let lower = sorted.partition_point(|&v| v < centre && centre - v > radius);
    let upper = sorted.partition_point(|&v| v <= centre || v - centre <= radius);
    upper.saturating_sub(lower)
}

/// The largest float below a positive `radius` (scikit-learn's `nextafter(r, 0)`: neighbours strictly closer).
fn just_below(radius: f64) -> f64 {
    if radius > 0.0 && radius.is_finite() {
        f64::from_bits(radius.to_bits() - 1)
    } else {
        0.0
    }
}

/// Divides by the population standard deviation (left unchanged when it is 0), as `scale(with_mean=False)`.
fn scaled_by_std(values: &[f64]) -> Vec<f64> {
    let n = values.len() as f64;
    let mean = values.iter().sum::<f64>() / n;
    let variance = values.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / n;
    let std = variance.sqrt();
    let scale = if std > 0.0 && std.is_finite() {
        std
    } else {
        1.0
    };
    values.iter().map(|v| v / scale).collect()
}

/// ψ(n) for n = 1..=max: ψ(1) = −γ, ψ(n + 1) = ψ(n) + 1/n.
struct DigammaTable(Vec<f64>);

impl DigammaTable {
    const EULER_GAMMA: f64 = 0.577_215_664_901_532_9;

    fn new(max: usize) -> Self {
        let mut table = Vec::with_capacity(max + 1);
        table.push(f64::NEG_INFINITY);
        let mut value = -Self::EULER_GAMMA;
        for n in 1..=max {
            table.push(value);
            value += 1.0 / n as f64;
        }
        DigammaTable(table)
    }

    fn at(&self, n: usize) -> f64 {
        self.0.get(n).copied().unwrap_or(f64::NAN)
    }
}

/// Standard normal numbers from SplitMix64 and the Box–Muller transform: small, seedable, and stable across
/// platforms and crate versions (the jitter must not change when a dependency does).
struct NormalGenerator {
    state: u64,
    spare: Option<f64>,
}

impl NormalGenerator {
    fn new(seed: u64) -> Self {
        Self {
            state: seed,
            spare: None,
        }
    }

    fn next_u64(&mut self) -> u64 {
        self.state = self.state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in (0, 1].
    fn next_unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }

    fn next(&mut self) -> f64 {
        if let Some(spare) = self.spare.take() {
            return spare;
        }
        let radius = (-2.0 * self.next_unit().ln()).sqrt();
        let angle = 2.0 * std::f64::consts::PI * self.next_unit();
        self.spare = Some(radius * angle.sin());
        radius * angle.cos()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digamma_of_integers() {
        let table = DigammaTable::new(10);
        assert!((table.at(1) + 0.577_215_664_901_532_9).abs() < 1e-15);
        assert!((table.at(2) - 0.422_784_335_098_467_1).abs() < 1e-15);
        assert!((table.at(10) - 2.251_752_589_066_721).abs() < 1e-14);
    }

    #[test]
    fn kth_neighbour_in_one_dimension() {
        let sorted = [0.0, 1.0, 3.0, 6.0, 10.0];
        assert_eq!(kth_neighbour_distance(&sorted, 2, 1), 2.0);
        assert_eq!(kth_neighbour_distance(&sorted, 2, 2), 3.0);
        assert_eq!(kth_neighbour_distance(&sorted, 2, 3), 3.0);
        assert_eq!(kth_neighbour_distance(&sorted, 0, 3), 6.0);
        assert_eq!(kth_neighbour_distance(&sorted, 4, 2), 7.0);
    }

    #[test]
    fn counting_within_a_radius_includes_the_point() {
        let sorted = [0.0, 1.0, 1.0, 2.0, 4.0];
        assert_eq!(points_within(&sorted, 1.0, 0.0), 2);
        assert_eq!(points_within(&sorted, 1.0, 1.0), 4);
        assert_eq!(points_within(&sorted, 4.0, just_below(2.0)), 1);
        assert_eq!(points_within(&sorted, 4.0, 2.0), 2);
    }

    #[test]
    fn hand_computed_small_case() {
        // Class 0 at 0,1,2 and class 1 at 10,11,12, k = 1: every point's nearest same-class neighbour is 1 away and
        // nothing is strictly closer than 1 except itself, so m = 1: I = ψ(6) + ψ(1) − ψ(3) − ψ(1) = ψ(6) − ψ(3).
        let mut points = [
            (11.0, true),
            (0.0, false),
            (1.0, false),
            (2.0, false),
            (10.0, true),
            (12.0, true),
        ];
        let expected = 1.0 / 3.0 + 1.0 / 4.0 + 1.0 / 5.0;
        assert!((ross_estimate(&mut points, 1) - expected).abs() < 1e-12);
    }

    #[test]
    fn normal_generator_is_plausible() {
        let mut normal = NormalGenerator::new(7);
        let draws: Vec<f64> = (0..20_000).map(|_| normal.next()).collect();
        let mean = draws.iter().sum::<f64>() / draws.len() as f64;
        let variance = draws.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / draws.len() as f64;
        assert!(mean.abs() < 0.03, "{mean}");
        assert!((variance - 1.0).abs() < 0.05, "{variance}");
    }
}
