//! `cargo xtask spec-diff [OLD] [NEW]`: what a spec change means for users of the generated
//! crate, for a terminal, a pull-request comment, a JSON consumer or GitHub annotations.
//!
//! Each side is a file, or `REV:PATH` read with `git show`. By default OLD is
//! `spec/openapi.yaml` at the merge base of HEAD and the base branch (`--base REV`, else the
//! upstream default branch: `origin/HEAD`, then `main`, then `master`; none of them is an
//! error, never a silent comparison with HEAD) and NEW is `spec/openapi.yaml` in the working
//! tree, so a plain `cargo xtask spec-diff` in a branch answers "what does this branch change in
//! the API?". The first line of the output names what OLD is.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use generator::diff::{self, CodeSummary, Level, Report};
use generator::{load_bytes, Document};

use crate::codegen_files_for;

/// The spec file, relative to the workspace root.
const SPEC: &str = "spec/openapi.yaml";

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Readable in a terminal.
    Text,
    /// A pull-request comment, with the generated-code summary.
    Markdown,
    /// `{"changes": [{id, level, operation, location, message, acknowledged}], "semver": {…}}`.
    Json,
    /// GitHub Actions annotations (`::error file=…,line=…::…`).
    Github,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum FailOn {
    /// Exit 1 when any change is breaking.
    Breaking,
    /// Exit 1 when any change is breaking or a warning.
    Warning,
    /// Exit 1 on any change at all.
    Info,
}

/// Compare two OpenAPI documents and report API changes with their impact on the generated crate.
#[derive(clap::Args, Debug)]
pub struct SpecDiffArgs {
    /// The old document: a file, or REV:PATH read from git [default: spec/openapi.yaml at the
    /// merge base of HEAD and the base branch, see --base]
    pub old: Option<String>,
    /// The new document: a file, or REV:PATH read from git [default: spec/openapi.yaml in the
    /// working tree]
    pub new: Option<String>,
    /// The branch or commit OLD comes from: spec/openapi.yaml at the merge base of HEAD and REV
    /// [default: the upstream default branch, from `origin/HEAD`, else `main`, else `master`]
    #[arg(long, value_name = "REV", conflicts_with = "old")]
    pub base: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Exit with status 1 when a change of this level (or worse) is found.
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// With --format markdown, leave out the generated-code summary (which generates both sides).
    #[arg(long)]
    pub no_code_summary: bool,
    /// Also write the whole report to FILE: JSON when it ends in `.json`, else markdown with
    /// every row (the markdown on stdout is cut to fit a pull-request comment, and says so).
    #[arg(long, value_name = "FILE")]
    pub out_full: Option<PathBuf>,
    /// Apply this OpenAPI Overlay to both sides first (repeatable, in order), so the change is
    /// reviewed as the crate generated with it sees it.
    #[arg(long = "overlay", value_name = "FILE")]
    pub overlays: Vec<PathBuf>,
    /// Exit 3 when the generated crate's version (`crate.version` of the `codegen.yaml` beside
    /// each document, at its revision) is not bumped enough for the changes: major, minor or
    /// patch as the report states, read as Cargo reads versions before 1.0.
    #[arg(long)]
    pub check_version: bool,
    /// With --check-version, OLD's crate version instead of the one in its codegen.yaml.
    #[arg(long, value_name = "VERSION", requires = "check_version")]
    pub old_version: Option<String>,
    /// With --check-version, NEW's crate version instead of the one in its codegen.yaml.
    #[arg(long, value_name = "VERSION", requires = "check_version")]
    pub new_version: Option<String>,
    /// Accepted changes: `ID | METHOD /path or /pointer | YYYY-MM-DD | reason` a line. Matching
    /// changes are shown as acknowledged and not counted by --fail-on; an expired or malformed
    /// entry is an error [default: spec-diff.ignore at the workspace root, when present]
    #[arg(long, value_name = "FILE")]
    pub ignore: Option<PathBuf>,
}

/// The exit code when --check-version finds the version not bumped enough (and --fail-on did
/// not already fail the run).
pub const EXIT_VERSION: i32 = 3;

