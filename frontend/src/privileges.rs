//! The gateway frontend gives up root before it serves a build.
//!
//! BuildKit starts a frontend image's entrypoint as root and ignores the image's `USER`
//! (`frontend/gateway/gateway.go` sets no user). The frontend needs no privilege: it
//! talks to BuildKit over stdin and stdout and reads no file. So, while it still has one
//! thread, it switches itself to an unprivileged uid and gid, which also clears its
//! capabilities, and sets `no_new_privs`.

use rustix::process::{Gid, Uid, geteuid};
use rustix::thread::{set_no_new_privs, set_thread_gid, set_thread_groups, set_thread_uid};

/// The uid and gid the frontend runs as: the "nonroot" id of distroless images.
pub const NONROOT: u32 = 65532;

/// What [`drop_root`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Dropped {
    /// The process was root and now runs as [`NONROOT`].
    Switched,
    /// The process was not root; nothing changed but `no_new_privs`.
    NotRoot,
}

/// Switches a root process to [`NONROOT`] (no supplementary groups) and sets
/// `no_new_privs`. Call it before any other thread starts: the ids are per thread on
/// Linux, and threads started later inherit them.
pub fn drop_root() -> rustix::io::Result<Dropped> {
    let dropped = if geteuid().is_root() {
        set_thread_groups(&[])?;
        set_thread_gid(Gid::from_raw(NONROOT))?;
        set_thread_uid(Uid::from_raw(NONROOT))?;
        Dropped::Switched
    } else {
        Dropped::NotRoot
    };
    set_no_new_privs(true)?;
    Ok(dropped)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs in a child process (a test thread must not change the ids of the test
    /// runner): as root it must end as NONROOT with no capabilities left.
    #[test]
    fn a_root_process_ends_unprivileged() {
        if std::env::var_os("SLIMFILE_PRIVILEGES_CHILD").is_some() {
            let d = drop_root().expect("drop_root");
            let status = std::fs::read_to_string("/proc/thread-self/status").unwrap();
            println!("dropped={d:?}");
            for l in status.lines().filter(|l| {
                [
                    "Uid:",
                    "Gid:",
                    "Groups:",
                    "CapEff:",
                    "CapPrm:",
                    "NoNewPrivs:",
                ]
                .iter()
                .any(|p| l.starts_with(p))
            }) {
                println!("{l}");
            }
            return;
        }
        let exe = std::env::current_exe().unwrap();
        let out = std::process::Command::new(exe)
            .args([
                "--exact",
                "privileges::tests::a_root_process_ends_unprivileged",
            ])
            .args(["--nocapture", "--test-threads=1"])
            .env("SLIMFILE_PRIVILEGES_CHILD", "1")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(out.status.success(), "{text}");
        let field = |name: &str| {
            let line = text.lines().find(|l| l.starts_with(name)).unwrap_or("");
            line.split_whitespace()
                .skip(1)
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(field("NoNewPrivs:"), "1", "{text}");
        if geteuid().is_root() {
            assert!(text.contains("dropped=Switched"), "{text}");
            assert_eq!(field("Uid:"), "65532 65532 65532 65532", "{text}");
            assert_eq!(field("Gid:"), "65532 65532 65532 65532", "{text}");
            assert_eq!(field("Groups:"), "", "{text}");
            assert_eq!(field("CapEff:"), "0000000000000000", "{text}");
            assert_eq!(field("CapPrm:"), "0000000000000000", "{text}");
        } else {
            assert!(text.contains("dropped=NotRoot"), "{text}");
        }
    }
}
