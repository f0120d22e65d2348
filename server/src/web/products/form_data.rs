//! Between a [`FormSpec`] and the record's JSON: the values a form shows, and the JSON
//! a submitted form makes. Localized fields show and change only the language being
//! edited; the other languages of the same text are kept as they were.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde_json::{Map, Value};

use super::fields::{Field, FormSpec, Group, Input};

/// At most this many items of one group are read from a form.
const MAX_ITEMS: usize = 200;

/// An image the "photos" checkboxes of a feature may name.
pub struct ImageOption {
    pub id: i64,
    pub label: String,
    pub thumb_url: String,
}

pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
    pub thumb_url: String,
}

/// One input as the template draws it.
pub struct FieldView {
    pub name: String,
    pub label: &'static str,
    pub hint: &'static str,
    /// text, textarea, lines, checkbox, number, date, money, select, images
    pub kind: &'static str,
    pub value: String,
    pub currency: String,
    pub checked: bool,
    pub choices: Vec<Choice>,
}

pub struct ItemView {
    pub index: usize,
    pub is_new: bool,
    pub fields: Vec<FieldView>,
}

pub struct GroupView {
    pub key: &'static str,
    pub label: &'static str,
    pub item: &'static str,
    pub items: Vec<ItemView>,
}

pub struct FormView {
    pub fields: Vec<FieldView>,
    pub groups: Vec<GroupView>,
    /// Languages the localized text of this form is given in.
    pub languages: BTreeSet<String>,
}

fn at<'v>(value: &'v Value, path: &str) -> &'v Value {
    path.split('.')
        .try_fold(value, |v, key| v.get(key))
        .unwrap_or(&Value::Null)
}

fn set_at(target: &mut Value, path: &str, new: Value) {
    let mut keys = path.split('.').peekable();
    let mut node = target;
    while let Some(key) = keys.next() {
        if !node.is_object() {
            *node = Value::Object(Map::new());
        }
        let Value::Object(map) = node else { return };
        if keys.peek().is_none() {
            map.insert(key.to_string(), new);
            return;
        }
        node = map.entry(key.to_string()).or_insert(Value::Null);
    }
}

fn text_of(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => String::new(),
    }
}

fn list_of(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| items.iter().map(text_of).collect())
        .unwrap_or_default()
}

fn choices(options: &[&str], current: &str) -> Vec<Choice> {
    options
        .iter()
        .map(|o| Choice {
            value: o.to_string(),
            label: o.replace('_', " "),
            selected: *o == current,
            thumb_url: String::new(),
        })
        .collect()
}

struct Renderer<'a> {
    lang: &'a str,
    images: &'a [ImageOption],
    languages: BTreeSet<String>,
}

impl Renderer<'_> {
    fn field(&mut self, field: &Field, name: String, value: &Value) -> FieldView {
        let mut view = FieldView {
            name,
            label: field.label,
            hint: field.hint,
            kind: "text",
            value: String::new(),
            currency: String::new(),
            checked: false,
            choices: Vec::new(),
        };
        match field.input {
            Input::Text | Input::OptionalText => view.value = text_of(value),
            Input::Localized | Input::LocalizedLong => {
                if let Some(texts) = value.as_object() {
                    self.languages.extend(texts.keys().cloned());
                }
                view.value = text_of(at(value, self.lang));
                if field.input == Input::LocalizedLong {
                    view.kind = "textarea";
                }
            }
            Input::Lines => {
                view.kind = "lines";
                view.value = list_of(value).join("\n");
            }
            Input::Codes => view.value = list_of(value).join(", "),
            Input::Checkbox => {
                view.kind = "checkbox";
                view.checked = value.as_bool().unwrap_or(false);
            }
            Input::Count => {
                view.kind = "number";
                view.value = text_of(value);
            }
            Input::Date => {
                view.kind = "date";
                view.value = text_of(value);
            }
            Input::Money => {
                view.kind = "money";
                view.value = text_of(at(value, "amount"));
                view.currency = text_of(at(value, "currency"));
            }
            Input::Access => {
                view.kind = "select";
                let current = value.as_str().unwrap_or("open");
                view.choices = choices(&["open", "restricted"], current);
            }
            Input::Choice(options) => {
                view.kind = "select";
                view.choices = choices(options, value.as_str().unwrap_or_default());
            }
            Input::Images => {
                view.kind = "images";
                let chosen: Vec<i64> = value
                    .as_array()
                    .map(|ids| ids.iter().filter_map(Value::as_i64).collect())
                    .unwrap_or_default();
                view.choices = self
                    .images
                    .iter()
                    .map(|image| Choice {
                        value: image.id.to_string(),
                        label: image.label.clone(),
                        selected: chosen.contains(&image.id),
                        thumb_url: image.thumb_url.clone(),
                    })
                    .collect();
            }
        }
        view
    }

    fn group(&mut self, group: &Group, value: &Value) -> GroupView {
        let existing = value.as_array().map(Vec::as_slice).unwrap_or_default();
        let blank = Value::Object(Map::new());
        // One empty item more than there is, so the form can always add one.
        let items = existing
            .iter()
            .chain(std::iter::once(&blank))
            .enumerate()
            .map(|(index, item)| ItemView {
                index,
                is_new: index == existing.len(),
                fields: group
                    .fields
                    .iter()
                    .map(|f| {
                        let name = format!("{}.{index}.{}", group.key, f.key);
                        self.field(f, name, at(item, f.key))
                    })
                    .collect(),
            })
            .collect();
        GroupView {
            key: group.key,
            label: group.label,
            item: group.item,
            items,
        }
    }
}

