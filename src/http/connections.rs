//! Open connections per address. One address holding more than `max_connections_per_address`
//! connections at once (a flood from one machine, a client gone wrong) has its extra ones
//! answered `503` with `Retry-After` and closed right after the accept, before any HTTP parsing
//! or routing: the cheapest refusal the server has, so a flood from one place costs the server
//! little and everyone else is still served. The answer comes after a second, so that a flood
//! reconnecting at once is slowed to one attempt a second per connection it tries.
//!
//! The count lives in this process's memory only; addresses are never stored or logged.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::serve::Listener;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

use super::shed::HeldRefusals;

/// What a connection past the limit gets: a whole HTTP/1.1 answer, then the connection closes.
const REFUSAL: &[u8] = b"HTTP/1.1 503 Service Unavailable\r\n\
Retry-After: 2\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Cache-Control: no-store\r\n\
X-Content-Type-Options: nosniff\r\n\
Connection: close\r\n\
Content-Length: 30\r\n\
\r\n\
Too many connections; retry.\r\n";

/// How long a refused connection may take to send its request before it is closed unanswered.
const REFUSAL_READ_TIMEOUT: Duration = Duration::from_secs(1);

/// How long a refused connection waits for its answer: a flood reconnects the moment it is
/// answered, and answering at once would keep the server busy accepting and refusing. Waiting
/// costs a timer and the socket, not the processor.
const REFUSAL_DELAY: Duration = Duration::from_secs(1);

/// Refused connections held open at once at most; past it they are answered at once (so a
/// flood cannot make the server hold sockets without bound).
const MAX_HELD_REFUSALS: usize = 1_024;

/// Counts of open connections by address, shared by the listener and its connections.
#[derive(Debug, Default)]
struct OpenConnections {
    by_address: Mutex<HashMap<IpAddr, usize>>,
}

impl OpenConnections {
    /// Takes a slot for `address` unless it already holds `limit` connections.
    fn take(self: &Arc<Self>, address: IpAddr, limit: usize) -> Option<Slot> {
        let mut counts = self.by_address.lock().unwrap_or_else(|e| e.into_inner());
        let open = counts.entry(address).or_insert(0);
        if *open >= limit {
            return None;
        }
        *open += 1;
        Some(Slot {
            address,
            counts: self.clone(),
        })
    }

    #[cfg(test)]
    fn open(&self, address: IpAddr) -> usize {
        let counts = self.by_address.lock().unwrap_or_else(|e| e.into_inner());
        counts.get(&address).copied().unwrap_or(0)
    }
}

/// One connection's place in the count, given back when the connection is dropped.
#[derive(Debug)]
struct Slot {
    address: IpAddr,
    counts: Arc<OpenConnections>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut counts = self
            .counts
            .by_address
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        if let Some(open) = counts.get_mut(&self.address) {
            *open -= 1;
            if *open == 0 {
                counts.remove(&self.address);
            }
        }
    }
}

/// A TCP listener that hands the server at most `limit` connections per address at a time
/// (0: no limit) and sets `TCP_NODELAY` on each (answers go out at once, not after a delayed
/// acknowledgement).
pub struct LimitedListener {
    inner: TcpListener,
    limit: usize,
    open: Arc<OpenConnections>,
    /// Refused connections waiting for their answer (see [`REFUSAL_DELAY`]).
    held_refusals: Arc<HeldRefusals>,
}

impl LimitedListener {
    pub fn new(inner: TcpListener, limit: usize) -> LimitedListener {
        LimitedListener {
            inner,
            limit,
            open: Arc::default(),
            held_refusals: Arc::new(HeldRefusals::new(REFUSAL_DELAY, MAX_HELD_REFUSALS)),
        }
    }
}

