//! Two build steps for the embedded templates (`templates/`):
//! - rebuild the crate whenever anything under `templates/` changes. The
//!   templates are compiled into the binary (`include_dir!`), which notices
//!   edits to files it already includes but not files added to the folder;
//!   without this, the built-in copy could silently lag behind
//!   `templates/service` (and its committed snapshots);
//! - convert each embedded `template.yaml` to JSON, which the binary reads
//!   about twenty times faster than the YAML on every `newsvc new`. A manifest
//!   that does not convert is left out: the binary then parses its YAML and
//!   reports the error with its line.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    println!("cargo:rerun-if-changed=templates");
    let mut table = String::from(
        "/// Each embedded template's `template.yaml`, converted to JSON at build time.\n\
         pub(crate) static EMBEDDED_MANIFEST_JSON: &[(&str, &str)] = &[\n",
    );
    let mut names: Vec<String> = std::fs::read_dir("templates")
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .filter(|e| e.path().join("template.yaml").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    for name in names {
        let yaml = Path::new("templates").join(&name).join("template.yaml");
        let Ok(text) = std::fs::read_to_string(&yaml) else {
            continue;
        };
        let Ok(value) = serde_norway::from_str::<serde_json::Value>(&text) else {
            continue;
        };
        let json = serde_json::to_string(&value).expect("a JSON value serialises");
        let _ = writeln!(table, "    ({name:?}, {json:?}),");
    }
    table.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR"))
        .join("embedded_manifests.rs");
    std::fs::write(out, table).expect("OUT_DIR is writable");
}
