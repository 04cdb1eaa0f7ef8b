//! Files and terminals: reading witnesses and proofs, atomic writes, output helpers.

use crate::error::{CliError, CliResult, Context};
use serde::de::DeserializeOwned;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

/// Writes one line to stdout. A closed pipe (`veil circuits | head -1`) is not an error: the
/// rest of the output is dropped and the command still ends with its own exit code.
pub fn out(line: impl AsRef<str>) -> CliResult<()> {
    let mut o = std::io::stdout().lock();
    match writeln!(o, "{}", line.as_ref()).and_then(|_| o.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(CliError::new(format!("cannot write to stdout: {e}"))),
    }
}

/// Writes a JSON value to stdout, pretty-printed.
pub fn out_json(v: &serde_json::Value) -> CliResult<()> {
    let s = serde_json::to_string_pretty(v).context(|| "cannot encode the JSON output")?;
    out(s)
}

/// Writes one line to stderr; failures to write there are ignored (there is nowhere left
/// to report them).
pub fn note(line: impl AsRef<str>) {
    let _ = writeln!(std::io::stderr().lock(), "{}", line.as_ref());
}

/// The file's bytes, with the path in the error.
pub fn read_bytes(path: &Path, what: &str) -> CliResult<Vec<u8>> {
    std::fs::read(path).context(|| format!("cannot read {what} {}", path.display()))
}

/// Reads a witness file of type `W`, naming the file and serde's error when it is not one.
pub fn read_witness<W: DeserializeOwned>(path: &Path, circuit: &str) -> CliResult<W> {
    parse_witness_file(path, circuit)
        .map_err(|e| CliError::new(format!("witness {}: {e}", path.display())))
}

/// Reads a witness file of type `W`; the error says what is wrong without naming the file.
pub fn parse_witness_file<W: DeserializeOwned>(path: &Path, circuit: &str) -> Result<W, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read the file: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_string())?;
    serde_json::from_str(&text).map_err(|e| format!("not a valid {circuit} witness: {e}"))
}

/// Writes `bytes` to `path` without ever leaving a partial file there: the bytes go to a
/// temporary file in the same directory, which is synced and then renamed over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> CliResult<()> {
    write_atomic_mode(path, bytes, 0o644, false)
}

/// [`write_atomic`] for a secret: the file is created with mode 0600 (owner only) before
/// any byte is written to it.
pub fn write_secret_atomic(path: &Path, bytes: &[u8]) -> CliResult<()> {
    write_atomic_mode(path, bytes, 0o600, true)
}

/// [`write_atomic`] with the file's permissions (on Unix) given; the umask narrows them
/// unless `exact`, which is for secrets only (it sets exactly `mode`, never more).
#[cfg_attr(not(unix), allow(unused_variables))]
fn write_atomic_mode(path: &Path, bytes: &[u8], mode: u32, exact: bool) -> CliResult<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(CliError::new(format!(
            "cannot write {}: directory {} does not exist",
            path.display(),
            dir.display()
        )));
    }
    let name = path
        .file_name()
        .ok_or_else(|| CliError::new(format!("{} is not a file name", path.display())))?;
    let prefix = format!(".{}.", name.to_string_lossy());
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    let fail = |e: std::io::Error| CliError::new(format!("cannot write {}: {e}", path.display()));
    let mut tmp = builder.tempfile_in(&dir).map_err(fail)?;
    #[cfg(unix)]
    if exact {
        use std::os::unix::fs::PermissionsExt;
        tmp.as_file()
            .set_permissions(std::fs::Permissions::from_mode(mode))
            .map_err(fail)?;
    }
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}

/// The system clock in unix seconds.
pub fn unix_now() -> CliResult<u64> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .map_err(|_| CliError::new("the system clock is before 1970"))
}

/// Creates a directory (and its parents) for output.
pub fn create_dir(dir: &Path) -> CliResult<()> {
    std::fs::create_dir_all(dir).context(|| format!("cannot create directory {}", dir.display()))
}

