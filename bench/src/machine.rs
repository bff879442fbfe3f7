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

/// `write_bytes` of each live thread, added up by thread name: which thread (the store's
/// writer, checkpointer, search indexer) dirtied the pages.
pub fn written_by_thread() -> std::collections::BTreeMap<String, u64> {
    let mut by_name = std::collections::BTreeMap::new();
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return by_name;
    };
    for task in tasks.flatten() {
        let read = |file: &str| std::fs::read_to_string(task.path().join(file)).ok();
        let (Some(name), Some(io)) = (read("comm"), read("io")) else {
            continue;
        };
        let written = io
            .lines()
            .find_map(|l| l.strip_prefix("write_bytes:"))
            .and_then(|n| n.trim().parse::<u64>().ok())
            .unwrap_or(0);
        *by_name.entry(name.trim().to_string()).or_insert(0) += written;
    }
    by_name
}
