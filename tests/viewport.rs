//! Every significant page works on a 360-pixel-wide phone: headless Chromium, driven
//! through chromedriver, signs in through the real form as each role, opens each page of
//! `PAGES` (and submits each form of `UPLOADS`) and measures the layout. A page fails when
//! it scrolls sideways, when any box or line of text reaches past the screen's edge (except
//! inside a container meant to scroll sideways, such as a wide table's wrapper), or when a
//! form control is too small to tap.
//!
//! Without Chromium or chromedriver the test is skipped with a message, unless `CI` is set:
//! then it fails. Set `VIEWPORT_SCREENSHOTS=<folder>` to keep a full-page PNG of each page.

use std::path::{Path, PathBuf};

use serde_json::json;

use crate::products::{api_for, full_record, share_with_every_administration};
use crate::support::webdriver::{Chromedriver, Session, Tools};
use crate::support::{TestApp, PASSWORD};

/// The phone's layout viewport, in CSS pixels.
const WIDTH: u32 = 360;
const HEIGHT: u32 = 740;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data");
const PRODUCT_PHOTO: &str = "photos/products/3256220787321_1.jpg";
const OTHER_PHOTO: &str = "photos/products/3256220787321_2.jpg";
const PACKAGING_PHOTO: &str = "photos/products/upc1.jpg";
const GS1_LABEL: &str = "barcodes/gs1/datamatrix-1__gs1-figure-4.15.1-2-32x32.png";

/// Who opens a page; each signs in through the sign-in form.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    Anonymous,
    Admin,
    Officer,
    CustomsManager,
    Owner,
    Editor,
    Responder,
}

/// Every page checked, by who opens it. In paths, `{product}`, `{notice}`, `{alert}`, `{import}`,
/// `{org}` (the verified right holder), `{pending_org}` and `{invitation}` (an open
/// invitation's path) stand for the seeded records. Add new pages here.
const PAGES: &[(Who, &str)] = &[
    (Who::Anonymous, "/signin"),
    (Who::Anonymous, "/signup"),
    (Who::Anonymous, "/signup/pending"),
    (Who::Anonymous, "{invitation}"),
    (Who::Admin, "/"),
    (Who::Admin, "/admin/organisations"),
    (Who::Admin, "/admin/organisations?status=verified"),
    (Who::Admin, "/admin/organisations/{org}"),
    (Who::Admin, "/admin/organisations/{pending_org}"),
    (Who::Admin, "/admin/customs/new"),
    (Who::Admin, "/admin/audit"),
    (Who::Admin, "/account"),
    (Who::Admin, "/account/password"),
    (Who::Officer, "/"),
    (Who::Officer, "/search"),
    (Who::Officer, "/search?q=chronograph"),
    (Who::Officer, "/search?q=036000291452"),
    (Who::Officer, "/search?q=qqzzxxnothing"),
    (Who::Officer, "/guide/{product}"),
    (Who::Officer, "/notices"),
    (Who::Officer, "/notices/new"),
    (Who::Officer, "/notices/new?product={product}"),
    (Who::Officer, "/notices/{notice}"),
    (Who::Officer, "/notifications"),
    (Who::Officer, "/alerts"),
    (Who::Officer, "/alerts?q=hologram&severity=high"),
    (Who::Officer, "/alerts?q=qqzzxxnothing"),
    (Who::Officer, "/alerts/{alert}"),
    (Who::Officer, "/account"),
    (Who::Officer, "/account/tokens"),
    (Who::CustomsManager, "/members"),
    (Who::CustomsManager, "/notices"),
    (Who::Owner, "/"),
    (Who::Owner, "/products"),
    (Who::Owner, "/products/new"),
    (Who::Owner, "/products/{product}"),
    (Who::Owner, "/products/{product}/edit/basics"),
    (Who::Owner, "/products/{product}/edit/description"),
    (Who::Owner, "/products/{product}/edit/features"),
    (Who::Owner, "/products/{product}/edit/security"),
    (Who::Owner, "/products/{product}/edit/packaging"),
    (Who::Owner, "/products/{product}/edit/logistics"),
    (Who::Owner, "/products/{product}/edit/risk"),
    (Who::Owner, "/products/{product}/edit/ip_rights"),
    (Who::Owner, "/products/{product}/edit/contacts"),
    (Who::Owner, "/products/{product}/history"),
    (Who::Owner, "/products/{product}/preview"),
    (Who::Owner, "/products/{product}/preview?as=shared"),
    (Who::Owner, "/share-list"),
    (Who::Owner, "/imports"),
    (Who::Owner, "/imports/{import}"),
    (Who::Owner, "/members"),
    (Who::Owner, "/notices"),
    (Who::Owner, "/notices/{notice}"),
    (Who::Owner, "/notifications"),
    (Who::Owner, "/account/tokens"),
    (Who::Owner, "/alerts"),
    (Who::Owner, "/alerts/new"),
    (Who::Owner, "/alerts/{alert}"),
    (Who::Owner, "/alerts/{alert}/edit"),
    (Who::Owner, "/feedback"),
    (Who::Owner, "/feedback?weeks=52"),
    (Who::Editor, "/products"),
    (Who::Editor, "/share-list"),
    (Who::Responder, "/notices"),
    (Who::Responder, "/notices/{notice}"),
    (Who::Responder, "/notifications"),
    (Who::Responder, "/feedback"),
];

