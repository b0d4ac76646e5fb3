//! The `newsvc` binary: parse arguments, run, exit with the code the library chose.

// Rendering allocates and frees many small strings (tera's lexer and
// parser); mimalloc does that markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(newsvc::run(std::env::args_os()));
}
