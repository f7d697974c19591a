//! The binary's own arguments: help on stdout with exit 0, a wrong argument on stderr with exit 2, and outside
//! Lambda without `--event` a clear refusal.

use std::process::Command;

fn run(args: &[&str]) -> (i32, String, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_stresslens-lambda"))
        .args(args)
        .env_remove("AWS_LAMBDA_RUNTIME_API")
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

#[test]
fn help_goes_to_stdout_and_exits_zero() {
    for flag in ["--help", "-h"] {
        let (code, stdout, stderr) = run(&[flag]);
        assert_eq!(code, 0);
        assert!(
            stdout.starts_with("usage: stresslens-lambda [--event FILE [--timeout-secs N]]\n"),
            "{stdout}"
        );
        assert_eq!(stderr, "");
    }
}

#[test]
fn usage_errors_exit_two_with_the_cause_first() {
    let (code, stdout, stderr) = run(&["--bogus"]);
    assert_eq!(code, 2);
    assert_eq!(stdout, "");
    assert!(
        stderr.starts_with("stresslens-lambda: unexpected argument \"--bogus\"\nusage: "),
        "{stderr}"
    );
    let (code, _, stderr) = run(&[]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with(
            "stresslens-lambda: not running in Lambda (AWS_LAMBDA_RUNTIME_API is unset): pass --event FILE\n"
        ),
        "{stderr}"
    );
    let (code, _, stderr) = run(&["--event"]);
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("stresslens-lambda: --event needs a FILE\n"),
        "{stderr}"
    );
}
