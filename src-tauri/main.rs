// No console window next to the app on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

// The tokenizers library allocates a small object per token; glibc's allocator spent about half
// of a tokenization pass in malloc/free (bench/tokenize.sh), mimalloc a fraction of that.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    mistudio_app::run();
}
