//! GS1 helper tests, against the real barcode decodes in shared/data/barcodes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;
use std::path::PathBuf;

fn shared_data() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/data/barcodes")
}

fn date(year: u16, month: u8, day: u8) -> Gs1Date {
    Gs1Date {
        year,
        month,
        day,
        day_given: true,
    }
}

#[test]
fn check_digits_of_known_codes() {
    assert_eq!(check_digit("0950600013435"), Some(2));
    assert_eq!(check_digit("03660230146"), Some(7));
    assert_eq!(check_digit("12a"), None);
    assert!(Gtin::parse("09506000134352").is_ok());
    assert_eq!(
        Gtin::parse("09506000134355"),
        Err(GtinError::CheckDigit {
            expected: 2,
            found: 5
        })
    );
    let message = Gtin::parse("09506000134355").unwrap_err().to_string();
    assert_eq!(message, "check digit should be 2, not 5");
    assert_eq!(Gtin::parse("123"), Err(GtinError::Length(3)));
    assert_eq!(Gtin::parse("12345678901a"), Err(GtinError::NotDigits));
}

#[test]
fn all_lengths_normalise_to_the_same_fourteen_digits() {
    let upc = Gtin::parse("036602301467").unwrap();
    assert_eq!(upc.as_str(), "00036602301467");
    assert_eq!(Gtin::parse("0036602301467").unwrap(), upc);
    assert_eq!(Gtin::parse("00036602301467").unwrap(), upc);
    assert_eq!(upc.forms(), vec!["036602301467", "0036602301467"]);
    assert_eq!(upc.display_form(), "036602301467");

    let ean8 = Gtin::parse("96385074").unwrap();
    assert_eq!(ean8.as_str(), "00000096385074");
    assert_eq!(ean8.forms()[0], "96385074");
    assert_eq!(Gtin::parse("0000096385074").unwrap(), ean8);

    let gtin14 = Gtin::parse("19506000134359").unwrap();
    assert!(gtin14.forms().is_empty());
    let ean13 = Gtin::parse("9780764544200").unwrap();
    assert_eq!(ean13.forms(), vec!["9780764544200"]);
}

#[test]
fn upce_expands_by_all_four_rules() {
    // Last data digit 0-2, 3, 4 and 5-9.
    assert_eq!(
        expand_upce("0425261").unwrap().as_str()[2..13],
        *"04210000526"
    );
    assert_eq!(expand_upce("01234565").unwrap().as_str(), "00012345000065");
    assert_eq!(
        expand_upce("0123453").unwrap().as_str()[2..13],
        *"01230000045"
    );
    assert_eq!(
        expand_upce("0123454").unwrap().as_str()[2..13],
        *"01234000005"
    );
    assert_eq!(expand_upce("05096893").unwrap().as_str(), "00050968000093");
    assert_eq!(
        expand_upce("123456").unwrap(),
        expand_upce("0123456").unwrap()
    );
    assert_eq!(
        expand_upce("05096894"),
        Err(GtinError::CheckDigit {
            expected: 3,
            found: 4
        })
    );
    assert_eq!(
        expand_upce("2123456"),
        Err(GtinError::UpceNumberSystem('2'))
    );
    assert_eq!(expand_upce("12345"), Err(GtinError::UpceLength(5)));
}

fn txt_files(dir: &str) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(shared_data().join(dir)).unwrap();
    for entry in entries {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        if name.ends_with(".txt") && !name.ends_with(".metadata.txt") {
            let text = std::fs::read_to_string(&path).unwrap();
            out.push((path, text));
        }
    }
    assert!(!out.is_empty(), "no .txt files in {dir}");
    out
}

#[test]
fn every_ean_and_upc_sample_validates() {
    let mut count = 0;
    for dir in ["ean13-2", "ean13-3", "upca-1", "upca-2", "upca-3"] {
        for (path, text) in txt_files(dir) {
            let gtin = Gtin::parse(&text).unwrap_or_else(|e| panic!("{path:?} {text}: {e}"));
            assert!(gtin.as_str().ends_with(text.trim()));
            let data = recognise_code(&text).unwrap();
            assert_eq!(data.gtin, Some(gtin));
            count += 1;
        }
    }
    for (path, text) in txt_files("upce-2") {
        let gtin = expand_upce(&text).unwrap_or_else(|e| panic!("{path:?} {text}: {e}"));
        assert_eq!(gtin.forms()[0].len(), 12, "UPC-E expands to UPC-A");
        let data = recognise_code(&text).unwrap();
        assert!(data.gtin.as_ref() == Some(&gtin) || data.alternatives.contains(&gtin));
        count += 1;
    }
    assert!(count > 200, "{count}");
}

