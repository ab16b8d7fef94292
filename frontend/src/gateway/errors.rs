//! Errors for the engine: [`FrontendError`] and the `google.rpc.Status` that `Return`
//! carries, with one `errdefs.Source` detail per Dockerfile location so buildx prints
//! `Dockerfile:<line>` and the snippet.

use bollard_buildkit_proto::google::protobuf::Any;
use bollard_buildkit_proto::google::rpc::Status;
use prost::Message;

use crate::diagnostics::{Diagnostic, Span};

/// The Dockerfile an error points into: its name, its bytes and the ranges.
pub(super) struct SourceRanges {
    /// The Dockerfile's name, as buildx prints it.
    pub filename: String,
    /// The Dockerfile's bytes (buildx cuts the snippet from them).
    pub data: Vec<u8>,
    /// The locations, one code frame each.
    pub spans: Vec<Span>,
}

/// An error for the engine: a message and, when known, Dockerfile source ranges.
pub(super) struct FrontendError {
    /// The error message.
    pub message: String,
    /// Where in the Dockerfile, when known (boxed, as is `status`: the error stays
    /// small).
    pub source: Option<Box<SourceRanges>>,
    /// An engine error to pass through unchanged.
    pub status: Option<Box<Status>>,
}

impl FrontendError {
    /// An error with only a message.
    pub fn message(message: impl Into<String>) -> Self {
        FrontendError {
            message: message.into(),
            source: None,
            status: None,
        }
    }

    /// A diagnostic located in the Dockerfile `filename` holding `data`.
    pub fn located(d: Diagnostic, filename: &str, data: &[u8]) -> Self {
        let spans = d.spans.clone();
        let mut e = FrontendError::from(d);
        if !spans.is_empty() {
            e.source = Some(Box::new(SourceRanges {
                filename: filename.to_string(),
                data: data.to_vec(),
                spans,
            }));
        }
        e
    }

    /// A subrequest slimfile does not answer: `Unimplemented`, with the
    /// `errdefs.Subrequest` detail buildx recognises.
    pub fn unsupported_request(req: &str) -> Self {
        FrontendError {
            message: format!("unsupported request {req}"),
            source: None,
            status: Some(Box::new(Status {
                code: 12,
                message: format!("unsupported request {req}"),
                details: vec![Any {
                    type_url: "github.com/moby/buildkit/errdefs.Subrequest+json".into(),
                    value: serde_json::to_vec(&serde_json::json!({"name": req}))
                        .unwrap_or_default(),
                }],
            })),
        }
    }

    /// The digest of the vertex that failed, from an engine error's details.
    pub fn failed_vertex(&self) -> Option<String> {
        let st = self.status.as_ref()?;
        st.details
            .iter()
            .filter(|d| d.type_url.ends_with("errdefs.Vertex+json"))
            .find_map(|d| {
                let v: serde_json::Value = serde_json::from_slice(&d.value).ok()?;
                v.get("digest")?.as_str().map(str::to_string)
            })
    }

    /// The status `Return` sends: an engine error unchanged, else `Unknown` with the
    /// message and the source details.
    pub fn into_status(self) -> Status {
        if let Some(st) = self.status {
            return *st;
        }
        Status {
            code: 2,
            message: self.message,
            details: self.source.map(|s| source_details(*s)).unwrap_or_default(),
        }
    }
}

/// One Source detail per location: the official frontend wraps an error once per
/// location, and buildx prints one code frame for each, the last first.
fn source_details(source: SourceRanges) -> Vec<Any> {
    let data = base64::Engine::encode(&base64::engine::general_purpose::STANDARD, &source.data);
    source
        .spans
        .iter()
        .map(|s| {
            let src = serde_json::json!({
                "info": {
                    "filename": source.filename,
                    "data": data,
                    "language": "Dockerfile",
                },
                "ranges": [{
                    "start": {"line": s.start_line},
                    "end": {"line": s.end_line},
                }],
            });
            Any {
                type_url: "github.com/moby/buildkit/errdefs.Source+json".into(),
                value: serde_json::to_vec(&src).unwrap_or_default(),
            }
        })
        .collect()
}

impl From<tonic::Status> for FrontendError {
    fn from(s: tonic::Status) -> Self {
        let status = Status::decode(s.details())
            .ok()
            .filter(|st| st.code != 0)
            .map(Box::new);
        FrontendError {
            message: s.message().to_string(),
            source: None,
            status,
        }
    }
}

impl From<Diagnostic> for FrontendError {
    fn from(d: Diagnostic) -> Self {
        FrontendError::message(match &d.help {
            Some(h) => format!("{} ({h})", d.message),
            None => d.message.clone(),
        })
    }
}
