//! Metadata of one node: owner, mode, extended attributes, times; and special nodes.
//!
//! Order matters: `chown` clears setuid/setgid bits and `security.capability`, so the
//! mode and the attributes are applied after it, and the times last.

use std::collections::BTreeMap;
use std::fs::{self, Metadata};
use std::io;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;

use rustix::fs::{AtFlags, CWD, FileType, Mode, Timespec, Timestamps, XattrFlags};

use super::{Stats, at};

/// Makes `dst`'s owner, mode, attributes and times those of `src`, touching only
/// what differs.
pub(super) fn apply(
    src: &Path,
    sm: &Metadata,
    dst: &Path,
    dm: &Metadata,
    stats: &mut Stats,
) -> io::Result<()> {
    let mut touched = false;
    let chowned = sm.uid() != dm.uid() || sm.gid() != dm.gid();
    if chowned {
        std::os::unix::fs::lchown(dst, Some(sm.uid()), Some(sm.gid())).map_err(|e| at(dst, e))?;
        touched = true;
    }
    let symlink = sm.file_type().is_symlink();
    if !symlink && (chowned || sm.mode() & 0o7777 != dm.mode() & 0o7777) {
        fs::set_permissions(dst, fs::Permissions::from_mode(sm.mode() & 0o7777))
            .map_err(|e| at(dst, e))?;
        touched = true;
    }
    let want = xattrs(src)?;
    let have = xattrs(dst)?;
    for (name, value) in &want {
        if have.get(name) != Some(value) {
            rustix::fs::lsetxattr(dst, name.as_slice(), value, XattrFlags::empty())
                .map_err(|e| at(dst, xattr_error(name, e.into())))?;
            touched = true;
        }
    }
    for name in have.keys() {
        if !want.contains_key(name) {
            rustix::fs::lremovexattr(dst, name.as_slice())
                .map_err(|e| at(dst, xattr_error(name, e.into())))?;
            touched = true;
        }
    }
    let fresh = if touched {
        fs::symlink_metadata(dst).map_err(|e| at(dst, e))?
    } else {
        dm.clone()
    };
    if (fresh.mtime(), fresh.mtime_nsec()) != (sm.mtime(), sm.mtime_nsec()) {
        rustix::fs::utimensat(CWD, dst, &times(sm), AtFlags::SYMLINK_NOFOLLOW)
            .map_err(|e| at(dst, e.into()))?;
        touched = true;
    }
    if touched {
        stats.written += 1;
    }
    Ok(())
}

fn xattr_error(name: &[u8], e: io::Error) -> io::Error {
    io::Error::new(
        e.kind(),
        format!("extended attribute {}: {e}", String::from_utf8_lossy(name)),
    )
}

/// All extended attributes of a node (not following symlinks). A filesystem without
/// attribute support has none.
fn xattrs(path: &Path) -> io::Result<BTreeMap<Vec<u8>, Vec<u8>>> {
    let mut out = BTreeMap::new();
    let size = match rustix::fs::llistxattr_query(path) {
        Ok(n) => n,
        Err(rustix::io::Errno::OPNOTSUPP) => return Ok(out),
        Err(e) => return Err(at(path, e.into())),
    };
    if size == 0 {
        return Ok(out);
    }
    let mut names = vec![0u8; size];
    let n = rustix::fs::llistxattr(path, &mut names[..]).map_err(|e| at(path, e.into()))?;
    for name in names[..n].split(|b| *b == 0).filter(|n| !n.is_empty()) {
        let len = rustix::fs::lgetxattr_query(path, name).map_err(|e| at(path, e.into()))?;
        let mut value = vec![0u8; len];
        let got =
            rustix::fs::lgetxattr(path, name, &mut value[..]).map_err(|e| at(path, e.into()))?;
        value.truncate(got);
        out.insert(name.to_vec(), value);
    }
    Ok(out)
}

/// Creates `dst` (which must not exist) as a copy of the regular file `src`, with its
/// owner, mode, attributes and times, through the open file; returns the bytes copied.
pub(super) fn create_file(src: &Path, sm: &Metadata, dst: &Path) -> io::Result<u64> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut from = fs::File::open(src).map_err(|e| at(src, e))?;
    let mut to = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(dst)
        .map_err(|e| at(dst, e))?;
    let bytes = io::copy(&mut from, &mut to).map_err(|e| at(dst, e))?;
    let (uid, gid) = (sm.uid(), sm.gid());
    if (uid, gid) != (0, 0) || !rustix::process::geteuid().is_root() {
        rustix::fs::fchown(
            &to,
            Some(rustix::fs::Uid::from_raw(uid)),
            Some(rustix::fs::Gid::from_raw(gid)),
        )
        .map_err(|e| at(dst, e.into()))?;
    }
    rustix::fs::fchmod(&to, Mode::from_bits_truncate(sm.mode() & 0o7777))
        .map_err(|e| at(dst, e.into()))?;
    for (name, value) in xattrs(src)? {
        rustix::fs::fsetxattr(&to, name.as_slice(), &value, XattrFlags::empty())
            .map_err(|e| at(dst, xattr_error(&name, e.into())))?;
    }
    rustix::fs::futimens(&to, &times(sm)).map_err(|e| at(dst, e.into()))?;
    Ok(bytes)
}

fn times(sm: &Metadata) -> Timestamps {
    Timestamps {
        last_access: Timespec {
            tv_sec: sm.atime(),
            tv_nsec: sm.atime_nsec() as _,
        },
        last_modification: Timespec {
            tv_sec: sm.mtime(),
            tv_nsec: sm.mtime_nsec() as _,
        },
    }
}

/// Creates a fifo, socket or device node like `sm` at `path`.
pub(super) fn mknod(path: &Path, sm: &Metadata) -> io::Result<()> {
    let t = sm.file_type();
    let kind = if t.is_fifo() {
        FileType::Fifo
    } else if t.is_socket() {
        FileType::Socket
    } else if t.is_char_device() {
        FileType::CharacterDevice
    } else if t.is_block_device() {
        FileType::BlockDevice
    } else {
        return Err(io::Error::other(format!(
            "{}: unsupported file type",
            path.display()
        )));
    };
    rustix::fs::mknodat(
        CWD,
        path,
        kind,
        Mode::from_bits_truncate(sm.mode() & 0o7777),
        sm.rdev(),
    )
    .map_err(|e| at(path, e.into()))
}