#[test]
fn real_gs1_datamatrix_and_qr_decodes_parse() {
    for (path, text) in txt_files("gs1") {
        assert!(text.contains(GS), "{path:?} keeps its GS separators");
        let metadata =
            std::fs::read_to_string(path.to_string_lossy().replace(".txt", ".metadata.txt"))
                .unwrap();
        let symbology = metadata
            .lines()
            .find_map(|l| l.strip_prefix("symbologyIdentifier="))
            .unwrap();
        for input in [text.clone(), format!("{symbology}{text}")] {
            let data = parse_element_string(&input).unwrap();
            assert_eq!(data.gtin.as_ref().unwrap().as_str(), "09504000059101");
            assert_eq!(data.serial.as_deref(), Some("12345678p901"));
            assert_eq!(data.lot.as_deref(), Some("1234567p"));
            assert_eq!(data.expiry, Some(date(2014, 11, 20)));
            assert_eq!(data.get("8200"), Some("http://www.gs1.org/demo/"));
            assert_eq!(
                recognise_code(&input).unwrap().lot.as_deref(),
                Some("1234567p")
            );
        }
    }
}

#[test]
fn element_strings_with_and_without_separators() {
    let expected = Gs1Data {
        gtin: Some(Gtin::parse("09506000134352").unwrap()),
        lot: Some("ABC".into()),
        expiry: Some(date(2025, 1, 1)),
        ..Gs1Data::default()
    };
    for input in [
        "01095060001343521725010110ABC",
        "]d2010950600013435217250101\u{1d}10ABC",
        "\u{1d}0109506000134352\u{1d}1725010110ABC\u{1d}",
        "(01)09506000134352(17)250101(10)ABC",
        "]Q3(01)09506000134352(17)250101(10)ABC",
        "]C1010950600013435210ABC\u{1d}17250101",
    ] {
        assert_eq!(parse_element_string(input).unwrap(), expected, "{input:?}");
    }
    let data = parse_element_string(
        "(00)106141412345678908(02)09506000134352(11)240229(13)240300(15)240400\
         (240)PART-1(241)CUST(250)SN2(414)9506000000008(3103)001250(21)S1",
    )
    .unwrap();
    assert_eq!(data.get("00"), Some("106141412345678908"));
    assert_eq!(data.get("02"), Some("09506000134352"));
    assert_eq!(data.get("240"), Some("PART-1"));
    assert_eq!(data.get("241"), Some("CUST"));
    assert_eq!(data.get("250"), Some("SN2"));
    assert_eq!(data.get("414"), Some("9506000000008"));
    assert_eq!(data.get("3103"), Some("001250"));
    assert_eq!(data.serial.as_deref(), Some("S1"));
    // Day 00: end of the month.
    let bb = data.best_before.unwrap();
    assert_eq!(
        (bb.year, bb.month, bb.day, bb.day_given),
        (2024, 4, 30, false)
    );
    assert_eq!(bb.to_string(), "2024-04-30");
}

#[test]
fn expiry_day_zero_is_the_end_of_the_month() {
    let d = Gs1Date::parse_yymmdd("240200", 2026).unwrap();
    assert_eq!((d.year, d.month, d.day, d.day_given), (2024, 2, 29, false));
    assert_eq!(Gs1Date::parse_yymmdd("250200", 2026).unwrap().day, 28);
    assert_eq!(Gs1Date::parse_yymmdd("251100", 2026).unwrap().day, 30);
    assert_eq!(Gs1Date::parse_yymmdd("251231", 2026).unwrap().day, 31);
    assert!(Gs1Date::parse_yymmdd("250230", 2026).is_none());
    assert!(Gs1Date::parse_yymmdd("251301", 2026).is_none());
    // GS1 century rule: more than 50 years ahead means the last century.
    assert_eq!(Gs1Date::parse_yymmdd("760101", 2026).unwrap().year, 2076);
    assert_eq!(Gs1Date::parse_yymmdd("770101", 2026).unwrap().year, 1977);
    assert_eq!(Gs1Date::parse_yymmdd("010101", 2080).unwrap().year, 2101);
    let data = parse_element_string("(01)09506000134352(17)250200").unwrap();
    assert_eq!(data.expiry.unwrap().to_string(), "2025-02-28");
}

