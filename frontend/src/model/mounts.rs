//! `RUN --mount` values: parsing and validation, as the official `instructions`
//! package does them. Expansion is the caller's (`parse_mount` takes the expander).

use crate::diagnostics::Diagnostic;

/// The type of a `--mount`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MountKind {
    /// `type=bind` (the default): a directory of the context, a stage or an image.
    #[default]
    Bind,
    /// `type=cache`: a persistent cache directory.
    Cache,
    /// `type=tmpfs`.
    Tmpfs,
    /// `type=secret`: a file (or env variable) with a secret.
    Secret,
    /// `type=ssh`: an SSH agent socket.
    Ssh,
}

impl MountKind {
    /// The `type=` value (lower case), if it names a mount type.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "bind" => MountKind::Bind,
            "cache" => MountKind::Cache,
            "tmpfs" => MountKind::Tmpfs,
            "secret" => MountKind::Secret,
            "ssh" => MountKind::Ssh,
            _ => return None,
        })
    }

    /// The `type=` value.
    pub fn as_str(self) -> &'static str {
        match self {
            MountKind::Bind => "bind",
            MountKind::Cache => "cache",
            MountKind::Tmpfs => "tmpfs",
            MountKind::Secret => "secret",
            MountKind::Ssh => "ssh",
        }
    }

    /// Secret and SSH mounts: a file or socket the engine provides, with no input.
    pub fn is_provided(self) -> bool {
        matches!(self, MountKind::Secret | MountKind::Ssh)
    }
}

impl std::fmt::Display for MountKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// `sharing=` of a cache mount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sharing {
    /// Concurrent builds share the cache (the default).
    Shared,
    /// Each concurrent build gets its own.
    Private,
    /// Concurrent builds wait for each other.
    Locked,
}

impl Sharing {
    /// The `sharing=` value, if it names a mode.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s.to_ascii_lowercase().as_str() {
            "shared" => Sharing::Shared,
            "private" => Sharing::Private,
            "locked" => Sharing::Locked,
            _ => return None,
        })
    }
}

/// A parsed and expanded `--mount`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MountSpec {
    /// The mount type.
    pub kind: MountKind,
    /// `from=`: a stage, named context or image.
    pub from: Option<String>,
    /// `source=`.
    pub source: String,
    /// `target=` as written (may be relative).
    pub target: String,
    /// `ro`/`rw`, when given.
    pub readonly: Option<bool>,
    /// `id=`.
    pub id: String,
    /// `sharing=` (cache), when given.
    pub sharing: Option<Sharing>,
    /// `required` (secret, ssh).
    pub required: bool,
    /// `size=` in bytes (tmpfs).
    pub size: i64,
    /// `mode=`.
    pub mode: Option<u32>,
    /// `uid=`.
    pub uid: Option<u32>,
    /// `gid=`.
    pub gid: Option<u32>,
    /// `env=` (secret).
    pub env: Option<String>,
}

/// Splits a CSV field list (quotes group commas).
fn csv_fields(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                cur.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    if quoted {
        return Err("failed to parse csv mounts: extraneous or missing \" in quoted-field".into());
    }
    out.push(cur);
    Ok(out)
}

/// The `from=` of a raw mount flag, if any (no expansion: the official frontend rejects
/// variables there).
pub fn mount_from(raw: &str) -> Option<String> {
    csv_fields(raw).ok()?.into_iter().find_map(|f| {
        let (k, v) = f.split_once('=')?;
        (k.eq_ignore_ascii_case("from") && !v.is_empty()).then(|| v.to_string())
    })
}

/// The target of a raw mount flag (`target`, `dst` or `destination`), unexpanded.
pub fn mount_target(raw: &str) -> Option<String> {
    csv_fields(raw).ok()?.into_iter().find_map(|f| {
        let (k, v) = f.split_once('=')?;
        matches!(
            k.to_ascii_lowercase().as_str(),
            "target" | "dst" | "destination"
        )
        .then(|| v.to_string())
    })
}

/// Parses one `--mount` value, expanding values with `expand_value`.
pub fn parse_mount(
    raw: &str,
    mut expand_value: impl FnMut(&str) -> Result<String, Diagnostic>,
) -> Result<MountSpec, Diagnostic> {
    let mut m = MountSpec::default();
    for field in csv_fields(raw).map_err(Diagnostic::error)? {
        match field.split_once('=') {
            None => bare_field(&mut m, &field)?,
            Some((k, v)) => {
                let value = expand_value(v)?;
                value_field(&mut m, &k.to_ascii_lowercase(), &field, value)?;
            }
        }
    }
    validate(&m)?;
    Ok(m)
}

