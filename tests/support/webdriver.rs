//! Headless Chromium driven through chromedriver's W3C WebDriver protocol: plain JSON over
//! HTTP with the blocking reqwest client, so the tests need no WebDriver crate.
//!
//! `Chromedriver::start` runs chromedriver on a free port and stops it on drop; a
//! `Session` is one browser window, closed on drop.

use base64::Engine;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The key under which WebDriver returns an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// How long any one WebDriver command may take before the test fails.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(60);

/// The first of these that exists, as an absolute path or a name on PATH.
fn find_program(env_var: &str, candidates: &[&str]) -> Option<PathBuf> {
    let named = std::env::var_os(env_var).map(PathBuf::from);
    let path = std::env::var_os("PATH").unwrap_or_default();
    named
        .into_iter()
        .chain(candidates.iter().map(PathBuf::from))
        .find_map(|candidate| {
            if candidate.is_absolute() {
                return candidate.is_file().then_some(candidate);
            }
            std::env::split_paths(&path)
                .map(|dir| dir.join(&candidate))
                .find(|p| p.is_file())
        })
}

/// Where Chromium and chromedriver are, or why they cannot be used.
pub struct Tools {
    pub chromium: PathBuf,
    pub chromedriver: PathBuf,
}

impl Tools {
    /// `CHROMIUM` and `CHROMEDRIVER` may name the programs; otherwise Debian's names on PATH.
    pub fn find() -> Result<Tools, String> {
        let chromium = find_program(
            "CHROMIUM",
            &["chromium", "chromium-browser", "google-chrome"],
        );
        let chromedriver = find_program("CHROMEDRIVER", &["chromedriver"]);
        match (chromium, chromedriver) {
            (Some(chromium), Some(chromedriver)) => Ok(Tools {
                chromium,
                chromedriver,
            }),
            (chromium, chromedriver) => Err(format!(
                "{}{}not found (install Debian's packages: apt-get install -y chromium chromium-driver, \
                 or name the programs in CHROMIUM and CHROMEDRIVER)",
                if chromium.is_none() { "chromium " } else { "" },
                if chromedriver.is_none() { "chromedriver " } else { "" },
            )),
        }
    }
}

/// A running chromedriver; killed on drop.
pub struct Chromedriver {
    child: Child,
    base: String,
    client: reqwest::blocking::Client,
    chromium: PathBuf,
    profile: tempfile::TempDir,
}

impl Chromedriver {
    /// Starts chromedriver on a port it picks itself and waits until it answers.
    pub fn start(tools: &Tools) -> Chromedriver {
        let mut child = Command::new(&tools.chromedriver)
            .arg("--port=0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", tools.chromedriver.display()));
        let stdout = child.stdout.take().expect("chromedriver stdout");
        let (sender, receiver) = std::sync::mpsc::channel();
        // "ChromeDriver was started successfully on port 41235."; the rest is drained so
        // chromedriver never blocks on a full pipe.
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(rest) = line.split("started successfully on port ").nth(1) {
                    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    let _ = sender.send(digits);
                }
            }
        });
        let client = reqwest::blocking::Client::builder()
            .timeout(COMMAND_TIMEOUT)
            .build()
            .expect("client");
        let mut driver = Chromedriver {
            child,
            base: String::new(),
            client,
            chromium: tools.chromium.clone(),
            profile: tempfile::tempdir().expect("temp dir"),
        };
        let port = receiver
            .recv_timeout(Duration::from_secs(20))
            .expect("chromedriver says on which port it listens");
        driver.base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let ready = driver
                .client
                .get(format!("{}/status", driver.base))
                .send()
                .ok()
                .and_then(|r| r.json::<Value>().ok())
                .is_some_and(|v| v["value"]["ready"] == true);
            if ready {
                return driver;
            }
            assert!(Instant::now() < deadline, "chromedriver did not get ready");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A new headless window whose layout viewport is `width` x `height` CSS pixels, as a
    /// phone shows it (mobile emulation: the page's viewport meta tag applies).
    pub fn phone(&self, width: u32, height: u32) -> Session {
        let args = [
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
        ]
        .iter()
        .map(|s| s.to_string())
        .chain([format!("--user-data-dir={}", self.profile.path().display())])
        .collect::<Vec<_>>();
        let capabilities = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "pageLoadStrategy": "normal",
            "timeouts": {"pageLoad": 30_000, "script": 10_000, "implicit": 0},
            "goog:chromeOptions": {
                "binary": self.chromium,
                "args": args,
                "mobileEmulation": {
                    "deviceMetrics": {"width": width, "height": height, "pixelRatio": 2.0, "mobile": true, "touch": true},
                    "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0 Mobile Safari/537.36",
                },
            },
        }}});
        let created = command(
            &self.client,
            reqwest::Method::POST,
            &format!("{}/session", self.base),
            Some(&capabilities),
        );
        let id = created["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        Session {
            client: self.client.clone(),
            url: format!("{}/session/{id}", self.base),
        }
    }
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Sends one WebDriver command and returns its `value`, or panics with the driver's error.
fn command(
    client: &reqwest::blocking::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<&Value>,
) -> Value {
    let request = client.request(method.clone(), url);
    let request = match body {
        Some(body) => request.json(body),
        None => request,
    };
    let response = request
        .send()
        .unwrap_or_else(|e| panic!("WebDriver {method} {url}: {e}"));
    let status = response.status();
    let mut reply: Value = response
        .json()
        .unwrap_or_else(|e| panic!("WebDriver {method} {url}: not JSON ({e})"));
    assert!(
        status.is_success(),
        "WebDriver {method} {url} failed ({status}): {}",
        reply["value"]
    );
    reply["value"].take()
}