/// What the form shows for `value` (the part of the record the form edits).
pub fn render(spec: &FormSpec, value: &Value, lang: &str, images: &[ImageOption]) -> FormView {
    let mut renderer = Renderer {
        lang,
        images,
        languages: BTreeSet::new(),
    };
    let fields = spec
        .fields
        .iter()
        .map(|f| renderer.field(f, f.key.to_string(), at(value, f.key)))
        .collect();
    let groups = spec
        .groups
        .iter()
        .map(|g| renderer.group(g, at(value, g.key)))
        .collect();
    FormView {
        fields,
        groups,
        languages: renderer.languages,
    }
}

/// The submitted fields of a form, by name.
pub type Submitted = BTreeMap<String, String>;

fn submitted<'f>(form: &'f Submitted, name: &str) -> &'f str {
    form.get(name).map(|v| v.trim()).unwrap_or_default()
}

fn split_codes(text: &str) -> Value {
    Value::Array(
        text.split(|c: char| c == ',' || c == ';' || c.is_whitespace())
            .filter(|v| !v.is_empty())
            .map(|v| Value::String(v.to_string()))
            .collect(),
    )
}

/// The JSON value of one submitted field; `old` is its current value, whose other
/// languages a localized field keeps.
fn read_field(
    field: &Field,
    form: &Submitted,
    name: &str,
    old: &Value,
    lang: &str,
) -> Result<Value, String> {
    let text = submitted(form, name);
    let problem = |what: &str| format!("{}: {text:?} is not {what}.", field.label);
    Ok(match field.input {
        Input::Text => Value::String(text.to_string()),
        Input::OptionalText if text.is_empty() => Value::Null,
        Input::OptionalText => Value::String(text.to_string()),
        Input::Localized | Input::LocalizedLong => {
            let mut texts = old.as_object().cloned().unwrap_or_default();
            if text.is_empty() {
                texts.remove(lang);
            } else {
                // Line ends as typed, without the carriage returns browsers send.
                texts.insert(lang.to_string(), Value::String(text.replace("\r\n", "\n")));
            }
            Value::Object(texts)
        }
        Input::Lines => Value::Array(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| Value::String(l.to_string()))
                .collect(),
        ),
        Input::Codes => split_codes(text),
        Input::Checkbox => Value::Bool(!text.is_empty()),
        Input::Count if text.is_empty() => Value::Null,
        Input::Count => Value::from(text.parse::<u32>().map_err(|_| problem("a whole number"))?),
        Input::Date if text.is_empty() => Value::Null,
        Input::Date => {
            NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| problem("a date"))?;
            Value::String(text.to_string())
        }
        Input::Money => {
            let amount = submitted(form, &format!("{name}.amount"));
            let currency = submitted(form, &format!("{name}.currency")).to_uppercase();
            if amount.is_empty() && currency.is_empty() {
                Value::Null
            } else {
                serde_json::json!({"amount": amount, "currency": currency})
            }
        }
        Input::Access => Value::String(
            if text == "restricted" {
                "restricted"
            } else {
                "open"
            }
            .to_string(),
        ),
        Input::Choice(options) => {
            if !options.contains(&text) {
                return Err(format!(
                    "{}: choose one of {}.",
                    field.label,
                    options.join(", ")
                ));
            }
            Value::String(text.to_string())
        }
        Input::Images => {
            let prefix = format!("{name}.");
            Value::Array(
                form.keys()
                    .filter_map(|k| k.strip_prefix(&prefix))
                    .filter_map(|id| id.parse::<i64>().ok())
                    .map(Value::from)
                    .collect(),
            )
        }
    })
}

