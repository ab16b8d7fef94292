use std::collections::{BTreeMap, HashMap};
use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt, symlink};
use std::path::{Path, PathBuf};

use super::{Stats, sync};

fn root() -> bool {
    fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

struct Pair {
    base: PathBuf,
}

impl Pair {
    fn new(name: &str) -> Pair {
        let base =
            std::env::temp_dir().join(format!("slimfile-treesync-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&base);
        fs::create_dir_all(base.join("src")).unwrap();
        fs::create_dir_all(base.join("dst")).unwrap();
        Pair { base }
    }
    fn src(&self, p: &str) -> PathBuf {
        self.base.join("src").join(p)
    }
    fn dst(&self, p: &str) -> PathBuf {
        self.base.join("dst").join(p)
    }
    /// Writes the same file on both sides.
    fn both(&self, p: &str, data: &str) {
        for f in [self.src(p), self.dst(p)] {
            fs::create_dir_all(f.parent().unwrap()).unwrap();
            fs::write(&f, data).unwrap();
        }
    }
    fn sync(&self) -> Stats {
        sync(&self.base.join("src"), &self.base.join("dst")).unwrap()
    }
    fn assert_equal(&self) {
        let a = fingerprint(&self.base.join("src"));
        let b = fingerprint(&self.base.join("dst"));
        assert_eq!(a, b);
    }
}

impl Drop for Pair {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.base);
    }
}

fn set_mtime(p: &Path, secs: i64, nsec: i64) {
    let t = rustix::fs::Timespec {
        tv_sec: secs,
        tv_nsec: nsec as _,
    };
    rustix::fs::utimensat(
        rustix::fs::CWD,
        p,
        &rustix::fs::Timestamps {
            last_access: t,
            last_modification: t,
        },
        rustix::fs::AtFlags::SYMLINK_NOFOLLOW,
    )
    .unwrap();
}

/// Everything the layer would record about a tree, hardlink structure included.
fn fingerprint(top: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    let mut first: HashMap<(u64, u64), String> = HashMap::new();
    let mut stack = vec![top.to_path_buf()];
    while let Some(p) = stack.pop() {
        let m = fs::symlink_metadata(&p).unwrap();
        let rel = p.strip_prefix(top).unwrap().display().to_string();
        let mut d = format!(
            "mode={:o} uid={} gid={} mtime={}.{}",
            m.mode(),
            m.uid(),
            m.gid(),
            m.mtime(),
            m.mtime_nsec()
        );
        if m.is_dir() {
            for e in fs::read_dir(&p).unwrap() {
                stack.push(e.unwrap().path());
            }
        } else {
            let link = first.entry((m.dev(), m.ino())).or_insert(rel.clone());
            d.push_str(&format!(" link={link} rdev={}", m.rdev()));
            if m.file_type().is_symlink() {
                d.push_str(&format!(" -> {}", fs::read_link(&p).unwrap().display()));
            } else if m.is_file() {
                d.push_str(&format!(" data={:?}", fs::read(&p).unwrap()));
            }
        }
        let mut names = vec![0u8; 4096];
        if let Ok(n) = rustix::fs::llistxattr(&p, &mut names[..]) {
            for name in names[..n].split(|b| *b == 0).filter(|n| !n.is_empty()) {
                let mut v = vec![0u8; 4096];
                let k = rustix::fs::lgetxattr(&p, name, &mut v[..]).unwrap();
                d.push_str(&format!(
                    " x:{}={:?}",
                    String::from_utf8_lossy(name),
                    &v[..k]
                ));
            }
        }
        out.insert(rel, d);
    }
    out
}

#[test]
fn unchanged_tree_is_not_touched() {
    let t = Pair::new("same");
    t.both("a/b/c.txt", "hello");
    t.both("d.txt", "x");
    for p in ["a/b/c.txt", "d.txt", "a/b", "a", ""] {
        set_mtime(&t.src(p), 1_000_000, 5);
        set_mtime(&t.dst(p), 1_000_000, 5);
    }
    let st = t.sync();
    assert_eq!(st.written, 0, "{st:?}");
    assert_eq!(st.removed, 0);
    t.assert_equal();
}

#[test]
fn adds_changes_and_deletes() {
    let t = Pair::new("change");
    t.both("keep.txt", "keep");
    t.both("gone/deep/file", "old");
    t.both("edit.txt", "before");
    fs::write(t.src("edit.txt"), "after, longer").unwrap();
    fs::create_dir_all(t.src("new/dir")).unwrap();
    fs::write(t.src("new/dir/f"), "new").unwrap();
    fs::remove_dir_all(t.src("gone")).unwrap();
    let st = t.sync();
    assert!(st.removed >= 1);
    t.assert_equal();
    assert!(!t.dst("gone").exists());
}

#[test]
fn same_size_same_mtime_content_change_is_found() {
    let t = Pair::new("samesize");
    t.both("f", "aaaa");
    fs::write(t.src("f"), "bbbb").unwrap();
    set_mtime(&t.src("f"), 1_700_000_000, 0);
    set_mtime(&t.dst("f"), 1_700_000_000, 0);
    let st = t.sync();
    assert_eq!(st.compared, 1);
    assert_eq!(fs::read(t.dst("f")).unwrap(), b"bbbb");
    t.assert_equal();
}

#[test]
fn type_changes_both_ways() {
    let t = Pair::new("types");
    fs::create_dir_all(t.src("was-file")).unwrap();
    fs::write(t.src("was-file/inner"), "i").unwrap();
    fs::write(t.dst("was-file"), "f").unwrap();
    fs::write(t.src("was-dir"), "now a file").unwrap();
    fs::create_dir_all(t.dst("was-dir/sub")).unwrap();
    symlink("target-a", t.src("link")).unwrap();
    symlink("target-b", t.dst("link")).unwrap();
    symlink("x", t.src("file-to-link")).unwrap();
    fs::write(t.dst("file-to-link"), "x").unwrap();
    t.sync();
    t.assert_equal();
}

#[test]
fn hardlinks_are_made_and_broken() {
    let t = Pair::new("links");
    // SRC links a and b; DST has them apart.
    t.both("a", "same");
    t.both("b", "same");
    fs::remove_file(t.src("b")).unwrap();
    fs::hard_link(t.src("a"), t.src("b")).unwrap();
    // DST links c and d; SRC has them apart (same content).
    t.both("c", "cc");
    fs::remove_file(t.dst("d")).ok();
    fs::hard_link(t.dst("c"), t.dst("d")).unwrap();
    fs::write(t.src("d"), "cc").unwrap();
    // Make every time equal, so only the link structure differs.
    for p in ["a", "c", "d", ""] {
        set_mtime(&t.src(p), 1_600_000_000, 0);
        set_mtime(&t.dst(p), 1_600_000_000, 0);
    }
    t.sync();
    t.assert_equal();
    let (a, b) = (
        fs::metadata(t.dst("a")).unwrap(),
        fs::metadata(t.dst("b")).unwrap(),
    );
    assert_eq!(a.ino(), b.ino());
    let (c, d) = (
        fs::metadata(t.dst("c")).unwrap(),
        fs::metadata(t.dst("d")).unwrap(),
    );
    assert_ne!(c.ino(), d.ino());
}

#[test]
fn modes_owners_and_capabilities() {
    let t = Pair::new("meta");
    t.both("bin/tool", "#!/bin/sh\n");
    fs::set_permissions(t.src("bin/tool"), fs::Permissions::from_mode(0o4755)).unwrap();
    fs::set_permissions(t.dst("bin/tool"), fs::Permissions::from_mode(0o644)).unwrap();
    if root() {
        std::os::unix::fs::lchown(t.src("bin/tool"), Some(1234), Some(99)).unwrap();
        fs::set_permissions(t.src("bin/tool"), fs::Permissions::from_mode(0o4755)).unwrap();
        // cap_net_raw+ep, VFS_CAP_REVISION_2.
        let mut cap = vec![0u8; 20];
        cap[..4].copy_from_slice(&0x0200_0001u32.to_le_bytes());
        cap[4..8].copy_from_slice(&(1u32 << 13).to_le_bytes());
        rustix::fs::lsetxattr(
            t.src("bin/tool"),
            "security.capability",
            &cap,
            rustix::fs::XattrFlags::empty(),
        )
        .unwrap();
    }
    let user_xattrs = rustix::fs::lsetxattr(
        t.src("bin/tool"),
        "user.slimfile",
        b"v",
        rustix::fs::XattrFlags::empty(),
    )
    .is_ok();
    if user_xattrs {
        rustix::fs::lsetxattr(
            t.dst("bin"),
            "user.stale",
            b"x",
            rustix::fs::XattrFlags::empty(),
        )
        .unwrap();
    }
    t.sync();
    t.assert_equal();
    let m = fs::metadata(t.dst("bin/tool")).unwrap();
    assert_eq!(m.mode() & 0o7777, 0o4755);
}

#[test]
fn special_nodes() {
    let t = Pair::new("special");
    rustix::fs::mknodat(
        rustix::fs::CWD,
        t.src("fifo"),
        rustix::fs::FileType::Fifo,
        rustix::fs::Mode::from_bits_truncate(0o640),
        0,
    )
    .unwrap();
    if root() {
        rustix::fs::mknodat(
            rustix::fs::CWD,
            t.src("null"),
            rustix::fs::FileType::CharacterDevice,
            rustix::fs::Mode::from_bits_truncate(0o666),
            rustix::fs::makedev(1, 3),
        )
        .unwrap();
    }
    fs::write(t.dst("fifo"), "a file in the way").unwrap();
    t.sync();
    t.assert_equal();
}

#[test]
fn symlinks_are_never_followed() {
    let t = Pair::new("nofollow");
    let outside = t.base.join("outside");
    fs::create_dir_all(&outside).unwrap();
    fs::write(outside.join("precious"), "keep me").unwrap();
    // DST has a symlink to a directory outside; SRC has a real directory there.
    symlink(&outside, t.dst("d")).unwrap();
    fs::create_dir_all(t.src("d")).unwrap();
    fs::write(t.src("d/new"), "n").unwrap();
    t.sync();
    t.assert_equal();
    assert_eq!(fs::read(outside.join("precious")).unwrap(), b"keep me");
    assert!(!outside.join("new").exists());
}

#[test]
fn skipped_paths_are_left_alone_on_both_sides() {
    let t = Pair::new("skip");
    t.both("keep.txt", "k");
    fs::create_dir_all(t.src("proc")).unwrap();
    fs::write(t.src("proc/hidden"), "src side").unwrap();
    fs::create_dir_all(t.dst("proc")).unwrap();
    fs::write(t.dst("proc/mine"), "dst side").unwrap();
    fs::write(t.dst("etc-hosts"), "dst hosts").unwrap();
    fs::write(t.src("new.txt"), "n").unwrap();
    let skip: std::collections::HashSet<PathBuf> =
        [t.src("proc"), t.src("etc-hosts")].into_iter().collect();
    super::sync_skipping(&t.base.join("src"), &t.base.join("dst"), &skip).unwrap();
    assert_eq!(fs::read(t.dst("proc/mine")).unwrap(), b"dst side");
    assert!(!t.dst("proc/hidden").exists());
    assert_eq!(fs::read(t.dst("etc-hosts")).unwrap(), b"dst hosts");
    assert_eq!(fs::read(t.dst("new.txt")).unwrap(), b"n");
}

#[test]
fn mountinfo_escapes() {
    assert_eq!(super::unescape_mountinfo("/a\\040b"), "/a b");
    assert_eq!(super::unescape_mountinfo("/plain"), "/plain");
    assert_eq!(super::unescape_mountinfo("/x\\"), "/x\\");
}