#[test]
fn element_string_errors_say_what_is_wrong() {
    let err = |s: &str| parse_element_string(s).unwrap_err();
    assert_eq!(
        err("0109506000134355").to_string(),
        "GTIN: check digit should be 2, not 5"
    );
    assert_eq!(
        err("(01)0950600013435"),
        Gs1Error::WrongLength {
            ai: "01".into(),
            expected: 14,
            found: 13
        }
    );
    assert_eq!(
        err("0109506000134352\u{1d}10ABCDEFGHIJKLMNOPQRSTU"),
        Gs1Error::TooLong {
            ai: "10".into(),
            max: 20,
            found: 21
        }
    );
    assert!(matches!(
        err("(17)251340"),
        Gs1Error::BadDate { ai, .. } if ai == "17"
    ));
    assert!(matches!(err("(05)12"), Gs1Error::UnknownAi(_)));
    assert!(matches!(err("0512"), Gs1Error::UnknownAi(_)));
    assert!(matches!(err("(17)25A101"), Gs1Error::NotDigits { .. }));
    assert!(matches!(err("(01"), Gs1Error::Brackets(_)));
    assert!(matches!(err("(10)"), Gs1Error::Empty { .. }));
    assert!(matches!(
        err("(00)106141412345678909"),
        Gs1Error::CheckDigit { ai, expected: 8, found: 9 } if ai == "00"
    ));
    assert!(matches!(
        err("(10)A(10)B"),
        Gs1Error::Repeated { ai } if ai == "10"
    ));
}

#[test]
fn digital_links_on_any_host() {
    let data =
        parse_digital_link("https://id.gs1.org/01/09506000134352/10/ABC123/21/XYZ?17=250101")
            .unwrap();
    assert_eq!(data.gtin.as_ref().unwrap().as_str(), "09506000134352");
    assert_eq!(data.lot.as_deref(), Some("ABC123"));
    assert_eq!(data.serial.as_deref(), Some("XYZ"));
    assert_eq!(data.expiry, Some(date(2025, 1, 1)));

    let data = parse_digital_link(
        "HTTPS://brand.example.com/some/prefix/01/9506000134352/10/AB%2F12%20C\
         ?linkType=gs1:pip&15=261000&3103=000500#frag",
    )
    .unwrap();
    assert_eq!(data.gtin.as_ref().unwrap().as_str(), "09506000134352");
    assert_eq!(data.lot.as_deref(), Some("AB/12 C"));
    assert_eq!(data.best_before.unwrap().to_string(), "2026-10-31");
    assert_eq!(data.get("3103"), Some("000500"));

    let data = parse_digital_link("https://example.org/gtin/036602301467/lot/7").unwrap();
    assert_eq!(data.gtin.as_ref().unwrap().as_str(), "00036602301467");
    assert_eq!(data.lot.as_deref(), Some("7"));

    let data = parse_digital_link("https://example.org/00/106141412345678908").unwrap();
    assert_eq!(data.get("00"), Some("106141412345678908"));

    assert_eq!(
        parse_digital_link("https://example.org/about/us"),
        Err(Gs1Error::NoPrimaryKey)
    );
    assert!(matches!(
        parse_digital_link("https://id.gs1.org/01/09506000134355"),
        Err(Gs1Error::Gtin(GtinError::CheckDigit {
            expected: 2,
            found: 5
        }))
    ));
    assert!(matches!(
        parse_digital_link("https://id.gs1.org/01/09506000134352/10/A%2"),
        Err(Gs1Error::Percent(_))
    ));
    assert!(matches!(
        parse_digital_link("https://id.gs1.org/01/09506000134352?17=2501"),
        Err(Gs1Error::WrongLength { .. })
    ));
}

#[test]
fn recognise_code_takes_what_officers_type() {
    let gtin = Gtin::parse("09506000134352").unwrap();
    for input in [
        "09506000134352",
        " 9506000134352 ",
        "950 6000 13435 2",
        "9-506000-134352",
        "https://id.gs1.org/01/09506000134352",
        "(01)09506000134352",
        "0109506000134352",
        "]C10109506000134352",
        "010950600013435217250101",
    ] {
        let data = recognise_code(input).unwrap_or_else(|| panic!("{input:?}"));
        assert_eq!(data.gtin.as_ref(), Some(&gtin), "{input:?}");
    }
    let upce = recognise_code("05096893").unwrap();
    assert!(upce.gtin.is_some());
    assert!(upce
        .alternatives
        .iter()
        .chain(upce.gtin.iter())
        .any(|g| g.as_str() == "00050968000093"));

    for text in [
        "",
        "   ",
        "paracetamol 500mg",
        "Nurofen",
        "12345",
        "https://example.com/products/nurofen",
        "1234 5678 90",
        "ACME-2000",
        "(c) 2024",
    ] {
        assert_eq!(recognise_code(text), None, "{text:?}");
    }
    // A mistyped GTIN is not a code, and parse_code says why.
    assert_eq!(recognise_code("9506000134355"), None);
    assert_eq!(
        parse_code("9506000134355").unwrap_err().to_string(),
        "GTIN: check digit should be 2, not 5"
    );
    assert_eq!(parse_code("hello"), Err(Gs1Error::NotACode));
}
