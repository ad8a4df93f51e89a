//! The floor under any unchanged re-run: how long it takes only to list a tree and read
//! every entry's status (device, inode, size, modification and status-change times), in
//! parallel, without opening a single file.
//!
//! A digest cache that catches a file rewritten with its old mtime put back has to look
//! at every file's ctime, so no re-run that trusts nothing else can beat this figure.
//! `benches/scale.sh` prints it beside the builds it measures.
//!
//! Usage: cargo bench --bench stat_floor -- DIR [REPEAT]

#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;

/// Lists `dir` and reads the status of each entry through the directory handle (the
/// cheapest way: no full path is looked up again), then does the same for each
/// subdirectory in parallel. Returns the number of entries and a sum over their status
/// fields, so that nothing is optimised away.
fn walk(dir: &Path) -> (u64, u64) {
    let mut entries = 0;
    let mut fold = 0u64;
    let mut subdirs: Vec<PathBuf> = Vec::new();
    let Ok(listing) = fs::read_dir(dir) else { return (0, 0) };
    for entry in listing.flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        entries += 1;
        fold = fold
            .wrapping_add(meta.dev())
            .wrapping_add(meta.ino())
            .wrapping_add(meta.size())
            .wrapping_add(meta.mtime_nsec() as u64)
            .wrapping_add(meta.ctime_nsec() as u64);
        if meta.is_dir() {
            subdirs.push(entry.path());
        }
    }
    let below = subdirs.par_iter().map(|d| walk(d)).reduce(|| (0, 0), add);
    add((entries, fold), below)
}

fn add(a: (u64, u64), b: (u64, u64)) -> (u64, u64) {
    (a.0 + b.0, a.1.wrapping_add(b.1))
}

fn main() {
    // `cargo bench` passes `--bench` to every target; only the positional arguments count.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    let Some(dir) = args.first() else {
        eprintln!("usage: cargo bench --bench stat_floor -- DIR [REPEAT]");
        std::process::exit(2);
    };
    let repeat: u32 = args.get(1).and_then(|r| r.parse().ok()).unwrap_or(3);
    let mut best = f64::INFINITY;
    let mut entries = 0;
    for _ in 0..repeat.max(1) {
        let start = Instant::now();
        let (n, fold) = walk(Path::new(dir));
        best = best.min(start.elapsed().as_secs_f64());
        entries = n;
        std::hint::black_box(fold);
    }
    println!("{best:.4} s {entries} entries");
}