fn is_blank(value: &Value) -> bool {
    match value {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.values().all(is_blank),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

/// Fields that always have a value (selects, checkboxes) do not make an item worth keeping.
fn carries_content(field: &Field) -> bool {
    !matches!(
        field.input,
        Input::Access | Input::Choice(_) | Input::Checkbox
    )
}

/// Items of a group in the order the form numbered them; items left empty, or marked
/// for removal, are dropped.
fn read_group(group: &Group, form: &Submitted, old: &Value, lang: &str) -> Result<Value, String> {
    let prefix = format!("{}.", group.key);
    let indices: BTreeSet<usize> = form
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix))
        .filter_map(|rest| rest.split('.').next())
        .filter_map(|i| i.parse().ok())
        .collect();
    if indices.len() > MAX_ITEMS {
        return Err(format!(
            "{}: at most {MAX_ITEMS} items can be saved at once.",
            group.label
        ));
    }
    let mut items = Vec::new();
    for index in indices {
        if form.contains_key(&format!("{}.{index}._remove", group.key)) {
            continue;
        }
        let mut item = old
            .get(index)
            .cloned()
            .unwrap_or_else(|| Value::Object(Map::new()));
        for field in group.fields {
            let name = format!("{}.{index}.{}", group.key, field.key);
            let value = read_field(field, form, &name, at(&item, field.key), lang)?;
            set_at(&mut item, field.key, value);
        }
        let empty = group
            .fields
            .iter()
            .filter(|f| carries_content(f))
            .all(|f| is_blank(at(&item, f.key)));
        if !empty {
            items.push(item);
        }
    }
    Ok(Value::Array(items))
}

/// `current` (the part of the record the form edits) with the submitted form applied.
pub fn apply(
    spec: &FormSpec,
    current: &Value,
    form: &Submitted,
    lang: &str,
) -> Result<Value, String> {
    let mut value = if current.is_object() {
        current.clone()
    } else {
        Value::Object(Map::new())
    };
    for field in spec.fields {
        let new = read_field(field, form, field.key, at(current, field.key), lang)?;
        set_at(&mut value, field.key, new);
    }
    for group in spec.groups {
        let new = read_group(group, form, at(current, group.key), lang)?;
        set_at(&mut value, group.key, new);
    }
    Ok(value)
}

/// Whether a section holds nothing but its access level, so it can be left out.
pub fn is_empty_section(spec: &FormSpec, value: &Value) -> bool {
    spec.fields
        .iter()
        .filter(|f| carries_content(f))
        .all(|f| is_blank(at(value, f.key)))
        && spec.groups.iter().all(|g| is_blank(at(value, g.key)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::web::products::fields::{spec, BASICS};

    fn form(pairs: &[(&str, &str)]) -> Submitted {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn localized_text_changes_only_the_edited_language() {
        let features = spec("features").unwrap();
        let current = serde_json::json!({"access": "open", "items": [
            {"title": {"en": "Stitching", "fr": "Couture"}, "genuine": {}, "counterfeit": {}, "image_ids": []}
        ]});
        let submitted = form(&[
            ("access", "restricted"),
            ("items.0.title", "Coutures"),
            ("items.1.title", ""),
        ]);
        let value = apply(features, &current, &submitted, "fr").unwrap();
        assert_eq!(value["access"], "restricted");
        assert_eq!(
            value["items"].as_array().unwrap().len(),
            1,
            "blank item dropped"
        );
        assert_eq!(value["items"][0]["title"]["en"], "Stitching");
        assert_eq!(value["items"][0]["title"]["fr"], "Coutures");
    }

    #[test]
    fn items_marked_for_removal_go_and_bad_numbers_are_refused() {
        let packaging = spec("packaging").unwrap();
        let current = serde_json::json!({"levels": [{"level": "unit", "quantity": 1}]});
        let removed = apply(
            packaging,
            &current,
            &form(&[("levels.0.level", "unit"), ("levels.0._remove", "on")]),
            "en",
        )
        .unwrap();
        assert!(is_empty_section(packaging, &removed));
        let error = apply(
            packaging,
            &current,
            &form(&[("levels.0.level", "unit"), ("levels.0.quantity", "many")]),
            "en",
        )
        .unwrap_err();
        assert!(error.contains("Quantity"), "{error}");
    }

    #[test]
    fn nested_keys_and_lists_round_trip() {
        let current = serde_json::json!({"reference": "A1", "identity": {"net_content": "1 l"}});
        let value = apply(
            &BASICS,
            &current,
            &form(&[
                ("reference", "A1"),
                ("identity.target_markets", "FR, de;ES"),
                ("codes.gtins", "4006381333931\r\n\r\n 96385074 "),
                ("hs_code", ""),
            ]),
            "en",
        )
        .unwrap();
        assert_eq!(
            value["identity"]["target_markets"],
            serde_json::json!(["FR", "de", "ES"])
        );
        assert_eq!(
            value["codes"]["gtins"],
            serde_json::json!(["4006381333931", "96385074"])
        );
        assert_eq!(value["hs_code"], Value::Null);
        let view = render(&BASICS, &value, "en", &[]);
        let gtins = view
            .fields
            .iter()
            .find(|f| f.name == "codes.gtins")
            .unwrap();
        assert_eq!(gtins.value, "4006381333931\n96385074");
    }
}
