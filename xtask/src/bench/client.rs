//! The `client` case: the users crate's `concurrent_gets` benchmark (1,000 concurrent gets
//! through the generated client against plain reqwest + serde_json), run with `cargo bench`,
//! and its two ratios held to their targets.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Context, Result};

use super::{machine, verdict};

/// The name `--only` picks the case by.
pub(super) const CLIENT_CASE: &str = "client";

/// Generated / plain: throughput at least this, peak heap at most this.
const TARGET: (f64, f64) = (0.95, 1.1);

/// The line of the benchmark's output that holds the ratios.
const RATIOS: &str = "generated / plain: throughput ";

pub(super) fn run(cargo: &str, root: &Path) -> Result<()> {
    let bench = ["bench", "--quiet", "-p", "cloudflare-access-users", "--bench", "concurrent_gets"];
    eprintln!("building the concurrent_gets benchmark (release)…");
    let status = Command::new(cargo).args(bench).arg("--no-run").current_dir(root).status().context("run cargo bench")?;
    if !status.success() {
        bail!("cargo bench --no-run -p cloudflare-access-users failed");
    }
    println!("\n{CLIENT_CASE}: `cargo {}`\n{}", bench.join(" "), machine());
    let output = Command::new(cargo).args(bench).current_dir(root).output().context("run cargo bench")?;
    let stdout = String::from_utf8_lossy(&output.stdout);
    if !output.status.success() {
        bail!("{CLIENT_CASE}: cargo bench failed:\n{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    }
    for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
        println!("    {line}");
    }
    let (throughput, heap) = ratios(&stdout).with_context(|| format!("{CLIENT_CASE}: no line `{RATIOS}…` in the benchmark's output:\n{stdout}"))?;
    println!(
        "{CLIENT_CASE}: throughput {throughput:.3}× plain (target ≥ {}×): {}; peak heap {heap:.3}× plain (target ≤ {}×): {}",
        TARGET.0,
        verdict(throughput >= TARGET.0),
        TARGET.1,
        verdict(heap <= TARGET.1)
    );
    println!("{}", machine());
    Ok(())
}

/// The throughput and peak heap ratios from the benchmark's line
/// `generated / plain: throughput X (target ≥ 0.95), peak heap Y (target ≤ 1.1)`.
fn ratios(stdout: &str) -> Option<(f64, f64)> {
    let line = stdout.lines().find_map(|l| l.trim().strip_prefix(RATIOS))?;
    let throughput = line.split_whitespace().next()?.parse().ok()?;
    let heap = line.split_once("peak heap ")?.1.split_whitespace().next()?.parse().ok()?;
    Some((throughput, heap))
}

#[cfg(test)]
mod tests {
    use super::ratios;

    #[test]
    fn reads_the_ratios_line() {
        let out = "1000 concurrent gets, median of 9 alternating rounds per side:\n  generated client  5230 requests/s, peak heap 9.17 MB\n  generated / plain: throughput 1.062 (target ≥ 0.95), peak heap 1.086 (target ≤ 1.1)\n  generated / plain with the same timeout: throughput 1.1, peak heap 1.07\n";
        assert_eq!(ratios(out), Some((1.062, 1.086)));
        assert_eq!(ratios("generated / plain with the same timeout: throughput 1.1, peak heap 1.07"), None);
        assert_eq!(ratios("nothing"), None);
    }
}
