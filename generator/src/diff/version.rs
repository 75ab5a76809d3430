//! The version bump the generated crate needs, and the check that it got one (`--check-version`).
//!
//! Versions compare as Cargo reads them: two versions are compatible when they agree on the
//! first non-zero place (`1.x.y` on the major, `0.x.y` with `x > 0` on the minor, `0.0.x` on
//! the patch). A breaking change needs a version outside the old one's range, so before 1.0
//! everything is read one place lower (`0.3.1` → `0.4.0` for a break, `0.3.2` for an
//! addition), and every change of a `0.0.x` crate needs `0.0.(x+1)`.

use super::{Change, Level};

/// How the generated crate's version must move for the changes found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Bump {
    /// A Rust item was removed or changed: code using it may stop compiling.
    Major,
    /// Items were only added.
    Minor,
    /// The Rust API is the same (the documentation or the wire may differ).
    Patch,
}

impl Bump {
    /// `major`, `minor` or `patch`.
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::Major => "major",
            Bump::Minor => "minor",
            Bump::Patch => "patch",
        }
    }
}

/// The version bump the generated crate needs, by semver's rules and Cargo's reading of them
/// before 1.0 (`0.x`: a breaking change bumps the minor version, anything else the patch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Semver {
    /// What the Rust-API changes need, by semver.
    pub needed: Bump,
    /// The crate's released version (from its configuration).
    pub from: String,
    /// The least version to release: `from` with `needed` applied (pre-1.0, one place lower).
    pub to: String,
    /// One sentence saying why.
    pub reason: String,
}

/// Why `--check-version` failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    /// A version that is not `MAJOR.MINOR.PATCH[-PRE][+BUILD]`.
    #[error("{which} crate version {value} is not semver: write it as MAJOR.MINOR.PATCH, such as `1.2.3` or `0.1.0-beta.1`")]
    NotSemver {
        /// `the old` or `the new`.
        which: &'static str,
        /// The version as written, quoted and escaped.
        value: String,
    },
    /// The new version is below the least one the changes need.
    #[error("the generated crate's version is {new}, not bumped enough from {old}: {reason}; set `crate.version` in the configuration to {minimum} or later")]
    NotBumped {
        /// The old version.
        old: String,
        /// The new version.
        new: String,
        /// The least version that would do.
        minimum: String,
        /// Why that much (the report's reason).
        reason: String,
    },
}

/// A parsed version: the three numbers and the pre-release identifiers (build metadata is
/// ignored, as semver's precedence ignores it).
#[derive(Debug, Clone, PartialEq, Eq)]
struct Version {
    core: (u64, u64, u64),
    pre: Vec<String>,
}