/// Runs the command; answers the exit code (0, or 1 for `--fail-on`). Errors (unreadable or
/// invalid documents, git failures) are returned.
pub fn run(args: SpecDiffArgs) -> Result<i32> {
    let root = workspace_root();
    let (old_spec, base) = match &args.old {
        Some(s) => (s.clone(), format!("Base: {s} (given as OLD)")),
        None => {
            let base = Base::find(args.base.as_deref())?;
            (format!("{}:{SPEC}", base.commit), base.describe())
        }
    };
    // Both sides are read at once (a whole API takes a few hundred milliseconds each).
    let (old, new) = std::thread::scope(|s| {
        let old = s.spawn(|| read_side(&old_spec));
        let new = match &args.new {
            Some(s) => read_side(s),
            None => read_file(&root.join(SPEC), SPEC),
        };
        (old.join().unwrap_or_else(|p| std::panic::resume_unwind(p)), new)
    });
    let (old, new) = (old?, new?);
    let overlays = args
        .overlays
        .iter()
        .map(|p| generator::Overlay::load(p))
        .collect::<Result<Vec<_>, _>>()?;
    let (old, new, stale) = if overlays.is_empty() {
        (old, new, Vec::new())
    } else {
        let (old, old_applied) = generator::apply_overlays(old, &overlays)?;
        let (new, new_applied) = generator::apply_overlays(new, &overlays)?;
        let stale = stopped_matching(&overlays, &old_applied, &new_applied);
        (old, new, stale)
    };
    // The Rust API compared is the one NEW's crate has: named and placed by the `codegen.yaml`
    // beside NEW (`spec/codegen.yaml` for the workspace's own document), the defaults where
    // there is none. Another document is never read with this crate's configuration.
    let config = match &args.new {
        None => config_beside(&root.join(SPEC))?,
        Some(s) if split_rev(s).is_none() => config_beside(Path::new(s))?,
        // NEW from a revision: its configuration as of the working tree, if that names it.
        Some(s) => config_beside(&root.join(split_rev(s).map_or(s.as_str(), |(_, p)| p)))?,
    };
    let mut report = diff::diff_documents_with(&old, &new, &config);
    // The default file is named as the repository names it, wherever the command runs.
    let ignore_file = match &args.ignore {
        Some(path) => Some((path.clone(), path.display().to_string())),
        None => Some((root.join(IGNORE), IGNORE.to_string())).filter(|(p, _)| p.is_file()),
    };
    let mut unused = Vec::new();
    if let Some((path, name)) = &ignore_file {
        let bytes = std::fs::read(path).with_context(|| format!("{name}: cannot read the ignore file"))?;
        let file = diff::IgnoreFile::parse(name, &bytes, today())?;
        unused = file.acknowledge(&mut report).into_iter().map(|(line, id)| (name.clone(), line, id)).collect();
    }
    let version_check = match args.check_version {
        false => None,
        true => {
            let from = match &args.old_version {
                Some(v) => v.clone(),
                None => side_version(&old_spec, "OLD", "--old-version")?,
            };
            let now = match (&args.new_version, &args.new) {
                (Some(v), _) => v.clone(),
                (None, Some(n)) => side_version(n, "NEW", "--new-version")?,
                (None, None) => side_version(&root.join(SPEC).display().to_string(), "NEW", "--new-version")?,
            };
            let semver = diff::Semver::of(&report.changes, &from);
            let result = semver.check(&now);
            if let Err(e @ diff::VersionError::NotSemver { .. }) = &result {
                bail!("--check-version: {e}");
            }
            report.semver = Some(semver);
            Some((now, result))
        }
    };
    let wants_summary = !args.no_code_summary
        && (args.format == Format::Markdown || args.out_full.as_ref().is_some_and(|f| !is_json(f)));
    let summary = if wants_summary {
        code_summary(&old, &new).map_err(|e| {
            // The error may quote the documents: escaped for each reader.
            let e = format!("{e:#}");
            eprintln!("spec-diff: no generated-code summary: {}", diff::escape_text(&e));
            e
        })
    } else {
        Err(String::new())
    };
    // Markdown of the whole report (`limits: None`) or of a comment.
    let markdown = |limits: Option<&diff::CommentLimits>| {
        let mut md = match limits {
            Some(l) => diff::render_markdown_comment(&report, summary.as_ref().ok(), l),
            None => diff::render_markdown(&report, summary.as_ref().ok()),
        };
        if let Err(e) = &summary {
            if !e.is_empty() {
                md.push_str(&format!("\n_Generated-code summary unavailable: {}._\n", diff::escape_markdown(&cut(e))));
            }
        }
        md
    };
    if let Some(file) = &args.out_full {
        let full = if is_json(file) { diff::render_json(&report) } else { markdown(None) };
        std::fs::write(file, full).with_context(|| format!("cannot write {}", file.display()))?;
    }
    // Notes about the comparison that are not API changes, then the version check's verdict.
    let mut notes: Vec<Note> = unused
        .iter()
        .map(|(file, line, id)| Note {
            file: file.clone(),
            line: Some(*line),
            title: "ignore-entry-unused",
            message: format!("{file}:{line}: the entry for `{id}` matches no change: remove it"),
        })
        .collect();
    notes.extend(stale.iter().map(|s| Note { file: s.file.clone(), line: s.line, title: "overlay-stopped-matching", message: s.message() }));
    let mut tail = render_notes(&notes, args.format);
    if let Some((now, result)) = &version_check {
        let message = match result {
            Ok(()) => format!("version check: {now} is bumped enough from {}", report.semver.as_ref().map_or("", |s| s.from.as_str())),
            Err(e) => format!("version check failed: {e}"),
        };
        match (args.format, result) {
            (Format::Text, _) => tail.push_str(&format!("{}\n", diff::escape_text(&message))),
            (Format::Markdown, Ok(())) => tail.push_str(&format!("\n{}\n", diff::escape_markdown(&message))),
            (Format::Markdown, Err(_)) => tail.push_str(&format!("\n> **:x: {}**\n", diff::escape_markdown(&message))),
            (Format::Github, Ok(())) | (Format::Json, _) => {}
            (Format::Github, Err(_)) => tail.push_str(&diff::github_error(CONFIG, config.line_of(&["crate", "version"]).unwrap_or(1), "crate-version-not-bumped", &message)),
        }
        if result.is_err() || args.format == Format::Json {
            eprintln!("spec-diff: {}", diff::escape_text(&message));
        }
    }
    let mut out = match args.format {
        Format::Text => diff::render_text(&report),
        Format::Json => diff::render_json(&report),
        Format::Github => diff::render_github(&report, &old, &new),
        Format::Markdown => {
            // The base line and the tail count against the comment's size too.
            let full_report = args.out_full.as_ref().map(|f| f.display().to_string());
            markdown(Some(&diff::CommentLimits {
                max_bytes: diff::COMMENT_MAX_BYTES.saturating_sub(base.len() + 2 + tail.len()),
                full_report: full_report.as_deref(),
            }))
        }
    };
    out.push_str(&tail);
    // What was compared comes first; JSON has no line before its value, so there it goes to
    // stderr.
    match args.format {
        // A plain log line, not an annotation (those are the changes').
        Format::Text | Format::Github => println!("{}", diff::escape_text(&base)),
        Format::Markdown => println!("{}\n", diff::escape_markdown(&base)),
        Format::Json => eprintln!("spec-diff: {}", diff::escape_text(&base)),
    }
    print!("{out}");
    Ok(match exit_code(&report, args.fail_on) {
        0 if version_check.is_some_and(|(_, r)| r.is_err()) => EXIT_VERSION,
        code => code,
    })
}