/// The `*.json` files directly in `dir`, sorted by name, leaving out names that end in
/// `skip_suffix` when given.
pub fn json_files(dir: &Path, skip_suffix: Option<&str>) -> CliResult<Vec<PathBuf>> {
    let entries =
        std::fs::read_dir(dir).context(|| format!("cannot read directory {}", dir.display()))?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.context(|| format!("cannot read directory {}", dir.display()))?;
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !name.ends_with(".json") || name.starts_with('.') {
            continue;
        }
        if skip_suffix.is_some_and(|s| name.ends_with(s)) {
            continue;
        }
        if path.is_file() {
            files.push(path);
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(CliError::new(format!(
            "no .json files in directory {}",
            dir.display()
        )));
    }
    Ok(files)
}

/// Milliseconds, with a fraction for quick steps.
pub fn ms(d: std::time::Duration) -> f64 {
    (d.as_secs_f64() * 1e5).round() / 100.0
}

/// A byte count for humans: `192 B`, `1.3 KiB`, `48.2 MiB`.
pub fn human_bytes(n: u64) -> String {
    const KIB: f64 = 1024.0;
    let f = n as f64;
    if f < KIB {
        format!("{n} B")
    } else if f < KIB * KIB {
        format!("{:.1} KiB", f / KIB)
    } else {
        format!("{:.1} MiB", f / (KIB * KIB))
    }
}

/// A spinner on stderr for a step that can take more than a second. It shows only on a
/// terminal and when not `quiet` (`--quiet`, `--json`); otherwise it is hidden and costs
/// nothing. It is cleared when dropped or finished.
pub struct Spinner(indicatif::ProgressBar);

impl Spinner {
    pub fn start(message: impl Into<String>, quiet: bool) -> Spinner {
        use std::io::IsTerminal;
        if quiet || !std::io::stderr().is_terminal() {
            return Spinner(indicatif::ProgressBar::hidden());
        }
        let bar = indicatif::ProgressBar::new_spinner();
        if let Ok(style) = indicatif::ProgressStyle::with_template("{spinner} {msg} [{elapsed}]") {
            bar.set_style(style);
        }
        bar.set_message(message.into());
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Spinner(bar)
    }

    /// Replaces the message (the next step of the same command).
    pub fn set(&self, message: impl Into<String>) {
        self.0.set_message(message.into());
    }
}

impl Drop for Spinner {
    fn drop(&mut self) {
        self.0.finish_and_clear();
    }
}

/// Refuses an output path that is one of the command's inputs (`sign --file X --out X` would
/// replace X with its signature). Paths are compared after resolving links and `..`.
pub fn refuse_output_over_input(output: &Path, inputs: &[&Path]) -> CliResult<()> {
    let out = resolved(output);
    for input in inputs {
        if resolved(input) == out {
            return Err(CliError::new(format!(
                "the output {} is one of this command's inputs: choose another output path",
                output.display()
            )));
        }
    }
    Ok(())
}

/// `path` made absolute, links and `..` resolved as far as the path exists.
fn resolved(path: &Path) -> PathBuf {
    if let Ok(p) = std::fs::canonicalize(path) {
        return p;
    }
    match (path.parent(), path.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            resolved(parent).join(name)
        }
        _ => path.to_path_buf(),
    }
}

/// Checks, before a long computation, that `path` can be written: its directory exists and
/// accepts a new file, and `path` is not a directory.
pub fn check_writable(path: &Path) -> CliResult<()> {
    if path.is_dir() {
        return Err(CliError::new(format!(
            "cannot write {}: it is a directory",
            path.display()
        )));
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(CliError::new(format!(
            "cannot write {}: directory {} does not exist",
            path.display(),
            dir.display()
        )));
    }
    tempfile::Builder::new()
        .prefix(".veil-write-check.")
        .tempfile_in(&dir)
        .map(drop)
        .map_err(|e| CliError::new(format!("cannot write {}: {e}", path.display())))
}
