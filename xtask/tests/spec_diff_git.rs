//! Which revision `cargo xtask spec-diff` compares with when OLD is not given, on real git
//! repositories made in temporary folders: `--base REV`, else `origin/HEAD`, then `main`, then
//! `master`, always through the merge base with HEAD; none of them is exit 2 with a message
//! saying to pass `--base`. The first line of the output names the base.

use std::path::Path;
use std::process::{Command, Output};

const XTASK: &str = env!("CARGO_BIN_EXE_xtask");

/// A one-operation document; `extra` adds query parameters to it.
fn spec(extra: &str) -> String {
    format!(
        "openapi: 3.0.3
info: {{title: T, version: '1'}}
paths:
  /items:
    get:
      operationId: list-items
      parameters:
      - {{name: order, in: query, schema: {{type: string}}}}
{extra}      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {{type: object, properties: {{id: {{type: string}}}}}}
"
    )
}

const LIMIT: &str = "      - {name: limit, in: query, required: true, schema: {type: integer}}\n";
const SORT: &str = "      - {name: sort, in: query, schema: {type: string}}\n";

struct Repo {
    dir: tempfile::TempDir,
}

impl Repo {
    /// A repository whose first branch is `branch`, with one commit of `spec("")`.
    fn new(branch: &str) -> Repo {
        let repo = Repo { dir: tempfile::tempdir().unwrap() };
        repo.git(&["init", "--quiet", "-b", branch]);
        repo.write(&spec(""));
        repo.commit("first");
        repo
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Runs git in the repository with a fixed identity and no user or system configuration;
    /// answers its trimmed stdout.
    fn git(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .args(["-c", "user.name=T", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"])
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("run git");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn write(&self, text: &str) {
        std::fs::create_dir_all(self.path().join("spec")).unwrap();
        std::fs::write(self.path().join("spec/openapi.yaml"), text).unwrap();
    }

    fn commit(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "--quiet", "-m", message]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// `cargo xtask spec-diff ARGS` run in the repository.
    fn spec_diff(&self, args: &[&str]) -> Output {
        Command::new(XTASK)
            .arg("spec-diff")
            .args(args)
            .current_dir(self.path())
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("run xtask spec-diff")
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn first_line(o: &Output) -> String {
    stdout(o).lines().next().unwrap_or_default().to_string()
}

#[test]
fn without_origin_head_main_or_master_it_exits_2_and_says_to_pass_base() {
    let repo = Repo::new("trunk");
    repo.write(&spec(LIMIT));
    let out = repo.spec_diff(&[]);
    assert_eq!(out.status.code(), Some(2), "stdout:\n{}\nstderr:\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).is_empty(), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("no base to compare with") && err.contains("pass --base REV"), "{err}");

    // Named with --base, the same branch is the base.
    let trunk = repo.git(&["rev-parse", "trunk"]);
    let out = repo.spec_diff(&["--base", "trunk"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        first_line(&out),
        format!("Base: spec/openapi.yaml at {trunk} (merge base of HEAD and trunk, from --base)")
    );
    assert!(stdout(&out).contains("required query parameter `limit` added"), "{}", stdout(&out));
}

#[test]
fn a_base_that_does_not_resolve_exits_2() {
    let repo = Repo::new("main");
    let out = repo.spec_diff(&["--base", "no-such-branch"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let err = stderr(&out);
    assert!(err.contains("no merge base of HEAD and `no-such-branch` (from --base)") && err.contains("pass --base REV"), "{err}");
    // --base names where OLD comes from, so it cannot go with OLD.
    let out = repo.spec_diff(&["--base", "main", "spec/openapi.yaml"]);
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
}

#[test]
fn main_is_compared_at_its_merge_base_with_head() {
    let repo = Repo::new("main");
    let fork = repo.git(&["rev-parse", "HEAD"]);
    // main moves on after the branch forked: a change the branch did not make.
    repo.write(&spec(SORT));
    repo.commit("main adds sort");
    repo.git(&["checkout", "--quiet", "-b", "feature", &fork]);
    repo.write(&spec(LIMIT));
    repo.commit("feature adds limit");

    let out = repo.spec_diff(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        first_line(&out),
        format!("Base: spec/openapi.yaml at {fork} (merge base of HEAD and main, from a local branch)")
    );
    let text = stdout(&out);
    assert!(text.contains("required query parameter `limit` added"), "{text}");
    assert!(!text.contains("`sort`"), "main's own change is not this branch's:\n{text}");

    // --fail-on still decides the exit code.
    assert_eq!(repo.spec_diff(&["--fail-on", "breaking"]).status.code(), Some(1));
}

#[test]
fn master_is_the_last_resort() {
    let repo = Repo::new("master");
    let first = repo.git(&["rev-parse", "HEAD"]);
    repo.git(&["checkout", "--quiet", "-b", "feature"]);
    let out = repo.spec_diff(&[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        first_line(&out),
        format!("Base: spec/openapi.yaml at {first} (merge base of HEAD and master, from a local branch)")
    );
    assert!(stdout(&out).contains("No API changes."), "{}", stdout(&out));
}

#[test]
fn origin_head_wins_over_a_local_main() {
    let repo = Repo::new("main");
    let upstream = repo.git(&["rev-parse", "HEAD"]);
    // The local `main` moves on (say, a stale or unrelated local branch); the remote's default
    // branch, `origin/develop`, stays where the branch forked.
    repo.write(&spec(SORT));
    repo.commit("local main");
    repo.git(&["update-ref", "refs/remotes/origin/develop", &upstream]);
    repo.git(&["symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/develop"]);
    repo.git(&["checkout", "--quiet", "-b", "feature", &upstream]);
    repo.write(&spec(LIMIT));

    let out = repo.spec_diff(&["--format", "markdown", "--no-code-summary"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        first_line(&out),
        format!("Base: spec/openapi.yaml at {upstream} (merge base of HEAD and origin/develop, from origin/HEAD)")
    );
    let md = stdout(&out);
    assert!(md.contains("required query parameter `limit` added") && !md.contains("sort"), "{md}");

    // A plain log line before the annotations.
    let out = repo.spec_diff(&["--format", "github"]);
    assert!(first_line(&out).starts_with("Base: spec/openapi.yaml at "), "{}", stdout(&out));
    assert!(stdout(&out).lines().nth(1).is_some_and(|l| l.starts_with("::error file=spec/openapi.yaml,")), "{}", stdout(&out));

    // JSON keeps its value alone on stdout; the base goes to stderr.
    let out = repo.spec_diff(&["--format", "json"]);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("stdout is JSON");
    // The required parameter, and the method that now takes the parameters as an argument.
    let ids: Vec<&str> = json["changes"].as_array().unwrap().iter().filter_map(|c| c["id"].as_str()).collect();
    assert!(ids.contains(&"required-request-parameter-added") && ids.contains(&"rust-method-signature-changed"), "{ids:?}");
    assert!(stderr(&out).contains("from origin/HEAD"), "{}", stderr(&out));
}

#[test]
fn an_explicit_old_is_named_as_given() {
    let repo = Repo::new("trunk");
    let out = repo.spec_diff(&["trunk:spec/openapi.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(first_line(&out), "Base: trunk:spec/openapi.yaml (given as OLD)");
}

#[test]
fn out_full_writes_the_whole_report_and_fail_on_info_fails_on_any_change() {
    let repo = Repo::new("main");
    repo.write(&spec(SORT));
    // Only an info change: --fail-on warning passes, --fail-on info does not.
    assert_eq!(repo.spec_diff(&["--fail-on", "warning"]).status.code(), Some(0));
    assert_eq!(repo.spec_diff(&["--fail-on", "info"]).status.code(), Some(1));

    let json = repo.path().join("full.json");
    let md = repo.path().join("full.md");
    for file in [&json, &md] {
        let out = repo.spec_diff(&["--format", "markdown", "--no-code-summary", "--out-full", file.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
    let full: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    // The wire change and its Rust side: the params struct gains a field (it derives `Default`).
    let ids: Vec<&str> = full["changes"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["rust-field-added", "optional-request-parameter-added"]);
    assert_eq!(full["semver"]["bump"], "minor");
    let full_md = std::fs::read_to_string(&md).unwrap();
    assert!(full_md.starts_with("## API changes\n") && full_md.contains("optional query parameter `sort` added"), "{full_md}");
}

impl Repo {
    /// `spec/codegen.yaml` setting only the crate's version.
    fn write_version(&self, version: &str) {
        std::fs::write(self.path().join("spec/codegen.yaml"), format!("crate:\n  version: {version}\n")).unwrap();
    }
}

/// A repository on `main` whose base has `spec(SORT)` at crate version `from`, and whose
/// working tree has `now` at version `to`.
fn versioned(from: &str, now: &str, to: &str) -> Repo {
    let repo = Repo::new("main");
    repo.write(&spec(SORT));
    repo.write_version(from);
    repo.commit("version");
    repo.git(&["checkout", "--quiet", "-b", "topic"]);
    repo.write(now);
    repo.write_version(to);
    repo
}

#[test]
fn check_version_exits_3_when_the_version_is_not_bumped_enough() {
    // A parameter removed is a field removed (major); a new optional one a new field of a
    // params struct that derives `Default` (minor); a description only the docs (patch). (A new
    // required one would make the params struct an argument of the method: major.)
    let breaking = spec("");
    let addition = spec(&format!("{SORT}      - {{name: fields, in: query, schema: {{type: string}}}}\n"));
    let docs = spec(SORT).replace("operationId: list-items", "operationId: list-items\n      description: Lists them.");
    let cases: &[(&str, &str, &str, i32)] = &[
        (&breaking, "0.3.1", "0.3.2", 3),
        (&breaking, "0.3.1", "0.4.0", 0),
        (&breaking, "1.2.0", "1.9.0", 3),
        (&breaking, "1.2.0", "2.0.0", 0),
        (&breaking, "0.0.4", "0.0.5", 0),
        (&addition, "0.3.1", "0.3.1", 3),
        (&addition, "0.3.1", "0.3.2", 0),
        (&addition, "1.2.0", "1.2.1", 3),
        (&addition, "1.2.0", "1.3.0", 0),
        (&docs, "1.2.0", "1.2.0", 3),
        (&docs, "1.2.0", "1.2.1", 0),
        (&breaking, "1.2.0", "1.1.0", 3),
    ];
    for (now, from, to, code) in cases {
        let repo = versioned(from, now, to);
        let out = repo.spec_diff(&["--check-version"]);
        assert_eq!(out.status.code(), Some(*code), "{from} → {to}: {}{}", stdout(&out), stderr(&out));
        if *code == 3 {
            assert!(stderr(&out).contains(&format!("not bumped enough from {from}")), "{}", stderr(&out));
        } else {
            assert!(stdout(&out).contains(&format!("version check: {to} is bumped enough from {from}")), "{}", stdout(&out));
        }
    }
    // The report's bump is stated from OLD's version, in JSON too.
    let repo = versioned("1.2.0", &breaking, "1.2.0");
    let out = repo.spec_diff(&["--check-version", "--format", "json"]);
    assert_eq!(out.status.code(), Some(3));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!((json["semver"]["bump"].as_str(), json["semver"]["to"].as_str()), (Some("major"), Some("2.0.0")));
    // GitHub: an error on the version's line.
    let out = repo.spec_diff(&["--check-version", "--format", "github"]);
    assert!(stdout(&out).contains("::error file=spec/codegen.yaml,line=2,title=crate-version-not-bumped::"), "{}", stdout(&out));
    // --fail-on fails first: exit 1 whatever the version.
    assert_eq!(repo.spec_diff(&["--check-version", "--fail-on", "breaking"]).status.code(), Some(1));
    // Versions given on the command line win over the configuration.
    let out = repo.spec_diff(&["--check-version", "--new-version", "2.0.0"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(repo.spec_diff(&["--check-version", "--old-version", "0.0.9", "--new-version", "0.0.10"]).status.code(), Some(0));
}

#[test]
fn check_version_without_a_version_to_read_or_with_a_bad_one_exits_2() {
    // The base has no codegen.yaml: say which option gives the version.
    let repo = Repo::new("main");
    repo.write(&spec(SORT));
    repo.write_version("0.2.0");
    let out = repo.spec_diff(&["--check-version"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("spec/codegen.yaml: no configuration to read OLD's crate version from") && stderr(&out).contains("--old-version"), "{}", stderr(&out));
    assert_eq!(repo.spec_diff(&["--check-version", "--old-version", "0.1.0"]).status.code(), Some(0));
    // Not semver: bad input, quoted on one line.
    let out = repo.spec_diff(&["--check-version", "--old-version", "0.1\n::error::x"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains(r#"the old crate version "0.1\n::error::x" is not semver"#), "{}", stderr(&out));
    // No crate.version: the generator's default, 0.1.0.
    std::fs::write(repo.path().join("spec/codegen.yaml"), "crate: {}\n").unwrap();
    let out = repo.spec_diff(&["--check-version", "--old-version", "0.1.0"]);
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(stderr(&out).contains("the generated crate's version is 0.1.0, not bumped enough from 0.1.0"), "{}", stderr(&out));
}

#[test]
fn the_ignore_file_acknowledges_changes_and_fail_on_skips_them() {
    let repo = Repo::new("main");
    repo.write(&spec(&format!("{LIMIT}{SORT}")));
    assert_eq!(repo.spec_diff(&["--fail-on", "breaking"]).status.code(), Some(1));
    let json = |out: &Output| -> serde_json::Value { serde_json::from_slice(&out.stdout).unwrap() };
    // The breaking change accepted by operation, an info one by pointer.
    let ignore = "# accepted\nrequired-request-parameter-added | get /items | 2999-12-31 | the | limit is new\noptional-request-parameter-added | /paths/~1items/get/parameters/2 | 2999-12-31 | fine\nrust-method-signature-changed | GET /items | 2999-12-31 | params now an argument\n";
    std::fs::write(repo.path().join("spec-diff.ignore"), ignore).unwrap();
    let out = repo.spec_diff(&["--fail-on", "breaking", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let changes = json(&out)["changes"].as_array().unwrap().clone();
    let acked: Vec<(&str, u64)> = changes
        .iter()
        .filter(|c| !c["acknowledged"].is_null())
        .map(|c| (c["id"].as_str().unwrap(), c["acknowledged"]["line"].as_u64().unwrap()))
        .collect();
    let mut acked = acked;
    acked.sort();
    assert_eq!(acked, [("optional-request-parameter-added", 3), ("required-request-parameter-added", 2), ("rust-method-signature-changed", 4)]);
    let limit = changes.iter().find(|c| c["id"] == "required-request-parameter-added").unwrap();
    assert_eq!(limit["acknowledged"]["reason"], "the | limit is new");
    assert_eq!(limit["acknowledged"]["expires"], "2999-12-31");
    // --fail-on info still fails on the info changes no entry accepts.
    assert_eq!(repo.spec_diff(&["--fail-on", "info"]).status.code(), Some(1));
    let text = stdout(&repo.spec_diff(&[]));
    assert!(text.contains("2 breaking (2 acknowledged), 0 warnings, 3 info (1 acknowledged)"), "{text}");
    assert!(text.contains("acknowledged in spec-diff.ignore:2 until 2999-12-31: the | limit is new"), "{text}");
    let md = stdout(&repo.spec_diff(&["--format", "markdown", "--no-code-summary"]));
    assert!(md.contains("<br>**Acknowledged:** acknowledged in spec-diff.ignore:2 until 2999-12-31: the \\| limit is new"), "{md}");
    let gh = stdout(&repo.spec_diff(&["--format", "github"]));
    assert!(!gh.contains("::error") && gh.contains("::notice file=spec/openapi.yaml,line=9,title=required-request-parameter-added (breaking%2C acknowledged)::"), "{gh}");
    // An entry that matches nothing is a note; --fail-on warning still fails on nothing else.
    std::fs::write(repo.path().join("spec-diff.ignore"), format!("{ignore}endpoint-removed | GET /gone | 2999-12-31 | old\n")).unwrap();
    let out = repo.spec_diff(&[]);
    assert!(stdout(&out).contains("spec-diff.ignore:5: the entry for `endpoint-removed` matches no change: remove it"), "{}", stdout(&out));

    // However many entries match nothing, the comment stays within its size.
    let many: String = (0..500).map(|i| format!("endpoint-removed | GET /gone/{i}/{} | 2999-12-31 | {}\n", "p".repeat(900), "r".repeat(900))).collect();
    std::fs::write(repo.path().join("spec-diff.ignore"), format!("{ignore}{many}")).unwrap();
    let md = stdout(&repo.spec_diff(&["--format", "markdown", "--no-code-summary", "--check-version", "--old-version", "0.1.0", "--new-version", "0.2.0"]));
    assert!(md.len() <= 60_000 && md.contains("490 more notes") && md.contains("version check"), "{} bytes", md.len());
    let gh = stdout(&repo.spec_diff(&["--format", "github"]));
    assert_eq!(gh.matches("title=ignore-entry-unused").count(), 10, "{gh}");

    // Expired, malformed and hostile files: exit 2 naming file and line, escaped on one line.
    for (text, line) in [
        (format!("{ignore}endpoint-removed | GET /gone | 2000-01-01 | old\n"), 5),
        ("# c\nrust-type-renamed | /a\n".to_string(), 2),
        ("rust-type-renamed | /a | 2999-01-01 | \u{1b}]8;;http://x\u{7}\n".to_string(), 1),
        ("\n\n\u{feff}nope | GET /a | 2999-01-01 | r\n::error::forged\n".to_string(), 3),
    ] {
        std::fs::write(repo.path().join("spec-diff.ignore"), &text).unwrap();
        let out = repo.spec_diff(&["--format", "github"]);
        assert_eq!(out.status.code(), Some(2), "{text:?}");
        let err = stderr(&out);
        assert!(err.contains(&format!("spec-diff.ignore:{line}: ")), "{text:?}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
        assert!(!err.contains('\u{1b}') && stdout(&out).is_empty(), "{err}");
    }
    // --ignore names another file; a missing one is an error.
    let other = repo.path().join("other.ignore");
    std::fs::write(&other, ignore).unwrap();
    std::fs::remove_file(repo.path().join("spec-diff.ignore")).unwrap();
    assert_eq!(repo.spec_diff(&["--fail-on", "breaking", "--ignore", other.to_str().unwrap()]).status.code(), Some(0));
    assert_eq!(repo.spec_diff(&["--ignore", "missing.ignore"]).status.code(), Some(2));
}

#[test]
fn the_rust_api_is_named_by_the_configuration_beside_new_and_only_that() {
    let repo = Repo::new("main");
    std::fs::write(
        repo.path().join("spec/codegen.yaml"),
        "spec: openapi.yaml\noperations:\n  list-items: { resource: things, method: all }\n",
    )
    .unwrap();
    repo.commit("config");
    repo.write(&spec(SORT));
    // The workspace's own document: its configuration names the method.
    let out = repo.spec_diff(&["--base", "main"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("`models::ThingAllParams::sort"), "{}", stdout(&out));
    // Two other documents, with no configuration beside them: the generator's own names, not
    // this crate's (which may not even fit another document).
    let other = tempfile::tempdir().unwrap();
    std::fs::write(other.path().join("old.yaml"), spec("")).unwrap();
    std::fs::write(other.path().join("new.yaml"), spec(SORT)).unwrap();
    let (old, new) = (other.path().join("old.yaml"), other.path().join("new.yaml"));
    let out = repo.spec_diff(&[old.to_str().unwrap(), new.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("`models::ItemListParams::sort") && !stdout(&out).contains("Thing"), "{}", stdout(&out));
    assert!(!stdout(&out).contains("rust-api-not-compared"), "{}", stdout(&out));
}
