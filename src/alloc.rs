//! The memory allocator of the `gen` binary: mimalloc (a build allocates and frees many
//! small buffers on every thread), told to return freed memory to the system at once
//! rather than after its default delay (one second), which keeps a large build's peak memory down.

/// mimalloc's `mi_option_purge_delay` (mimalloc v3, the version libmimalloc-sys builds by
/// default). The crate does not name it; the test below checks the number still means it.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Makes mimalloc purge freed memory immediately. Call first thing in `main`.
pub fn return_freed_memory_at_once() {
    // SAFETY: sets a process-wide option before any other thread exists (mimalloc's
    // option setters are not thread-safe); any value is valid for this option.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// mimalloc's defaults (its src/options.c) at the option and after it: purge delay 1,000 ms, then
    /// NUMA nodes 0 (all). An upgrade that renumbers the options fails here instead of
    /// setting the wrong one.
    #[test]
    fn the_option_number_is_mimallocs_purge_delay() {
        // SAFETY: reading an option is allowed at any time; the numbers are valid options.
        let get = |option| unsafe { libmimalloc_sys::mi_option_get(option) };
        assert_eq!(get(PURGE_DELAY), 1000);
        assert_eq!(get(PURGE_DELAY + 1), 0);
    }
}
