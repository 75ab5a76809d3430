//! OpenAPI 3.0/3.1/3.2 → idiomatic async Rust client, as a library.
//!
//! [`Settings`] is the entry point: name the spec (and optionally a `codegen.yaml`), then
//! [`generate`](Settings::generate) the crate in memory, or [`write_to`](Settings::write_to) an
//! output folder:
//!
//! ```no_run
//! # fn main() -> Result<(), generator::Error> {
//! generator::Settings::new("openapi.yaml")
//!     .config("codegen.yaml")
//!     .crate_name("my-api-client")
//!     .write_to("my-api-client")?;
//! # Ok(())
//! # }
//! ```
//!
//! From a `build.rs`, [`Settings::module`] generates one file to `include!` as a module of the
//! building crate (see the README's "Use from build.rs").
//!
//! Generation itself is pure: [`load_path`]/[`load_bytes`] read a document, [`generate`] runs
//! every stage on it (build the IR, reading the document through the
//! `spec` layer that resolves `$ref`s and holds the OpenAPI rules, emit and format the Rust files, render the templates) and
//! returns the files as a [`Generated`] map; only writing touches the disk ([`ensure_files`]).
//! [`diff`] compares two documents for `cargo xtask spec-diff`.
#![deny(missing_docs)]

mod build;
mod config;
mod diag;
pub mod diff;
mod driver;
mod emit;
mod escape;
mod format;
mod ir;
mod limits;
mod load;
mod locate;
mod module;
mod naming;
mod overlay;
mod pipeline;
mod render;
mod settings;
mod spec;
mod split;
mod surface;
mod write;

use std::collections::BTreeMap;
use std::time::Duration;

pub use config::{Config, ConfigError, CrateConfig, OperationConfig, Select};
pub use diag::{Diagnostic, Severity};
pub use driver::report_run;
pub use load::{load_bytes, load_path, Document, LoadError, ReadError};
pub use limits::{MAX_DOCUMENT_DEPTH, MAX_RESOURCE_DEPTH, MAX_SCHEMA_DEPTH};
pub use overlay::{apply_overlays, Applied, Origin, Overlay, OverlayError, Provenance, MAX_MATCHES, MAX_WRITTEN_NODES};
pub use pipeline::generate;
pub use settings::{crate_name_from_path, crate_name_from_title, Error, Report, Settings};
pub use write::{ensure_files, Changes, Mode, WriteError, MARKER};

/// Helpers this crate's own tests and tools reach for; not a stable interface.
#[doc(hidden)]
pub mod internal {
    pub use crate::escape::rust_str;
    pub use crate::locate::{escape_token, get, line_of};
    pub use crate::naming::snake;
    pub use crate::pipeline::paging_styles;
    pub use crate::render::{runtime_fixed_parts, TEMPLATES};
}

/// What to generate from, and how the output should describe its own making.
pub struct Input<'a> {
    /// The loaded OpenAPI document.
    pub doc: &'a Document,
    /// The naming and selection configuration (`codegen.yaml`).
    pub config: &'a Config,
    /// Crate name used when the configuration names none.
    pub default_crate_name: &'a str,
    /// The command that regenerates the output, printed in every header.
    pub command: &'a str,
    /// The inputs as that command names them (`spec/openapi.yaml and spec/codegen.yaml`).
    pub inputs_label: &'a str,
    /// Generate a crate with its own `[workspace]` table.
    pub standalone: bool,
    /// Generate a module of another crate at this path (`crate::api`) instead of a crate: one
    /// file, `api.rs`, whose code names its own items through that path. `None` is a crate,
    /// whose items live at `crate::`.
    pub module: Option<&'a str>,
}

/// The generated crate, in memory.
#[derive(Debug, Default)]
pub struct Generated {
    /// Relative path → contents; LF line endings, no timestamps.
    pub files: BTreeMap<String, String>,
    /// Warnings about the document: what was generated differently than written, and why.
    pub diagnostics: Vec<Diagnostic>,
    /// Time spent per stage.
    pub timings: Timings,
}

/// Time spent per stage, for `cargo xtask bench` and `openapi-rustgen --timings`.
///
/// `load` and `write` are filled in by [`Settings`], which reads the document and writes the
/// output folder; [`generate`] fills in the stages between.
#[derive(Debug, Default, Clone, Copy)]
pub struct Timings {
    /// Reading, parsing and validating the document, overlays included.
    pub load: Duration,
    /// Of `load`: reading the overlays and applying them (zero without overlays), so their
    /// cost can be told from the document's.
    pub overlays: Duration,
    /// Building the IR: resolving `$ref`s, naming, locating diagnostics.
    pub resolve: Duration,
    /// Building `quote!` token streams, summed over the threads that make the files (so with
    /// several threads `emit` and `format` together can exceed the wall time they took).
    pub emit: Duration,
    /// Parsing the tokens with syn and printing them with prettyplease, summed over the threads.
    pub format: Duration,
    /// Rendering the templates and the runtime files (on one of the threads that make the
    /// Rust files, beside them).
    pub render: Duration,
    /// Comparing with the output folder and writing what changed.
    pub write: Duration,
}

impl Timings {
    /// One line, `stage=seconds` pairs, for tools to read.
    pub fn line(&self) -> String {
        let s = |d: Duration| format!("{:.6}", d.as_secs_f64());
        format!(
            "timings: load={} resolve={} emit={} format={} render={} write={} overlays={}",
            s(self.load),
            s(self.resolve),
            s(self.emit),
            s(self.format),
            s(self.render),
            s(self.write),
            s(self.overlays)
        )
    }
}

/// Why generation stopped. Each variant's message names the file and the place in it.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The document could not be read, parsed or validated.
    #[error(transparent)]
    Load(#[from] load::LoadError),
    /// The configuration could not be read or is invalid.
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    /// The document cannot be turned into a client (a broken `$ref`, a refused name, …).
    #[error(transparent)]
    Build(#[from] build::BuildError),
    /// An overlay could not be read, is malformed, or cannot be applied to the document.
    #[error(transparent)]
    Overlay(#[from] overlay::OverlayError),
    /// A template failed to render.
    #[error(transparent)]
    Render(#[from] render::RenderError),
    /// The generator produced Rust that does not parse: a bug.
    #[error("internal error: generated `{file}` is not valid Rust ({message}); please report this with the input document")]
    Emit {
        /// The generated file.
        file: String,
        /// What the parser said.
        message: String,
    },
    /// [`Input::module`] is not a module path below the crate root.
    #[error("module path {path}: {reason}")]
    ModulePath {
        /// The path as given, quoted.
        path: String,
        /// What a module path must be.
        reason: &'static str,
    },
}

/// The client sample in the project README, compiled as a doctest so it stays true.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ProjectReadme;
