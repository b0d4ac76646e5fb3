//! Which `newsvc` binary the tests run: the one cargo built for them, or the
//! one named by `NEWSVC_TEST_BIN` (tests/run.sh points it at the statically
//! linked, profile-guided build of dist/build.sh, so the binary we ship
//! passes the same tests).
#![allow(dead_code, unreachable_pub)]

use std::path::PathBuf;

pub fn newsvc_bin() -> PathBuf {
    std::env::var_os("NEWSVC_TEST_BIN").map_or_else(
        || PathBuf::from(env!("CARGO_BIN_EXE_newsvc")),
        PathBuf::from,
    )
}
