//! The product forms, described once as data: which fields each part of the record has,
//! how each is typed in and how it maps onto the record's JSON. One template renders any
//! of them and one parser reads any of them back, so the pages cannot drift from the
//! record (serde still checks the result against the typed structs of `record.rs`).

/// How a field is entered and stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// One line of plain text (a JSON string).
    Text,
    /// One line of text, absent (null) when empty.
    OptionalText,
    /// Text in the language being edited (a JSON object keyed by language).
    Localized,
    /// Several lines of text in the language being edited.
    LocalizedLong,
    /// A list of values, one per line.
    Lines,
    /// A list of short codes (countries, languages, classes), separated by commas,
    /// semicolons or spaces.
    Codes,
    Checkbox,
    /// A whole number, absent when empty.
    Count,
    /// A date (YYYY-MM-DD), absent when empty.
    Date,
    /// An amount with its currency, absent when both are empty.
    Money,
    /// Open to all officers or restricted to the share list.
    Access,
    /// One of a fixed list of values.
    Choice(&'static [&'static str]),
    /// Some of the product's images, by id.
    Images,
}

impl Input {
    /// Whether the field holds text in one language per page.
    pub fn is_localized(self) -> bool {
        matches!(self, Input::Localized | Input::LocalizedLong)
    }
}

pub struct Field {
    /// Dot-separated path of the value within the form's JSON object.
    pub key: &'static str,
    pub label: &'static str,
    pub hint: &'static str,
    pub input: Input,
}

/// Repeated items (features, contacts, importers...) stored as a JSON array.
pub struct Group {
    pub key: &'static str,
    pub label: &'static str,
    /// What one item is called ("feature", "contact").
    pub item: &'static str,
    pub fields: &'static [Field],
}

/// One editable part of the record: the basics, or one section.
pub struct FormSpec {
    /// `basics`, or the section's key in `Sections` (`features`, `ip_rights`...).
    pub id: &'static str,
    pub title: &'static str,
    pub intro: &'static str,
    pub fields: &'static [Field],
    pub groups: &'static [Group],
}

const fn field(key: &'static str, label: &'static str, hint: &'static str, input: Input) -> Field {
    Field {
        key,
        label,
        hint,
        input,
    }
}

const ACCESS: Field = field(
    "access",
    "Who may read this section",
    "Restricted sections are shown only to the customs administrations on your share list.",
    Input::Access,
);

const COUNTRY_HINT: &str = "Two-letter country codes, e.g. FR, DE, CN.";

const PARTY: &[Field] = &[
    field("name", "Name", "", Input::Text),
    field("country", "Country", "Two-letter code.", Input::Text),
    field("address", "Address", "", Input::Text),
    field("notes", "Notes", "", Input::Text),
];

pub const BASICS: FormSpec = FormSpec {
    id: "basics",
    title: "Identity and codes",
    intro: "What the product is and the codes printed on it.",
    fields: &[
        field(
            "reference",
            "Your reference",
            "Your own unique reference for this product; imports use it to find the product again.",
            Input::Text,
        ),
        field("brand", "Brand", "", Input::Text),
        field("name", "Product name", "", Input::Text),
        field(
            "category",
            "Category",
            "e.g. Watches, Spare parts, Medicines.",
            Input::Text,
        ),
        field(
            "hs_code",
            "HS code",
            "4 to 10 digits, e.g. 8517.13.",
            Input::OptionalText,
        ),
        field(
            "identity.model_numbers",
            "Model or reference numbers",
            "One per line, as printed on the goods.",
            Input::Lines,
        ),
        field(
            "codes.gtins",
            "GTINs (barcodes)",
            "One per line: GTIN-8, UPC-A, EAN-13 or GTIN-14.",
            Input::Lines,
        ),
        field("codes.skus", "SKUs", "One per line.", Input::Lines),
        field(
            "codes.serial_formats",
            "Serial number formats",
            "How genuine serial numbers look, one format per line.",
            Input::Lines,
        ),
        field(
            "codes.lot_formats",
            "Lot number formats",
            "One format per line.",
            Input::Lines,
        ),
        field(
            "identity.target_markets",
            "Target markets",
            COUNTRY_HINT,
            Input::Codes,
        ),
        field(
            "identity.net_content",
            "Net content",
            "e.g. 350 g, 50 ml.",
            Input::Text,
        ),
        field(
            "identity.dimensions",
            "Dimensions",
            "e.g. 12 x 8 x 5 cm.",
            Input::Text,
        ),
        field(
            "identity.links",
            "Official product pages",
            "One address per line.",
            Input::Lines,
        ),
        field(
            "last_reviewed_on",
            "Last reviewed on",
            "Records not reviewed for a year are flagged as stale.",
            Input::Date,
        ),
    ],
    groups: &[],
};

