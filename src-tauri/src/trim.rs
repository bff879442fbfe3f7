//! What the start allocated and freed (GTK and WebKit setting up, the session opening the
//! store, the first page read) stays in glibc's free lists, counted in the app's idle memory:
//! given back once the window is up (~2 MiB, BENCHMARKS.md "Launch against a minimal Tauri app").

/// Returns the free memory of every malloc arena to the system (glibc's `malloc_trim`), once.
pub fn after_start() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        static TRIMMED: std::sync::Once = std::sync::Once::new();
        TRIMMED.call_once(|| {
            // SAFETY: malloc_trim takes no pointers; it walks glibc's own arenas under their locks.
            unsafe { libc::malloc_trim(0) };
        });
    }
}
