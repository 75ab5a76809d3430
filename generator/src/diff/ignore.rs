//! `spec-diff.ignore`: changes a reviewer has accepted, each until an expiry date.
//!
//! One entry a line, four fields split on `|` (the reason, last, may hold more `|`):
//!
//! ```text
//! # Accepted changes: ID | OPERATION or POINTER | EXPIRES | REASON
//! rust-type-renamed | /components/schemas/Animal | 2027-03-31 | the 2.0 release renames Pet
//! request-parameter-removed | GET /pets | 2027-03-31 | no client sends `limit`
//! ```
//!
//! An entry matches the changes with its id and either its operation (`METHOD /path` as the
//! report writes it) or its location (a JSON pointer, starting with `/`). Matched changes are
//! *acknowledged*: still reported, marked with the entry's reason, and not counted by
//! `--fail-on`. Blank lines and lines starting with `#` are skipped.
//!
//! The file is reviewed input but still input: anything it holds that is not an entry (an
//! unknown id, a date that is no date, a control character, a line longer than
//! [`MAX_LINE_BYTES`], a file larger than [`MAX_FILE_BYTES`]) is an error naming the file and
//! line, as is an entry past its expiry date, so an acceptance is reviewed again rather than
//! kept forever.

use std::collections::HashMap;

use super::{ChangeKind, Report};

/// The largest ignore file read.
pub const MAX_FILE_BYTES: usize = 1 << 20;
/// The longest line read.
pub const MAX_LINE_BYTES: usize = 4096;

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date {
    year: u32,
    month: u32,
    day: u32,
}

impl Date {
    /// Reads `YYYY-MM-DD` (a real date of the proleptic Gregorian calendar).
    pub fn parse(s: &str) -> Option<Date> {
        let b = s.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| s.get(r).filter(|t| t.bytes().all(|c| c.is_ascii_digit()))?.parse::<u32>().ok();
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days).contains(&day).then_some(Date { year, month, day })
    }

    /// The UTC date `days` days after 1970-01-01 (Howard Hinnant's civil-from-days).
    pub fn from_unix_days(days: i64) -> Date {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z.rem_euclid(146_097);
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as u32;
        Date { year, month, day }
    }
}

impl std::fmt::Display for Date {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The entry that acknowledged a change, as the report shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledged {
    /// The ignore file.
    pub file: String,
    /// The entry's 1-based line.
    pub line: usize,
    /// Until when the acceptance holds.
    pub expires: Date,
    /// Why the change is accepted (checked free of control characters).
    pub reason: String,
}

/// What an entry is matched on besides the id.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Target {
    /// `GET /pets`.
    Operation(String),
    /// `/paths/~1pets/get`.
    Pointer(String),
}

#[derive(Debug, Clone)]
struct Entry {
    kind: ChangeKind,
    target: Target,
    ack: Acknowledged,
}

/// A read ignore file.
#[derive(Debug, Clone)]
pub struct IgnoreFile {
    entries: Vec<Entry>,
}

/// Why an ignore file was refused: the file, the line and what to do.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IgnoreError {
    /// Unreadable.
    #[error("{file}: cannot read: {reason}")]
    Io {
        /// The file.
        file: String,
        /// The system's error.
        reason: String,
    },
    /// Larger than [`MAX_FILE_BYTES`].
    #[error("{file}: {size} bytes, more than the {MAX_FILE_BYTES} an ignore file may have")]
    TooLarge {
        /// The file.
        file: String,
        /// Its size.
        size: usize,
    },
    /// A line that is not an entry, a comment or blank.
    #[error("{file}:{line}: {problem}; an entry is `ID | METHOD /path or /json/pointer | YYYY-MM-DD | reason`")]
    Malformed {
        /// The file.
        file: String,
        /// The 1-based line.
        line: usize,
        /// What is wrong, with any text from the line quoted and escaped.
        problem: String,
    },
    /// An entry past its date.
    #[error("{file}:{line}: this acceptance of `{id}` expired on {expires}: review the change again, then renew the date or remove the entry")]
    Expired {
        /// The file.
        file: String,
        /// The 1-based line.
        line: usize,
        /// The entry's change id.
        id: &'static str,
        /// Its date.
        expires: Date,
    },
}

/// Whether `c` may appear in an ignore file: no control characters but tab, no bidi controls
/// or line separators (which could disguise an entry in review or a report).
fn allowed(c: char) -> bool {
    c == '\t' || !super::render::is_hazard(c)
}

