//! Rebuild the crate whenever anything under `templates/` changes. The
//! default template is compiled into the binary (`include_dir!`), which
//! notices edits to files it already includes but not files added to the
//! folder; without this, the built-in copy could silently lag behind
//! `templates/service` (and its committed snapshots).

fn main() {
    println!("cargo:rerun-if-changed=templates");
}
