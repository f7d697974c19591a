//! The `stresslens` binary: exit codes, messages and outputs on fixtures written for these tests.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

const NUMERIC: &str = "lex_liwc_Tone,lex_liwc_i,lex_liwc_negemo,lex_liwc_Clout,sentiment";

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn stresslens(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stresslens"))
        .args(args)
        .env_remove("STRESSLENS_DATA")
        .env_remove("SOURCE_DATE_EPOCH")
        .stdin(Stdio::null())
        .output()
        .unwrap()
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).unwrap()
}

/// Exit code 1 and exactly one stderr line starting with `stresslens: error: ` that contains every `needle`.
fn assert_fails_with(output: &Output, needles: &[&str]) {
    let err = stderr(output);
    assert_eq!(output.status.code(), Some(1), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "not one line: {err}");
    assert!(err.starts_with("stresslens: error: "), "{err}");
    for needle in needles {
        assert!(err.contains(needle), "`{err}` lacks `{needle}`");
    }
}

fn train_args<'a>(data: &'a str, out: &'a str) -> Vec<&'a str> {
    vec![
        "train",
        "--data",
        data,
        "--out",
        out,
        "--numeric",
        NUMERIC,
        "--trees",
        "15",
        "--max-vocab",
        "40",
        "--cv-folds",
        "2",
        "--seed",
        "3",
    ]
}

/// A model trained once on the fixture by the binary itself.
fn model() -> &'static PathBuf {
    static MODEL: OnceLock<PathBuf> = OnceLock::new();
    MODEL.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("stresslens-cli-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let out = dir.join("model.bin");
        let output = stresslens(&train_args(
            fixture("posts.csv").to_str().unwrap(),
            out.to_str().unwrap(),
        ));
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        out
    })
}

#[test]
fn train_reports_what_it_wrote_and_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("again.bin");
    let output = stresslens(&train_args(
        fixture("posts.csv").to_str().unwrap(),
        out.to_str().unwrap(),
    ));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(
        text.starts_with(&format!("wrote {} (", out.display())),
        "{text}"
    );
    assert!(text.contains(", 15 trees, CV F1 "), "{text}");
    // progress bars are hidden when stderr is not a terminal
    assert_eq!(stderr(&output), "");
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(model()).unwrap()
    );
}

