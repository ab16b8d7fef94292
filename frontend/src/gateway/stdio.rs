//! A tonic channel over the process's stdin/stdout (HTTP/2 with prior knowledge).

use std::os::fd::OwnedFd;
use std::sync::Mutex;

use hyper_util::rt::TokioIo;
use tokio::net::unix::pipe;
use tonic::transport::{Channel, Endpoint};

/// Connects once over fds 0 and 1. A second connection attempt fails fast: stdio can
/// carry one HTTP/2 connection only.
pub async fn channel() -> anyhow::Result<Channel> {
    let stdin: OwnedFd = std::io::stdin().as_fd_owned()?;
    let stdout: OwnedFd = std::io::stdout().as_fd_owned()?;
    let rx = pipe::Receiver::from_owned_fd(stdin)?;
    let tx = pipe::Sender::from_owned_fd(stdout)?;
    let slot = Mutex::new(Some(tokio::io::join(rx, tx)));
    let ch = Endpoint::from_static("http://[::]:50051")
        .connect_with_connector(tower::service_fn(move |_| {
            let io = slot.lock().ok().and_then(|mut s| s.take());
            async move {
                io.map(TokioIo::new).ok_or_else(|| {
                    std::io::Error::new(std::io::ErrorKind::NotConnected, "stdio already used")
                })
            }
        }))
        .await?;
    Ok(ch)
}

trait AsFdOwned {
    fn as_fd_owned(&self) -> std::io::Result<OwnedFd>;
}

impl<T: std::os::fd::AsFd> AsFdOwned for T {
    fn as_fd_owned(&self) -> std::io::Result<OwnedFd> {
        self.as_fd().try_clone_to_owned()
    }
}