pub const SECTIONS: &[FormSpec] = &[
    FormSpec {
        id: "description",
        title: "Description",
        intro: "What the product is, in the words an officer needs.",
        fields: &[
            ACCESS,
            field("text", "Description", "", Input::LocalizedLong),
        ],
        groups: &[],
    },
    FormSpec {
        id: "features",
        title: "Distinguishing features",
        intro: "Each way to tell genuine from fake, with photos of both.",
        fields: &[ACCESS],
        groups: &[Group {
            key: "items",
            label: "Features",
            item: "feature",
            fields: &[
                field(
                    "title",
                    "Title",
                    "e.g. Stitching on the strap.",
                    Input::Localized,
                ),
                field("genuine", "On genuine goods", "", Input::LocalizedLong),
                field("counterfeit", "On counterfeits", "", Input::LocalizedLong),
                field(
                    "image_ids",
                    "Photos",
                    "Images of this product that show the feature.",
                    Input::Images,
                ),
            ],
        }],
    },
    FormSpec {
        id: "security",
        title: "Security features",
        intro: "Labels, hangtags, holograms, inks and tags.",
        fields: &[ACCESS],
        groups: &[Group {
            key: "items",
            label: "Security features",
            item: "security feature",
            fields: &[
                field(
                    "kind",
                    "Kind",
                    "",
                    Input::Choice(&["label", "hangtag", "hologram", "ink", "tag", "other"]),
                ),
                field("description", "Description", "", Input::LocalizedLong),
                field("location", "Where to find it", "", Input::Localized),
            ],
        }],
    },
    FormSpec {
        id: "packaging",
        title: "Packaging",
        intro: "Each packaging level, from the unit to the pallet.",
        fields: &[ACCESS],
        groups: &[Group {
            key: "levels",
            label: "Packaging levels",
            item: "level",
            fields: &[
                field(
                    "level",
                    "Level",
                    "",
                    Input::Choice(&["unit", "inner", "carton", "pallet"]),
                ),
                field("description", "Description", "", Input::LocalizedLong),
                field(
                    "quantity",
                    "Quantity",
                    "How many of the level below it holds.",
                    Input::Count,
                ),
                field(
                    "markings",
                    "Markings",
                    "Labels and codes printed at this level.",
                    Input::LocalizedLong,
                ),
            ],
        }],
    },
    FormSpec {
        id: "logistics",
        title: "Genuine logistics",
        intro: "Who makes and moves the genuine goods, and where they are sold.",
        fields: &[
            ACCESS,
            field("routes", "Usual routes", "", Input::LocalizedLong),
            field("ports", "Usual ports", "One per line.", Input::Lines),
            field(
                "transport_modes",
                "Transport modes",
                "sea, air, road, rail, post or courier.",
                Input::Codes,
            ),
            field("sold_in", "Sold in", COUNTRY_HINT, Input::Codes),
            field("never_sold_in", "Never sold in", COUNTRY_HINT, Input::Codes),
            field("declared_value", "Typical declared value", "", Input::Money),
            field("retail_price", "Retail price", "", Input::Money),
        ],
        groups: &[
            Group {
                key: "production_sites",
                label: "Production sites",
                item: "site",
                fields: PARTY,
            },
            Group {
                key: "importers",
                label: "Authorised importers",
                item: "importer",
                fields: PARTY,
            },
            Group {
                key: "exporters",
                label: "Exporters",
                item: "exporter",
                fields: PARTY,
            },
            Group {
                key: "distributors",
                label: "Distributors",
                item: "distributor",
                fields: PARTY,
            },
            Group {
                key: "licensees",
                label: "Licensees",
                item: "licensee",
                fields: PARTY,
            },
        ],
    },
    FormSpec {
        id: "risk",
        title: "Risk intelligence",
        intro: "What is known about the counterfeits.",
        fields: &[
            ACCESS,
            field(
                "counterfeit_origins",
                "Known counterfeit origins",
                COUNTRY_HINT,
                Input::Codes,
            ),
            field("routes", "Counterfeit routes", "", Input::LocalizedLong),
            field(
                "concealment",
                "Concealment methods",
                "",
                Input::LocalizedLong,
            ),
            field("past_cases", "Past cases", "", Input::LocalizedLong),
        ],
        groups: &[],
    },
    FormSpec {
        id: "ip_rights",
        title: "IP rights",
        intro: "Trademarks, designs and patents, and customs recordations.",
        fields: &[ACCESS],
        groups: &[Group {
            key: "items",
            label: "Rights",
            item: "right",
            fields: &[
                field(
                    "kind",
                    "Kind",
                    "",
                    Input::Choice(&["trademark", "design", "patent"]),
                ),
                field("office", "Office", "e.g. EUIPO, USPTO, WIPO.", Input::Text),
                field(
                    "registration_number",
                    "Registration number",
                    "",
                    Input::Text,
                ),
                field("classes", "Classes", "e.g. 9, 14, 25.", Input::Codes),
                field("expires_on", "Expires on", "", Input::Date),
                field(
                    "recordation_number",
                    "Customs recordation number",
                    "The application for action, if any.",
                    Input::Text,
                ),
            ],
        }],
    },
    FormSpec {
        id: "contacts",
        title: "Contacts",
        intro: "The experts who can judge goods from photos.",
        fields: &[ACCESS],
        groups: &[Group {
            key: "items",
            label: "Experts",
            item: "contact",
            fields: &[
                field("name", "Name", "", Input::Text),
                field("role", "Role", "", Input::Text),
                field("languages", "Languages", "e.g. en, fr.", Input::Codes),
                field(
                    "phone",
                    "Phone",
                    "International format, e.g. +33 1 23 45 67 89.",
                    Input::Text,
                ),
                field("email", "E-mail", "", Input::Text),
                field("countries", "Countries covered", COUNTRY_HINT, Input::Codes),
                field(
                    "hours",
                    "Hours",
                    "e.g. Mon-Fri 8:00-18:00 CET.",
                    Input::Text,
                ),
                field(
                    "emergency",
                    "Emergency contact",
                    "Reachable outside office hours.",
                    Input::Checkbox,
                ),
            ],
        }],
    },
];

/// The form for `id` (`basics` or a section key).
pub fn spec(id: &str) -> Option<&'static FormSpec> {
    if id == BASICS.id {
        return Some(&BASICS);
    }
    SECTIONS.iter().find(|s| s.id == id)
}
