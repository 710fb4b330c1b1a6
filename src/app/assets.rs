//! What a page's document refers to: the browser bundle as the build named it,
//! and the page's content security policy.
//!
//! The bundle as the build named it. cargo-leptos writes hashed names
//! (`thi24.<hash>.wasm`, `split_quiz_loader_….<hash>.wasm`), so that a browser may
//! keep every file for a year; the server finds the names once at start.
use std::path::Path;

/// The policy of an HTML page whose inline scripts carry `nonce`.
pub fn page_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; style-src 'self'; \
         style-src-attr 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; font-src 'self'; worker-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Assets {
    /// `/pkg/thi24.<hash>.css`
    pub css: String,
    /// `/pkg/thi24.<hash>.js`: the wasm-bindgen glue that loads the main module.
    pub js: String,
    /// `/pkg/thi24.<hash>.wasm`: the runtime and the stubs of every island.
    pub wasm: String,
    /// The lazily loaded modules, one per island (file names under `/pkg/`).
    chunks: Vec<String>,
}

impl Assets {
    /// Reads `site_root/pkg_dir`. Without a build there (tests that never serve the
    /// bundle), the unhashed names are used.
    pub fn find(site_root: &str, pkg_dir: &str, output_name: &str) -> Self {
        let dir = Path::new(site_root).join(pkg_dir);
        let names: Vec<String> = std::fs::read_dir(&dir)
            .map(|entries| entries.filter_map(|e| e.ok()).filter_map(|e| e.file_name().into_string().ok()).collect())
            .unwrap_or_default();
        Self::from_names(&names, pkg_dir, output_name)
    }

    fn from_names(names: &[String], pkg_dir: &str, output_name: &str) -> Self {
        let prefix = format!("{output_name}.");
        let pick = |ext: &str| {
            let file = names
                .iter()
                .filter(|n| n.starts_with(&prefix) && n.ends_with(ext) && !n.contains(".d."))
                .min_by_key(|n| n.len())
                .cloned()
                .unwrap_or_else(|| format!("{output_name}{ext}"));
            format!("/{pkg_dir}/{file}")
        };
        let mut chunks: Vec<String> = names.iter().filter(|n| n.starts_with("split_") && n.ends_with(".wasm")).cloned().collect();
        chunks.sort();
        Self {
            css: pick(".css"),
            js: pick(".js"),
            wasm: pick(".wasm"),
            chunks: chunks.into_iter().map(|c| format!("/{pkg_dir}/{c}")).collect(),
        }
    }

    /// The lazily loaded module of the island `snake_name` (e.g. `quiz`), if split out.
    pub fn chunk(&self, snake_name: &str) -> Option<&str> {
        let start = format!("split_{snake_name}_loader_");
        self.chunks.iter().find(|c| c.rsplit('/').next().is_some_and(|f| f.starts_with(&start))).map(|c| c.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_hashed_names_and_the_chunk_of_an_island() {
        let names: Vec<String> = [
            "thi24.aB3.css",
            "thi24.aB3.css.br",
            "thi24.Xy9.js",
            "thi24.Xy9.js.gz",
            "thi24.d.Qq.ts",
            "thi24.Zz1.wasm",
            "thi24.Zz1.wasm.br",
            "split_quiz_loader_123.Kk.wasm",
            "split_quiz_loader_123.Kk.wasm.br",
            "split_bank_list_page_loader_9.Mm.wasm",
            "__wasm_split.Ab.js",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let a = Assets::from_names(&names, "pkg", "thi24");
        assert_eq!(a.css, "/pkg/thi24.aB3.css");
        assert_eq!(a.js, "/pkg/thi24.Xy9.js");
        assert_eq!(a.wasm, "/pkg/thi24.Zz1.wasm");
        assert_eq!(a.chunk("quiz"), Some("/pkg/split_quiz_loader_123.Kk.wasm"));
        assert_eq!(a.chunk("bank_list_page"), Some("/pkg/split_bank_list_page_loader_9.Mm.wasm"));
        assert_eq!(a.chunk("practice"), None);
    }

    #[test]
    fn falls_back_to_the_plain_names_without_a_build() {
        let a = Assets::from_names(&[], "pkg", "thi24");
        assert_eq!((a.css.as_str(), a.js.as_str(), a.wasm.as_str()), ("/pkg/thi24.css", "/pkg/thi24.js", "/pkg/thi24.wasm"));
    }
}
