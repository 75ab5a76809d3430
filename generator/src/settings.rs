//! [`Settings`]: the library's front end. Reads the inputs named by path, hands them to the
//! pipeline ([`crate::generate`]), and writes or checks the output folder.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::config::Config;
use crate::write::{self, Changes, Mode};
use crate::{Diagnostic, GenerateError, Generated, Input};

/// What to generate and how, built up call by call:
///
/// ```no_run
/// # fn main() -> Result<(), generator::Error> {
/// let generated = generator::Settings::new("openapi.yaml").crate_name("my-client").generate()?;
/// for (path, text) in &generated.files {
///     println!("{path}: {} bytes", text.len());
/// }
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Settings {
    spec: Option<PathBuf>,
    config: Option<PathBuf>,
    crate_name: Option<String>,
    command: Option<String>,
    standalone: bool,
    relative_to: Option<PathBuf>,
    deny_warnings: bool,
    contract_tests: bool,
    split_crates: bool,
    alias_same_enums: bool,
    module: Option<String>,
    overlays: Vec<PathBuf>,
    effective_spec: Option<PathBuf>,
}

impl Settings {
    /// Generate from the OpenAPI document (YAML or JSON) at `spec`.
    pub fn new(spec: impl Into<PathBuf>) -> Self {
        Settings {
            spec: Some(spec.into()),
            ..Settings::from_config(PathBuf::new())
        }
    }

    /// Generate from the configuration at `config`, whose `spec:` member names the document
    /// (relative to the configuration).
    pub fn from_config(config: impl Into<PathBuf>) -> Self {
        let config = config.into();
        Settings {
            spec: None,
            config: (!config.as_os_str().is_empty()).then_some(config),
            crate_name: None,
            command: None,
            standalone: true,
            relative_to: None,
            deny_warnings: false,
            contract_tests: false,
            split_crates: false,
            alias_same_enums: false,
            module: None,
            overlays: Vec::new(),
            effective_spec: None,
        }
    }

    /// The OpenAPI document, in place of the one the configuration names.
    pub fn spec(mut self, path: impl Into<PathBuf>) -> Self {
        self.spec = Some(path.into());
        self
    }

    /// The naming and selection configuration (`codegen.yaml`).
    pub fn config(mut self, path: impl Into<PathBuf>) -> Self {
        self.config = Some(path.into());
        self
    }

    /// The crate name when the configuration names none (default: from the document's
    /// `info.title`, see [`crate_name_from_title`], else from its file name, see
    /// [`crate_name_from_path`]; for a [`module`](Self::module), the building package's
    /// `CARGO_PKG_NAME`, which its doc examples name).
    pub fn crate_name(mut self, name: impl Into<String>) -> Self {
        self.crate_name = Some(name.into());
        self
    }

    /// The command that regenerates the output, printed in every file's header and in check
    /// failures (default `openapi-rustgen`, or `cargo build` for a module).
    pub fn command(mut self, command: impl Into<String>) -> Self {
        self.command = Some(command.into());
        self
    }

    /// Whether the crate gets its own `[workspace]` table (default `true`); `false` for a crate
    /// that is a member of the workspace it is written into.
    pub fn standalone(mut self, standalone: bool) -> Self {
        self.standalone = standalone;
        self
    }

    /// Show input paths relative to this folder in headers, so they read the same on every
    /// machine.
    pub fn inputs_relative_to(mut self, dir: impl Into<PathBuf>) -> Self {
        self.relative_to = Some(dir.into());
        self
    }

    /// Also generate `tests/contract.rs` (as `tests: { contract: true }` in the
    /// configuration does): every operation called against Prism mocking the document.
    pub fn contract_tests(mut self, on: bool) -> Self {
        self.contract_tests = on;
        self
    }

    /// Write the crate as a cargo workspace of a facade and member crates (as
    /// `crate: { split_crates: true }` in the configuration does).
    pub fn split_crates(mut self, on: bool) -> Self {
        self.split_crates = on;
        self
    }

    /// Define each set of string-enum values once, other inline enums with the same variants
    /// being type aliases of it (as `crate: { alias_same_enums: true }` in the configuration
    /// does).
    pub fn alias_same_enums(mut self, on: bool) -> Self {
        self.alias_same_enums = on;
        self
    }

    /// Fail, writing nothing, when the generator reports any diagnostic.
    pub fn deny_warnings(mut self, deny: bool) -> Self {
        self.deny_warnings = deny;
        self
    }

    /// Generate a module of the crate being built instead of a crate: one file named after the
    /// path's last name (`crate::api` → `api.rs`) whose code reaches its own items through
    /// `path`, to `include!` at that path. For a `build.rs` writing into `OUT_DIR`.
    pub fn module(mut self, path: impl Into<String>) -> Self {
        self.module = Some(path.into());
        self
    }

