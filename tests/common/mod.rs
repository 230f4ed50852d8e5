//! Test harness for the `memclaw` binary: a temp data directory, the admin
//! commands, a `serve` child on a free port (killed on drop) and a minimal
//! blocking HTTP/1.1 client.
//!
//! Each test binary uses a different subset of these helpers.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_memclaw");

/// How long `serve` may take to compile the component and bind.
const STARTUP_TIMEOUT: Duration = Duration::from_secs(120);

/// The workspace root (`tests/` lives there).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host crate is inside the workspace")
        .to_path_buf()
}

/// Runs `memclaw ARGS...` to completion; panics with its stderr on failure.
pub fn memclaw(args: &[&str]) -> String {
    let out = Command::new(BIN).args(args).output().expect("run memclaw");
    assert!(
        out.status.success(),
        "memclaw {args:?} failed ({}):\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8 stdout")
}

/// A data directory plus (optionally) a running server over it.
pub struct Memclaw {
    /// Temp data directory (deleted on drop).
    pub data: tempfile::TempDir,
    /// The server process, once started.
    child: Option<Child>,
    /// `http://127.0.0.1:PORT/mcp`, once started.
    pub url: String,
}

impl Memclaw {
    /// A fresh, empty data directory; no server yet.
    pub fn new() -> Self {
        let data = tempfile::tempdir().expect("temp data dir");
        Self {
            data,
            child: None,
            url: String::new(),
        }
    }

    /// The data directory as a `&str` argument.
    pub fn data_arg(&self) -> &str {
        self.data.path().to_str().expect("utf-8 temp path")
    }

    /// Runs an admin command against this data directory.
    pub fn admin(&self, args: &[&str]) -> String {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--data", self.data_arg()]);
        memclaw(&all)
    }

    /// `memclaw tenant create NAME`.
    pub fn create_tenant(&self, name: &str) {
        self.admin(&["tenant", "create", name]);
    }

    /// `memclaw key mint --tenant T [extra...]`; returns the key.
    pub fn mint_key(&self, tenant: &str, extra: &[&str]) -> String {
        let mut args = vec!["key", "mint", "--tenant", tenant];
        args.extend_from_slice(extra);
        let out = self.admin(&args);
        out.lines()
            .last()
            .expect("key on the last line")
            .trim()
            .to_owned()
    }

    /// Starts `memclaw serve --listen 127.0.0.1:0 --data DIR EXTRA...` and
    /// waits for its ready line.
    pub fn serve(self, extra: &[&str]) -> Self {
        self.serve_with_stderr(extra, Stdio::inherit())
    }

    /// Like [`Memclaw::serve`], with the server's stderr sent to `stderr`
    /// (the bench reads its `--stats` lines from a file).
    pub fn serve_with_stderr(mut self, extra: &[&str], stderr: Stdio) -> Self {
        let mut child = Command::new(BIN)
            .args([
                "serve",
                "--listen",
                "127.0.0.1:0",
                "--data",
                self.data_arg(),
            ])
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .expect("spawn memclaw serve");
        let stdout = child.stdout.take().expect("piped stdout");
        self.child = Some(child);

        // Read on a thread so a hung server fails the test instead of hanging it.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            if let Some(Ok(line)) = lines.next() {
                let _ = tx.send(line);
            }
            // Keep draining so the child never blocks on a full pipe.
            for _ in lines {}
        });
        let line = rx
            .recv_timeout(STARTUP_TIMEOUT)
            .expect("memclaw serve printed no ready line");
        let url = line
            .strip_prefix("memclaw listening on ")
            .unwrap_or_else(|| panic!("unexpected ready line: {line:?}"));
        self.url = url.to_owned();
        self
    }

    /// `http://HOST:PORT` of the running server.
    pub fn base(&self) -> &str {
        self.url.strip_suffix("/mcp").expect("url ends with /mcp")
    }

    /// Sends a request to PATH (e.g. `/mcp`) on the running server.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> HttpResponse {
        http(method, &format!("{}{path}", self.base()), headers, body)
    }

    /// POSTs a JSON body to `/mcp`, with a bearer key if given.
    pub fn post_mcp(&self, key: Option<&str>, body: &str) -> HttpResponse {
        let auth = key.map(|k| format!("Bearer {k}"));
        let mut headers = vec![
            ("content-type", "application/json"),
            ("accept", "application/json, text/event-stream"),
        ];
        if let Some(auth) = &auth {
            headers.push(("authorization", auth));
        }
        self.request("POST", "/mcp", &headers, body.as_bytes())
    }
}

impl Default for Memclaw {
    fn default() -> Self {
        Self::new()
    }
}

impl Drop for Memclaw {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A buffered HTTP response.
#[derive(Debug)]
pub struct HttpResponse {
    /// Status code.
    pub status: u16,
    /// Header names lowercased, in order.
    pub headers: Vec<(String, String)>,
    /// The whole body.
    pub body: Vec<u8>,
}

impl HttpResponse {
    /// The first header called `name` (lowercase).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// One HTTP/1.1 request over a new connection (`Connection: close`).
pub fn http(method: &str, url: &str, headers: &[(&str, &str)], body: &[u8]) -> HttpResponse {
    let rest = url.strip_prefix("http://").expect("http:// url");
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let mut stream = TcpStream::connect(authority).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .expect("timeout");
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\ncontent-length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).expect("write head");
    // The server may answer (e.g. 500, 413) and close before reading the
    // whole body; the response is still there to read.
    let _ = stream.write_all(body);

    let mut raw = Vec::new();
    if let Err(e) = stream.read_to_end(&mut raw) {
        assert!(!raw.is_empty(), "read response: {e}");
    }
    parse_response(&raw)
}

fn parse_response(raw: &[u8]) -> HttpResponse {
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response has a header block");
    let head = String::from_utf8_lossy(&raw[..split]);
    let mut lines = head.split("\r\n");
    let status_line = lines.next().expect("status line");
    let status = status_line
        .split(' ')
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let mut body = raw[split + 4..].to_vec();
    let chunked = headers
        .iter()
        .any(|(n, v)| n == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    if chunked {
        body = dechunk(&body);
    }
    HttpResponse {
        status,
        headers,
        body,
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..eol]);
        let size_hex = size_text.split(';').next().unwrap_or("0").trim();
        let size = usize::from_str_radix(size_hex, 16).expect("chunk size");
        data = &data[eol + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or(&[]);
    }
    out
}
