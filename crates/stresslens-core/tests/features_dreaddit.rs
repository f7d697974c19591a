//! The serving fast path of text features (one cached lookup per surface word) against the general path (stem every
//! word, then look the stem up) on every post of the Dreaddit train file (read at test time, never copied into the
//! repo), with the committed model's vocabulary: the same columns, in the same order, with a cold and a warm cache.

mod common;

use stresslens_core::dataset::Dataset;
use stresslens_core::text::Terms;
use stresslens_core::vocab::{UnigramCache, Vocabulary};

#[test]
fn fast_and_general_text_paths_agree_on_every_dreaddit_post() {
    let model = common::committed_model();
    let vocabulary = Vocabulary::from_terms(model.pipeline().vocabulary().to_vec(), 1).unwrap();
    let data = Dataset::from_csv_path(&common::train_file()).unwrap();
    assert_eq!(data.texts.len(), 2838);
    let (mut fast_terms, mut general_terms) = (Terms::new(), Terms::new());
    let mut cache = UnigramCache::default();
    let mut total_hits = 0;
    for pass in ["cold", "warm"] {
        for (row, text) in data.texts.iter().enumerate() {
            let mut general = Vec::new();
            general_terms.analyse(text);
            vocabulary.collect_hits(&general_terms, &mut general);
            let mut fast = Vec::new();
            vocabulary.collect_unigram_hits(text, &mut fast_terms, &mut cache, &mut fast);
            assert_eq!(fast, general, "{pass} cache, row {row}");
            total_hits += fast.len();
        }
    }
    // the posts do hit the vocabulary (about 24 distinct terms each)
    assert!(total_hits > 2 * 2838 * 20, "{total_hits}");
}