    /// Apply the OpenAPI Overlay (1.0 or 1.1, YAML or JSON) at `path` to the document before
    /// generating. Overlays apply in the order given, after those the configuration's
    /// `overlays:` lists.
    pub fn overlay(mut self, path: impl Into<PathBuf>) -> Self {
        self.overlays.push(path.into());
        self
    }

    /// Also write the document as generated from, after overlays, to `path`: JSON when it ends
    /// in `.json`, YAML for `.yaml` or `.yml`. Written before the result is checked as OpenAPI,
    /// so a document an overlay broke can be looked at.
    pub fn effective_spec(mut self, path: impl Into<PathBuf>) -> Self {
        self.effective_spec = Some(path.into());
        self
    }

    fn command_text(&self) -> &str {
        match (&self.command, &self.module) {
            (Some(c), _) => c,
            (None, Some(_)) => "cargo build",
            (None, None) => "openapi-rustgen",
        }
    }

    /// Reads the inputs and generates every file in memory, without touching any output folder.
    pub fn generate(&self) -> Result<Generated, Error> {
        let mut config = match &self.config {
            Some(p) => {
                let text = crate::config::read_text(p).map_err(GenerateError::Config)?;
                Config::parse(&p.display().to_string(), &text).map_err(GenerateError::from)?
            }
            None => Config::default(),
        };
        config.tests.contract |= self.contract_tests;
        config.krate.split_crates |= self.split_crates;
        config.krate.alias_same_enums |= self.alias_same_enums;
        let spec = match (&self.spec, &config.spec, &self.config) {
            (Some(s), _, _) => s.clone(),
            (None, Some(s), Some(cfg)) => cfg.parent().unwrap_or(Path::new(".")).join(s),
            _ => {
                return Err(Error::NoSpec(
                    self.config.as_ref().map(|p| p.display().to_string()).unwrap_or_else(|| "codegen".into()),
                ))
            }
        };
        let config_dir = self.config.as_ref().map(|c| c.parent().unwrap_or(Path::new(".")).to_path_buf());
        let overlay_paths: Vec<PathBuf> = config
            .overlays
            .iter()
            .map(|o| config_dir.as_deref().unwrap_or(Path::new(".")).join(o))
            .chain(self.overlays.iter().cloned())
            .collect();
        let load_start = Instant::now();
        let overlays = overlay_paths
            .iter()
            .map(|p| crate::Overlay::load(p))
            .collect::<Result<Vec<_>, _>>()
            .map_err(GenerateError::from)?;
        let read_overlays = load_start.elapsed();
        let (doc, overlay_diagnostics, apply_overlays) = self.load_document(&spec, &overlays)?;
        let load_time = load_start.elapsed();
        let package = self.module.as_ref().and_then(|_| std::env::var("CARGO_PKG_NAME").ok());
        let default_name = self
            .crate_name
            .clone()
            .or(package)
            .or_else(|| crate_name_from_title(doc.raw.get("info").and_then(|i| i.get("title")).and_then(|t| t.as_str()).unwrap_or("")))
            .unwrap_or_else(|| crate_name_from_path(&spec));
        let shown = |p: &Path| -> String {
            let p = match &self.relative_to {
                Some(base) => p.strip_prefix(base).unwrap_or(p),
                None => p,
            };
            p.display().to_string().replace('\\', "/")
        };
        let mut label = match &self.config {
            Some(c) => format!("{} and {}", shown(&spec), shown(c)),
            None => shown(&spec),
        };
        // The overlays decide the output as much as the document does.
        for path in &overlay_paths {
            label.push_str(&format!(" with overlay {}", shown(path)));
        }
        let input = Input {
            doc: &doc,
            config: &config,
            default_crate_name: &default_name,
            command: self.command_text(),
            inputs_label: &label,
            standalone: self.standalone,
            module: self.module.as_deref(),
        };
        let mut generated = crate::generate(&input)?;
        generated.timings.load = load_time;
        generated.timings.overlays = read_overlays + apply_overlays;
        generated.diagnostics.extend(overlay_diagnostics);
        generated.diagnostics.sort();
        if self.deny_warnings && generated.diagnostics.iter().any(|d| d.severity == crate::diag::Severity::Warning) {
            return Err(Error::Denied(generated.diagnostics));
        }
        Ok(generated)
    }

