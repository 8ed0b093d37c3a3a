//! The names under which a skill's bundled files are published.
//!
//! A static host picks a file's `Content-Type` from its extension, and a
//! browser that opens a file served as HTML, XHTML, SVG or any XML type runs
//! the script in it *in the site's origin*, where the user's keys and skills
//! live. The hosts' tables are long and surprising (mime-db, which GitHub
//! Pages follows, and Debian's `/etc/mime.types` both serve `.rs` as
//! `application/rls-services+xml`, and `.xht` as XHTML), so the rule is an
//! **allowlist**: a file keeps its name only when its extension is one whose
//! type, in every common host's table, is shown as text, played as media, or
//! downloaded. Every other file is published with `.txt` added to its name,
//! which every host serves as `text/plain` and no browser renders.
//!
//! `tests/published_files.rs` checks the allowlist against the tables of
//! mime-db (GitHub Pages, Node servers), Python's `mimetypes` (`python3 -m
//! http.server`) and `mime_guess` (`llmos serve`), and opens one file of
//! every extension those tables map to a renderable type in Chromium.

/// Extensions (lowercase, without the dot) that keep their name. Each is,
/// for every host table checked, text shown as text (`text/plain`,
/// `text/x-python`, `application/json`…), an image the browser decodes
/// without script (raster formats only: SVG is a document), audio, video,
/// a font, a PDF (shown by the browser's own viewer, in its own origin), or
/// a type the browser downloads (archives, data, office files).
pub const INERT_EXTENSIONS: &[&str] = &[
    // Text and data shown as text.
    "txt", "text", "md", "markdown", "rst", "adoc", "org", "csv", "tsv", "json", "jsonl", "ndjson", "yaml", "yml",
    "toml", "ini", "cfg", "conf", "log", "properties", "tex", "bib", "diff", "patch",
    // Source code.
    "py", "pyi", "ipynb", "js", "mjs", "cjs", "jsx", "ts", "tsx", "css", "scss", "less", "sh", "bash", "zsh",
    "fish", "ps1", "sql", "r", "jl", "go", "java", "kt", "kts", "scala", "swift", "c", "h", "cc", "cpp", "cxx",
    "hpp", "hh", "cs", "rb", "lua", "dart", "ex", "exs", "erl", "hs", "ml", "clj", "zig", "nim", "proto",
    "graphql", "gql", "tf", "hcl", "nix", "cmake", "gradle", "qasm", "vue", "svelte", "ipy",
    // Raster images, audio, video, fonts, PDF.
    "png", "jpg", "jpeg", "gif", "webp", "avif", "ico", "bmp", "tif", "tiff", "mp3", "wav", "ogg", "oga",
    "opus", "flac", "m4a", "aac", "mp4", "m4v", "webm", "mov", "woff", "woff2", "ttf", "otf", "pdf",
    // Downloaded: archives, binary data, office documents.
    "zip", "gz", "tgz", "tar", "bz2", "xz", "zst", "7z", "wasm", "parquet", "npy", "npz", "pkl", "onnx", "bin",
    "dat", "db", "sqlite", "docx", "xlsx", "pptx",
];

/// The suffix added to a file whose type is not known to be inert.
pub const SAFE_SUFFIX: &str = ".txt";

/// Whether a file of this name may be published under its own name: true
/// when its extension (case-insensitive) is in `INERT_EXTENSIONS`.
pub fn is_inert_name(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((stem, extension)) if !stem.is_empty() => INERT_EXTENSIONS.contains(&extension.to_ascii_lowercase().as_str()),
        // No extension (`LICENSE`), or a dot file (`.env`): hosts send
        // `application/octet-stream` or nothing at all, and with nothing a
        // browser sniffs the bytes and may render HTML.
        _ => false,
    }
}

/// Where a skill's bundled file is published, relative to the skill's page
/// (`/`-separated, as given): `path` itself when its type is inert, else
/// `path` with `.txt` added (`assets/cube.html` → `assets/cube.html.txt`,
/// `LICENSE` → `LICENSE.txt`).
pub fn published_path(path: &str) -> String {
    if is_inert_name(path) {
        path.to_string()
    } else {
        format!("{path}{SAFE_SUFFIX}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_allowlisted_types_keep_their_name() {
        assert_eq!(published_path("assets/cube.html"), "assets/cube.html.txt");
        assert_eq!(published_path("assets/logo.SVG"), "assets/logo.SVG.txt");
        assert_eq!(published_path("assets/d.xht"), "assets/d.xht.txt");
        assert_eq!(published_path("assets/d.xhtm"), "assets/d.xhtm.txt");
        assert_eq!(published_path("src/lib.rs"), "src/lib.rs.txt");
        assert_eq!(published_path("scripts/main.py"), "scripts/main.py");
        assert_eq!(published_path("data/Table.CSV"), "data/Table.CSV");
        assert_eq!(published_path("LICENSE"), "LICENSE.txt");
        assert_eq!(published_path("scripts/.env"), "scripts/.env.txt");
        assert_eq!(published_path("a.b/README"), "a.b/README.txt");
    }

    #[test]
    fn the_allowlist_is_lowercase_and_has_no_duplicates() {
        let mut seen = std::collections::HashSet::new();
        for extension in INERT_EXTENSIONS {
            assert_eq!(*extension, extension.to_ascii_lowercase());
            assert!(seen.insert(extension), "{extension} twice");
        }
    }
}