#[test]
fn evaluate_json_has_the_contract_keys_and_reads_columns_by_name() {
    let model = model().to_str().unwrap();
    let output = stresslens(&[
        "evaluate",
        "--model",
        model,
        "--data",
        fixture("posts.csv").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert_eq!(text.lines().count(), 1);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    for key in ["accuracy", "precision", "recall", "f1", "roc_auc", "n"] {
        assert!(json[key].is_number(), "{key} in {json}");
    }
    assert_eq!(json["n"], 80);
    let matrix = &json["confusion_matrix"];
    let total: u64 = [
        "true_positive",
        "false_positive",
        "true_negative",
        "false_negative",
    ]
    .iter()
    .map(|k| matrix[k].as_u64().unwrap())
    .sum();
    assert_eq!(total, 80);
    // Same rows with reversed columns, a BOM and LF line ends: the same evaluation.
    let reordered = stresslens(&[
        "evaluate",
        "--model",
        model,
        "--data",
        fixture("posts_reordered_bom_lf.csv").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(reordered.status.code(), Some(0), "{}", stderr(&reordered));
    assert_eq!(stdout(&reordered), text);
}

#[test]
fn evaluate_table_lists_every_metric() {
    let output = stresslens(&[
        "evaluate",
        "--model",
        model().to_str().unwrap(),
        "--data",
        fixture("posts.csv").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    for label in [
        "n          80",
        "accuracy",
        "precision",
        "recall",
        "f1",
        "roc_auc",
        "confusion matrix",
    ] {
        assert!(text.contains(label), "{label} in {text}");
    }
}

#[test]
fn predict_scores_good_lines_and_reports_bad_ones() {
    let model = model().to_str().unwrap();
    let output = stresslens(&[
        "predict",
        "--model",
        model,
        "--input",
        fixture("predict_input.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(1));
    let out = stdout(&output);
    let records: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["calm-1", "line-2", "crlf"]);
    for record in &records {
        let p = record["probability"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&p));
        assert_eq!(
            record["stress"].as_bool().unwrap(),
            p >= record["threshold"].as_f64().unwrap()
        );
        assert_eq!(record["source"], serde_json::Value::Null);
        assert_eq!(record["model"]["name"], "stresslens-dreaddit");
    }
    // The stressed post scores higher than the calm ones.
    let p = |i: usize| records[i]["probability"].as_f64().unwrap();
    assert!(p(1) > p(0) && p(1) > p(2), "{out}");
    let err = stderr(&output);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 4, "{err}");
    let rejection = |i: usize| serde_json::from_str::<serde_json::Value>(lines[i]).unwrap();
    assert_eq!(rejection(0)["line"], 3);
    assert_eq!(rejection(0)["reason"], "invalid_json");
    assert_eq!(rejection(1)["line"], 5);
    assert_eq!(rejection(1)["reason"], "missing_field");
    assert_eq!(
        rejection(1)["message"],
        "numeric field `lex_liwc_Tone` is missing"
    );
    assert_eq!(rejection(2)["line"], 6);
    assert_eq!(rejection(2)["reason"], "empty_text");
    assert_eq!(lines[3], "stresslens: 3 of 6 lines rejected");
}

#[test]
fn predict_from_stdin_with_only_good_lines_exits_zero() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stresslens"))
        .args(["predict", "--model", model().to_str().unwrap()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        writeln!(stdin, r#"{{"id":"a","text":"panic about the exam","lex_liwc_Tone":5,"lex_liwc_i":9,"lex_liwc_negemo":4,"lex_liwc_Clout":20,"sentiment":-0.4}}"#).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert_eq!(stdout(&output).lines().count(), 1);
    assert_eq!(stderr(&output), "");
}

#[test]
fn bad_data_files_fail_with_one_line_naming_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.bin");
    let out = out.to_str().unwrap();
    let path = |name: &str| fixture(name).to_str().unwrap().to_string();
    let cases: Vec<(String, Vec<&str>)> = vec![
        (path("does_not_exist.csv"), vec!["does_not_exist.csv"]),
        (path("empty.csv"), vec!["empty.csv"]),
        (path("header_only.csv"), vec!["header_only.csv"]),
        (
            path("missing_label.csv"),
            vec!["missing_label.csv", "label"],
        ),
        (
            path("missing_numeric_column.csv"),
            vec!["missing_numeric_column.csv", "lex_liwc_i"],
        ),
        (
            path("non_numeric_value.csv"),
            vec!["non_numeric_value.csv", "lex_liwc_i", "lots", "6"],
        ),
        (path("bad_label.csv"), vec!["bad_label.csv", "label", "2"]),
    ];
    for (data, needles) in cases {
        let output = stresslens(&train_args(&data, out));
        assert_fails_with(&output, &needles);
        assert!(!Path::new(out).exists());
    }
}

#[test]
fn evaluate_needs_the_models_numeric_columns() {
    let output = stresslens(&[
        "evaluate",
        "--model",
        model().to_str().unwrap(),
        "--data",
        fixture("missing_numeric_column.csv").to_str().unwrap(),
    ]);
    assert_fails_with(&output, &["missing_numeric_column.csv", "lex_liwc_i"]);
}

#[test]
fn damaged_models_fail_with_one_line_naming_the_file_and_the_problem() {
    let good = std::fs::read(model()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut future = good.clone();
    future[8] = 9;
    let mut tampered = good.clone();
    let middle = good.len() / 2;
    tampered[middle] ^= 0x20;
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "truncated.bin",
            good[..good.len() - 10].to_vec(),
            "truncated artifact",
        ),
        ("tampered.bin", tampered, "checksum mismatch"),
        (
            "future.bin",
            future,
            "unsupported artifact format version 9",
        ),
        ("text.bin", b"hello".to_vec(), "wrong magic"),
    ];
    for (name, bytes, problem) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let model = path.to_str().unwrap();
        for args in [
            vec![
                "evaluate",
                "--model",
                model,
                "--data",
                fixture("posts.csv").to_str().unwrap(),
            ],
            vec![
                "predict",
                "--model",
                model,
                "--input",
                fixture("predict_input.jsonl").to_str().unwrap(),
            ],
        ] {
            let output = stresslens(&args);
            assert_fails_with(&output, &[model, problem]);
            assert_eq!(stdout(&output), "");
        }
    }
    let output = stresslens(&["predict", "--model", "/nonexistent/m.bin"]);
    assert_fails_with(&output, &["/nonexistent/m.bin", "cannot read"]);
}

/// A missing input file is named the way a missing model or data file is: `<path>: cannot read: <why>`.
#[test]
fn predict_names_a_missing_input_like_a_missing_model() {
    let output = stresslens(&[
        "predict",
        "--model",
        model().to_str().unwrap(),
        "--input",
        "/nonexistent/posts.jsonl",
    ]);
    assert_fails_with(&output, &[]);
    assert_eq!(
        stderr(&output).trim_end(),
        "stresslens: error: /nonexistent/posts.jsonl: cannot read: No such file or directory (os error 2)"
    );
    assert_eq!(stdout(&output), "");
}

#[test]
fn usage_errors_exit_two() {
    for args in [
        vec!["train", "--bogus"],
        vec!["train", "--out", "x.bin", "--threshold", "1.5"],
        vec!["train", "--out", "x.bin", "--numeric", "auto:x"],
        vec!["train", "--out", "x.bin", "--weighting", "bm25"],
        vec!["train", "--out", "x.bin", "--trees", "0"],
        vec!["evaluate", "--data", "x.csv"],
        vec!["frobnicate"],
    ] {
        let output = stresslens(&args);
        assert_eq!(
            output.status.code(),
            Some(2),
            "{args:?}: {}",
            stderr(&output)
        );
        assert!(!stderr(&output).is_empty());
    }
}

#[test]
fn data_defaults_to_the_environment_variable() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("m.bin");
    let output = Command::new(env!("CARGO_BIN_EXE_stresslens"))
        .args([
            "train",
            "--out",
            out.to_str().unwrap(),
            "--trees",
            "3",
            "--max-vocab",
            "20",
            "--cv-folds",
            "0",
            "--numeric",
            "none",
        ])
        .env("STRESSLENS_DATA", fixture("posts.csv"))
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(out.exists());
}

#[test]
fn help_documents_defaults_and_exit_codes() {
    let output = stresslens(&["train", "--help"]);
    let text = stdout(&output);
    for needle in [
        "--trees <TREES>",
        "[default: ",
        "--numeric",
        "--weighting",
        "STRESSLENS_DATA",
    ] {
        assert!(text.contains(needle), "{needle} in {text}");
    }
    let predict = stdout(&stresslens(&["predict", "--help"]));
    assert!(
        predict.contains("1 at least one line was rejected"),
        "{predict}"
    );
}

#[test]
fn tune_writes_the_best_model_and_both_reports() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("tuned.bin");
    let report = dir.path().join("report.json");
    let output = stresslens(&[
        "tune",
        "--data",
        fixture("posts.csv").to_str().unwrap(),
        "--trials",
        "2",
        "--folds",
        "2",
        "--seed",
        "5",
        "--out",
        out.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = stdout(&output);
    assert!(text.starts_with("trial 1/2: trees="), "{text}");
    assert!(text.contains("\ntrial 2/2: "), "{text}");
    assert!(text.contains("\nbest: trial "), "{text}");
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(json["trials"].as_array().unwrap().len(), 2);
    assert_eq!(json["folds"], 2);
    let best = json["best_trial"].as_u64().unwrap() as usize;
    let best_f1 = json["trials"][best - 1]["f1_mean"].as_f64().unwrap();
    for trial in json["trials"].as_array().unwrap() {
        assert!(trial["f1_mean"].as_f64().unwrap() <= best_f1);
        let threshold = trial["threshold"].as_f64().unwrap();
        assert!((0.3..=0.7).contains(&threshold));
    }
    let markdown = std::fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(
        markdown.contains("| trial | configuration | threshold | F1 mean ± std |"),
        "{markdown}"
    );
    assert_eq!(markdown.matches("**best**").count(), 1);
    // The written model is the best trial's configuration with its threshold and CV metrics.
    let evaluate = stresslens(&[
        "evaluate",
        "--model",
        out.to_str().unwrap(),
        "--data",
        fixture("posts.csv").to_str().unwrap(),
        "--json",
    ]);
    assert_eq!(evaluate.status.code(), Some(0), "{}", stderr(&evaluate));
    let evaluation: serde_json::Value = serde_json::from_str(&stdout(&evaluate)).unwrap();
    assert_eq!(
        evaluation["threshold"],
        json["trials"][best - 1]["threshold"]
    );
}