    /// Reads the document and applies `overlays`, writing the result where
    /// [`effective_spec`](Self::effective_spec) says before checking it as OpenAPI. Without
    /// either, the plain reading path. Also answers how long applying the overlays took.
    fn load_document(&self, spec: &Path, overlays: &[crate::Overlay]) -> Result<(crate::Document, Vec<Diagnostic>, Duration), Error> {
        if overlays.is_empty() && self.effective_spec.is_none() {
            return Ok((crate::load::load_path(spec).map_err(GenerateError::from)?, Vec::new(), Duration::ZERO));
        }
        let effective = match &self.effective_spec {
            Some(p) if crate::overlay::render_effective(p, &serde_json::Value::Null).is_none() => {
                return Err(Error::EffectiveSpecFormat(p.display().to_string()))
            }
            other => other,
        };
        let mut parsed = crate::load::read_path(spec).map_err(GenerateError::from)?;
        let apply_start = Instant::now();
        let applied = crate::overlay::apply_all(overlays, &mut parsed.raw).map_err(GenerateError::from)?;
        let apply_time = apply_start.elapsed();
        if let Some(p) = effective {
            let out = crate::overlay::render_effective(p, &parsed.raw).unwrap_or_default();
            std::fs::write(p, out).map_err(|source| Error::EffectiveSpecWrite { path: p.display().to_string(), source })?;
        }
        let doc = crate::overlay::finish(&spec.display().to_string(), parsed, applied.written)?;
        Ok((doc, applied.diagnostics, apply_time))
    }

    /// Generates and writes the output folder: only changed files are touched, generated files
    /// no longer produced are deleted, files without the `@generated` marker are refused (see
    /// [`ensure_files`](crate::ensure_files)). For a [`module`](Self::module), `out` is the
    /// folder the one file goes into (`OUT_DIR`), and nothing else there is touched.
    pub fn write_to(&self, out: impl AsRef<Path>) -> Result<Report, Error> {
        self.run(out.as_ref(), Mode::Write)
    }

    /// Generates, then writes or checks `out` as `mode` says.
    pub fn run(&self, out: &Path, mode: Mode) -> Result<Report, Error> {
        let mut generated = self.generate()?;
        let write_start = Instant::now();
        let changes = if self.module.is_some() {
            write_module(out, &generated, mode, self.command_text())?
        } else {
            write::ensure_files(out, &generated.files, mode, self.command_text())?
        };
        generated.timings.write = write_start.elapsed();
        Ok(Report { generated, changes })
    }
}

/// Writes a module's one file when its bytes differ (an unchanged file keeps its modification
/// time, so cargo does not rebuild for it). Other files in the folder are not the module's:
/// several modules may share one `OUT_DIR`.
fn write_module(out: &Path, generated: &Generated, mode: Mode, command: &str) -> Result<Changes, Error> {
    let mut changes = Changes::default();
    for (name, text) in &generated.files {
        let path = out.join(name);
        match std::fs::read(&path) {
            Ok(old) if old == text.as_bytes() => continue,
            Ok(_) => changes.changed.push(name.clone()),
            Err(_) => changes.added.push(name.clone()),
        }
        if mode == Mode::Check {
            continue;
        }
        std::fs::create_dir_all(out)
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|source| write::WriteError::Io { path: path.display().to_string(), source })?;
    }
    if mode == Mode::Check && !changes.is_empty() {
        return Err(write::WriteError::Stale {
            dir: out.display().to_string(),
            summary: format!("{} changed, {} missing, 0 stale", changes.changed.len(), changes.added.len()),
            command: command.to_string(),
            diff: String::new(),
        }
        .into());
    }
    Ok(changes)
}

/// A failed run, with the exit code a command-line tool maps it to.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Generation failed: the document, the configuration, or a bug.
    #[error(transparent)]
    Generate(#[from] GenerateError),
    /// [`Settings::deny_warnings`] is set and the generator reported these diagnostics.
    #[error("{} warning(s) and --deny-warnings is set; nothing was written", .0.iter().filter(|d| d.severity == crate::diag::Severity::Warning).count())]
    Denied(Vec<Diagnostic>),
    /// Neither a spec nor a configuration naming one was given.
    #[error("{0}: no spec given; pass --spec or set `spec:` in the configuration")]
    NoSpec(String),
    /// [`Settings::effective_spec`] names a file whose extension says no format.
    #[error("--effective-spec {}: its name ends in neither .json, .yaml nor .yml", crate::escape::shown(.0))]
    EffectiveSpecFormat(String),
    /// [`Settings::effective_spec`] names a file that cannot be written.
    #[error("--effective-spec {}: cannot write: {source}", crate::escape::shown(.path))]
    EffectiveSpecWrite {
        /// The path as given.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// Writing or checking the output folder failed, or it is stale in check mode.
    #[error(transparent)]
    Write(#[from] write::WriteError),
}

impl Error {
    /// 1 for a stale output in check mode, 2 for bad input (the spec, the configuration, or an
    /// output folder the writer refuses), 3 for I/O failures.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Write(write::WriteError::Stale { .. }) => 1,
            Error::Write(write::WriteError::Io { .. } | write::WriteError::Undone { .. }) => 3,
            Error::EffectiveSpecWrite { .. } => 3,
            _ => 2,
        }
    }
}