/// The project's ignore file, relative to the workspace root.
const IGNORE: &str = "spec-diff.ignore";
/// The project's configuration, relative to the workspace root.
const CONFIG: &str = "spec/codegen.yaml";

/// Today's date in UTC, for the ignore file's expiry dates.
fn today() -> diff::Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    diff::Date::from_unix_days((secs / 86_400) as i64)
}

/// `crate.version` of the `codegen.yaml` beside the document `spec` (a file, or `REV:PATH`
/// read at REV), or the generator's default `0.1.0` when it sets none. No such file is an
/// error naming the option that gives the version instead.
fn side_version(spec: &str, side: &str, option: &str) -> Result<String> {
    let (text, name) = match split_rev(spec) {
        Some((rev, path)) => {
            let config = Path::new(path).with_file_name("codegen.yaml");
            let name = format!("{rev}:{}", config.display());
            let out = git(&["show", &name])?;
            if !out.status.success() {
                bail!("{name}: no configuration to read {side}'s crate version from (`git show` failed: {}); pass {option} VERSION", String::from_utf8_lossy(&out.stderr).trim());
            }
            (String::from_utf8_lossy(&out.stdout).into_owned(), name)
        }
        None => {
            let config = Path::new(spec).with_file_name("codegen.yaml");
            let name = config.display().to_string();
            let text = std::fs::read_to_string(&config)
                .with_context(|| format!("{name}: no configuration to read {side}'s crate version from; pass {option} VERSION"))?;
            (text, name)
        }
    };
    let config = generator::Config::parse(&name, &text)?;
    Ok(config.krate.version.clone().unwrap_or_else(|| "0.1.0".to_string()))
}

