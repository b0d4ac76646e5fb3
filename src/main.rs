//! The `newsvc` binary: parse arguments, run, exit with the code the library chose.

// Rendering allocates and frees many small strings (tera's lexer and
// parser); mimalloc does that markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    // Output piped into `head` and the like ends as for any Unix tool: the
    // process is stopped by SIGPIPE when the reader is gone, instead of
    // Rust's default of ignoring it and panicking in `println!`. Commands
    // print what they changed once the change is complete (`snapshot
    // update`: each case), so this never stops one half-way through one.
    sigpipe::reset();
    std::process::exit(newsvc::run(std::env::args_os()));
}