/// Pages that show the error page on purpose (it must fit the phone too).
const ERROR_PAGES: &[(Who, &str)] = &[(Who::Officer, "/guide/999999")];

/// Result pages reached by submitting a form with a file, as
/// (who, page with the form, the form's action, the file under shared/data).
const UPLOADS: &[(Who, &str, &str, &str)] = &[
    (Who::Officer, "/search", "/search/photo", PRODUCT_PHOTO),
    (Who::Officer, "/search", "/search/barcode", GS1_LABEL),
];

/// Measures the page in the browser; returns what is wrong, one line each.
const MEASURE: &str = r##"
// A phone zooms out to show a page wider than its screen, which widens innerWidth: the
// page is measured against the screen's width instead.
const width = arguments[0];
const problems = [];
const describe = (el) => {
  let name = el.tagName.toLowerCase();
  if (el.id) name += "#" + el.id;
  for (const c of el.classList) name += "." + c;
  const text = (el.innerText || el.value || el.getAttribute("src") || "").trim().replace(/\s+/g, " ").slice(0, 50);
  return text ? `${name} "${text}"` : name;
};
// Inside a box meant to scroll sideways (a wide table's wrapper), overflow is intended.
const scrollsSideways = (el) => {
  for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
    const overflow = getComputedStyle(p).overflowX;
    if (overflow === "auto" || overflow === "scroll") return true;
  }
  return false;
};
const outside = (r) => r.right + window.scrollX > width + 0.5 || r.left + window.scrollX < -0.5;
const span = (r) => `x ${Math.round(r.left + window.scrollX)}..${Math.round(r.right + window.scrollX)}`;
if (window.innerWidth !== width || document.documentElement.clientWidth !== width) {
  problems.push(`the viewport is ${window.innerWidth} CSS px wide (client ${document.documentElement.clientWidth}), not ${width}: the phone zoomed out to fit`);
}
if (document.documentElement.scrollWidth > width) {
  problems.push(`the page scrolls sideways: scrollWidth ${document.documentElement.scrollWidth} > ${width}`);
}
for (const el of document.body.querySelectorAll("*")) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (outside(r) && !scrollsSideways(el)) problems.push(`${describe(el)} spans ${span(r)}`);
}
// Long words, URLs and codes that run out of their box.
const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = texts.nextNode(); node; node = texts.nextNode()) {
  if (!node.textContent.trim() || scrollsSideways(node)) continue;
  const range = document.createRange();
  range.selectNodeContents(node);
  const line = [...range.getClientRects()].find(outside);
  if (line) problems.push(`text "${node.textContent.trim().slice(0, 50)}" in ${describe(node.parentElement)} spans ${span(line)}`);
}
// Form controls a thumb can hit.
for (const el of document.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio]), select, textarea, button")) {
  const r = el.getBoundingClientRect();
  if (r.width === 0 && r.height === 0) continue;
  if (r.height < 40) problems.push(`${describe(el)} is ${Math.round(r.height)} px high (at least 40 to tap)`);
}
const most = 15;
return problems.length > most ? [...problems.slice(0, most), `... and ${problems.length - most} more`] : problems;
"##;

