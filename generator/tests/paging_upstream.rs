//! Paging figures over the whole Cloudflare API (`../shared/upstream/full/`, or `UPSTREAM_DIR`):
//! how many operations each style is detected for. Printed for the README (run with
//! `--nocapture`); the checks are that the styles the document is known to use are found.

mod support;

#[test]
fn paging_styles_over_the_whole_cloudflare_api() {
    let Some(dir) = support::skip::upstream_or_skip() else { return };
    let full = dir.join("full");
    let Ok(entries) = std::fs::read_dir(&full) else {
        support::skip::skip(&format!("no folder {}", full.display()));
        return;
    };
    let mut paths: Vec<_> = entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect();
    paths.sort();
    for path in paths {
        let doc = generator::load_path(&path).unwrap_or_else(|e| panic!("{e}"));
        let counts = generator::internal::paging_styles(&doc, &generator::Config::default()).unwrap_or_else(|e| panic!("{e}"));
        let total: usize = counts.values().sum();
        println!("{}: {total} operations: {counts:?}", path.file_name().unwrap().to_string_lossy());
        let count = |style: &str| counts.get(style).copied().unwrap_or(0);
        assert!(count("page_number") > 20, "{counts:?}");
        if path.to_string_lossy().contains("2026") {
            // The 2026 document pages some lists by `result_info.cursor`.
            assert!(count("cursor") > 20, "{counts:?}");
        }
    }
}
