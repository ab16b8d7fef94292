//! `RUN --network` and `RUN --security` modes.

/// `RUN --network=` (and the `force-network-mode` frontend option).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NetworkMode {
    /// `default`: the engine's choice.
    Default,
    /// `none`: no network.
    None,
    /// `host`: the host's network (needs the `network.host` entitlement).
    Host,
}

impl NetworkMode {
    /// The mode a value names.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "default" => NetworkMode::Default,
            "none" => NetworkMode::None,
            "host" => NetworkMode::Host,
            _ => return None,
        })
    }
}

/// `RUN --security=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SecurityMode {
    /// `sandbox`: the default.
    Sandbox,
    /// `insecure`: privileged (needs the `security.insecure` entitlement).
    Insecure,
}

impl SecurityMode {
    /// The mode a value names.
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "sandbox" => SecurityMode::Sandbox,
            "insecure" => SecurityMode::Insecure,
            _ => return None,
        })
    }
}
