//! The check rules' identities: one typed value per rule, with the official name,
//! description and documentation URL. Findings name their rule by this type, so a
//! rule that does not exist cannot be reported (the compiler rejects it); only the
//! user's `# check=skip=` list is matched by name.
//!
//! A leaf like [`crate::golang`]: the converter reports the rules that need dispatch
//! state, [`crate::lint`] the rest.

use std::fmt;

/// A check rule: the official frontend's (same names and URLs) or slimfile's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Rule {
    /// Stage names should be lowercase.
    StageNameCasing,
    /// The 'as' keyword should match the case of the 'from' keyword.
    FromAsCasing,
    /// JSON arguments recommended for ENTRYPOINT/CMD.
    JsonArgsRecommended,
    /// The MAINTAINER instruction is deprecated.
    MaintainerDeprecated,
    /// Legacy key/value format with whitespace separator.
    LegacyKeyValueFormat,
    /// Relative workdir without an absolute workdir declared.
    WorkdirRelativePath,
    /// Multiple CMD, ENTRYPOINT or HEALTHCHECK in one stage.
    MultipleInstructionsDisallowed,
    /// Stage names should be unique.
    DuplicateStageName,
    /// Reserved words as stage names.
    ReservedStageName,
    /// Mixed instruction casing.
    ConsistentInstructionCasing,
    /// Empty continuation lines.
    NoEmptyContinuation,
    /// Sensitive-looking names in ARG or ENV.
    SecretsUsedInArgOrEnv,
    /// Variables used before they are defined.
    UndefinedVar,
    /// COPY of a file .dockerignore excludes.
    CopyIgnoredFile,
    /// A base image of another platform than the build's.
    InvalidBaseImagePlatform,
    /// A global ARG's default makes an invalid base image name.
    InvalidDefaultArgInFrom,
    /// FROM uses an undeclared ARG.
    UndefinedArgInFrom,
    /// `FROM --platform=$TARGETPLATFORM`.
    RedundantTargetPlatform,
    /// `FROM --platform` with a constant.
    FromPlatformFlagConstDisallowed,
    /// Upper-case protocol in EXPOSE.
    ExposeProtoCasing,
    /// IP address or host port in EXPOSE.
    ExposeInvalidFormat,
    /// slimfile: package-manager RUNs that could not be fused.
    SlimfileFusionBlocked,
    /// slimfile: cache cleanup in a later layer than the cache.
    SlimfileCleanupTooLate,
    /// slimfile: `apt-get install` without `-y`.
    SlimfileAptInstallWithoutYes,
}

impl Rule {
    /// Every rule, in the order findings of one line are listed.
    pub const ALL: [Rule; 24] = [
        Rule::StageNameCasing,
        Rule::FromAsCasing,
        Rule::JsonArgsRecommended,
        Rule::MaintainerDeprecated,
        Rule::LegacyKeyValueFormat,
        Rule::WorkdirRelativePath,
        Rule::MultipleInstructionsDisallowed,
        Rule::DuplicateStageName,
        Rule::ReservedStageName,
        Rule::ConsistentInstructionCasing,
        Rule::NoEmptyContinuation,
        Rule::SecretsUsedInArgOrEnv,
        Rule::UndefinedVar,
        Rule::CopyIgnoredFile,
        Rule::InvalidBaseImagePlatform,
        Rule::InvalidDefaultArgInFrom,
        Rule::UndefinedArgInFrom,
        Rule::RedundantTargetPlatform,
        Rule::FromPlatformFlagConstDisallowed,
        Rule::ExposeProtoCasing,
        Rule::ExposeInvalidFormat,
        Rule::SlimfileFusionBlocked,
        Rule::SlimfileCleanupTooLate,
        Rule::SlimfileAptInstallWithoutYes,
    ];

