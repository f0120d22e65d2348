//! Barcodes in photos: GS1 data from 2D codes, `touchstone barcode`,
//! `POST /api/v1/barcodes/decode`, and the look-up page's photo fallback, from the photo to
//! the product. (Decoding quality on the shared labelled photos is tested in the
//! `barcode` crate, `barcode/tests/quality.rs`.)

use std::path::PathBuf;
use std::process::Command;

use crate::products::{full_record, world};
use crate::support::{Browser, TestApp, PASSWORD};
use serde_json::json;

const BARCODES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data/barcodes");

fn data(path: &str) -> PathBuf {
    PathBuf::from(BARCODES).join(path)
}

fn bytes(path: &str) -> Vec<u8> {
    std::fs::read(data(path)).expect("test photo")
}

fn expected(path: &str) -> String {
    std::fs::read_to_string(data(path)).expect("label")
}

#[test]
fn gs1_datamatrix_and_qr_give_gtin_lot_serial_and_expiry() {
    let limits = touchstone::images::ImageLimits::default();
    for (name, symbology) in [
        ("datamatrix-1__gs1-figure-4.15.1-2-32x32", "DataMatrix"),
        ("cpp__qrcode-2__gs1-figure-4.15.1-2", "QR"),
    ] {
        let codes =
            touchstone::services::barcodes::read(&bytes(&format!("gs1/{name}.png")), &limits)
                .expect("readable");
        assert_eq!(codes.len(), 1, "{name}: {codes:?}");
        let code = &codes[0];
        assert_eq!(code.symbology, symbology);
        assert_eq!(code.text, expected(&format!("gs1/{name}.txt")));
        assert_eq!(code.gtin.as_deref(), Some("09504000059101"));
        assert_eq!(code.serial.as_deref(), Some("12345678p901"));
        assert_eq!(code.lot.as_deref(), Some("1234567p"));
        assert_eq!(code.expiry.as_deref(), Some("2014-11-20"));
    }
}

#[test]
fn cli_prints_each_code_or_none_and_fails_on_unreadable_files_after_the_others() {
    let dir = tempfile::tempdir().expect("dir");
    let not_an_image = dir.path().join("notes.jpg");
    std::fs::write(&not_an_image, "just some text").expect("write");
    let ean = data("ean13-3/01.png");
    let upce = data("upce-2/01.png");
    let gs1 = data("gs1/datamatrix-1__gs1-figure-4.15.1-2-32x32.png");
    let blank = data("falsepositives/02.png");
    let run = |files: &[&std::path::Path]| {
        Command::new(env!("CARGO_BIN_EXE_touchstone"))
            .env("RUST_LOG", "warn")
            .arg("barcode")
            .args(files)
            .output()
            .expect("run")
    };

    let out = run(&[&ean, &upce, &gs1, &blank]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        vec![
            format!("{}: EAN-13 {}", ean.display(), expected("ean13-3/01.txt")),
            format!("{}: UPC-E {}", upce.display(), expected("upce-2/01.txt")),
            format!(
                "{}: DataMatrix {}",
                gs1.display(),
                expected("gs1/datamatrix-1__gs1-figure-4.15.1-2-32x32.txt")
                    .replace('\u{1d}', "\\u{1d}")
            ),
            format!("{}: none", blank.display()),
        ]
    );

    let missing = dir.path().join("missing.png");
    let out = run(&[&missing, &not_an_image, &ean]);
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        stdout.trim_end(),
        format!("{}: EAN-13 {}", ean.display(), expected("ean13-3/01.txt")),
        "the good file after the bad ones is still read"
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!("{}:", missing.display())),
        "{stderr}"
    );
    assert!(
        stderr.contains(&format!(
            "{}: this file is not an image",
            not_an_image.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("2 of 3 files could not be read"),
        "{stderr}"
    );
}

#[test]
fn api_decodes_a_photo_and_refuses_bad_uploads_without_keeping_anything() {
    let app = TestApp::spawn_with(|c| c.max_image_mb = 1);
    let token = Browser::token_for(&app.base, &app.admin_email, PASSWORD);
    let api = Browser::with_token(&app.base, &token);
    let decode = |bytes: Vec<u8>, name: &str| {
        api.post_multipart("/api/v1/barcodes/decode", bytes, name, &[])
    };

    let found = decode(bytes("upca-2/03.png"), "photo.png");
    found.assert_status(200);
    let upca = expected("upca-2/03.txt");
    assert_eq!(
        found.json(),
        json!({"codes": [{"symbology": "UPC-A", "text": upca, "gtin": format!("00{upca}"),
            "lot": null, "serial": null, "expiry": null}]})
    );
    let gs1 = decode(
        bytes("gs1/cpp__qrcode-2__gs1-figure-4.15.1-2.png"),
        "label.png",
    );
    gs1.assert_status(200);
    assert_eq!(gs1.json()["codes"][0]["gtin"], "09504000059101");
    assert_eq!(gs1.json()["codes"][0]["lot"], "1234567p");
    assert_eq!(gs1.json()["codes"][0]["expiry"], "2014-11-20");

    let none = decode(bytes("falsepositives/02.png"), "wall.png");
    none.assert_status(200);
    assert_eq!(none.json(), json!({"codes": []}));

    let text = decode(b"not a photo at all".to_vec(), "photo.jpg");
    text.assert_status(400);
    assert_eq!(text.json()["error"], "unsupported_image");
    let mut truncated = bytes("ean13-3/01.png");
    truncated.truncate(truncated.len() / 2);
    let corrupt = decode(truncated, "half.png");
    corrupt.assert_status(400);
    assert_eq!(corrupt.json()["error"], "corrupt_image");
    let big = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/photos/products/3023470001015_103.jpg"
    ))
    .expect("photo");
    assert!(big.len() > 1024 * 1024);
    let too_big = decode(big, "big.jpg");
    too_big.assert_status(413);
    assert_eq!(too_big.json()["error"], "too_large");
    let nothing = api.post_multipart("/api/v1/barcodes/decode", Vec::new(), "empty.png", &[]);
    nothing.assert_status(400);
    assert_eq!(nothing.json()["error"], "missing_file");

    let anonymous = app.browser().post_multipart(
        "/api/v1/barcodes/decode",
        bytes("upca-2/01.png"),
        "photo.png",
        &[],
    );
    anonymous.assert_status(401);
    assert_eq!(anonymous.json()["error"], "unauthorised");

    assert!(
        app.state.images.all().expect("store").is_empty(),
        "photos are not kept"
    );
    let doc = app.browser().get("/api/v1/openapi.json").json();
    assert!(doc["paths"]["/api/v1/barcodes/decode"]["post"].is_object());
}