impl Listener for LimitedListener {
    type Io = CountedStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (CountedStream, SocketAddr) {
        loop {
            let (stream, address) = Listener::accept(&mut self.inner).await;
            let slot = if self.limit == 0 {
                None
            } else {
                match self.open.take(address.ip(), self.limit) {
                    Some(slot) => Some(slot),
                    None => {
                        tracing::warn!("too many connections from one address: one refused");
                        tokio::spawn(refuse(stream, self.held_refusals.clone()));
                        continue;
                    }
                }
            };
            if let Err(err) = stream.set_nodelay(true) {
                tracing::debug!(error = %err, "TCP_NODELAY could not be set");
            }
            return (
                CountedStream {
                    stream,
                    _slot: slot,
                },
                address,
            );
        }
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }
}

/// Answers a connection past the limit with [`REFUSAL`], after [`REFUSAL_DELAY`] unless too
/// many are already waiting. The request is read first (what arrives within a second), so that
/// closing does not reset the connection before the client has read the answer.
async fn refuse(mut stream: TcpStream, held: Arc<HeldRefusals>) {
    let mut request = [0u8; 4096];
    if tokio::time::timeout(REFUSAL_READ_TIMEOUT, stream.read(&mut request))
        .await
        .is_err()
    {
        return;
    }
    held.hold().await;
    let _ = stream.write_all(REFUSAL).await;
    let _ = stream.shutdown().await;
    // Whatever else the client sent is read and dropped until it closes its side.
    let _ = tokio::time::timeout(REFUSAL_READ_TIMEOUT, async {
        while matches!(stream.read(&mut request).await, Ok(n) if n > 0) {}
    })
    .await;
}

/// A served connection; its address's count goes down when it closes.
#[derive(Debug)]
pub struct CountedStream {
    stream: TcpStream,
    _slot: Option<Slot>,
}

impl AsyncRead for CountedStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for CountedStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.stream).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}

/// The peer address as the router's `ConnectInfo` (what [`super::ClientIp`] reads).
impl axum::extract::connect_info::Connected<axum::serve::IncomingStream<'_, LimitedListener>>
    for super::PeerAddress
{
    fn connect_info(stream: axum::serve::IncomingStream<'_, LimitedListener>) -> Self {
        super::PeerAddress(*stream.remote_addr())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_its_limit_and_its_slots_back() {
        let open = Arc::new(OpenConnections::default());
        let one: IpAddr = "192.0.2.1".parse().unwrap();
        let other: IpAddr = "192.0.2.2".parse().unwrap();
        let first = open.take(one, 2).expect("first");
        let second = open.take(one, 2).expect("second");
        assert!(open.take(one, 2).is_none(), "a third is refused");
        assert!(open.take(other, 2).is_some(), "another address is not");
        drop(first);
        assert_eq!(open.open(one), 1);
        let third = open.take(one, 2).expect("a slot came back");
        drop((second, third));
        assert_eq!(open.open(one), 0);
        assert!(
            open.by_address.lock().unwrap().get(&one).is_none(),
            "closed addresses are forgotten"
        );
    }

    #[tokio::test]
    async fn connections_past_the_limit_are_answered_503_and_closed() {
        let inner = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = inner.local_addr().unwrap();
        let mut listener = LimitedListener::new(inner, 1);
        let accepting = tokio::spawn(async move {
            let (kept, _) = listener.accept().await;
            // The next accept never returns: the second connection is refused inside it.
            let _ = tokio::time::timeout(Duration::from_secs(3), listener.accept()).await;
            kept
        });
        let _first = TcpStream::connect(address).await.unwrap();
        let mut second = TcpStream::connect(address).await.unwrap();
        second
            .write_all(b"GET /register HTTP/1.1\r\nHost: x\r\n\r\n")
            .await
            .unwrap();
        let mut answer = Vec::new();
        second.read_to_end(&mut answer).await.unwrap();
        let answer = String::from_utf8(answer).unwrap();
        assert!(answer.starts_with("HTTP/1.1 503 "), "{answer}");
        assert!(answer.contains("\r\nRetry-After: 2\r\n"), "{answer}");
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        assert!(
            head.contains(&format!("Content-Length: {}", body.len())),
            "{answer}"
        );
        let _ = accepting.await;
    }
}