/// A note about the comparison (an ignore entry that matched nothing, an overlay action that
/// stopped matching), placed on its file and line.
struct Note {
    file: String,
    line: Option<usize>,
    title: &'static str,
    message: String,
}

/// Notes a pull-request comment or the annotations carry at most (the text carries all), so
/// however many there are the comment stays within its size.
const MAX_NOTES: usize = 10;
/// The longest note message, in characters, in a comment or annotation.
const MAX_NOTE_CHARS: usize = 400;

/// `s` cut to [`MAX_NOTE_CHARS`].
fn cut(s: &str) -> String {
    match s.char_indices().nth(MAX_NOTE_CHARS) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// The notes in `format` (JSON: on stderr, answering nothing).
fn render_notes(notes: &[Note], format: Format) -> String {
    let mut out = String::new();
    let shown = match format {
        Format::Markdown | Format::Github => notes.len().min(MAX_NOTES),
        Format::Text | Format::Json => notes.len(),
    };
    for n in &notes[..shown] {
        match format {
            Format::Text => out.push_str(&format!("note: {}\n", diff::escape_text(&n.message))),
            Format::Markdown => out.push_str(&format!("\n> **Note:** {}\n", diff::escape_markdown(&cut(&n.message)))),
            Format::Github => out.push_str(&diff::github_warning(&n.file, n.line.unwrap_or(1), n.title, &cut(&n.message))),
            Format::Json => eprintln!("spec-diff: note: {}", diff::escape_text(&n.message)),
        }
    }
    if shown < notes.len() {
        let rest = format!("{} more notes; the text format lists them all", notes.len() - shown);
        match format {
            Format::Markdown => out.push_str(&format!("\n> **Note:** {rest}.\n")),
            _ => out.push_str(&format!("::notice title=more notes::{rest}\n")),
        }
    }
    out
}

/// An overlay action that selected something in OLD and nothing in NEW: the upstream changed
/// under it, and the crate generated from NEW no longer carries what it did.
#[derive(Debug, PartialEq, Eq)]
pub struct Stale {
    file: String,
    index: usize,
    line: Option<usize>,
    description: Option<String>,
    target: String,
    old_matches: usize,
}

impl Stale {
    fn message(&self) -> String {
        let at = self.line.map(|l| format!(":{l}")).unwrap_or_default();
        let described = match &self.description {
            Some(d) => format!("description {}, ", generator::internal::rust_str(d)),
            None => String::new(),
        };
        format!(
            "overlay {}{at} actions[{}] ({described}target {}) selects {} node(s) in OLD and nothing in NEW: the upstream changed under it",
            self.file,
            self.index,
            generator::internal::rust_str(&self.target),
            self.old_matches
        )
    }
}

/// The actions that stopped matching between the two sides.
fn stopped_matching(overlays: &[generator::Overlay], old: &generator::Applied, new: &generator::Applied) -> Vec<Stale> {
    let mut out = Vec::new();
    for ((o, before), after) in overlays.iter().zip(&old.matches).zip(&new.matches) {
        for (index, ((target, b), a)) in o.targets().zip(before).zip(after).enumerate() {
            if *b > 0 && *a == 0 {
                out.push(Stale {
                    file: o.file().to_string(),
                    index,
                    line: o.action_line(index),
                    description: o.action_description(index).map(str::to_string),
                    target: target.to_string(),
                    old_matches: *b,
                });
            }
        }
    }
    out
}

/// 1 when `--fail-on` names a level that was reached, else 0.
pub fn exit_code(report: &Report, fail_on: Option<FailOn>) -> i32 {
    let threshold = match fail_on {
        None => return 0,
        Some(FailOn::Breaking) => Level::Breaking,
        Some(FailOn::Warning) => Level::Warning,
        Some(FailOn::Info) => Level::Info,
    };
    match report.worst() {
        Some(worst) if worst <= threshold => 1,
        _ => 0,
    }
}

fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e.eq_ignore_ascii_case("json"))
}

/// Generates both sides and compares the files.
fn code_summary(old: &Document, new: &Document) -> Result<CodeSummary> {
    let a = codegen_files_for(old).with_context(|| format!("generating from {}", old.name))?;
    let b = codegen_files_for(new).with_context(|| format!("generating from {}", new.name))?;
    Ok(CodeSummary::between(&a, &b))
}

/// The workspace root: git's top level, or the folder above xtask.
fn workspace_root() -> PathBuf {
    let from_git = Command::new("git")
        .args(["rev-parse", "--show-toplevel"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()));
    from_git.unwrap_or_else(|| {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("xtask has a parent")
            .to_path_buf()
    })
}

