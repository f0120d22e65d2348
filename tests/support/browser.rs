//! A blocking HTTP client with a cookie jar that does not follow redirects, so tests see
//! exactly what a browser would be told.

use reqwest::blocking::{Client, Response};
use reqwest::redirect::Policy;
use reqwest::StatusCode;

pub struct Browser {
    client: Client,
    jar: std::sync::Arc<reqwest::cookie::Jar>,
    base: String,
    bearer: Option<String>,
}

/// A response read into memory.
pub struct Page {
    pub status: StatusCode,
    pub location: Option<String>,
    pub headers: reqwest::header::HeaderMap,
    pub body: String,
}

impl Page {
    fn from(response: Response) -> Page {
        let status = response.status();
        let headers = response.headers().clone();
        let location = headers
            .get("location")
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let body = response.text().expect("body");
        Page {
            status,
            location,
            headers,
            body,
        }
    }

    #[track_caller]
    pub fn assert_status(&self, expected: u16) -> &Page {
        assert_eq!(
            self.status.as_u16(),
            expected,
            "unexpected status; body: {}",
            self.body
        );
        self
    }

    #[track_caller]
    pub fn assert_redirect_to(&self, prefix: &str) -> &Page {
        assert_eq!(
            self.status.as_u16(),
            303,
            "expected a redirect; body: {}",
            self.body
        );
        let location = self.location.as_deref().unwrap_or_default();
        assert!(
            location.starts_with(prefix),
            "redirected to {location}, expected {prefix}"
        );
        self
    }

    #[track_caller]
    pub fn assert_contains(&self, text: &str) -> &Page {
        assert!(
            self.body.contains(text),
            "expected {text:?} in: {}",
            self.body
        );
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.body))
    }

    /// The text inside the element with this id (`<code id="...">text</code>`).
    #[track_caller]
    pub fn text_of(&self, id: &str) -> String {
        let marker = format!("id=\"{id}\">");
        let start = self
            .body
            .find(&marker)
            .unwrap_or_else(|| panic!("no #{id} in: {}", self.body))
            + marker.len();
        let end = start + self.body[start..].find('<').expect("closing tag");
        unescape(&self.body[start..end])
    }

    /// The CSRF token of the first form on the page.
    pub fn csrf_token(&self) -> Option<String> {
        let marker = "name=\"csrf_token\" value=\"";
        let start = self.body.find(marker)? + marker.len();
        let end = start + self.body[start..].find('"')?;
        Some(self.body[start..end].to_string())
    }
}

fn unescape(text: &str) -> String {
    text.replace("&#x2f;", "/")
        .replace("&#47;", "/")
        .replace("&amp;", "&")
        .replace("&#x3d;", "=")
        .replace("&#61;", "=")
}

impl Browser {
    pub fn new(base: &str) -> Browser {
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        let client = Client::builder()
            .cookie_provider(jar.clone())
            .redirect(Policy::none())
            .build()
            .expect("client");
        Browser {
            client,
            jar,
            base: base.to_string(),
            bearer: None,
        }
    }

    /// An API client that sends this bearer token (and no cookies).
    pub fn with_token(base: &str, token: &str) -> Browser {
        let client = Client::builder()
            .redirect(Policy::none())
            .build()
            .expect("client");
        let jar = std::sync::Arc::new(reqwest::cookie::Jar::default());
        Browser {
            client,
            jar,
            base: base.to_string(),
            bearer: Some(token.to_string()),
        }
    }

    /// The value of a cookie this browser holds for the site.
    pub fn cookie(&self, name: &str) -> Option<String> {
        use reqwest::cookie::CookieStore;
        let url = reqwest::Url::parse(&self.base).expect("base url");
        let header = self.jar.cookies(&url)?;
        header
            .to_str()
            .ok()?
            .split("; ")
            .find_map(|pair| pair.strip_prefix(&format!("{name}=")).map(str::to_string))
    }

    /// A browser that presents a copy of a session cookie (as a thief would).
    pub fn with_session_cookie(base: &str, value: &str) -> Browser {
        let browser = Browser::new(base);
        let url = reqwest::Url::parse(base).expect("base url");
        browser
            .jar
            .add_cookie_str(&format!("ts_session={value}; Path=/"), &url);
        browser
    }

