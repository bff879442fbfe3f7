//! The machine the figures come from, named in each run's first line.

pub fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

pub fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            let line = info.lines().find(|l| l.starts_with("model name"))?;
            Some(line.split_once(':')?.1.trim().to_string())
        })
        .unwrap_or_else(|| "CPU model unknown".into())
}

/// Bytes this process has caused to be written to storage so far: `write_bytes` of
/// /proc/self/io, which counts every file it wrote (database, WALs, checkpoints, the search
/// index) when the pages were dirtied. None where the kernel does not say.
pub fn written_bytes() -> Option<u64> {
    let io = std::fs::read_to_string("/proc/self/io").ok()?;
    let line = io.lines().find(|l| l.starts_with("write_bytes:"))?;
    line.split_once(':')?.1.trim().parse().ok()
}
