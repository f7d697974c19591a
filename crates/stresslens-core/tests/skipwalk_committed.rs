//! The fast scorer ([`SkipWalkForest`]) gives exactly the dense walk's answers on the committed default model, whose
//! trees have the real shapes (deep chains of word splits), for rows like real posts and for odd ones.

mod common;

use common::committed_model as committed;
use stresslens_core::skipwalk::{SkipWalkForest, SkipWalkScratch};
use stresslens_core::Post;

/// splitmix64, for reproducible pseudo-random rows.
fn next(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[test]
fn skip_walk_equals_the_dense_walk_on_the_committed_model() {
    let model = committed();
    let forest = model.forest();
    let index = SkipWalkForest::new(forest).unwrap();
    let width = forest.width() as u64;
    let numeric = model.numeric_fields().len() as u64;
    let mut state = 7;
    let (mut scratch, mut dense) = (SkipWalkScratch::default(), Vec::new());
    let mut distinct = std::collections::BTreeSet::new();
    for row in 0..3_000 {
        // 5-60 word columns with counts 1-4 (the odd row: fractional, zero or NaN), then the numeric columns.
        let mut indices: Vec<u32> = (0..5 + next(&mut state) % 56)
            .map(|_| (next(&mut state) % (width - numeric)) as u32)
            .collect();
        indices.sort_unstable();
        indices.dedup();
        let mut values: Vec<f32> = indices
            .iter()
            .map(|_| match row % 50 {
                0 => (next(&mut state) % 9) as f32 / 4.0,
                1 => f32::NAN,
                _ => (1 + next(&mut state) % 4) as f32,
            })
            .collect();
        for column in width - numeric..width {
            indices.push(column as u32);
            values.push((next(&mut state) % 8001) as f32 / 1000.0 - 4.0);
        }
        let fast = index.probability(&indices, &values, &mut scratch);
        assert_eq!(
            fast,
            forest.probability_sparse(&indices, &values, &mut dense),
            "row {row}"
        );
        distinct.insert(fast.map(f64::to_bits));
    }
    // the rows reach many different leaves, not one corner of the trees
    assert!(
        distinct.len() > 50,
        "{} distinct probabilities",
        distinct.len()
    );
}

#[test]
fn batch_scoring_equals_post_by_post_dense_scoring() {
    let model = committed();
    let posts: Vec<Post> = [
        "I cannot sleep, the rent is due and my boss keeps texting me at midnight",
        "Lovely walk by the river today with the dog, then pancakes",
        "",
        "anxious anxious anxious about everything and nothing, help",
    ]
    .iter()
    .enumerate()
    .map(|(i, text)| Post {
        id: Some(i.to_string()),
        text: (*text).to_string(),
        numeric: vec![i as f64 * 10.0 - 5.0; model.numeric_fields().len()],
    })
    .collect();
    let mut dense = Vec::new();
    let expected: Vec<f64> = posts
        .iter()
        .map(|post| {
            let (indices, values) = model.pipeline().transform_post(post).unwrap();
            model
                .forest()
                .probability_sparse(&indices, &values, &mut dense)
                .unwrap()
        })
        .collect();
    assert_eq!(model.score_batch(&posts).unwrap(), expected);
}
