//! Peers for tests (feature `testing`): a small SMTP server and an HTTP receiver for robot
//! webhooks, both on 127.0.0.1, recording what they were sent.

use std::sync::{Arc, Mutex};

use base64::Engine;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One mail as the server received it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReceivedMail {
    pub ehlo: String,
    /// The decoded `AUTH PLAIN` identity and password, if the client authenticated.
    pub auth: Option<(String, String)>,
    pub from: String,
    pub to: Vec<String>,
    /// The message as sent between `DATA` and the final dot.
    pub data: String,
}

impl ReceivedMail {
    /// A header's value with RFC 2047 words (`=?utf-8?b?…?=`) decoded.
    pub fn header(&self, name: &str) -> Option<String> {
        let head = self.data.split("\r\n\r\n").next()?;
        let mut value: Option<String> = None;
        for line in head.split("\r\n") {
            if let Some(v) = value.as_mut()
                && (line.starts_with(' ') || line.starts_with('\t'))
            {
                v.push(' ');
                v.push_str(line.trim_start());
                continue;
            }
            if value.is_some() {
                break;
            }
            if let Some((n, v)) = line.split_once(':')
                && n.eq_ignore_ascii_case(name)
            {
                value = Some(v.trim().to_owned());
            }
        }
        value.map(|v| decode_words(&v))
    }

    /// The body, decoded from base64 or quoted-printable as its header says.
    pub fn body(&self) -> String {
        let body = self.data.split_once("\r\n\r\n").map_or("", |(_, b)| b);
        match self
            .header("Content-Transfer-Encoding")
            .map(|s| s.to_ascii_lowercase())
            .as_deref()
        {
            Some("base64") => {
                let joined: String = body.split_whitespace().collect();
                base64::engine::general_purpose::STANDARD
                    .decode(joined)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .unwrap_or_default()
            }
            Some("quoted-printable") => decode_qp(body),
            _ => body.to_owned(),
        }
    }
}

fn decode_words(v: &str) -> String {
    let mut out = String::new();
    for word in v.split_whitespace() {
        let lower = word.to_ascii_lowercase();
        if lower.starts_with("=?utf-8?b?") && word.ends_with("?=") {
            let inner = &word[10..word.len() - 2];
            if let Ok(b) = base64::engine::general_purpose::STANDARD.decode(inner) {
                out.push_str(&String::from_utf8_lossy(&b));
                continue;
            }
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

fn decode_qp(s: &str) -> String {
    let mut bytes = Vec::new();
    let raw = s.replace("=\r\n", "");
    let b = raw.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'='
            && let Some(h) = raw.get(i + 1..i + 3)
            && let Ok(v) = u8::from_str_radix(h, 16)
        {
            bytes.push(v);
            i += 3;
            continue;
        }
        bytes.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

/// An SMTP server that accepts every mail (ESMTP with `AUTH PLAIN`, no TLS).
pub struct SmtpServer {
    pub port: u16,
    pub mails: Arc<Mutex<Vec<ReceivedMail>>>,
    task: tokio::task::JoinHandle<()>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        Self::start_on(0).await
    }

    /// Starts on a given port (0: any), for a test that brings a server up where one was down.
    pub async fn start_on(port: u16) -> SmtpServer {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .await
            .expect("bind the test SMTP server");
        let port = listener.local_addr().expect("address").port();
        let mails = Arc::new(Mutex::new(Vec::new()));
        let store = mails.clone();
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let store = store.clone();
                tokio::spawn(async move {
                    let _ = session(sock, store).await;
                });
            }
        });
        SmtpServer { port, mails, task }
    }

    pub fn received(&self) -> Vec<ReceivedMail> {
        self.mails.lock().map(|m| m.clone()).unwrap_or_default()
    }

    pub fn stop(self) {
        self.task.abort();
    }
}

impl Drop for SmtpServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn session(
    sock: tokio::net::TcpStream,
    store: Arc<Mutex<Vec<ReceivedMail>>>,
) -> std::io::Result<()> {
    let (r, mut w) = sock.into_split();
    let mut r = BufReader::new(r);
    w.write_all(b"220 test.local ESMTP\r\n").await?;
    let mut mail = ReceivedMail::default();
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).await? == 0 {
            return Ok(());
        }
        let cmd = line.trim_end().to_owned();
        let upper = cmd.to_ascii_uppercase();
        if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            mail.ehlo = cmd[4..].trim().to_owned();
            w.write_all(b"250-test.local\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN\r\n")
                .await?;
        } else if upper.starts_with("AUTH PLAIN") {
            let arg = cmd[10..].trim();
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(arg)
                .unwrap_or_default();
            let parts: Vec<String> = decoded
                .split(|b| *b == 0)
                .map(|p| String::from_utf8_lossy(p).into_owned())
                .collect();
            if parts.len() == 3 {
                mail.auth = Some((parts[1].clone(), parts[2].clone()));
            }
            w.write_all(b"235 2.7.0 accepted\r\n").await?;
        } else if upper.starts_with("MAIL FROM:") {
            mail.from = cmd[10..].trim().trim_matches(['<', '>']).to_owned();
            w.write_all(b"250 ok\r\n").await?;
        } else if upper.starts_with("RCPT TO:") {
            mail.to
                .push(cmd[8..].trim().trim_matches(['<', '>']).to_owned());
            w.write_all(b"250 ok\r\n").await?;
        } else if upper == "DATA" {
            w.write_all(b"354 go on\r\n").await?;
            let mut data = String::new();
            loop {
                line.clear();
                if r.read_line(&mut line).await? == 0 {
                    return Ok(());
                }
                if line == ".\r\n" {
                    break;
                }
                let l = line.strip_prefix('.').unwrap_or(&line);
                data.push_str(l);
            }
            mail.data = data.trim_end_matches("\r\n").to_owned();
            if let Ok(mut m) = store.lock() {
                m.push(mail.clone());
            }
            mail.to.clear();
            w.write_all(b"250 queued\r\n").await?;
        } else if upper == "QUIT" {
            w.write_all(b"221 bye\r\n").await?;
            return Ok(());
        } else {
            w.write_all(b"250 ok\r\n").await?;
        }
    }
}

/// One request the receiver got.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    pub path_and_query: String,
    pub body: serde_json::Value,
}

/// An HTTP server that records every POST and answers with `answer`.
pub struct Receiver {
    pub base: String,
    pub requests: Arc<Mutex<Vec<Received>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Receiver {
    pub async fn start(answer: serde_json::Value) -> Receiver {
        use axum::extract::{OriginalUri, State};
        use axum::routing::post;
        type Shared = (Arc<Mutex<Vec<Received>>>, serde_json::Value);
        let requests = Arc::new(Mutex::new(Vec::new()));
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("bind the test receiver");
        let port = listener.local_addr().expect("address").port();
        async fn record(
            State((store, answer)): State<Shared>,
            OriginalUri(uri): OriginalUri,
            body: axum::body::Bytes,
        ) -> axum::Json<serde_json::Value> {
            let body = serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
            if let Ok(mut s) = store.lock() {
                s.push(Received {
                    path_and_query: uri
                        .path_and_query()
                        .map(|p| p.as_str().to_owned())
                        .unwrap_or_default(),
                    body,
                });
            }
            axum::Json(answer)
        }
        let app = axum::Router::new()
            .route("/{*path}", post(record))
            .with_state((requests.clone(), answer));
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        Receiver {
            base: format!("http://127.0.0.1:{port}"),
            requests,
            task,
        }
    }

    pub fn received(&self) -> Vec<Received> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}