/// A field without `=`: `ro`, `rw` or `required`.
fn bare_field(m: &mut MountSpec, field: &str) -> Result<(), Diagnostic> {
    match field.to_ascii_lowercase().as_str() {
        "readonly" | "ro" => m.readonly = Some(true),
        "readwrite" | "rw" => m.readonly = Some(false),
        "required" if m.kind.is_provided() => m.required = true,
        "required" => {
            return Err(Diagnostic::error(format!(
                "unexpected key 'required' for mount type '{}'",
                m.kind
            )));
        }
        _ => {
            return Err(Diagnostic::error(format!(
                "invalid field '{field}' must be a key=value pair"
            )));
        }
    }
    Ok(())
}

/// A `key=value` field, the value expanded.
fn value_field(m: &mut MountSpec, key: &str, field: &str, value: String) -> Result<(), Diagnostic> {
    let e = |msg: String| Diagnostic::error(msg);
    let parse_bool = |v: &str| match v.to_ascii_lowercase().as_str() {
        "1" | "t" | "true" => Ok(true),
        "0" | "f" | "false" => Ok(false),
        _ => Err(e(format!("invalid value for {key}: {v}"))),
    };
    let id = |what: &str| -> Result<u32, Diagnostic> {
        value
            .parse()
            .map_err(|_| e(format!("invalid value {value} for {what}")))
    };
    match key {
        "type" => {
            m.kind = MountKind::parse(&value)
                .ok_or_else(|| e(format!("unsupported mount type {value:?}")))?;
        }
        "from" => m.from = Some(value),
        "source" | "src" => m.source = value,
        "target" | "dst" | "destination" => m.target = value,
        "readonly" | "ro" => m.readonly = Some(parse_bool(&value)?),
        "readwrite" | "rw" => m.readonly = Some(!parse_bool(&value)?),
        "required" if m.kind.is_provided() => m.required = parse_bool(&value)?,
        "size" if m.kind == MountKind::Tmpfs => {
            m.size =
                parse_ram(&value).ok_or_else(|| e(format!("invalid value for size: {value}")))?
        }
        "id" => m.id = value,
        "sharing" => {
            m.sharing = Some(
                Sharing::parse(&value)
                    .ok_or_else(|| e(format!("unsupported sharing value {value:?}")))?,
            );
        }
        "mode" => {
            m.mode = Some(
                u32::from_str_radix(&value, 8)
                    .map_err(|_| e(format!("invalid value {value} for mode")))?,
            )
        }
        "uid" => m.uid = Some(id("uid")?),
        "gid" => m.gid = Some(id("gid")?),
        "env" => m.env = Some(value),
        "required" | "size" => {
            return Err(e(format!(
                "unexpected key '{key}' for mount type '{}'",
                m.kind
            )));
        }
        _ => return Err(e(format!("unexpected key '{key}' in '{field}'"))),
    }
    Ok(())
}

/// The checks over the whole mount: owner and mode only where files are made, the
/// secret mount's rules, sharing only for caches.
fn validate(m: &MountSpec) -> Result<(), Diagnostic> {
    let e = |msg: &str| Err(Diagnostic::error(msg.to_string()));
    if !m.kind.is_provided() && m.kind != MountKind::Cache {
        for (set, name) in [
            (m.mode.is_some(), "mode"),
            (m.uid.is_some(), "uid"),
            (m.gid.is_some(), "gid"),
        ] {
            if set {
                return e(&format!(
                    "{name} not allowed for {:?} type mounts",
                    m.kind.as_str()
                ));
            }
        }
    }
    if m.kind == MountKind::Secret {
        if m.from.is_some() {
            return e("secret mount should not have a from");
        }
        if m.sharing.is_some() {
            return e("secret mount should not define sharing");
        }
        if m.source.is_empty() && m.target.is_empty() && m.id.is_empty() && m.env.is_none() {
            return e("invalid secret mount. one of source, target required");
        }
        if !m.source.is_empty() && !m.id.is_empty() {
            return e("both source and id can't be set");
        }
    }
    if m.sharing.is_some() && m.kind != MountKind::Cache {
        return e(&format!("invalid cache sharing set for {} mount", m.kind));
    }
    Ok(())
}

/// Parses a `--mount` value without expanding variables (for outlines and lint).
pub fn parse_mount_raw(raw: &str) -> Result<MountSpec, Diagnostic> {
    parse_mount(raw, |v| Ok(v.to_string()))
}

/// `64m`, `1g`, `1024` → bytes (like go-units `RAMInBytes`).
fn parse_ram(s: &str) -> Option<i64> {
    let s = s.trim().to_ascii_lowercase();
    let num_end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let n: f64 = s[..num_end].parse().ok()?;
    let mult: f64 = match s[num_end..].trim_end_matches(['b', 'i']) {
        "" => 1.0,
        "k" => 1024.0,
        "m" => 1024f64.powi(2),
        "g" => 1024f64.powi(3),
        "t" => 1024f64.powi(4),
        "p" => 1024f64.powi(5),
        _ => return None,
    };
    Some((n * mult) as i64)
}
