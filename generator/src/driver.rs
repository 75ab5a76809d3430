//! The command-line edge shared by the `openapi-rustgen` CLI and `cargo xtask codegen`: run
//! [`Settings`] and report like a tool (stderr, stdout, exit code).

use std::path::Path;
use std::process::ExitCode;

use crate::settings::{Error, Settings};
use crate::write::Mode;

/// Generates and writes (or checks) `out`, then reports like a command-line tool: diagnostics
/// and errors on stderr, a summary on stdout, and the exit code (0 done or fresh, 1 stale in
/// check mode, 2 bad input, 3 I/O). With `timings`, also one `timings: stage=seconds …` line
/// on stderr.
pub fn report_run(settings: &Settings, out: &Path, mode: Mode, timings: bool) -> ExitCode {
    match settings.run(out, mode) {
        Ok(report) => {
            if timings {
                eprintln!("{}", report.generated.timings.line());
            }
            for d in &report.generated.diagnostics {
                eprintln!("{d}");
            }
            for s in &report.changes.skipped {
                eprintln!("note: {}", crate::escape::shown(&format!("{}/{s}", out.display())));
            }
            let c = &report.changes;
            let files = report.generated.files.len();
            if mode == Mode::Check {
                println!("{} is fresh ({files} files)", out.display());
            } else if c.is_empty() {
                println!("{}: up to date ({files} files)", out.display());
            } else {
                println!(
                    "{}: {} added, {} changed, {} removed",
                    out.display(),
                    c.added.len(),
                    c.changed.len(),
                    c.stale.len()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            if let Error::Denied(diags) = &e {
                for d in diags {
                    eprintln!("{d}");
                }
            }
            eprintln!("error: {e}");
            ExitCode::from(e.exit_code() as u8)
        }
    }
}
