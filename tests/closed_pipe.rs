//! Commands that print results end quietly when their reader goes away
//! (`llmos search x | head -1`), as Unix tools do: no panic, no message.

use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};

fn run_with_closed_stdout(args: &[&str]) -> (std::process::ExitStatus, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_llmos"))
        .args(args)
        .current_dir(std::env::temp_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Nobody reads: the first write fails.
    drop(child.stdout.take());
    let mut stderr = String::new();
    child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
    (child.wait().unwrap(), stderr)
}

#[test]
fn printing_commands_end_quietly_when_the_reader_closes_the_pipe() {
    for args in [&["search", "python"][..], &["search", "--json", "data"], &["check", "--format", "json"]] {
        let (status, stderr) = run_with_closed_stdout(args);
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert!(status.success() || status.signal() == Some(libc::SIGPIPE), "{args:?}: {status:?} {stderr}");
    }
}