fn git(args: &[&str]) -> Result<std::process::Output> {
    Command::new("git")
        .args(args)
        .output()
        .with_context(|| format!("cannot run `git {}`", args.join(" ")))
}

/// The revision OLD is read from when no OLD is given.
#[derive(Debug, PartialEq, Eq)]
struct Base {
    /// The branch or commit compared with (`origin/main`, `main`, what `--base` named).
    rev: String,
    /// Where `rev` came from: `--base`, `origin/HEAD`, or a local branch found by name.
    found_from: &'static str,
    /// The merge base of HEAD and `rev`, a full commit id.
    commit: String,
}

impl Base {
    /// `--base REV` when given, else the upstream default branch (`origin/HEAD`'s target, then
    /// a `main`, then a `master` branch), with its merge base with HEAD. No candidate, or no
    /// merge base, is an error saying to pass `--base`: comparing with HEAD instead would
    /// report "No API changes" for a branch that has some.
    fn find(given: Option<&str>) -> Result<Base> {
        let (rev, found_from) = match given {
            Some(rev) => (rev.to_string(), "--base"),
            None => default_branch()?.ok_or_else(|| {
                anyhow::anyhow!(
                    "no base to compare with: `origin/HEAD` is not set and there is no `main` or `master` branch; pass --base REV (the branch or commit to compare with), or OLD as a file or REV:PATH"
                )
            })?,
        };
        let out = git(&["merge-base", "HEAD", &rev])?;
        if !out.status.success() {
            bail!(
                "no merge base of HEAD and `{rev}` (from {found_from}): {}; pass --base REV (the branch or commit to compare with), or OLD as a file or REV:PATH",
                match String::from_utf8_lossy(&out.stderr).trim() {
                    "" => "unrelated histories, or no commit yet",
                    e => e,
                }
            );
        }
        let commit = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Ok(Base { rev, found_from, commit })
    }

    /// The output's first line.
    fn describe(&self) -> String {
        format!("Base: {SPEC} at {} (merge base of HEAD and {}, from {})", self.commit, self.rev, self.found_from)
    }
}

/// The upstream default branch: what `origin/HEAD` points at, else a local `main`, else a local
/// `master`, with where it was found.
fn default_branch() -> Result<Option<(String, &'static str)>> {
    let origin = git(&["symbolic-ref", "--quiet", "--short", "refs/remotes/origin/HEAD"])?;
    if origin.status.success() {
        let target = String::from_utf8_lossy(&origin.stdout).trim().to_string();
        if !target.is_empty() {
            return Ok(Some((target, "origin/HEAD")));
        }
    }
    for branch in ["main", "master"] {
        let found = git(&["rev-parse", "--verify", "--quiet", &format!("refs/heads/{branch}^{{commit}}")])?;
        if found.status.success() {
            return Ok(Some((branch.to_string(), "a local branch")));
        }
    }
    Ok(None)
}

/// `REV:PATH` → (`REV`, `PATH`), unless `spec` names an existing file.
fn split_rev(spec: &str) -> Option<(&str, &str)> {
    if Path::new(spec).exists() {
        return None;
    }
    match spec.split_once(':') {
        Some((rev, path)) if !rev.is_empty() && !path.is_empty() => Some((rev, path)),
        _ => None,
    }
}

/// The configuration beside the document at `spec` (`codegen.yaml` in its folder), when it is
/// there and its `spec:` names that document; the defaults otherwise.
fn config_beside(spec: &Path) -> Result<generator::Config> {
    let path = spec.with_file_name("codegen.yaml");
    if !path.is_file() {
        return Ok(generator::Config::default());
    }
    let config = generator::Config::load(&path)?;
    let names_it = config.spec.as_deref().is_some_and(|named| {
        let named = path.with_file_name(named);
        match (named.canonicalize(), spec.canonicalize()) {
            (Ok(a), Ok(b)) => a == b,
            _ => named == spec,
        }
    });
    Ok(if names_it || config.spec.is_none() { config } else { generator::Config::default() })
}

