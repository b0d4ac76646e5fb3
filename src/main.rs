//! The `newsvc` binary: parse arguments, run, exit with the code the library chose.

fn main() {
    std::process::exit(newsvc::run(std::env::args_os()));
}
