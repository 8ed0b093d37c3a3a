//! Nothing left behind: scratch folders (a build's staging folder, the dev
//! server's working copy) are removed when the command is interrupted, and
//! ones that an earlier, killed run left behind are swept on the next run.
//!
//! Each scratch folder's name ends in the owning process id, so a sweep
//! removes only folders whose process no longer runs: two builds running at
//! once never delete each other's work.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Folders to remove if the process is interrupted.
static SCRATCH: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes `dir` should the process get SIGINT, SIGTERM or SIGHUP before
/// `forget` is called for it.
pub fn remove_on_interrupt(dir: &Path) {
    SCRATCH.lock().unwrap_or_else(|e| e.into_inner()).push(dir.to_path_buf());
}

/// `dir` was committed or removed by its owner; the handler leaves it alone.
pub fn forget(dir: &Path) {
    SCRATCH.lock().unwrap_or_else(|e| e.into_inner()).retain(|d| d != dir);
}

/// Starts the thread that cleans up on SIGINT, SIGTERM and SIGHUP, then
/// exits with the shell's code for the signal (128 + its number). Unix
/// only; elsewhere interrupted runs are swept by the next one.
pub fn install_interrupt_handler() {
    #[cfg(unix)]
    {
        use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
        let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else { return };
        std::thread::spawn(move || {
            if let Some(signal) = signals.forever().next() {
                for dir in SCRATCH.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
                    let _ = std::fs::remove_dir_all(&dir);
                }
                eprintln!("interrupted; nothing was left behind");
                std::process::exit(128 + signal);
            }
        });
    }
}

/// Removes the folders in `parent` named `<prefix><pid>` whose process is
/// no longer running. Returns the folders removed.
pub fn sweep_stale(parent: &Path, prefix: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(parent) else { return Vec::new() };
    let mut removed = Vec::new();
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(|n| n.strip_prefix(prefix)).and_then(|pid| pid.parse::<u32>().ok()) else { continue };
        if pid != std::process::id() && !is_running(pid) && entry.file_type().is_ok_and(|t| t.is_dir()) && std::fs::remove_dir_all(entry.path()).is_ok() {
            removed.push(entry.path());
        }
    }
    removed
}

/// Whether a process with this id exists (`kill(pid, 0)`, which sends no
/// signal). Where that cannot be asked, every process counts as running, so
/// nothing is swept by mistake.
fn is_running(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else { return true };
        // SAFETY: signal 0 only checks that the process exists.
        let alive = unsafe { libc::kill(pid, 0) } == 0;
        alive || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sweeps_only_folders_of_processes_that_are_gone() {
        let dir = tempfile::tempdir().unwrap();
        let dead = dir.path().join(".out.llmos-staging-999999999");
        let mine = dir.path().join(format!(".out.llmos-staging-{}", std::process::id()));
        let other = dir.path().join(".out.llmos-staging-notapid");
        for d in [&dead, &mine, &other] {
            std::fs::create_dir(d).unwrap();
        }
        assert_eq!(sweep_stale(dir.path(), ".out.llmos-staging-"), [dead.clone()]);
        assert!(!dead.exists() && mine.exists() && other.exists());
    }
}
