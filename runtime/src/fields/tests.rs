//! The typed-body rules against DRF: every expected answer below was printed by DRF 3.18.3's
//! serializers for the equivalent declaration (see `Body`).

use std::collections::HashMap;

use serde::Deserialize;
use serde_json::{Value, json};

use super::from_body;
use crate::parsers::ParsedBody;
use crate::pycompat::json_decode;

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Author {
    name: String,
}

#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Item {
    name: String,
    qty: u8,
}

#[derive(Debug, Deserialize, PartialEq)]
enum Kind {
    Note,
    Task,
}

/// DRF: `title = CharField()`, `count = IntegerField(min_value=-2**31, max_value=2**31-1)`,
/// `ratio = FloatField(required=False, allow_null=True)`, `done = BooleanField()`,
/// `tags = ListField(child=CharField())`, `author = Author()`, `items = Item(many=True)`,
/// `kind = ChoiceField(choices=["Note", "Task"])`, `extra = DictField(child=IntegerField())`.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Body {
    title: String,
    count: i32,
    ratio: Option<f64>,
    done: bool,
    tags: Vec<String>,
    author: Author,
    items: Vec<Item>,
    kind: Kind,
    extra: HashMap<String, i64>,
}

fn json_body(text: &str) -> ParsedBody {
    let doc = json_decode::parse(text).expect("valid JSON");
    ParsedBody {
        data: doc.value,
        exotic: doc.exotic,
        ..ParsedBody::default()
    }
}

fn errors<T: serde::de::DeserializeOwned + std::fmt::Debug>(body: &ParsedBody) -> Value {
    match from_body::<T>(body) {
        Ok((v, _)) => panic!("accepted: {v:?}"),
        Err(e) => e.render(),
    }
}

#[test]
fn errors_are_drfs() {
    let cases: &[(&str, &str)] = &[
        (
            r##"{}"##,
            r##"{"title": ["This field is required."], "count": ["This field is required."], "done": ["This field is required."], "tags": ["This field is required."], "author": ["This field is required."], "items": ["This field is required."], "kind": ["This field is required."], "extra": ["This field is required."]}"##,
        ),
        (
            r##"{"title": true, "count": "12.5", "ratio": "x", "done": "maybe", "tags": "a", "author": "bob", "items": [{"name": "a", "qty": 300}, {"qty": -1}, {"name": "ok", "qty": 1}], "kind": "Other", "extra": []}"##,
            r##"{"title": ["Not a valid string."], "count": ["A valid integer is required."], "ratio": ["A valid number is required."], "done": ["Must be a valid boolean."], "tags": ["Expected a list of items but got type \"str\"."], "author": {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}, "items": {"0": {"qty": ["Ensure this value is less than or equal to 255."]}, "1": {"name": ["This field is required."], "qty": ["Ensure this value is greater than or equal to 0."]}}, "kind": ["\"Other\" is not a valid choice."], "extra": ["Expected a dictionary of items but got type \"list\"."]}"##,
        ),
        (
            r##"{"title": null, "count": null, "ratio": null, "done": null, "tags": null, "author": null, "items": null, "kind": null, "extra": null}"##,
            r##"{"title": ["This field may not be null."], "count": ["This field may not be null."], "done": ["This field may not be null."], "tags": ["This field may not be null."], "author": ["This field may not be null."], "items": ["This field may not be null."], "kind": ["This field may not be null."], "extra": ["This field may not be null."]}"##,
        ),
        (
            r##"{"title": " ", "count": 1e20, "done": 2, "tags": ["a", 5, null, [1], ""], "author": {}, "items": "x", "kind": 1, "extra": {"a": "x", "b": 1.5}}"##,
            r##"{"title": ["This field may not be blank."], "count": ["A valid integer is required."], "done": ["Must be a valid boolean."], "tags": {"2": ["This field may not be null."], "3": ["Not a valid string."], "4": ["This field may not be blank."]}, "author": {"name": ["This field is required."]}, "items": {"non_field_errors": ["Expected a list of items but got type \"str\"."]}, "kind": ["\"1\" is not a valid choice."], "extra": {"a": ["A valid integer is required."], "b": ["A valid integer is required."]}}"##,
        ),
        (
            r##"{"title": "a\u0000b\ud800", "count": 99999999999, "done": 1.0, "tags": {}, "author": [], "items": [1], "kind": ["Note"], "extra": {"k": null}}"##,
            r##"{"title": ["Null characters are not allowed.", "Surrogate characters are not allowed: U+D800."], "count": ["Ensure this value is less than or equal to 2147483647."], "tags": ["Expected a list of items but got type \"dict\"."], "author": {"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}, "items": {"0": {"non_field_errors": ["Invalid data. Expected a dictionary, but got int."]}}, "kind": ["\"['Note']\" is not a valid choice."], "extra": {"k": ["This field may not be null."]}}"##,
        ),
        (
            r##"[]"##,
            r##"{"non_field_errors": ["Invalid data. Expected a dictionary, but got list."]}"##,
        ),
        (
            r##""str""##,
            r##"{"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]}"##,
        ),
        (
            r##"null"##,
            r##"{"non_field_errors": ["No data provided"]}"##,
        ),
        (
            r##"5"##,
            r##"{"non_field_errors": ["Invalid data. Expected a dictionary, but got int."]}"##,
        ),
    ];
    for (input, expected) in cases {
        let expected: Value = serde_json::from_str(expected).unwrap();
        assert_eq!(errors::<Body>(&json_body(input)), expected, "{input}");
    }
}

