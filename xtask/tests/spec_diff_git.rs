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
      - {{name: page, in: query, schema: {{type: integer}}}}
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
    assert_eq!(json["changes"][0]["id"], "required-request-parameter-added");
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