impl Version {
    fn parse(v: &str) -> Option<Version> {
        let number = |s: &str| (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) && (s == "0" || !s.starts_with('0'))).then(|| s.parse::<u64>().ok()).flatten();
        let ident = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        let (rest, build) = match v.split_once('+') {
            Some((r, b)) => (r, Some(b)),
            None => (v, None),
        };
        if build.is_some_and(|b| !b.split('.').all(ident)) {
            return None;
        }
        let (core, pre) = match rest.split_once('-') {
            Some((c, p)) if p.split('.').all(ident) => (c, p.split('.').map(str::to_string).collect()),
            Some(_) => return None,
            None => (rest, Vec::new()),
        };
        let mut parts = core.split('.');
        let core = (number(parts.next()?)?, number(parts.next()?)?, number(parts.next()?)?);
        parts.next().is_none().then_some(Version { core, pre })
    }

    /// Semver precedence: the numbers, then a release above its pre-releases, then the
    /// pre-release identifiers one by one (numeric ones by value and below alphanumeric ones).
    fn precedence(&self, other: &Version) -> std::cmp::Ordering {
        use std::cmp::Ordering;
        self.core.cmp(&other.core).then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
            (true, true) => Ordering::Equal,
            (true, false) => Ordering::Greater,
            (false, true) => Ordering::Less,
            (false, false) => {
                for (a, b) in self.pre.iter().zip(&other.pre) {
                    let order = match (a.parse::<u64>(), b.parse::<u64>()) {
                        (Ok(x), Ok(y)) => x.cmp(&y),
                        (Ok(_), Err(_)) => Ordering::Less,
                        (Err(_), Ok(_)) => Ordering::Greater,
                        (Err(_), Err(_)) => a.cmp(b),
                    };
                    if order != Ordering::Equal {
                        return order;
                    }
                }
                self.pre.len().cmp(&other.pre.len())
            }
        })
    }

    /// The least release `needed` asks for after this one, as Cargo reads compatibility.
    fn bumped(&self, needed: Bump) -> (u64, u64, u64) {
        let (major, minor, patch) = self.core;
        match (needed, major, minor) {
            // 0.0.x: every version is its own range.
            (_, 0, 0) => (0, 0, patch + 1),
            (Bump::Major, 0, _) | (Bump::Minor, 1.., _) => (major, minor + 1, 0),
            (Bump::Major, 1.., _) => (major + 1, 0, 0),
            (Bump::Minor, 0, _) | (Bump::Patch, _, _) => (major, minor, patch + 1),
        }
    }
}

impl Semver {
    /// The bump `changes` need from the crate's released version `from`: major when a `rust-*`
    /// change is breaking, minor when `rust-*` changes only add, patch otherwise. A `from` that
    /// is not semver reads as `0.0.0` here; [`Semver::check`] refuses it.
    pub fn of(changes: &[Change], from: &str) -> Semver {
        let rust: Vec<&Change> = changes.iter().filter(|c| c.kind.id().starts_with("rust-")).collect();
        let needed = if rust.iter().any(|c| c.level == Level::Breaking) {
            Bump::Major
        } else if !rust.is_empty() {
            Bump::Minor
        } else {
            Bump::Patch
        };
        let version = Version::parse(from).unwrap_or(Version { core: (0, 0, 0), pre: Vec::new() });
        let (major, minor, patch) = version.bumped(needed);
        let why = match needed {
            Bump::Major => "a Rust item was removed or changed",
            Bump::Minor => "Rust items were only added or deprecated",
            Bump::Patch => "the Rust API does not change",
        };
        let reason = match (needed, version.core) {
            (_, (0, 0, _)) => format!("{why}: a {} change, and every change of a 0.0.x crate is a patch bump", needed.as_str()),
            (Bump::Major, (0, ..)) => format!("{why}: a major change, which before 1.0 is a minor bump (0.x)"),
            (Bump::Minor, (0, ..)) => format!("{why}: a minor change, which before 1.0 is a patch bump (0.x)"),
            _ => format!("{why}: a {} bump", needed.as_str()),
        };
        Semver { needed, from: from.to_string(), to: format!("{major}.{minor}.{patch}"), reason }
    }