/// One browser window; closed on drop.
pub struct Session {
    client: reqwest::blocking::Client,
    url: String,
}

impl Session {
    fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        command(
            &self.client,
            method,
            &format!("{}{path}", self.url),
            body.as_ref(),
        )
    }

    /// Opens a URL and waits for the page to load.
    pub fn open(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })));
    }

    pub fn current_url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", None)
            .as_str()
            .expect("url")
            .to_string()
    }

    /// Runs a script's body (`return ...;`) in the page with these arguments.
    pub fn execute(&self, script: &str, args: Value) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": args })),
        )
    }

    /// The first element matching a CSS selector.
    #[track_caller]
    pub fn find(&self, selector: &str) -> String {
        let found = self.call(
            reqwest::Method::POST,
            "/element",
            Some(json!({"using": "css selector", "value": selector})),
        );
        found[ELEMENT]
            .as_str()
            .unwrap_or_else(|| panic!("no element {selector}"))
            .to_string()
    }

    /// Types into an element (for a file input: the absolute path of the file to choose).
    pub fn type_into(&self, selector: &str, text: &str) {
        let element = self.find(selector);
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/value"),
            Some(json!({ "text": text })),
        );
    }

    /// Clicks an element, then waits until the page it leads to has loaded and its URL
    /// differs from `from` (a form that posts to itself shows the same URL: pass "").
    pub fn click_and_wait(&self, selector: &str, from: &str) {
        let element = self.find(selector);
        self.call(
            reqwest::Method::POST,
            &format!("/element/{element}/click"),
            Some(json!({})),
        );
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let loaded = self.execute("return document.readyState;", json!([])) == "complete";
            if loaded && self.current_url() != from {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "clicking {selector} did not lead to a new page"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Forgets every cookie of the current site (signs out without a request).
    pub fn clear_cookies(&self) {
        self.call(reqwest::Method::DELETE, "/cookie", None);
    }

    /// Saves a PNG of the whole page, below the fold too.
    pub fn screenshot(&self, file: &Path) {
        let shot = self.call(
            reqwest::Method::POST,
            "/goog/cdp/execute",
            Some(json!({"cmd": "Page.captureScreenshot",
                "params": {"format": "png", "captureBeyondViewport": true}})),
        );
        let png = base64::engine::general_purpose::STANDARD
            .decode(shot["data"].as_str().expect("screenshot data"))
            .expect("base64 PNG");
        std::fs::write(file, png).expect("write screenshot");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = self.client.delete(&self.url).send();
    }
}
