//! The LLB capabilities each op needs, derived from the op as BuildKit's Go client
//! derives them when it marshals (`client/llb/exec.go`, `state.go`), so that op
//! metadata matches the official frontend's.

use bollard_buildkit_proto::pb;

/// Caps of an exec op.
pub fn exec(e: &pb::ExecOp) -> Vec<&'static str> {
    let mut caps = vec!["exec.meta.base", "exec.meta.setsdefaultpath"];
    if let Some(m) = &e.meta {
        if !m.valid_exit_codes.is_empty() {
            caps.push("exec.validexitcode");
        }
        if !m.ulimit.is_empty() {
            caps.push("exec.meta.ulimit");
        }
        if m.proxy_env.is_some() {
            caps.push("exec.meta.proxyenv");
        }
    }
    if e.network != pb::NetMode::Unset as i32 {
        caps.push("exec.meta.network");
    }
    if e.security == pb::SecurityMode::Insecure as i32 {
        caps.push("exec.meta.security");
    }
    let (mut secret, mut ssh) = (!e.secretenv.is_empty(), false);
    for m in &e.mounts {
        let kind = m.mount_type;
        if kind == pb::MountType::Secret as i32 {
            secret = true;
            continue;
        }
        if kind == pb::MountType::Ssh as i32 {
            ssh = true;
            continue;
        }
        if !m.selector.is_empty() {
            caps.push("exec.mount.selector");
        }
        if kind == pb::MountType::Cache as i32 {
            caps.extend(["exec.mount.cache", "exec.mount.cache.sharing"]);
        } else if kind == pb::MountType::Tmpfs as i32 {
            caps.push("exec.mount.tmpfs");
            if m.tmpfs_opt.as_ref().is_some_and(|t| t.size > 0) {
                caps.push("exec.mount.tmpfs.size");
            }
        } else if m.input >= 0 {
            caps.push("exec.mount.bind");
        }
        if m.content_cache != pb::MountContentCache::Default as i32 {
            caps.push("exec.mount.cache.content");
        }
    }
    if secret {
        caps.push("exec.mount.secret");
    }
    if !e.secretenv.is_empty() {
        caps.push("exec.secretenv");
    }
    if ssh {
        caps.push("exec.mount.ssh");
    }
    if !e.cdi_devices.is_empty() {
        caps.push("exec.meta.cdi");
    }
    caps
}

/// Caps of the definition's last op (the one that only names the result), given the
/// metadata of all the others.
pub fn terminal<'a>(others: impl Iterator<Item = &'a pb::OpMetadata>) -> Vec<&'static str> {
    let mut caps = vec!["constraints", "platform"];
    for m in others {
        if m.ignore_cache {
            caps.push("meta.ignorecache");
        }
        if !m.description.is_empty() {
            caps.push("meta.description");
        }
        if m.export_cache.is_some() {
            caps.push("meta.exportcache");
        }
    }
    caps
}

/// Caps of a source op that come from its attributes (local, git and HTTP sources).
pub fn source(s: &pb::SourceOp) -> Vec<&'static str> {
    let (mut caps, table): (Vec<&'static str>, &[(&str, &'static str)]) =
        if s.identifier.starts_with("local://") {
            (vec!["source.local"], LOCAL)
        } else if s.identifier.starts_with("git://") {
            (vec!["source.git"], GIT)
        } else if s.identifier.starts_with("https://") || s.identifier.starts_with("http://") {
            (vec!["source.http"], HTTP)
        } else {
            return Vec::new();
        };
    for (attr, cap) in table {
        if s.attrs.contains_key(*attr) {
            caps.push(cap);
        }
    }
    // Over SSH the client always asks for known hosts (the frontend's default auth
    // secrets for HTTPS come without a cap).
    if s.attrs.contains_key("git.mountsshsock") {
        caps.push("source.git.knownsshhosts");
    }
    caps
}

const GIT: &[(&str, &str)] = &[
    ("git.keepgitdir", "source.git.keepgitdir"),
    ("git.fullurl", "source.git.fullurl"),
    ("git.knownsshhosts", "source.git.knownsshhosts"),
    ("git.mountsshsock", "source.git.mountsshsock"),
    ("git.checksum", "source.git.checksum"),
    ("git.skipsubmodules", "source.git.skipsubmodules"),
    ("git.mtime", "source.git.mtime"),
];

const HTTP: &[(&str, &str)] = &[
    ("http.checksum", "source.http.checksum"),
    ("http.perm", "source.http.perm"),
    ("http.uid", "soruce.http.uidgid"),
    ("http.gid", "soruce.http.uidgid"),
];

const LOCAL: &[(&str, &str)] = &[
    ("local.session", "source.local.sessionid"),
    ("local.includepattern", "source.local.includepatterns"),
    ("local.followpaths", "source.local.followpaths"),
    ("local.excludepatterns", "source.local.excludepatterns"),
    ("local.sharedkeyhint", "source.local.sharedkeyhint"),
    ("local.unique", "source.local.unique"),
];
