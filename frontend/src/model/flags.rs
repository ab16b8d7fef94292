//! Instruction flags (`--from=x`, `--link`, `--mount=...`), parsed and checked against
//! the flags an instruction allows, as the official `BFlags` does.

use super::instructions::{err, suggest};
use crate::diagnostics::Diagnostic;

pub(super) struct Flags<'a> {
    pub(super) args: &'a [String],
    pub(super) allowed: &'a [(&'a str, FlagType)],
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum FlagType {
    Bool,
    String,
    Strings,
}

#[derive(Default)]
pub(super) struct FlagValues {
    values: Vec<(String, Vec<String>)>,
}

impl FlagValues {
    pub(super) fn string(&self, name: &str) -> Option<String> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .and_then(|(_, v)| v.last().cloned())
    }
    pub(super) fn strings(&self, name: &str) -> Vec<String> {
        self.values
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    }
    pub(super) fn bool(&self, name: &str) -> Option<bool> {
        self.string(name).map(|v| v == "true")
    }
}

impl Flags<'_> {
    pub(super) fn parse(&self) -> Result<FlagValues, Diagnostic> {
        let mut out = FlagValues::default();
        for a in self.args {
            if a == "--" {
                break;
            }
            let Some(body) = a.strip_prefix("--") else {
                return Err(err(format!("arg should start with -- : {a}")));
            };
            let (name, value) = match body.split_once('=') {
                Some((n, v)) => (n, Some(v)),
                None => (body, None),
            };
            let Some(&(_, typ)) = self.allowed.iter().find(|(n, _)| *n == name) else {
                let mut d = err(format!("unknown flag: --{name}"));
                if let Some(s) = suggest(name, self.allowed.iter().map(|(n, _)| *n)) {
                    d = d.with_help(format!("did you mean --{s}?"));
                }
                return Err(d);
            };
            let slot = out.values.iter().position(|(k, _)| k == name);
            if slot.is_some() && typ != FlagType::Strings {
                return Err(err(format!("duplicate flag specified: --{name}")));
            }
            let value = match (typ, value) {
                (FlagType::Bool, Some("")) => {
                    return Err(err(format!("missing a value on flag: --{name}")));
                }
                (FlagType::Bool, None) => "true".to_string(),
                (FlagType::Bool, Some(v)) => match v.to_ascii_lowercase().as_str() {
                    "true" => "true".to_string(),
                    "false" => "false".to_string(),
                    _ => {
                        return Err(err(format!(
                            "expecting boolean value for flag --{name}, not: {v}"
                        )));
                    }
                },
                (_, None) => return Err(err(format!("missing a value on flag: --{name}"))),
                (_, Some(v)) => v.to_string(),
            };
            match slot {
                Some(i) => out.values[i].1.push(value),
                None => out.values.push((name.to_string(), vec![value])),
            }
        }
        Ok(out)
    }
}
