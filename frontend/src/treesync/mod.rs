//! `slimfile sync SRC DST`: makes the tree DST equal to the tree SRC with the fewest
//! writes, so that the writes DST receives are exactly the net change from DST to SRC.
//!
//! This is the engine-independent half of additive fusion. A fused group's members
//! run as the official frontend's own exec ops; the group's exported layer comes from
//! one more exec op that runs this tool with the state before the group mounted
//! writable at DST and the state after the group's cleanup mounted read-only at SRC.
//! The snapshotter records what the tool writes as one layer: new and changed files,
//! and a whiteout for every deletion.
//!
//! Exactness rules (each has a test):
//! - every entry type: directories, regular files, symlinks, hardlinks, fifos,
//!   sockets, character and block devices;
//! - owner, mode (with setuid/setgid/sticky), extended attributes (including
//!   `security.capability`, re-applied after `chown` clears it) and mtime/atime;
//! - a file whose size and mtime match is still compared byte for byte, unless both
//!   sides are the very same underlying inode (same inode number *and* same ctime to
//!   the nanosecond: overlayfs shows a shared lower file with its real inode in every
//!   mount, and a copied-up or rewritten file always gets a new inode and a new ctime);
//! - a changed file is replaced by a new inode (written beside it, then renamed), so a
//!   hardlink in DST that SRC no longer has is broken, never written through;
//! - nothing unchanged is touched: on overlayfs even a no-op `chown` would copy a
//!   file up into the layer.
//!
//! It never follows symlinks and never leaves DST: every path it writes is DST joined
//! with a name read from a directory listing.

mod meta;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ffi::OsString;
use std::fs::{self, Metadata};
use std::io::{self, Read};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// What a sync did, for the build log.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Stats {
    /// Entries written (created, replaced or given new metadata).
    pub written: u64,
    /// Entries removed from DST (each one a whiteout in the layer).
    pub removed: u64,
    /// Bytes of file content copied.
    pub bytes: u64,
    /// Regular files compared byte for byte (same size, not the same inode).
    pub compared: u64,
}

/// Makes `dst` equal to `src` (both must be directories).
pub fn sync(src: &Path, dst: &Path) -> io::Result<Stats> {
    sync_skipping(src, dst, &HashSet::new())
}

/// Like [`sync`], leaving alone (on both sides) the entries of `src` whose paths are in
/// `skip`: mount points, whose content the snapshot under them is not.
///
/// One thread walks both trees and does everything but copying the content of new
/// files, which worker threads do meanwhile; directory metadata (whose mtime every
/// created or removed entry changes) is applied last.
pub fn sync_skipping(src: &Path, dst: &Path, skip: &HashSet<PathBuf>) -> io::Result<Stats> {
    let sm = fs::symlink_metadata(src).map_err(|e| at(src, e))?;
    let dm = fs::symlink_metadata(dst).map_err(|e| at(dst, e))?;
    if !sm.is_dir() || !dm.is_dir() {
        return Err(io::Error::other("sync: SRC and DST must be directories"));
    }
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get().clamp(1, 4));
    let (tx, rx) = std::sync::mpsc::sync_channel::<Job>(4096);
    let rx = std::sync::Mutex::new(rx);
    let (walked, copied) = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| scope.spawn(|| copy_worker(&rx)))
            .collect();
        let mut s = Syncer {
            jobs: Some(tx),
            skip: skip.clone(),
            ..Syncer::default()
        };
        let walked = s.dir(src, dst, Some(&dm)).map(|()| s);
        let mut copied = Ok(Stats::default());
        // Dropping the sender (inside `walked` or its error) ends the workers.
        let walked = walked.map(|mut s| {
            s.jobs = None;
            s
        });
        for h in handles {
            let r = h
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("sync: a copy worker panicked")));
            copied = match (copied, r) {
                (Ok(a), Ok(b)) => Ok(Stats {
                    written: a.written + b.written,
                    bytes: a.bytes + b.bytes,
                    ..a
                }),
                (Err(e), _) | (_, Err(e)) => Err(e),
            };
        }
        (walked, copied)
    });
    let mut s = walked?;
    let copied = copied?;
    s.stats.written += copied.written;
    s.stats.bytes += copied.bytes;
    for (src, sm, dst) in std::mem::take(&mut s.dirs).into_iter().rev() {
        let now = fs::symlink_metadata(&dst).map_err(|e| at(&dst, e))?;
        meta::apply(&src, &sm, &dst, &now, &mut s.stats)?;
    }
    let now = fs::symlink_metadata(dst).map_err(|e| at(dst, e))?;
    meta::apply(src, &sm, dst, &now, &mut s.stats)?;
    Ok(s.stats)
}