    fn request(&self, method: reqwest::Method, path: &str) -> reqwest::blocking::RequestBuilder {
        let builder = self.client.request(method, format!("{}{path}", self.base));
        match &self.bearer {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    pub fn get(&self, path: &str) -> Page {
        Page::from(
            self.request(reqwest::Method::GET, path)
                .send()
                .expect("GET"),
        )
    }

    /// Posts a form with exactly these fields (no CSRF token unless given).
    pub fn post_form(&self, path: &str, fields: &[(&str, &str)]) -> Page {
        Page::from(
            self.request(reqwest::Method::POST, path)
                .form(fields)
                .send()
                .expect("POST"),
        )
    }

    pub fn post_form_with_origin(&self, path: &str, origin: &str, fields: &[(&str, &str)]) -> Page {
        Page::from(
            self.request(reqwest::Method::POST, path)
                .header("Origin", origin)
                .form(fields)
                .send()
                .expect("POST"),
        )
    }

    /// Opens `page` as a person would, then submits a form to `action` with its CSRF token.
    #[track_caller]
    pub fn submit(&self, page: &str, action: &str, fields: &[(&str, &str)]) -> Page {
        let token = self
            .get(page)
            .csrf_token()
            .unwrap_or_else(|| panic!("no form on {page}"));
        let mut all = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        self.post_form(action, &all)
    }

    pub fn sign_in(&self, email: &str, password: &str) -> Page {
        self.submit(
            "/signin",
            "/signin",
            &[("email", email), ("password", password)],
        )
    }

    pub fn post_json(&self, path: &str, body: &serde_json::Value) -> Page {
        Page::from(
            self.request(reqwest::Method::POST, path)
                .json(body)
                .send()
                .expect("POST"),
        )
    }

    pub fn put_json(&self, path: &str, body: &serde_json::Value) -> Page {
        Page::from(
            self.request(reqwest::Method::PUT, path)
                .json(body)
                .send()
                .expect("PUT"),
        )
    }

    pub fn delete(&self, path: &str) -> Page {
        Page::from(
            self.request(reqwest::Method::DELETE, path)
                .send()
                .expect("DELETE"),
        )
    }

    /// Sends a multipart form with a file field named `file` and text fields.
    pub fn post_multipart(
        &self,
        path: &str,
        bytes: Vec<u8>,
        file_name: &str,
        fields: &[(&str, &str)],
    ) -> Page {
        self.post_files(path, vec![("file", file_name, bytes)], fields)
    }

    /// Sends a multipart form with files as (field, file name, bytes) and text fields.
    pub fn post_files(
        &self,
        path: &str,
        files: Vec<(&str, &str, Vec<u8>)>,
        fields: &[(&str, &str)],
    ) -> Page {
        let mut form = reqwest::blocking::multipart::Form::new();
        for (name, value) in fields {
            form = form.text(name.to_string(), value.to_string());
        }
        for (field, file_name, bytes) in files {
            let part =
                reqwest::blocking::multipart::Part::bytes(bytes).file_name(file_name.to_string());
            form = form.part(field.to_string(), part);
        }
        Page::from(
            self.request(reqwest::Method::POST, path)
                .multipart(form)
                .send()
                .expect("POST"),
        )
    }

    /// The raw body of a GET.
    pub fn get_bytes(&self, path: &str) -> Vec<u8> {
        let response = self
            .request(reqwest::Method::GET, path)
            .send()
            .expect("GET");
        assert_eq!(response.status().as_u16(), 200, "GET {path}");
        response.bytes().expect("bytes").to_vec()
    }

    pub fn post_empty(&self, path: &str) -> Page {
        Page::from(
            self.request(reqwest::Method::POST, path)
                .send()
                .expect("POST"),
        )
    }

    /// Gets an API token for an account through the API.
    pub fn token_for(base: &str, email: &str, password: &str) -> String {
        let page = Browser::new(base).post_json(
            "/api/v1/tokens",
            &serde_json::json!({"email": email, "password": password, "name": "tests"}),
        );
        page.assert_status(201);
        page.json()["token"].as_str().expect("token").to_string()
    }
}