#[test]
fn coercions_are_drfs() {
    let (b, _) = from_body::<Body>(&json_body(
        r#"{"title": " hi ", "count": "12.0", "ratio": null, "done": "yes", "tags": ["a", 5], "author": {"name": "x"}, "items": [{"name": "a", "qty": 3.0}], "kind": "Task", "extra": {"a": "7"}}"#,
    ))
    .unwrap();
    assert_eq!(
        (b.title.as_str(), b.count, b.ratio, b.done),
        ("hi", 12, None, true)
    );
    assert_eq!(b.tags, ["a", "5"]);
    assert_eq!((b.items[0].qty, &b.kind, b.extra["a"]), (3, &Kind::Task, 7));
    let (b, _) = from_body::<Body>(&json_body(
        r#"{"title": 1e999, "count": "  -5 ", "done": "FALSE", "tags": [], "author": {"name": 1.5}, "items": [], "kind": "Note", "extra": {}, "ratio": true}"#,
    ))
    .unwrap();
    assert_eq!(
        (b.title.as_str(), b.count, b.ratio, b.done),
        ("inf", -5, Some(1.0), false)
    );
    assert_eq!(b.author.name, "1.5");
}

#[test]
fn defaults_optional_and_unknown_members() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Note {
        title: String,
        #[serde(default)]
        body: String,
        due: Option<u32>,
    }
    let (n, _) = from_body::<Note>(&json_body(r#"{"title": "t", "other": [1]}"#)).unwrap();
    assert_eq!((n.body.as_str(), n.due), ("", None));
    assert_eq!(
        errors::<Note>(&json_body(r#"{"body": 5, "due": "x"}"#)),
        json!({"title": ["This field is required."], "due": ["A valid integer is required."]})
    );
}

#[test]
fn form_bodies_read_as_drf_reads_a_querydict() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Form {
        name: String,
        agree: bool,
        tags: Vec<String>,
        note: Option<String>,
    }
    let fields = |pairs: &[(&str, &str)]| {
        let pairs = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        crate::parsers::tests_support::form(pairs)
    };
    let (f, _) = from_body::<Form>(&fields(&[
        ("name", "a"),
        ("tags", "x"),
        ("tags", "y"),
        ("note", ""),
    ]))
    .unwrap();
    assert!(!f.agree, "a missing checkbox is false");
    assert_eq!(f.tags, ["x", "y"]);
    assert_eq!(f.note, None);
    assert_eq!(
        errors::<Form>(&fields(&[("agree", "maybe")])),
        json!({"name": ["This field is required."], "agree": ["Must be a valid boolean."], "tags": ["This field is required."]})
    );
}

#[test]
fn untrimmed_keeps_white_space() {
    #[derive(Debug, Deserialize)]
    struct Login {
        password: super::Untrimmed,
    }
    let (l, _) = from_body::<Login>(&json_body(r#"{"password": "  "}"#)).unwrap();
    assert_eq!(l.password.0, "  ");
    assert_eq!(
        errors::<Login>(&json_body(r#"{"password": ""}"#)),
        json!({"password": ["This field may not be blank."]})
    );
}

#[test]
fn lists_of_objects_and_hostile_shapes() {
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Many {
        items: Vec<Item>,
    }
    // A thousand items each missing both fields: one extra pass per declared field, not per
    // item.
    let items: Vec<Value> = (0..1000).map(|_| json!({})).collect();
    let e = errors::<Many>(&json_body(&json!({"items": items}).to_string()));
    assert_eq!(e["items"].as_object().unwrap().len(), 1000);
    assert_eq!(
        e["items"]["999"],
        json!({"name": ["This field is required."], "qty": ["This field is required."]})
    );
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Pair(u8, String);
    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Tuple {
        pair: Pair,
        id: uuid_like::Id,
    }
    let e = errors::<Tuple>(&json_body(r#"{"pair": "x", "id": "nope"}"#));
    assert_eq!(
        e["pair"],
        json!(["Expected a list of items but got type \"str\"."])
    );
    assert_eq!(e["id"], json!(["not an id"]), "{e}");
}

/// A type that parses its own text, as a UUID or a date does.
mod uuid_like {
    #[derive(Debug)]
    pub struct Id;
    impl<'de> serde::Deserialize<'de> for Id {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            let s = <&str>::deserialize(d)?;
            if s == "ok" {
                Ok(Id)
            } else {
                Err(serde::de::Error::custom("not an id"))
            }
        }
    }
}
