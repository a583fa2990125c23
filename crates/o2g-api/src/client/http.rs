//! HTTP/1.1 over TCP or TLS with hyper's connection API, and a small pool
//! of idle connections per origin (connection reuse without a connector
//! stack).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http::{HeaderValue, Uri, header};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::client::conn::http1::{self, SendRequest};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

use super::config::{ClientConfig, Roots};
use super::error::{Error, Kind};
use crate::codec::ApiResponse;

type Sender = SendRequest<Full<Bytes>>;

/// Where a connection goes.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Origin {
    tls: bool,
    host: String,
    port: u16,
}

impl Origin {
    fn of(uri: &Uri) -> Result<Self, Error> {
        let tls = match uri.scheme_str() {
            Some("https") => true,
            Some("http") => false,
            other => {
                return Err(Error::new(Kind::Config(format!(
                    "unsupported URL scheme {other:?}"
                ))));
            }
        };
        let host = uri
            .host()
            .ok_or_else(|| Error::new(Kind::Config("URL without a host".to_owned())))?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
        Ok(Self { tls, host, port })
    }
}

/// Shared by the driver and every `Client` clone.
#[derive(Clone)]
pub(crate) struct Http {
    tls: Option<TlsConnector>,
    idle: Arc<Mutex<HashMap<Origin, Vec<Sender>>>>,
    connect_timeout: Duration,
    request_timeout: Duration,
    max_body: usize,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http")
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}

const MAX_IDLE_PER_ORIGIN: usize = 8;

impl Http {
    pub(crate) fn new(config: &ClientConfig) -> Result<Self, Error> {
        Ok(Self {
            tls: Some(tls_connector(&config.roots)?),
            idle: Arc::default(),
            connect_timeout: config.connect_timeout,
            request_timeout: config.request_timeout,
            max_body: config.max_body_bytes,
        })
    }

    fn take_idle(&self, origin: &Origin) -> Option<Sender> {
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let list = idle.get_mut(origin)?;
        while let Some(s) = list.pop() {
            if !s.is_closed() && s.is_ready() {
                return Some(s);
            }
        }
        None
    }

    fn put_idle(&self, origin: Origin, sender: Sender) {
        if sender.is_closed() {
            return;
        }
        let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
        let list = idle.entry(origin).or_default();
        if list.len() < MAX_IDLE_PER_ORIGIN {
            list.push(sender);
        }
    }

    async fn connect(&self, origin: &Origin) -> Result<Sender, Error> {
        let addr = (origin.host.as_str(), origin.port);
        let tcp = tokio::time::timeout(self.connect_timeout, TcpStream::connect(addr))
            .await
            .map_err(|_| Error::new(Kind::Timeout))?
            .map_err(|e| Error::with(Kind::Io, e))?;
        tcp.set_nodelay(true).ok();
        if origin.tls {
            let connector = self
                .tls
                .as_ref()
                .ok_or_else(|| Error::new(Kind::Config("TLS is not configured".to_owned())))?;
            let name =
                rustls_pki_types::ServerName::try_from(origin.host.clone()).map_err(|e| {
                    Error::with(
                        Kind::Config(format!("bad TLS server name {}", origin.host)),
                        e,
                    )
                })?;
            let tls = tokio::time::timeout(self.connect_timeout, connector.connect(name, tcp))
                .await
                .map_err(|_| Error::new(Kind::Timeout))?
                .map_err(|e| Error::with(Kind::Tls, e))?;
            self.handshake(TokioIo::new(tls)).await
        } else {
            self.handshake(TokioIo::new(tcp)).await
        }
    }

    async fn handshake<T>(&self, io: TokioIo<T>) -> Result<Sender, Error>
    where
        T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    {
        let (sender, conn) = http1::handshake(io)
            .await
            .map_err(|e| Error::with(Kind::Io, e))?;
        tokio::spawn(async move {
            // Ends when the peer closes or every sender is dropped.
            let _ = conn.await;
        });
        Ok(sender)
    }

    /// Sends `req` (absolute URI) and returns the response head and its
    /// body, plus the connection to give back once the body is read.
    async fn send(
        &self,
        req: http::Request<Bytes>,
        reuse: bool,
    ) -> Result<(http::Response<Incoming>, Origin, Sender), Error> {
        let origin = Origin::of(req.uri())?;
        let (mut parts, body) = req.into_parts();
        // Origin-form target and a Host header, as HTTP/1.1 wants.
        let host = match parts.uri.port_u16() {
            Some(p) => format!("{}:{p}", parts.uri.host().unwrap_or_default()),
            None => parts.uri.host().unwrap_or_default().to_owned(),
        };
        if let Ok(v) = HeaderValue::from_str(&host) {
            parts.headers.insert(header::HOST, v);
        }
        parts.uri = parts.uri.path_and_query().map_or_else(
            || Uri::from_static("/"),
            |pq| {
                pq.as_str()
                    .parse()
                    .unwrap_or_else(|_| Uri::from_static("/"))
            },
        );
        let req = http::Request::from_parts(parts, Full::new(body));
        let mut sender = match if reuse { self.take_idle(&origin) } else { None } {
            Some(s) => s,
            None => self.connect(&origin).await?,
        };
        sender.ready().await.map_err(|e| Error::with(Kind::Io, e))?;
        let resp = sender
            .send_request(req)
            .await
            .map_err(|e| Error::with(Kind::Io, e))?;
        Ok((resp, origin, sender))
    }

    /// One request, whole answer, within the request timeout.
    /// One request, whole answer (at most `max_body_bytes`), within the
    /// request timeout.
    pub(crate) async fn fetch(&self, req: http::Request<Bytes>) -> Result<ApiResponse, Error> {
        let work = async {
            let (resp, origin, sender) = self.send(req, true).await?;
            let (parts, body) = resp.into_parts();
            let body = http_body_util::Limited::new(body, self.max_body)
                .collect()
                .await
                .map_err(|e| {
                    if e.is::<http_body_util::LengthLimitError>() {
                        Error::new(Kind::Protocol(format!(
                            "answer larger than {} bytes",
                            self.max_body
                        )))
                    } else {
                        Error::with(Kind::Io, e)
                    }
                })?
                .to_bytes();
            self.put_idle(origin, sender);
            Ok(ApiResponse::new(parts.status, parts.headers, body))
        };
        tokio::time::timeout(self.request_timeout, work)
            .await
            .map_err(|_| Error::new(Kind::Timeout))?
    }

    /// Opens a streamed answer (the event channel) on its own connection.
    pub(crate) async fn open_stream(
        &self,
        req: http::Request<Bytes>,
    ) -> Result<(http::Response<Incoming>, impl Send + 'static), Error> {
        let work = async {
            let (resp, _origin, sender) = self.send(req, false).await?;
            // Kept by the caller while it reads the body: the connection
            // stays up as long as the stream is read.
            Ok((resp, sender))
        };
        tokio::time::timeout(self.request_timeout, work)
            .await
            .map_err(|_| Error::new(Kind::Timeout))?
    }
}

/// The verifying connector for `roots` (see `cti_client`: the system-roots
/// configuration is built once per process).
fn tls_connector(roots: &Roots) -> Result<TlsConnector, Error> {
    cti_client::client_config(roots)
        .map(TlsConnector::from)
        .map_err(|e| match e {
            cti_client::TlsError::Setup(_) => Error::with(Kind::Tls, e),
            other => Error::with(Kind::Config("unusable CA certificates".into()), other),
        })
}