/// A new regular file to copy.
struct Job {
    src: PathBuf,
    sm: Metadata,
    dst: PathBuf,
}

fn copy_worker(rx: &std::sync::Mutex<std::sync::mpsc::Receiver<Job>>) -> io::Result<Stats> {
    let mut stats = Stats::default();
    loop {
        let job = match rx.lock() {
            Ok(r) => r.recv(),
            Err(_) => return Err(io::Error::other("sync: job queue poisoned")),
        };
        let Ok(job) = job else {
            return Ok(stats);
        };
        stats.bytes += meta::create_file(&job.src, &job.sm, &job.dst)?;
        stats.written += 1;
    }
}

fn at(path: &Path, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{}: {e}", path.display()))
}

#[derive(Default)]
struct Syncer {
    stats: Stats,
    /// Where new files go to be copied (by worker threads); `None`: copy in place.
    jobs: Option<std::sync::mpsc::SyncSender<Job>>,
    /// Directories whose metadata is applied once everything inside is written.
    dirs: Vec<(PathBuf, Metadata, PathBuf)>,
    /// SRC paths left alone on both sides (mount points).
    skip: HashSet<PathBuf>,
    /// Hardlinked SRC inodes seen so far → the DST path that holds them.
    links: HashMap<(u64, u64), PathBuf>,
    /// DST inodes with several links → the SRC inode kept at the first DST path
    /// that showed it (a DST link that SRC no longer has must be broken).
    dst_links: HashMap<(u64, u64), (u64, u64)>,
}

impl Syncer {
    /// Syncs the children of `src` into the directory `dst`.
    fn dir(&mut self, src: &Path, dst: &Path, dm: Option<&Metadata>) -> io::Result<()> {
        let want = list(src)?;
        let have = if dm.is_some() {
            list(dst)?
        } else {
            BTreeMap::new()
        };
        let skipped = |name: &OsString| self.skip.contains(&src.join(name));
        let want: BTreeMap<OsString, ()> = want.into_iter().filter(|(n, _)| !skipped(n)).collect();
        let have: BTreeMap<OsString, ()> = have.into_iter().filter(|(n, _)| !skipped(n)).collect();
        for name in have.keys() {
            if !want.contains_key(name) {
                remove(&dst.join(name))?;
                self.stats.removed += 1;
            }
        }
        for name in want.keys() {
            self.entry(&src.join(name), &dst.join(name))?;
        }
        Ok(())
    }

