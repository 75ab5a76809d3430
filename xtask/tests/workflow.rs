//! `.github/workflows/spec-diff.yml` read with a YAML parser: it runs on pull requests touching
//! `spec/`, may write the pull request's comment, and every `cargo xtask` command its steps run
//! names a real subcommand with flags and values the xtask binary's `--help` lists, one of them
//! failing when the crate's version is not bumped enough. Each script
//! parses as bash and splices no `${{ … }}` expression into itself.

use std::path::Path;
use std::process::Command;

use serde_yaml_ng::Value;

const XTASK: &str = env!("CARGO_BIN_EXE_xtask");

fn workflow() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../.github/workflows/spec-diff.yml");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_yaml_ng::from_str(&text).expect("the workflow is YAML")
}

/// The `cargo xtask` commands of a script: subcommand and arguments, quotes removed, up to a
/// redirection, pipe or list operator.
fn xtask_commands(script: &str) -> Vec<(String, Vec<String>)> {
    let joined = script.replace("\\\n", " ");
    let mut out = Vec::new();
    for line in joined.lines() {
        let Some(at) = line.find("cargo xtask ") else { continue };
        let rest = &line[at + "cargo xtask ".len()..];
        let end = rest.find(['>', '|', ';', '&']).unwrap_or(rest.len());
        let mut words = rest[..end].split_whitespace().map(|w| w.trim_matches(['"', '\'']).to_string());
        let sub = words.next().expect("a subcommand after `cargo xtask`");
        out.push((sub, words.collect()));
    }
    out
}

/// `xtask SUB --help`, which fails for a subcommand that does not exist.
fn help(sub: &str) -> String {
    let out = Command::new(XTASK).args([sub, "--help"]).output().expect("run xtask");
    assert!(out.status.success(), "`cargo xtask {sub}` is not a subcommand: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn the_workflow_runs_on_spec_changes_and_its_steps_use_real_commands() {
    let w = workflow();
    let on = &w["on"]["pull_request"]["paths"];
    let paths: Vec<&str> = on.as_sequence().expect("on.pull_request.paths").iter().filter_map(Value::as_str).collect();
    assert!(paths.contains(&"spec/**"), "{paths:?}");
    assert_eq!(w["permissions"]["pull-requests"].as_str(), Some("write"));

    let jobs = w["jobs"].as_mapping().expect("jobs");
    let mut commands = Vec::new();
    let mut scripts = Vec::new();
    for (_, job) in jobs {
        for step in job["steps"].as_sequence().expect("steps") {
            if let Some(uses) = step["uses"].as_str() {
                assert!(uses.split_once('@').is_some_and(|(_, r)| !r.is_empty()), "{uses}: name a version");
            }
            let Some(run) = step["run"].as_str() else { continue };
            assert!(!run.contains("${{"), "an expression spliced into a script (pass it through env): {run}");
            let syntax = Command::new("bash").args(["-n", "-c", run]).output().expect("run bash");
            assert!(syntax.status.success(), "{run}: {}", String::from_utf8_lossy(&syntax.stderr));
            commands.extend(xtask_commands(run));
            scripts.push(run.to_string());
        }
    }
    assert!(commands.len() >= 3, "{commands:?}");
    for (sub, args) in &commands {
        let help = help(sub);
        for (i, arg) in args.iter().enumerate() {
            let Some(flag) = arg.strip_prefix("--") else { continue };
            let flag = format!("--{}", flag.split('=').next().unwrap());
            assert!(help.split_whitespace().any(|w| w == flag), "`cargo xtask {sub}` has no {flag}:\n{help}");
            if matches!(flag.as_str(), "--format" | "--fail-on") {
                let value = &args[i + 1];
                assert!(help.contains(&format!("- {value}:")), "{flag} {value} is not a possible value:\n{help}");
            }
        }
    }
    // What the workflow is for: a comment, annotations, a failure on breaking changes.
    let has = |want: &[&str]| commands.iter().any(|(sub, args)| sub == "spec-diff" && want.iter().all(|w| args.iter().any(|a| a == w)));
    assert!(has(&["--format", "markdown", "--out-full"]));
    assert!(has(&["--format", "github"]));
    assert!(has(&["--fail-on", "breaking"]));
    assert!(has(&["--check-version"]), "a step holds the crate's version to the bump the report asks for");
    assert!(commands.iter().all(|(sub, args)| sub != "spec-diff" || args.iter().any(|a| a == "--base")), "every comparison names the pull request's base");
    // The comment posted is the markdown written before, updated in place when it exists.
    let post = scripts.iter().find(|s| s.contains("comment.md")).expect("a step posting the comment");
    assert!(post.contains("cat spec-diff.md") && post.contains("--method PATCH") && post.contains("<!-- spec-diff -->"), "{post}");
    assert!(scripts.iter().any(|s| s.contains("> spec-diff.md")), "the markdown is written to spec-diff.md");
}

#[test]
fn a_flag_the_xtask_lacks_is_caught() {
    let commands = xtask_commands("cargo xtask spec-diff --base \"origin/$BASE_REF\" \\\n  --no-such-flag > out.md");
    assert_eq!(commands, [("spec-diff".to_string(), vec!["--base".to_string(), "origin/$BASE_REF".to_string(), "--no-such-flag".to_string()])]);
    let help = help("spec-diff");
    assert!(!help.split_whitespace().any(|w| w == "--no-such-flag"));
    assert!(Command::new(XTASK).args(["no-such-command", "--help"]).output().unwrap().status.code() != Some(0));
}