fn read_side(spec: &str) -> Result<Document> {
    match split_rev(spec) {
        None => read_file(Path::new(spec), spec),
        Some((rev, path)) => {
            let out = git(&["show", &format!("{rev}:{path}")])?;
            if !out.status.success() {
                bail!(
                    "{spec}: `git show {rev}:{path}` failed: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
            Ok(load_bytes(spec, &out.stdout)?)
        }
    }
}

fn read_file(path: &Path, name: &str) -> Result<Document> {
    let bytes = std::fs::read(path).with_context(|| {
        format!("{name}: cannot read (a file path, or REV:PATH to read from git, was expected)")
    })?;
    Ok(load_bytes(name, &bytes)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_fail_on() {
        let change = |level| diff::Change {
            kind: diff::ChangeKind::EndpointAdded,
            level,
            operation: None,
            location: String::new(),
            message: String::new(),
            acknowledged: None,
        };
        let warn = Report {
            changes: vec![change(Level::Warning), change(Level::Info)],
            ..Report::default()
        };
        assert_eq!(exit_code(&warn, None), 0);
        assert_eq!(exit_code(&warn, Some(FailOn::Breaking)), 0);
        assert_eq!(exit_code(&warn, Some(FailOn::Warning)), 1);
        let breaking = Report {
            changes: vec![change(Level::Breaking)],
            ..Report::default()
        };
        assert_eq!(exit_code(&breaking, Some(FailOn::Breaking)), 1);
        assert_eq!(exit_code(&breaking, Some(FailOn::Warning)), 1);
        assert_eq!(exit_code(&Report::default(), Some(FailOn::Warning)), 0);
        assert_eq!(exit_code(&warn, Some(FailOn::Info)), 1);
        let info = Report { changes: vec![change(Level::Info)], ..Report::default() };
        assert_eq!(exit_code(&info, Some(FailOn::Warning)), 0);
        assert_eq!(exit_code(&info, Some(FailOn::Info)), 1);
        assert_eq!(exit_code(&Report::default(), Some(FailOn::Info)), 0);
    }

    #[test]
    fn an_action_that_matched_old_but_not_new_is_named() {
        let doc = |id: &str| {
            let text = format!(
                "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n  /a:\n    get:\n      operationId: {id}\n      responses: {{'200': {{description: ok}}}}\n"
            );
            load_bytes("doc.yaml", text.as_bytes()).unwrap()
        };
        let overlay = generator::Overlay::from_bytes(
            "o.yaml",
            b"overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.info\n    update: {title: u}\n  - target: $.paths.*[?@.operationId == 'old-name']\n    description: Name the list in our words.\n    update: {summary: s}\n",
        )
        .unwrap();
        let overlays = [overlay];
        let (_, old) = generator::apply_overlays(doc("old-name"), &overlays).unwrap();
        let (_, new) = generator::apply_overlays(doc("new-name"), &overlays).unwrap();
        let stale = stopped_matching(&overlays, &old, &new);
        assert_eq!(stale.len(), 1);
        assert_eq!(
            stale[0].message(),
            "overlay o.yaml:6 actions[1] (description \"Name the list in our words.\", target \"$.paths.*[?@.operationId == 'old-name']\") selects 1 node(s) in OLD and nothing in NEW: the upstream changed under it"
        );
        assert!(stopped_matching(&overlays, &old, &old).is_empty());

        // A description is the overlay author's text: quoted on one line, a line break and a
        // workflow command kept inside the literal.
        let hostile = generator::Overlay::from_bytes(
            "h.yaml",
            b"overlay: 1.0.0\ninfo: {title: t, version: '1'}\nactions:\n  - target: $.paths['/a']\n    description: \"x\\n::error::forged\"\n    remove: true\n",
        )
        .unwrap();
        let hostile = [hostile];
        let (_, old) = generator::apply_overlays(doc("old-name"), &hostile).unwrap();
        let (_, new) = generator::apply_overlays(doc("old-name"), &hostile).unwrap();
        assert!(stopped_matching(&hostile, &old, &new).is_empty());
        let gone = generator::Applied { matches: vec![vec![0]], ..Default::default() };
        let message = stopped_matching(&hostile, &old, &gone)[0].message();
        assert!(!message.contains('\n') && message.contains(r#"description "x\n::error::forged""#), "{message}");
    }

    #[test]
    fn sides_are_files_or_rev_paths() {
        assert_eq!(
            split_rev("main:spec/openapi.yaml"),
            Some(("main", "spec/openapi.yaml"))
        );
        assert_eq!(
            split_rev("HEAD~1:spec/openapi.yaml"),
            Some(("HEAD~1", "spec/openapi.yaml"))
        );
        assert_eq!(split_rev("spec/openapi.yaml"), None);
        assert_eq!(split_rev(":x"), None);
        assert_eq!(split_rev(env!("CARGO_MANIFEST_DIR")), None);
    }
}
