//! Reading labelled CSV files: columns by name, BOM, CRLF, quotes, and every bad-input error.

use std::path::PathBuf;
use stresslens_core::dataset::{Dataset, NonNumericColumn};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn error_of(name: &str) -> String {
    Dataset::from_csv_path(&fixture(name))
        .unwrap_err()
        .to_string()
}

#[test]
fn reads_columns_by_name_with_bom_crlf_and_quotes() {
    let path = fixture("dataset_small.csv");
    let data = Dataset::from_csv_path(&path).unwrap();
    assert_eq!(data.source, path.display().to_string());
    assert_eq!(
        data.sha256,
        "b205c46248fe89ce635049751f76ac2ef86da29bafe3bb36bd80f2bcf8754687"
    );
    assert_eq!(
        data.texts,
        vec![
            "I can't sleep, the exams are tomorrow and I'm worried",
            "Lovely walk with the dogs today, so calm",
            "Worried about rent again. \"Rent\" is due",
            "The dogs slept all day <b>calm</b> https://pics.example/x",
        ]
    );
    assert_eq!(data.labels, vec![1, 0, 1, 0]);
    assert_eq!(data.post_ids, vec!["p1", "p2", "p1", "p3"]);
    // `label` (first, behind the BOM) and `confidence` are not features; `note` has a non-number.
    assert_eq!(data.numeric_names, vec!["mood", "word_count"]);
    assert_eq!(
        data.numeric,
        vec![vec![-2.5, 3.0, -1.5, 2.0], vec![10.0, 7.0, 7.0, 6.0]]
    );
    assert_eq!(
        data.non_numeric_columns,
        vec![NonNumericColumn {
            name: "note".into(),
            line: 2,
            value: "fine".into()
        }]
    );
    assert_eq!(data.len(), 4);
    assert!(!data.is_empty());
}

#[test]
fn without_post_id_each_row_is_its_own_group() {
    let data = Dataset::from_csv_path(&fixture("dataset_no_post_id.csv")).unwrap();
    assert_eq!(data.post_ids, vec!["row 2", "row 3"]);
    assert_eq!(data.numeric_names, vec!["mood"]);
    assert_eq!(data.numeric, vec![vec![1.5, -0.5]]);
}

#[test]
fn required_numeric_columns_are_found_or_explained() {
    let path = fixture("dataset_small.csv");
    let data = Dataset::from_csv_path(&path).unwrap();
    let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        data.require_numeric(&names(&["word_count", "mood"]))
            .unwrap(),
        vec![1, 0]
    );
    let shown = path.display();
    assert_eq!(
        data.require_numeric(&names(&["mood", "note"]))
            .unwrap_err()
            .to_string(),
        format!("{shown}: line 2, column `note`: `fine` is not a number")
    );
    assert_eq!(
        data.require_numeric(&names(&["lex_liwc_i"]))
            .unwrap_err()
            .to_string(),
        format!("{shown}: missing column `lex_liwc_i`")
    );
    assert_eq!(
        data.require_numeric(&names(&["confidence"]))
            .unwrap_err()
            .to_string(),
        format!("{shown}: column `confidence` is not a feature column")
    );
}

#[test]
fn a_non_number_deep_in_a_column_is_reported_with_its_line() {
    let csv = "text,label,score\r\na,1,1.5\r\nb,0,2\r\nc,1,\"3,5\"\r\n";
    let data = Dataset::from_csv_bytes(csv.as_bytes(), "inline.csv").unwrap();
    assert!(data.numeric_names.is_empty());
    assert_eq!(
        data.require_numeric(&["score".to_string()])
            .unwrap_err()
            .to_string(),
        "inline.csv: line 4, column `score`: `3,5` is not a number"
    );
    let infinite = "text,label,score\na,1,inf\n";
    let data = Dataset::from_csv_bytes(infinite.as_bytes(), "inf.csv").unwrap();
    assert_eq!(
        data.require_numeric(&["score".to_string()])
            .unwrap_err()
            .to_string(),
        "inf.csv: line 2, column `score`: `inf` is not a number"
    );
}

#[test]
fn missing_file() {
    let error = error_of("no_such_file.csv");
    assert_eq!(
        error,
        format!(
            "{}: cannot read: No such file or directory (os error 2)",
            fixture("no_such_file.csv").display()
        )
    );
}

#[test]
fn empty_file_and_header_only() {
    assert_eq!(
        error_of("dataset_empty.csv"),
        format!("{}: file is empty", fixture("dataset_empty.csv").display())
    );
    assert_eq!(
        error_of("dataset_header_only.csv"),
        format!(
            "{}: no data rows after the header",
            fixture("dataset_header_only.csv").display()
        )
    );
}

#[test]
fn missing_column_is_named_with_the_file() {
    assert_eq!(
        error_of("dataset_missing_label.csv"),
        format!(
            "{}: missing column `label`",
            fixture("dataset_missing_label.csv").display()
        )
    );
}

#[test]
fn labels_other_than_zero_or_one() {
    assert_eq!(
        error_of("dataset_bad_label.csv"),
        format!(
            "{}: line 3: label `2` is not 0 or 1",
            fixture("dataset_bad_label.csv").display()
        )
    );
}

#[test]
fn row_with_the_wrong_number_of_fields() {
    assert_eq!(
        error_of("dataset_ragged.csv"),
        format!(
            "{}: line 3: expected 3 fields (as in the header), found 2",
            fixture("dataset_ragged.csv").display()
        )
    );
}

#[test]
fn duplicate_header_and_invalid_utf8() {
    let duplicate = Dataset::from_csv_bytes(b"text,label,text\na,1,b\n", "dup.csv").unwrap_err();
    assert_eq!(
        duplicate.to_string(),
        "dup.csv: column `text` appears more than once"
    );
    let latin1 = Dataset::from_csv_bytes(b"text,label\ncaf\xe9,1\n", "latin1.csv").unwrap_err();
    assert_eq!(
        latin1.to_string(),
        "latin1.csv: line 2: field 1 is not valid UTF-8"
    );
}

#[test]
fn post_carries_the_requested_numeric_fields_in_order() {
    let data = Dataset::from_csv_path(&fixture("dataset_small.csv")).unwrap();
    let post = data
        .post(2, &["word_count".to_string(), "mood".to_string()])
        .unwrap();
    assert_eq!(post.text, "Worried about rent again. \"Rent\" is due");
    assert_eq!(post.numeric, vec![7.0, -1.5]);
    assert_eq!(data.post(2, &["note".to_string()]), None);
    assert_eq!(data.post(9, &[]), None);
}