    fn entry(&mut self, src: &Path, dst: &Path) -> io::Result<()> {
        let sm = fs::symlink_metadata(src).map_err(|e| at(src, e))?;
        let mut dm = match fs::symlink_metadata(dst) {
            Ok(m) => Some(m),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(at(dst, e)),
        };
        if sm.is_dir() {
            if dm.as_ref().is_some_and(|d| !d.is_dir()) {
                remove(dst)?;
                dm = None;
            }
            if dm.is_none() {
                fs::create_dir(dst).map_err(|e| at(dst, e))?;
                self.stats.written += 1;
            }
            self.dir(src, dst, dm.as_ref())?;
            self.dirs.push((src.to_path_buf(), sm, dst.to_path_buf()));
            return Ok(());
        }
        if sm.nlink() > 1 && self.linked(&sm, dst, dm.as_ref())? {
            return Ok(());
        }
        if dm.is_none() && sm.is_file() && sm.nlink() == 1 {
            // The common case: a new file with no other name. Copied by a worker.
            let job = Job {
                src: src.to_path_buf(),
                sm,
                dst: dst.to_path_buf(),
            };
            return match &self.jobs {
                Some(tx) => tx
                    .send(job)
                    .map_err(|_| io::Error::other("sync: the copy workers stopped")),
                None => {
                    self.stats.bytes += meta::create_file(&job.src, &job.sm, &job.dst)?;
                    self.stats.written += 1;
                    Ok(())
                }
            };
        }
        let same = match &dm {
            Some(d) => self.same_node(src, &sm, dst, d)?,
            None => false,
        };
        if same {
            let d = dm.as_ref().expect("same implies present");
            meta::apply(src, &sm, dst, d, &mut self.stats)?;
        } else {
            self.replace(src, &sm, dst, dm.as_ref())?;
        }
        if sm.nlink() > 1 {
            self.links.insert((sm.dev(), sm.ino()), dst.to_path_buf());
        }
        // A kept DST inode with other names: remember which SRC file it stands for.
        if same && let Some(d) = dm.as_ref().filter(|d| d.nlink() > 1) {
            self.dst_links
                .entry((d.dev(), d.ino()))
                .or_insert((sm.dev(), sm.ino()));
        }
        Ok(())
    }

    /// A later name of a hardlinked SRC inode: make `dst` a link to the DST path of
    /// its first name. Returns false for the first name.
    fn linked(&mut self, sm: &Metadata, dst: &Path, dm: Option<&Metadata>) -> io::Result<bool> {
        let Some(first) = self.links.get(&(sm.dev(), sm.ino())).cloned() else {
            return Ok(false);
        };
        let fm = fs::symlink_metadata(&first).map_err(|e| at(&first, e))?;
        if dm.is_some_and(|d| d.dev() == fm.dev() && d.ino() == fm.ino()) {
            return Ok(true);
        }
        if dm.is_some() {
            remove(dst)?;
        }
        fs::hard_link(&first, dst).map_err(|e| at(dst, e))?;
        self.stats.written += 1;
        Ok(true)
    }

    /// Is the DST entry the same node as SRC's, content and link structure included
    /// (metadata aside)?
    fn same_node(
        &mut self,
        src: &Path,
        sm: &Metadata,
        dst: &Path,
        dm: &Metadata,
    ) -> io::Result<bool> {
        let (st, dt) = (sm.file_type(), dm.file_type());
        if dm.nlink() > 1
            && let Some(owner) = self.dst_links.get(&(dm.dev(), dm.ino()))
            && *owner != (sm.dev(), sm.ino())
        {
            // DST links this inode to a path whose SRC is another file.
            return Ok(false);
        }
        if st.is_file() && dt.is_file() {
            if sm.len() != dm.len() {
                return Ok(false);
            }
            if same_inode(sm, dm) {
                return Ok(true);
            }
            self.stats.compared += 1;
            return same_content(src, dst);
        }
        if st.is_symlink() && dt.is_symlink() {
            return Ok(fs::read_link(src)? == fs::read_link(dst)?);
        }
        let special = |t: fs::FileType| {
            [
                t.is_fifo(),
                t.is_socket(),
                t.is_char_device(),
                t.is_block_device(),
            ]
        };
        Ok(special(st) == special(dt) && special(st).contains(&true) && sm.rdev() == dm.rdev())
    }

