//! The walk of [`SkipWalkForest`] with AVX-512: 8 walks per vector, [`VECTORS`] vectors, every step a few vector
//! instructions and three gathers (the bit scan's two words, the position); a dense split's level count comes from
//! a register (a permute) when the forest has at most 8 dense features, else from a fourth gather.
//!
//! The scalar walk is bound by instruction throughput, about 30 instructions per walk and step. Here one step of
//! 8 walks costs about as many, and a lane whose walk reaches its leaf takes the next tree at once (an expand-load
//! of the next roots into exactly those lanes), so no lane idles until the last trees. Same steps, same answers as
//! the scalar walk (tests compare the two).

use super::{
    SkipWalkForest, DENSE, LEAF, LEAF_STRESS, LEVEL_MASK, MIN_SLOTS, SLOT_MASK, SLOT_SHIFT,
};
use std::arch::x86_64::{
    __m512i, _mm512_add_epi64, _mm512_and_si512, _mm512_cmpeq_epi64_mask, _mm512_cmplt_epi64_mask,
    _mm512_cmpneq_epi64_mask, _mm512_i64gather_epi64, _mm512_loadu_epi64, _mm512_lzcnt_epi64,
    _mm512_mask_add_epi64, _mm512_mask_blend_epi64, _mm512_mask_cmpeq_epi64_mask,
    _mm512_mask_expandloadu_epi64, _mm512_mask_i64gather_epi64, _mm512_mask_mov_epi64,
    _mm512_permutexvar_epi64, _mm512_set1_epi64, _mm512_setzero_si512, _mm512_slli_epi64,
    _mm512_sllv_epi64, _mm512_srli_epi64, _mm512_sub_epi64, _mm512_test_epi64_mask,
    _mm512_testn_epi64_mask,
};

/// Independent vectors of 8 walks stepped in turn, so that one's gathers wait while the other computes.
const VECTORS: usize = 4;
/// Lanes per vector.
pub(super) const LANES: usize = 8;

/// Whether this CPU can run [`walk`].
pub(super) fn available() -> bool {
    std::arch::is_x86_feature_detected!("avx512f")
        && std::arch::is_x86_feature_detected!("avx512cd")
        && std::arch::is_x86_feature_detected!("popcnt")
}

/// What the gathers of [`walk_lanes`] rely on in the index itself (checked once, when it is built): `parked` is a
/// position and its bit is set in `stop`, so a bit scan from any position ends at or before it; the word after the
/// one holding `parked` exists (the padding word); `lane_roots` has the 8 entries of padding.
pub(super) fn fits_index(index: &SkipWalkForest) -> bool {
    let parked = index.parked as usize;
    parked < index.positions.len()
        && parked / 64 + 1 < index.stop.len()
        && index.stop[parked / 64] & (1 << (parked % 64)) != 0
        && index.lane_roots.len() == index.roots.len() + LANES
}

/// Stress votes of all trees, or `None` when this index does not walk with AVX-512 or the buffers do not fit it
/// (never, for buffers made by [`SkipWalkForest::probability`]).
pub(super) fn walk(index: &SkipWalkForest, looked_at: &[u64], levels_below: &[i64]) -> Option<u32> {
    // `looked_at` is `stop` with marks added, so it keeps `parked`'s bit; only the lengths can differ.
    let fits = index.use_avx512
        && looked_at.len() == index.stop.len()
        && levels_below.len() >= index.dense.len().max(MIN_SLOTS);
    if !fits {
        return None;
    }
    // SAFETY: the CPU has AVX-512F, CD and POPCNT and the index fits (`use_avx512` is only set after `available()`
    // and `fits_index`), and the buffers' lengths hold (see `walk_lanes`).
    Some(unsafe { walk_lanes(index, looked_at, levels_below) })
}

