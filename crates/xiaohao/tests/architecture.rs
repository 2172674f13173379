//! The architecture invariants of ARCHITECTURE.md, checked: the crate dependency graph, where
//! SQL may appear, and that every path the document names exists.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");

/// Normal (non-dev) dependencies of each workspace crate.
fn dependencies() -> BTreeMap<String, Vec<String>> {
    let out = Command::new(env!("CARGO"))
        .args([
            "metadata",
            "--format-version",
            "1",
            "--no-deps",
            "--offline",
        ])
        .current_dir(ROOT)
        .output()
        .expect("cargo metadata");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    meta["packages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let deps = p["dependencies"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["kind"].is_null())
                .map(|d| d["name"].as_str().unwrap().to_owned())
                .collect();
            (p["name"].as_str().unwrap().to_owned(), deps)
        })
        .collect()
}

#[test]
fn crates_depend_only_downwards() {
    let deps = dependencies();
    // crate → dependencies it must never have
    let forbidden: &[(&str, &[&str])] = &[
        (
            "domain",
            &[
                "store", "app", "web", "xiaohao", "sqlx", "tokio", "axum", "askama", "reqwest",
                "hyper", "tracing",
            ],
        ),
        (
            "store",
            &["app", "web", "xiaohao", "axum", "askama", "utoipa"],
        ),
        (
            "app",
            &["web", "xiaohao", "sqlx", "axum", "askama", "utoipa"],
        ),
        ("web", &["store", "xiaohao", "sqlx"]),
        (
            "docs",
            &["store", "app", "web", "xiaohao", "sqlx", "tokio", "axum"],
        ),
        // The outbound channels know the domain's settings and nothing of the rest.
        (
            "outbound",
            &[
                "store", "app", "web", "xiaohao", "docs", "sqlx", "askama", "utoipa",
            ],
        ),
    ];
    for (krate, banned) in forbidden {
        let have = deps
            .get(*krate)
            .unwrap_or_else(|| panic!("crate {krate} exists"));
        for b in *banned {
            assert!(
                !have.iter().any(|d| d == b),
                "{krate} must not depend on {b} (ARCHITECTURE.md invariants)"
            );
        }
    }
    // domain's whole dependency list is small and pure.
    let allowed = ["serde", "chrono", "thiserror", "sha2", "sha1", "hex"];
    for d in &deps["domain"] {
        assert!(
            allowed.contains(&d.as_str()),
            "domain gained a dependency: {d}"
        );
    }
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

#[test]
fn only_the_store_contains_sql() {
    for krate in ["domain", "app", "web", "docs", "xiaohao", "outbound"] {
        let mut files = Vec::new();
        rust_files(
            &Path::new(ROOT).join("crates").join(krate).join("src"),
            &mut files,
        );
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            for needle in ["sqlx::", "SELECT ", "INSERT INTO", "UPDATE ", "DELETE FROM"] {
                assert!(
                    !text.contains(needle),
                    "{} contains {needle:?}: SQL belongs in the store crate",
                    f.display()
                );
            }
        }
    }
}

#[test]
fn paths_named_in_architecture_md_exist() {
    let doc =
        std::fs::read_to_string(Path::new(ROOT).join("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mut checked = 0;
    for part in doc.split('`').skip(1).step_by(2) {
        let looks_like_path =
            (part.starts_with("crates/") || part.starts_with("docs/") || part.starts_with(".ci/"))
                && !part.contains(' ');
        if looks_like_path {
            let path = part.split("::").next().unwrap();
            assert!(
                Path::new(ROOT).join(path).exists(),
                "ARCHITECTURE.md names {path}, which does not exist"
            );
            checked += 1;
        }
    }
    assert!(
        checked >= 15,
        "the codemap names the crates' files ({checked} checked)"
    );
}