    /// The rule's name, as `# check=skip=` and the build output spell it.
    pub fn name(self) -> &'static str {
        match self {
            Rule::StageNameCasing => "StageNameCasing",
            Rule::FromAsCasing => "FromAsCasing",
            Rule::JsonArgsRecommended => "JSONArgsRecommended",
            Rule::MaintainerDeprecated => "MaintainerDeprecated",
            Rule::LegacyKeyValueFormat => "LegacyKeyValueFormat",
            Rule::WorkdirRelativePath => "WorkdirRelativePath",
            Rule::MultipleInstructionsDisallowed => "MultipleInstructionsDisallowed",
            Rule::DuplicateStageName => "DuplicateStageName",
            Rule::ReservedStageName => "ReservedStageName",
            Rule::ConsistentInstructionCasing => "ConsistentInstructionCasing",
            Rule::NoEmptyContinuation => "NoEmptyContinuation",
            Rule::SecretsUsedInArgOrEnv => "SecretsUsedInArgOrEnv",
            Rule::UndefinedVar => "UndefinedVar",
            Rule::CopyIgnoredFile => "CopyIgnoredFile",
            Rule::InvalidBaseImagePlatform => "InvalidBaseImagePlatform",
            Rule::InvalidDefaultArgInFrom => "InvalidDefaultArgInFrom",
            Rule::UndefinedArgInFrom => "UndefinedArgInFrom",
            Rule::RedundantTargetPlatform => "RedundantTargetPlatform",
            Rule::FromPlatformFlagConstDisallowed => "FromPlatformFlagConstDisallowed",
            Rule::ExposeProtoCasing => "ExposeProtoCasing",
            Rule::ExposeInvalidFormat => "ExposeInvalidFormat",
            Rule::SlimfileFusionBlocked => "SlimfileFusionBlocked",
            Rule::SlimfileCleanupTooLate => "SlimfileCleanupTooLate",
            Rule::SlimfileAptInstallWithoutYes => "SlimfileAptInstallWithoutYes",
        }
    }

    /// What the rule checks, in the official frontend's words for its rules.
    pub fn description(self) -> &'static str {
        match self {
            Rule::StageNameCasing => "Stage names should be lowercase",
            Rule::FromAsCasing => "The 'as' keyword should match the case of the 'from' keyword",
            Rule::JsonArgsRecommended => {
                "JSON arguments recommended for ENTRYPOINT/CMD to prevent unintended behavior related to OS signals"
            }
            Rule::MaintainerDeprecated => {
                "The MAINTAINER instruction is deprecated, use a label instead to define an image author"
            }
            Rule::LegacyKeyValueFormat => {
                "Legacy key/value format with whitespace separator should not be used"
            }
            Rule::WorkdirRelativePath => {
                "Relative workdir without an absolute workdir declared within the build can have unexpected results if the base image changes"
            }
            Rule::MultipleInstructionsDisallowed => {
                "Multiple instructions of the same type should not be used in the same stage"
            }
            Rule::DuplicateStageName => "Stage names should be unique",
            Rule::ReservedStageName => "Reserved words should not be used as stage names",
            Rule::ConsistentInstructionCasing => {
                "All commands within the Dockerfile should use the same casing (either upper or lower)"
            }
            Rule::NoEmptyContinuation => {
                "Empty continuation lines will become errors in a future release"
            }
            Rule::SecretsUsedInArgOrEnv => {
                "Sensitive data should not be used in the ARG or ENV commands"
            }
            Rule::UndefinedVar => "Variables should be defined before their use",
            Rule::CopyIgnoredFile => "Attempting to Copy file that is excluded by .dockerignore",
            Rule::InvalidBaseImagePlatform => {
                "Base image platform does not match expected target platform"
            }
            Rule::InvalidDefaultArgInFrom => {
                "Default value for global ARG results in an empty or invalid base image name"
            }
            Rule::UndefinedArgInFrom => "FROM command must use declared ARGs",
            Rule::RedundantTargetPlatform => {
                "Setting platform to predefined $TARGETPLATFORM in FROM is redundant as this is the default behavior"
            }
            Rule::FromPlatformFlagConstDisallowed => {
                "FROM --platform flag should not use a constant value"
            }
            Rule::ExposeProtoCasing => "Protocol in EXPOSE instruction should be lowercase",
            Rule::ExposeInvalidFormat => {
                "IP address and host-port mapping should not be used in EXPOSE instruction. This will become an error in a future release"
            }
            Rule::SlimfileFusionBlocked => {
                "Package-manager RUNs that slimfile could not fuse because of the file's structure"
            }
            Rule::SlimfileCleanupTooLate => {
                "Cache cleanup in a later layer than the one that wrote the cache saves no space"
            }
            Rule::SlimfileAptInstallWithoutYes => {
                "apt-get install without -y waits for a confirmation that never comes in a build"
            }
        }
    }

    /// An official rule (documented on docs.docker.com), not one of slimfile's own.
    pub fn official(self) -> bool {
        !self.name().starts_with("Slimfile")
    }

    /// The rule's documentation.
    pub fn url(self) -> String {
        if !self.official() {
            return "https://github.com/ours/slimfile#checks".to_string();
        }
        let mut kebab = String::new();
        for (i, c) in self.name().chars().enumerate() {
            if c.is_ascii_uppercase() && i > 0 {
                kebab.push('-');
            }
            kebab.push(c.to_ascii_lowercase());
        }
        // Acronyms stay together in the official URLs.
        let kebab = kebab.replace("j-s-o-n", "json");
        format!("https://docs.docker.com/go/dockerfile/rule/{kebab}/")
    }
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl serde::Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::Rule;

    #[test]
    fn names_are_unique_and_urls_follow_the_official_scheme() {
        let mut names: Vec<&str> = Rule::ALL.iter().map(|r| r.name()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Rule::ALL.len());
        assert_eq!(
            Rule::JsonArgsRecommended.url(),
            "https://docs.docker.com/go/dockerfile/rule/json-args-recommended/"
        );
        assert_eq!(
            Rule::FromAsCasing.url(),
            "https://docs.docker.com/go/dockerfile/rule/from-as-casing/"
        );
        assert!(!Rule::SlimfileCleanupTooLate.official());
        assert_eq!(
            serde_json::to_string(&Rule::UndefinedVar).unwrap(),
            "\"UndefinedVar\""
        );
    }
}