/// The steps of [`SkipWalkForest::step`] on 8 lanes at once. Every gather's index is in bounds:
/// - `looked_at[word]` and `looked_at[word + 1]`: `word <= parked / 64` because a walk's position is at most
///   `parked`, whose bit is set, and the scan for the first set bit stops there; `parked / 64 + 1` is the padding
///   word (checked by [`fits_index`]);
/// - `positions[p]`: `p` is that first set bit, so `p <= parked < positions.len()`;
/// - `levels_below[slot]`: a dense split's slot is below `dense.len()` (built so by `index_dense_levels`), any
///   other position's slot is 0, and `levels_below` has an entry per slot and at least 8;
/// - `lane_roots[cursor..cursor + 8]`: `cursor <= roots.len()` and `lane_roots` has 8 more entries.
#[target_feature(enable = "avx512f,avx512cd,popcnt")]
unsafe fn walk_lanes(index: &SkipWalkForest, looked_at: &[u64], levels_below: &[i64]) -> u32 {
    let looked = looked_at.as_ptr().cast::<i64>();
    let below_of_slot = levels_below.as_ptr();
    // Up to 8 dense features: their counts in a register, picked by a permute instead of a gather.
    let slots_in_register = index.dense.len() <= LANES;
    let first_slots = _mm512_loadu_epi64(below_of_slot);
    // `Position` is `repr(C)` { gt, test }: as a little-endian u64, `gt` is the low half.
    let positions = index.positions.as_ptr().cast::<i64>();
    let roots = index.lane_roots.as_ptr();
    let trees = index.roots.len();

    let zero = _mm512_setzero_si512();
    let one = _mm512_set1_epi64(1);
    let all_ones = _mm512_set1_epi64(-1);
    let low6 = _mm512_set1_epi64(63);
    let low32 = _mm512_set1_epi64(0xffff_ffff);
    let leaf = _mm512_set1_epi64(i64::from(LEAF));
    let leaf_stress = _mm512_set1_epi64(i64::from(LEAF_STRESS));
    let level_mask = _mm512_set1_epi64(i64::from(LEVEL_MASK));
    let slot_mask = _mm512_set1_epi64(i64::from(SLOT_MASK));
    let dense = _mm512_set1_epi64(i64::from(DENSE));
    let parked = _mm512_set1_epi64(i64::from(index.parked));

    let mut votes = index.constant_stress_votes;
    let mut cursor = 0usize;
    let mut at: [__m512i; VECTORS] = [parked; VECTORS];
    for lanes in at.iter_mut() {
        // Past the last tree the padding parks the lane.
        *lanes = _mm512_loadu_epi64(roots.add(cursor));
        cursor = (cursor + LANES).min(trees);
    }
    loop {
        let mut walking = 0u8;
        for lanes in at.iter() {
            walking |= _mm512_cmpneq_epi64_mask(*lanes, parked);
        }
        if walking == 0 && cursor == trees {
            return votes;
        }
        for lanes in at.iter_mut() {
            let from = *lanes;
            // The first set bit at or after `from`: in its word, else in the next (both loaded: a skip crosses a
            // word boundary in about one step of twelve, too often for a branch), else further on (rare).
            let mut word = _mm512_srli_epi64::<6>(from);
            let first = _mm512_i64gather_epi64::<8>(word, looked);
            let second = _mm512_i64gather_epi64::<8>(_mm512_add_epi64(word, one), looked);
            let mut found = _mm512_and_si512(
                first,
                _mm512_sllv_epi64(all_ones, _mm512_and_si512(from, low6)),
            );
            let in_second = _mm512_cmpeq_epi64_mask(found, zero);
            word = _mm512_mask_add_epi64(word, in_second, word, one);
            found = _mm512_mask_mov_epi64(found, in_second, second);
            let mut empty = _mm512_mask_cmpeq_epi64_mask(in_second, found, zero);
            while empty != 0 {
                word = _mm512_mask_add_epi64(word, empty, word, one);
                found = _mm512_mask_i64gather_epi64::<8>(found, empty, word, looked);
                empty = _mm512_mask_cmpeq_epi64_mask(empty, found, zero);
            }
            let lowest = _mm512_and_si512(found, _mm512_sub_epi64(zero, found));
            let bit = _mm512_sub_epi64(low6, _mm512_lzcnt_epi64(lowest));
            let p = _mm512_add_epi64(_mm512_slli_epi64::<6>(word), bit);

            let position = _mm512_i64gather_epi64::<8>(p, positions);
            let gt = _mm512_and_si512(position, low32);
            let test = _mm512_srli_epi64::<32>(position);
            let level = _mm512_and_si512(test, level_mask);
            let slot = _mm512_and_si512(_mm512_srli_epi64::<{ SLOT_SHIFT }>(test), slot_mask);
            let below = if slots_in_register {
                _mm512_permutexvar_epi64(slot, first_slots)
            } else {
                _mm512_i64gather_epi64::<8>(slot, below_of_slot)
            };
            // Word splits and leaves go to `>`, a dense split when the post's value is above its level.
            let right =
                _mm512_testn_epi64_mask(test, dense) | _mm512_cmplt_epi64_mask(level, below);
            let next = _mm512_mask_blend_epi64(right, _mm512_add_epi64(p, one), gt);

            let ended = _mm512_test_epi64_mask(next, leaf);
            // Only leaves carry LEAF_STRESS (positions are below it); the parked leaf votes no.
            votes += _mm512_test_epi64_mask(next, leaf_stress).count_ones();
            // Lanes whose walk ended take the next roots in order (padding = parked once the trees run out).
            *lanes = _mm512_mask_expandloadu_epi64(next, ended, roots.add(cursor));
            cursor = (cursor + ended.count_ones() as usize).min(trees);
        }
    }
}