    /// Writes a new node at `dst` (a new inode, so DST hardlinks are broken).
    fn replace(
        &mut self,
        src: &Path,
        sm: &Metadata,
        dst: &Path,
        dm: Option<&Metadata>,
    ) -> io::Result<()> {
        if dm.is_some_and(Metadata::is_dir) {
            remove(dst)?;
        }
        let tmp = temp_name(dst);
        let t = sm.file_type();
        if t.is_file() {
            let mut from = fs::File::open(src).map_err(|e| at(src, e))?;
            let mut to = fs::File::create(&tmp).map_err(|e| at(&tmp, e))?;
            self.stats.bytes += io::copy(&mut from, &mut to).map_err(|e| at(dst, e))?;
        } else if t.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(src)?, &tmp).map_err(|e| at(&tmp, e))?;
        } else {
            meta::mknod(&tmp, sm)?;
        }
        let tm = fs::symlink_metadata(&tmp)?;
        meta::apply(src, sm, &tmp, &tm, &mut Stats::default())?;
        fs::rename(&tmp, dst).map_err(|e| at(dst, e))?;
        self.stats.written += 1;
        Ok(())
    }
}

/// Both sides are the same underlying inode, seen through two mounts.
fn same_inode(a: &Metadata, b: &Metadata) -> bool {
    a.ino() == b.ino()
        && a.ctime() == b.ctime()
        && a.ctime_nsec() == b.ctime_nsec()
        && a.mtime() == b.mtime()
        && a.mtime_nsec() == b.mtime_nsec()
        && a.len() == b.len()
}

fn same_content(a: &Path, b: &Path) -> io::Result<bool> {
    let mut fa = fs::File::open(a).map_err(|e| at(a, e))?;
    let mut fb = fs::File::open(b).map_err(|e| at(b, e))?;
    let mut ba = vec![0u8; 1 << 16];
    let mut bb = vec![0u8; 1 << 16];
    loop {
        let n = read_full(&mut fa, &mut ba)?;
        let m = read_full(&mut fb, &mut bb)?;
        if n != m || ba[..n] != bb[..m] {
            return Ok(false);
        }
        if n == 0 {
            return Ok(true);
        }
    }
}

fn read_full(f: &mut fs::File, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match f.read(&mut buf[n..])? {
            0 => break,
            k => n += k,
        }
    }
    Ok(n)
}

/// A directory's entries by name.
fn list(dir: &Path) -> io::Result<BTreeMap<OsString, ()>> {
    let mut out = BTreeMap::new();
    for e in fs::read_dir(dir).map_err(|e| at(dir, e))? {
        out.insert(e.map_err(|e| at(dir, e))?.file_name(), ());
    }
    Ok(out)
}

fn remove(path: &Path) -> io::Result<()> {
    let m = fs::symlink_metadata(path).map_err(|e| at(path, e))?;
    if m.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    }
    .map_err(|e| at(path, e))
}

/// A free temporary name beside `dst` (short, so it fits whatever `dst`'s name is).
fn temp_name(dst: &Path) -> PathBuf {
    (0u32..)
        .map(|i| dst.with_file_name(format!(".slimfile-sync.{i}")))
        .find(|p| fs::symlink_metadata(p).is_err())
        .expect("some name is free")
}

/// Entry point of `slimfile sync SRC DST`: leaves alone every mount point under SRC
/// (DST among them, when it is inside SRC), and prints one summary line.
pub fn run(src: &Path, dst: &Path) -> io::Result<()> {
    let mut skip: HashSet<PathBuf> = mount_points()
        .into_iter()
        .filter(|m| m != src && m.starts_with(src))
        .collect();
    skip.insert(dst.to_path_buf());
    let stats = sync_skipping(src, dst, &skip)?;
    println!(
        "slimfile sync: {} written, {} removed, {} bytes copied, {} files compared",
        stats.written, stats.removed, stats.bytes, stats.compared
    );
    Ok(())
}

/// Mount points of this process (`/proc/self/mountinfo`); none when it cannot be read.
fn mount_points() -> Vec<PathBuf> {
    let text = fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    text.lines()
        .filter_map(|l| l.split(' ').nth(4))
        .map(|m| PathBuf::from(unescape_mountinfo(m)))
        .collect()
}

/// Undoes mountinfo's octal escapes (`\040` for a space).
fn unescape_mountinfo(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\'
            && i + 3 < b.len()
            && b[i + 1..i + 4].iter().all(|c| (b'0'..=b'7').contains(c))
        {
            out.push((b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0'));
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}