impl IgnoreFile {
    /// Reads the file at `path`; see [`IgnoreFile::parse`].
    pub fn load(path: &std::path::Path, today: Date) -> Result<IgnoreFile, IgnoreError> {
        let file = path.display().to_string();
        let bytes = crate::load::read_input(path, MAX_FILE_BYTES as u64).map_err(|e| match e {
            crate::load::ReadError::Io { source, .. } => IgnoreError::Io { file: file.clone(), reason: source.to_string() },
            crate::load::ReadError::NotAFile { kind, .. } => IgnoreError::Io { file: file.clone(), reason: format!("it is {kind}, not a regular file") },
            crate::load::ReadError::TooLarge { .. } => {
                IgnoreError::TooLarge { file: file.clone(), size: std::fs::metadata(path).map_or(MAX_FILE_BYTES + 1, |m| usize::try_from(m.len()).unwrap_or(usize::MAX)) }
            }
        })?;
        IgnoreFile::parse(&file, &bytes, today)
    }

    /// Reads an ignore file's bytes (`file` names it in errors). An entry whose date is before
    /// `today` is an error.
    pub fn parse(file: &str, bytes: &[u8], today: Date) -> Result<IgnoreFile, IgnoreError> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(IgnoreError::TooLarge { file: file.to_string(), size: bytes.len() });
        }
        let bad = |line: usize, problem: String| IgnoreError::Malformed { file: file.to_string(), line, problem };
        let quote = |s: &str| crate::escape::rust_str(s);
        let mut entries: Vec<Entry> = Vec::new();
        let mut seen: HashMap<(ChangeKind, Target), usize> = HashMap::new();
        for (i, raw) in bytes.split(|b| *b == b'\n').enumerate() {
            let n = i + 1;
            if raw.len() > MAX_LINE_BYTES {
                return Err(bad(n, format!("the line has {} bytes, more than {MAX_LINE_BYTES}", raw.len())));
            }
            let text = std::str::from_utf8(raw).map_err(|_| bad(n, "the line is not UTF-8".into()))?;
            let text = text.strip_suffix('\r').unwrap_or(text);
            if let Some(c) = text.chars().find(|c| !allowed(*c)) {
                return Err(bad(n, format!("the line holds the control character U+{:04X}", c as u32)));
            }
            let line = text.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let fields: Vec<&str> = line.splitn(4, '|').map(str::trim).collect();
            let [id, target, expires, reason] = fields[..] else {
                return Err(bad(n, format!("{} field(s) where four are needed", fields.len())));
            };
            let kind = ChangeKind::parse(id).ok_or_else(|| bad(n, format!("unknown change id {} (the ids are in README's table)", quote(id))))?;
            let target = if target.starts_with('/') {
                Target::Pointer(target.to_string())
            } else {
                match target.split_once(' ') {
                    Some((method, path)) if !method.is_empty() && method.bytes().all(|b| b.is_ascii_alphabetic()) && path.trim_start().starts_with('/') => {
                        Target::Operation(format!("{} {}", method.to_ascii_uppercase(), path.trim_start()))
                    }
                    _ => return Err(bad(n, format!("the second field {} is neither `METHOD /path` nor a JSON pointer starting with `/`", quote(target)))),
                }
            };
            let expires = Date::parse(expires).ok_or_else(|| bad(n, format!("the third field {} is not a date written YYYY-MM-DD", quote(expires))))?;
            if reason.is_empty() {
                return Err(bad(n, "the reason (fourth field) is empty: say why the change is accepted".into()));
            }
            if expires < today {
                return Err(IgnoreError::Expired { file: file.to_string(), line: n, id: kind.id(), expires });
            }
            if let Some(first) = seen.insert((kind, target.clone()), n) {
                return Err(bad(n, format!("the same id and target as line {first}")));
            }
            entries.push(Entry { kind, target, ack: Acknowledged { file: file.to_string(), line: n, expires, reason: reason.to_string() } });
        }
        Ok(IgnoreFile { entries })
    }

    /// Marks the changes of `report` that an entry matches as acknowledged (the first matching
    /// entry, in file order, wins), re-sorts them after the unacknowledged ones of their level,
    /// and answers the entries that matched nothing (file line, id), which are stale.
    pub fn acknowledge(&self, report: &mut Report) -> Vec<(usize, &'static str)> {
        let mut by_target: HashMap<(ChangeKind, &Target), usize> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            by_target.entry((e.kind, &e.target)).or_insert(i);
        }
        let mut used = vec![false; self.entries.len()];
        for c in &mut report.changes {
            let by_op = c.operation.clone().map(Target::Operation);
            let by_pointer = (!c.location.is_empty()).then(|| Target::Pointer(c.location.clone()));
            let hits = [by_op, by_pointer].into_iter().flatten().filter_map(|t| by_target.get(&(c.kind, &t)).copied());
            if let Some(i) = hits.min() {
                used[i] = true;
                c.acknowledged = Some(self.entries[i].ack.clone());
            }
        }
        report.changes.sort_by_key(|c| (c.level, c.acknowledged.is_some()));
        self.entries.iter().zip(used).filter(|(_, u)| !u).map(|(e, _)| (e.ack.line, e.kind.id())).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diff::{Change, Level};

    const TODAY: &str = "2026-12-06";

    fn parse(text: &str) -> Result<IgnoreFile, IgnoreError> {
        IgnoreFile::parse("spec-diff.ignore", text.as_bytes(), Date::parse(TODAY).unwrap())
    }

    fn line_of(e: IgnoreError) -> usize {
        match e {
            IgnoreError::Malformed { line, .. } | IgnoreError::Expired { line, .. } => line,
            other => panic!("no line: {other}"),
        }
    }

    #[test]
    fn dates_are_real_and_unix_days_convert() {
        assert!(Date::parse("2024-02-29").is_some());
        for bad in ["2023-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "2026/01/01", "２０２６-01-01", "+026-01-01"] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
        assert_eq!(Date::from_unix_days(0).to_string(), "1970-01-01");
        assert_eq!(Date::from_unix_days(20_428).to_string(), "2025-12-06");
        assert_eq!(Date::from_unix_days(11_016).to_string(), "2000-02-29");
    }

    #[test]
    fn bad_lines_are_named() {
        let cases = [
            ("# c\n\nrust-type-renamed | /a | 2027-01-01\n", 3),
            ("no-such-id | GET /a | 2027-01-01 | r\n", 1),
            ("\nrust-type-renamed | a/b | 2027-01-01 | r\n", 2),
            ("rust-type-renamed | /a | 2027-02-30 | r\n", 1),
            ("rust-type-renamed | /a | 2027-01-01 |  \n", 1),
            ("rust-type-renamed | /a | 2027-01-01 | r\nrust-type-renamed | /a | 2028-01-01 | s\n", 2),
            ("rust-type-renamed | /a | 2027-01-01 | r \u{1b}[2J\n", 1),
            ("rust-type-renamed | /a | 2027-01-01 | r \u{202e}\n", 1),
            ("# ok\nrust-type-renamed | /a | 2026-12-05 | too old\n", 2),
        ];
        for (text, line) in cases {
            let e = parse(text).unwrap_err();
            let message = e.to_string();
            assert!(message.starts_with(&format!("spec-diff.ignore:{line}: ")), "{text:?}: {message}");
            assert!(!message.contains('\n') && !message.contains('\u{1b}'), "{message}");
            assert_eq!(line_of(e), line, "{text:?}");
        }
        let e = IgnoreFile::parse("f", b"# ok\n\xff\n", Date::parse(TODAY).unwrap()).unwrap_err();
        assert_eq!(line_of(e), 2);
        let long = format!("# {}\n", "x".repeat(MAX_LINE_BYTES));
        assert_eq!(line_of(parse(&long).unwrap_err()), 1);
        let huge = vec![b'#'; MAX_FILE_BYTES + 1];
        assert!(matches!(IgnoreFile::parse("f", &huge, Date::parse(TODAY).unwrap()), Err(IgnoreError::TooLarge { .. })));
        // Today itself is not expired.
        assert!(parse("rust-type-renamed | /a | 2026-12-06 | r | with | bars\r\n").is_ok());
    }

    #[test]
    fn entries_acknowledge_by_operation_or_pointer() {
        let change = |kind, level, op: Option<&str>, location: &str| Change {
            kind,
            level,
            operation: op.map(str::to_string),
            location: location.to_string(),
            message: String::new(),
            acknowledged: None,
        };
        let mut report = Report {
            changes: vec![
                change(ChangeKind::EndpointRemoved, Level::Breaking, Some("GET /a"), "/paths/~1a/get"),
                change(ChangeKind::RustTypeRenamed, Level::Breaking, None, "/components/schemas/B"),
                change(ChangeKind::EndpointAdded, Level::Info, Some("GET /b"), "/paths/~1b/get"),
            ],
            semver: None,
        };
        let file = parse("endpoint-removed | get /a | 2027-01-01 | moved\nrust-type-renamed | /components/schemas/B | 2027-01-01 | on purpose\nendpoint-removed | GET /zzz | 2027-01-01 | stale\n").unwrap();
        assert_eq!(report.worst(), Some(Level::Breaking));
        let unused = file.acknowledge(&mut report);
        assert_eq!(unused, [(3, "endpoint-removed")]);
        let acks: Vec<Option<usize>> = report.changes.iter().map(|c| c.acknowledged.as_ref().map(|a| a.line)).collect();
        assert_eq!(acks, [Some(1), Some(2), None]);
        assert_eq!(report.worst(), Some(Level::Info), "acknowledged changes are not counted");
        assert_eq!(report.count(Level::Breaking), 2);
    }
}