/// What a successful run did.
pub struct Report {
    /// The generated files, diagnostics and timings.
    pub generated: Generated,
    /// What was (or, in check mode, would have been) written.
    pub changes: Changes,
}

/// Words of a title that say nothing about which API it is.
const GENERIC_TITLE_WORDS: &[&str] = &[
    "api", "apis", "rest", "openapi", "swagger", "json", "http", "spec", "specification", "the", "service", "official", "extension",
    "extensions",
];

/// At most this many words of the title make the name.
const MAX_TITLE_WORDS: usize = 4;

/// Derives a crate name from a document's `info.title` (`Stripe API` → `stripe-client`,
/// `Twilio - Messaging` → `twilio-messaging-client`): its ASCII words, lowercase, without
/// version numbers and generic words (`API`, `REST`, …), at most four. `None` when no word is
/// left or the name would start with a digit; the file name is used then.
pub fn crate_name_from_title(title: &str) -> Option<String> {
    // A possessive is part of the word before it (`GitHub's` → `github`).
    let title = title.replace("'s ", " ").replace("\u{2019}s ", " ");
    // A word with letters outside ASCII is left out whole rather than cut into pieces.
    let words: Vec<String> = title
        .split(|c: char| c.is_whitespace() || (c.is_ascii() && !c.is_ascii_alphanumeric()))
        .filter(|w| !w.is_empty() && w.is_ascii())
        .map(str::to_ascii_lowercase)
        .filter(|w| !GENERIC_TITLE_WORDS.contains(&w.as_str()))
        .filter(|w| !w.chars().all(|c| c.is_ascii_digit()) && !is_version_word(w))
        .take(MAX_TITLE_WORDS)
        .collect();
    let name = words.join("-");
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        return None;
    }
    Some(format!("{name}-client"))
}

/// `v3`, `v1beta`: a version, not a name.
fn is_version_word(w: &str) -> bool {
    w.strip_prefix('v').is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
}

/// Derives a crate name from a spec file name (`cloudflare-api.openapi.json` → `cloudflare-api-client`).
pub fn crate_name_from_path(path: &Path) -> String {
    let stem = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("api")
        .split('.')
        .next()
        .unwrap_or("api");
    let mut name: String = stem
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .collect();
    name = name.trim_matches('-').to_string();
    if name.is_empty() || name.starts_with(|c: char| c.is_ascii_digit()) {
        name = format!("api-{name}").trim_end_matches('-').to_string();
    }
    format!("{name}-client")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crate_names_from_titles() {
        assert_eq!(crate_name_from_title("Stripe API").as_deref(), Some("stripe-client"));
        assert_eq!(crate_name_from_title("GitHub v3 REST API").as_deref(), Some("github-client"));
        assert_eq!(crate_name_from_title("GitHub's official OpenAPI spec + Octokit extension").as_deref(), Some("github-octokit-client"));
        assert_eq!(crate_name_from_title("Twilio - Messaging").as_deref(), Some("twilio-messaging-client"));
        assert_eq!(crate_name_from_title("Cloud Storage JSON API").as_deref(), Some("cloud-storage-client"));
        assert_eq!(crate_name_from_title("a.b has space").as_deref(), Some("a-b-has-space-client"));
        // Unusable titles leave the name to the file name.
        for title in ["", "API", "日本語", "9lives", "v2 1.0", "--"] {
            assert_eq!(crate_name_from_title(title), None, "{title}");
        }
        // Bounded, whatever the title's length.
        let long = crate_name_from_title(&"word ".repeat(10_000)).unwrap();
        assert_eq!(long, "word-word-word-word-client");
        assert_eq!(crate_name_from_title("Überweisung Dienst").as_deref(), Some("dienst-client"));
        assert_eq!(crate_name_from_title("Ünïcode — the Untagged REST API v2").as_deref(), Some("untagged-client"));
    }

    #[test]
    fn crate_names_from_paths() {
        assert_eq!(crate_name_from_path(Path::new("cloudflare-api.openapi.json")), "cloudflare-api-client");
        assert_eq!(crate_name_from_path(Path::new("api.github.com.json")), "api-client");
        assert_eq!(crate_name_from_path(Path::new("9.json")), "api-9-client");
    }
}
