//! The mutual-information ranking on the real Dreaddit train file (read at test time, never copied into the repo).
//! The project we replace chose lex_liwc_Tone, lex_liwc_i, lex_liwc_negemo, lex_liwc_Clout and sentiment; so does
//! scikit-learn's `mutual_info_classif` (n_neighbors=3) averaged over jitter seeds.

mod common;

use stresslens_core::dataset::Dataset;
use stresslens_core::mi::MiOptions;
use stresslens_core::numeric::rank_by_mutual_information;

#[test]
fn top_five_on_dreaddit_are_the_original_five() {
    let data = Dataset::from_csv_path(&common::train_file()).unwrap();
    assert_eq!(data.len(), 2838);
    assert_eq!(data.numeric_names.len(), 108);
    assert!(data.non_numeric_columns.is_empty());
    let rows: Vec<usize> = (0..data.len()).collect();
    let ranked = rank_by_mutual_information(&data, &rows, MiOptions::default());
    for (name, mi) in ranked.iter().take(10) {
        println!("{name:28} {mi:.4}");
    }
    let mut top: Vec<&str> = ranked
        .iter()
        .take(5)
        .map(|(name, _)| name.as_str())
        .collect();
    top.sort_unstable();
    assert_eq!(
        top,
        [
            "lex_liwc_Clout",
            "lex_liwc_Tone",
            "lex_liwc_i",
            "lex_liwc_negemo",
            "sentiment"
        ]
    );
}
