//! The `gen` binary: everything lives in the library; this only hands over.

/// See [`gen::alloc`].
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    gen::alloc::return_freed_memory_at_once();
    std::process::exit(gen::cmd::main());
}