    /// Whether `new`, the crate's version now, is bumped enough from [`Semver::from`]: at
    /// least [`Semver::to`] (a pre-release of it counts, being outside the old range too).
    /// When `from` is itself a pre-release, which promises no compatibility, any later
    /// version will do.
    pub fn check(&self, new: &str) -> Result<(), VersionError> {
        let quoted = |v: &str| crate::escape::rust_str(v);
        let old = Version::parse(&self.from).ok_or_else(|| VersionError::NotSemver { which: "the old", value: quoted(&self.from) })?;
        let now = Version::parse(new).ok_or_else(|| VersionError::NotSemver { which: "the new", value: quoted(new) })?;
        let enough = if old.pre.is_empty() {
            now.core >= old.bumped(self.needed)
        } else {
            now.precedence(&old).is_gt()
        };
        if enough {
            return Ok(());
        }
        let minimum = if old.pre.is_empty() { self.to.clone() } else { format!("a version after {}", self.from) };
        Err(VersionError::NotBumped { old: self.from.clone(), new: new.to_string(), minimum, reason: self.reason.clone() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::ChangeKind;

    fn change(kind: ChangeKind, level: Level) -> Change {
        Change { kind, level, operation: None, location: String::new(), message: String::new(), acknowledged: None }
    }

    fn semver(bump: Bump, from: &str) -> Semver {
        let changes = match bump {
            Bump::Major => vec![change(ChangeKind::RustTypeRemoved, Level::Breaking)],
            Bump::Minor => vec![change(ChangeKind::RustTypeAdded, Level::Info)],
            Bump::Patch => vec![change(ChangeKind::EndpointRemoved, Level::Breaking)],
        };
        let s = Semver::of(&changes, from);
        assert_eq!(s.needed, bump);
        s
    }

    #[test]
    fn the_least_bump_follows_cargo() {
        for (bump, from, to) in [
            (Bump::Major, "1.4.2", "2.0.0"),
            (Bump::Minor, "1.4.2", "1.5.0"),
            (Bump::Patch, "1.4.2", "1.4.3"),
            (Bump::Major, "0.4.2", "0.5.0"),
            (Bump::Minor, "0.4.2", "0.4.3"),
            (Bump::Patch, "0.4.2", "0.4.3"),
            (Bump::Major, "0.0.7", "0.0.8"),
            (Bump::Minor, "0.0.7", "0.0.8"),
        ] {
            assert_eq!(semver(bump, from).to, to, "{bump:?} from {from}");
        }
    }

    #[test]
    fn check_accepts_enough_and_refuses_too_little() {
        let cases: &[(Bump, &str, &[&str], &[&str])] = &[
            (Bump::Major, "1.4.2", &["2.0.0", "2.0.0-rc.1", "3.1.0"], &["1.4.2", "1.5.0", "1.99.99", "0.9.0"]),
            (Bump::Minor, "1.4.2", &["1.5.0", "2.0.0"], &["1.4.3", "1.4.2", "1.3.9"]),
            (Bump::Patch, "1.4.2", &["1.4.3", "1.5.0"], &["1.4.2", "1.4.2+build.7", "1.4.1"]),
            (Bump::Major, "0.4.2", &["0.5.0", "1.0.0"], &["0.4.3", "0.4.99", "0.4.2"]),
            (Bump::Minor, "0.4.2", &["0.4.3", "0.5.0"], &["0.4.2", "0.3.0"]),
            (Bump::Major, "0.0.7", &["0.0.8", "0.1.0"], &["0.0.7", "0.0.6"]),
            (Bump::Major, "1.0.0-beta.2", &["1.0.0-beta.10", "1.0.0"], &["1.0.0-beta.2", "1.0.0-beta.1", "1.0.0-alpha"]),
        ];
        for (bump, from, ok, too_little) in cases {
            let s = semver(*bump, from);
            for new in *ok {
                assert_eq!(s.check(new), Ok(()), "{bump:?} {from} → {new}");
            }
            for new in *too_little {
                assert!(matches!(s.check(new), Err(VersionError::NotBumped { .. })), "{bump:?} {from} → {new} passed");
            }
        }
    }

    #[test]
    fn versions_that_are_not_semver_are_refused_quoted() {
        let s = semver(Bump::Patch, "1.2.3");
        for bad in ["1.2", "1.2.3.4", "01.2.3", "1.2.x", "", "1.2.3-", "1.2.3-a..b", "1.2.3\n::error::x"] {
            let e = s.check(bad).unwrap_err();
            assert!(matches!(e, VersionError::NotSemver { which: "the new", .. }), "{bad:?}");
            assert!(!e.to_string().contains('\n'), "{e}");
        }
        let bad_old = semver(Bump::Patch, "one");
        assert!(matches!(bad_old.check("1.0.0"), Err(VersionError::NotSemver { which: "the old", .. })));
    }
}