#[test]
fn officers_upload_a_barcode_photo_on_search_and_reach_the_product() {
    let w = world();
    let gtin13 = expected("ean13-3/01.txt");
    let mut record = full_record("BOOK-1");
    record["codes"]["gtins"] = json!([gtin13]);
    record["name"] = json!("Field Guide");
    let id = w.owner.post_json("/api/v1/products", &record).json()["id"]
        .as_i64()
        .expect("id");
    w.owner
        .post_empty(&format!("/api/v1/products/{id}/publish"))
        .assert_status(200);
    w.app.flush_search();
    let officer = w.app.browser();
    officer
        .sign_in("officer@a.example", PASSWORD)
        .assert_redirect_to("/");

    let search = officer.get("/search");
    search
        .assert_status(200)
        .assert_contains("action=\"/search/barcode\"")
        .assert_contains("enctype=\"multipart/form-data\"")
        .assert_contains("capture=\"environment\"");
    let token = search.csrf_token().expect("csrf token");

    let found = officer.post_multipart(
        "/search/barcode",
        bytes("ean13-3/01.png"),
        "IMG_0001.png",
        &[("csrf_token", &token)],
    );
    found
        .assert_status(200)
        .assert_contains("Barcode in the photo")
        .assert_contains("EAN-13")
        .assert_contains(&format!("0{gtin13}"))
        .assert_contains(&format!("/guide/{id}"))
        .assert_contains("Field Guide")
        .assert_contains("1 product");

    // GS1 DataMatrix: GTIN, lot, serial and expiry shown (no product has that GTIN).
    let label = officer.post_multipart(
        "/search/barcode",
        bytes("gs1/datamatrix-1__gs1-figure-4.15.1-2-32x32.png"),
        "label.png",
        &[("csrf_token", &token)],
    );
    label
        .assert_status(200)
        .assert_contains("09504000059101")
        .assert_contains("1234567p")
        .assert_contains("12345678p901")
        .assert_contains("2014-11-20")
        .assert_contains("Nothing found");

    let nothing = officer.post_multipart(
        "/search/barcode",
        bytes("falsepositives/03.png"),
        "wall.png",
        &[("csrf_token", &token)],
    );
    nothing
        .assert_status(200)
        .assert_contains("No barcode found in the photo")
        .assert_contains("Try again closer");

    let text = officer.post_multipart(
        "/search/barcode",
        b"%PDF-1.7 not a photo".to_vec(),
        "scan.pdf",
        &[("csrf_token", &token)],
    );
    text.assert_status(400)
        .assert_contains("The photo could not be read")
        .assert_contains("PDF files cannot be used here");

    // Without the form's token: refused before anything is read.
    officer
        .post_multipart("/search/barcode", bytes("ean13-3/01.png"), "photo.png", &[])
        .assert_status(403);
    // Signed out: sent to sign in.
    w.app
        .browser()
        .post_multipart("/search/barcode", bytes("ean13-3/01.png"), "photo.png", &[])
        .assert_status(303);
    assert!(
        w.app.state.images.all().expect("store").is_empty(),
        "photos are not kept"
    );
}