/// True when the browser shows templates/error.html.
const IS_ERROR_PAGE: &str = r#"
return [...document.querySelectorAll("main p.muted")].some((p) => /^Error \d{3}$/.test(p.textContent.trim()));
"#;

/// The seeded application and the values that stand for `{...}` in paths.
struct Seeded {
    app: TestApp,
    values: Vec<(&'static str, String)>,
}

impl Seeded {
    fn path(&self, template: &str) -> String {
        self.values
            .iter()
            .fold(template.to_string(), |path, (key, value)| {
                path.replace(&format!("{{{key}}}"), value)
            })
    }

    fn email(&self, who: Who) -> Option<String> {
        let email = match who {
            Who::Anonymous => return None,
            Who::Admin => return Some(self.app.admin_email.clone()),
            Who::Officer => "officer.schmidt@zoll-hafen.example",
            Who::CustomsManager => "chief@zoll-hafen.example",
            Who::Owner => "brand.protection@acme-precision-watches.example",
            Who::Editor => "editor@acme-precision-watches.example",
            Who::Responder => "responder@acme-precision-watches.example",
        };
        Some(email.to_string())
    }
}

fn data(name: &str) -> Vec<u8> {
    std::fs::read(format!("{DATA}/{name}")).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A realistic platform, built through the app's own forms and API: a verified right
/// holder with members, a published product with images and every section, a second
/// product, an import with a failed row, a customs administration whose officer sent a
/// notice that has a thread, an open invitation and a right holder waiting for
/// verification.
fn seed() -> Seeded {
    let app = TestApp::spawn();
    let owner_email = "brand.protection@acme-precision-watches.example";
    let (org, owner) = app.right_holder("Acme Precision Watches SA", owner_email);
    app.invite(&owner, "editor@acme-precision-watches.example", "editor");
    app.invite(
        &owner,
        "responder@acme-precision-watches.example",
        "responder",
    );
    let invitation = owner.submit(
        "/members",
        "/members/invite",
        &[
            (
                "email",
                "new.colleague.with.a.long.address@acme-precision-watches.example",
            ),
            ("role", "editor"),
        ],
    );
    invitation.assert_status(200);
    let invitation = invitation.text_of("invitation-link");
    let chief = app.customs("Zollamt Hamburg-Hafen", "chief@zoll-hafen.example");
    app.invite(&chief, "officer.schmidt@zoll-hafen.example", "officer");
    let pending_org = app.api_sign_up(
        "Brandschutz Internationale Handelsgesellschaft mbH",
        "owner@brandschutz-international.example",
    );

    let owner_api = api_for(&app, owner_email);
    share_with_every_administration(&owner_api);

    let mut record = full_record("CD-100-SAPPHIRE-2026");
    record["identity"]["links"] = json!([
        "https://www.acme-precision-watches.example/collections/chronograph-deluxe/cd-100-sapphire?utm_source=touchstone",
        "https://acme.example/cd100"
    ]);
    record["codes"]["serial_formats"] = json!(["AA00000000", "ACME-CD100-SN-0000000000000000"]);
    let created = owner_api.post_json("/api/v1/products", &record);
    created.assert_status(201);
    let product = created.json()["id"].as_i64().expect("id");
    let mut image_ids = Vec::new();
    for (photo, kind, caption) in [
        (
            PRODUCT_PHOTO,
            "genuine",
            "Front of the genuine box, with the hologram on the left",
        ),
        (
            OTHER_PHOTO,
            "counterfeit",
            "Seized copy: the crown is printed, not embossed",
        ),
        (
            PACKAGING_PHOTO,
            "packaging",
            "Carton of 24 with the GS1-128 shipping label",
        ),
    ] {
        let added = owner_api.post_multipart(
            &format!("/api/v1/products/{product}/images"),
            data(photo),
            "photo.jpg",
            &[("kind", kind), ("caption", caption)],
        );
        added.assert_status(201);
        image_ids.push(added.json()["id"].clone());
    }
    record["sections"]["features"]["items"][0]["image_ids"] = json!(image_ids);
    owner_api
        .put_json(&format!("/api/v1/products/{product}"), &record)
        .assert_status(200);
    owner_api
        .post_empty(&format!("/api/v1/products/{product}/publish"))
        .assert_status(200);
    let mut second = full_record("DV-300");
    second["name"] = json!("Diver 300 Automatic");
    owner_api
        .post_json("/api/v1/products", &second)
        .assert_status(201);

    let csv = "reference,brand,name,gtins,description_en\n\
        IMP-1,Acme,Acme Field Watch,4006381333931,A field watch\n\
        IMP-2,Acme,Broken Code,4006381333932,\n";
    let queued = owner_api.post_files(
        "/api/v1/imports",
        vec![(
            "file",
            "acme-autumn-catalogue-2026-final-v3.csv",
            csv.as_bytes().to_vec(),
        )],
        &[],
    );
    queued.assert_status(202);
    let import = queued.json()["id"].as_i64().expect("import id");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while owner_api.get(&format!("/api/v1/imports/{import}")).json()["status"] != "finished" {
        assert!(
            std::time::Instant::now() < deadline,
            "the import did not end"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    let officer_api = api_for(&app, "officer.schmidt@zoll-hafen.example");
    let sent = officer_api.post_json(
        "/api/v1/notices",
        &json!({
            "product_id": product,
            "office": "Hamburg, Container Terminal Altenwerder (CTA), Gate 4",
            "found_on": chrono::Utc::now().date_naive().to_string(),
            "quantity": 240,
            "transport_mode": "sea",
            "origin_country": "cn",
            "codes_seen": "https://id.gs1.org/01/00036000291452/10/LOT42/21/SERIAL-000000000000123456789\nGTIN 00036000291452",
            "description": "Watches in plain cartons; the crowns look cast, and the case backs carry no hologram.",
        }),
    );
    sent.assert_status(201);
    let notice = sent.json()["id"].as_i64().expect("notice id");
    let responder_api = api_for(&app, "responder@acme-precision-watches.example");
    responder_api
        .post_files(
            &format!("/api/v1/notices/{notice}/messages"),
            vec![("file", "genuine.jpg", data(PRODUCT_PHOTO))],
            &[(
                "body",
                "Thank you. Please send a photo of the case back and of the carton label.",
            )],
        )
        .assert_status(201);
    officer_api
        .post_files(
            &format!("/api/v1/notices/{notice}/messages"),
            vec![("file", "case-back.jpg", data(OTHER_PHOTO))],
            &[("body", "Here is the case back.")],
        )
        .assert_status(201);
    // An alert about the product with a photo and a long title, for every country.
    let valid_until = (chrono::Utc::now().date_naive() + chrono::Duration::days(30)).to_string();
    let alert = owner_api.post_json(
        "/api/v1/alerts",
        &json!({
            "title": "Counterfeit CD-100-SAPPHIRE-2026 chronographs shipped through Hamburg-Altenwerder",
            "body": "Cast crowns, printed holograms, serial numbers repeating SERIAL-000000000000123456789.",
            "severity": "critical",
            "valid_until": valid_until,
            "countries": [],
            "product_ids": [product],
        }),
    );
    alert.assert_status(201);
    let alert = alert.json()["id"].as_i64().expect("alert id");
    owner_api
        .post_files(
            &format!("/api/v1/alerts/{alert}/photos"),
            vec![("file", "fake.jpg", data(OTHER_PHOTO))],
            &[("caption", "Seized at Gate 4")],
        )
        .assert_status(201);
    officer_api
        .get(&format!("/api/v1/products/{product}/guide"))
        .assert_status(200);
    app.flush_search();

    let invitation = invitation
        .strip_prefix(&app.base)
        .expect("invitation on this server")
        .to_string();
    Seeded {
        values: vec![
            ("product", product.to_string()),
            ("notice", notice.to_string()),
            ("alert", alert.to_string()),
            ("import", import.to_string()),
            ("org", org.to_string()),
            ("pending_org", pending_org.to_string()),
            ("invitation", invitation),
        ],
        app,
    }
}

/// Signs in as `who` through the sign-in form (or stays signed out).
fn become_(browser: &Session, seeded: &Seeded, who: Who) {
    browser.open(&seeded.app.url("/signin"));
    browser.clear_cookies();
    let Some(email) = seeded.email(who) else {
        return;
    };
    let signin = seeded.app.url("/signin");
    browser.open(&signin);
    browser.type_into("form[action='/signin'] input[name=email]", &email);
    browser.type_into("form[action='/signin'] input[name=password]", PASSWORD);
    browser.click_and_wait("form[action='/signin'] button[type=submit]", &signin);
    let url = browser.current_url();
    assert!(
        !url.contains("/signin") && !url.contains("/account/password"),
        "signing in as {who:?} led to {url}"
    );
}

/// Measures the page the browser shows; returns its problems, each prefixed by `label`.
fn measure(browser: &Session, label: &str, error_page: bool, shots: Option<&Path>) -> Vec<String> {
    if let Some(dir) = shots {
        let name: String = label
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        browser.screenshot(&dir.join(format!("{name}.png")));
    }
    let mut problems: Vec<String> = browser
        .execute(MEASURE, json!([WIDTH]))
        .as_array()
        .expect("problems")
        .iter()
        .map(|p| format!("{label}: {}", p.as_str().unwrap_or_default()))
        .collect();
    if browser.execute(IS_ERROR_PAGE, json!([])) != error_page {
        problems.push(format!(
            "{label}: {} the error page",
            if error_page { "is not" } else { "is" }
        ));
    }
    problems
}

#[test]
fn every_page_fits_a_360_pixel_wide_phone() {
    let tools = match Tools::find() {
        Ok(tools) => tools,
        Err(why) if std::env::var_os("CI").is_none() => {
            eprintln!("SKIPPED every_page_fits_a_360_pixel_wide_phone: {why}; CI fails here");
            return;
        }
        Err(why) => panic!("CI is set, so the viewport test must run: {why}"),
    };
    let shots = std::env::var_os("VIEWPORT_SCREENSHOTS").map(PathBuf::from);
    if let Some(dir) = &shots {
        std::fs::create_dir_all(dir).expect("screenshot folder");
    }
    let seeded = seed();
    let driver = Chromedriver::start(&tools);
    let browser = driver.phone(WIDTH, HEIGHT);

    let mut problems = Vec::new();
    let mut signed_in_as = None;
    let pages = PAGES.iter().map(|&(who, path)| (who, path, false));
    let errors = ERROR_PAGES.iter().map(|&(who, path)| (who, path, true));
    for (who, template, error_page) in pages.chain(errors) {
        if signed_in_as != Some(who) {
            become_(&browser, &seeded, who);
            signed_in_as = Some(who);
        }
        let path = seeded.path(template);
        browser.open(&seeded.app.url(&path));
        let landed = browser.current_url();
        if !landed.ends_with(&path) {
            problems.push(format!("{who:?} {path}: redirected to {landed}"));
            continue;
        }
        let label = format!("{who:?} {path}");
        problems.extend(measure(&browser, &label, error_page, shots.as_deref()));
    }
    for &(who, page, action, file) in UPLOADS {
        if signed_in_as != Some(who) {
            become_(&browser, &seeded, who);
            signed_in_as = Some(who);
        }
        let url = seeded.app.url(page);
        browser.open(&url);
        let form = format!("form[action='{action}']");
        let file = Path::new(DATA).join(file);
        let file = file.canonicalize().expect("test file");
        browser.type_into(&format!("{form} input[type=file]"), &file.to_string_lossy());
        browser.click_and_wait(&format!("{form} button[type=submit]"), &url);
        let label = format!("{who:?} {action} from {page}");
        problems.extend(measure(&browser, &label, false, shots.as_deref()));
    }
    assert!(
        problems.is_empty(),
        "{} problems at {WIDTH}x{HEIGHT}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
