//! README.md, executed: every ```sh block runs, in order, as written.
//!
//! The convention (also stated in a comment at the top of README.md):
//! - a block fenced with ```sh is run by `bash -euo pipefail`, one bash process per block, all
//!   in one scratch directory, after the blocks before it; it must exit 0;
//! - the scratch directory starts with a copy of the repository's `examples/` (what a clone
//!   has) and nothing else; the built `veil` is first on PATH;
//! - every other block (```text, ```json, ```rust, ...) is not run here (```rust blocks are
//!   doc-tests of the `veil` crate, see src/lib.rs).
//!
//! A block that fails names its number, its line in README.md, its exit status and the end of
//! its output. Each block has a generous time limit; nothing here measures time.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Per block; CI's machine is slow and shared, the blocks use small sizes.
const BLOCK_TIMEOUT: Duration = Duration::from_secs(900);

struct Block {
    /// 1-based line of the opening fence in README.md.
    line: usize,
    code: String,
}

/// The ```sh blocks of a Markdown text, in order. A fence is a line whose trimmed start is
/// three backticks; the info string's first word is the language.
fn sh_blocks(markdown: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut open: Option<(usize, bool, String)> = None;
    for (i, line) in markdown.lines().enumerate() {
        let trimmed = line.trim_start();
        if let Some(info) = trimmed.strip_prefix("```") {
            match open.take() {
                None => {
                    let lang = info.split([' ', ',', '{']).next().unwrap_or("").trim();
                    open = Some((i + 1, lang == "sh", String::new()));
                }
                Some((start, is_sh, code)) => {
                    if is_sh {
                        blocks.push(Block { line: start, code });
                    }
                }
            }
            continue;
        }
        if let Some((_, true, code)) = open.as_mut() {
            code.push_str(line);
            code.push('\n');
        }
    }
    assert!(open.is_none(), "README.md: a code block is never closed");
    blocks
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// The last `n` lines of `s`.
fn tail(s: &str, n: usize) -> String {
    let lines: Vec<&str> = s.lines().collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}

/// Runs one block; on failure, the message names the block and its README line.
fn run_block(index: usize, block: &Block, dir: &Path, path_var: &str) -> Result<(), String> {
    let name = format!("README.md sh block {index} (line {})", block.line);
    let mut child = Command::new("bash")
        .args(["-euo", "pipefail", "-c", &block.code])
        .current_dir(dir)
        .env("PATH", path_var)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{name}: cannot start bash: {e}"))?;
    // Read the pipes on threads so a chatty block cannot fill them and stall.
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = out.read_to_string(&mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if start.elapsed() > BLOCK_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = out_reader.join().unwrap_or_default();
    let stderr = err_reader.join().unwrap_or_default();
    let report = |what: String| {
        format!(
            "{name} {what}\n--- the block ---\n{}--- stdout (end) ---\n{}\n--- stderr (end) ---\n{}",
            block.code,
            tail(&stdout, 30),
            tail(&stderr, 30)
        )
    };
    match status {
        None => Err(report(format!(
            "did not finish within {} s",
            BLOCK_TIMEOUT.as_secs()
        ))),
        Some(s) if !s.success() => Err(report(format!("failed ({s})"))),
        Some(_) if stderr.contains("panicked") => Err(report("panicked".into())),
        Some(_) => Ok(()),
    }
}

#[test]
fn readme_sh_blocks_run_in_order_as_written() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let readme = std::fs::read_to_string(root.join("README.md")).expect("README.md is readable");
    let blocks = sh_blocks(&readme);
    assert!(!blocks.is_empty(), "README.md has no ```sh block");

    let scratch = tempfile::TempDir::new().unwrap();
    copy_dir(&root.join("examples"), &scratch.path().join("examples"));
    let bin_dir: PathBuf = Path::new(env!("CARGO_BIN_EXE_veil"))
        .parent()
        .expect("the veil binary is in a directory")
        .to_path_buf();
    let path_var = std::env::join_paths(std::iter::once(bin_dir).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap()
    .into_string()
    .expect("PATH is UTF-8");

    for (i, block) in blocks.iter().enumerate() {
        if let Err(message) = run_block(i + 1, block, scratch.path(), &path_var) {
            panic!("{message}");
        }
    }
}

#[test]
fn the_block_parser_takes_sh_blocks_only() {
    let md = "intro\n```sh\necho one\n```\n```text\nnot run\n```\n  ```sh\necho two\n```\n```rust\nfn x() {}\n```\n";
    let blocks = sh_blocks(md);
    assert_eq!(blocks.len(), 2);
    assert_eq!((blocks[0].line, blocks[0].code.as_str()), (2, "echo one\n"));
    assert_eq!((blocks[1].line, blocks[1].code.as_str()), (8, "echo two\n"));
}
