//! DRF's error shape: a field's messages as a list, a nested serializer's as an object, a
//! list's by index (`{"1": [...]}`, for a `ListField` and, with DRF 3.18's default
//! `LIST_SERIALIZER_ERRORS_AS_DICT`, for a list of nested serializers alike), and an object's
//! own errors under `non_field_errors`.

use std::collections::HashMap;

use serde_json::{Map, Value};

use crate::pycompat::json_decode::PathSeg;

/// DRF's `NON_FIELD_ERRORS_KEY`.
pub(crate) const NON_FIELD_ERRORS: &str = "non_field_errors";

/// Validation errors by path, rendered in DRF's nesting.
#[derive(Debug, Default)]
pub(crate) struct FieldErrors {
    entries: Vec<(Vec<PathSeg>, String)>,
    /// The declared field order of the object at a path.
    orders: HashMap<Vec<PathSeg>, &'static [&'static str]>,
}

#[derive(Debug)]
enum Node {
    Leaf(Vec<String>),
    Branch(Vec<(PathSeg, Node)>),
}

impl FieldErrors {
    /// Adds `message` to the list at `path`.
    pub(crate) fn add(&mut self, path: &[PathSeg], message: impl Into<String>) {
        self.entries.push((path.to_vec(), message.into()));
    }

    /// Adds `message` under `non_field_errors` of the object at `path`.
    pub(crate) fn add_non_field(&mut self, path: &[PathSeg], message: impl Into<String>) {
        let mut p = path.to_vec();
        p.push(PathSeg::Key(NON_FIELD_ERRORS.to_owned()));
        self.entries.push((p, message.into()));
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The object at `path` declares these fields, in this order.
    pub(crate) fn order(&mut self, path: &[PathSeg], fields: &'static [&'static str]) {
        self.orders.entry(path.to_vec()).or_insert(fields);
    }

    /// The errors as DRF renders them (`{}` when there are none).
    pub(crate) fn render(&self) -> Value {
        let mut root = Node::Branch(Vec::new());
        for (path, message) in &self.entries {
            insert(&mut root, path, message);
        }
        let mut path = Vec::new();
        self.render_node(&root, &mut path)
    }

    fn render_node(&self, node: &Node, path: &mut Vec<PathSeg>) -> Value {
        let children = match node {
            Node::Leaf(messages) => {
                return Value::Array(messages.iter().cloned().map(Value::String).collect());
            }
            Node::Branch(children) => children,
        };
        let mut ordered: Vec<&(PathSeg, Node)> = children.iter().collect();
        if let Some(order) = self.orders.get(path.as_slice()) {
            let rank = |seg: &PathSeg| match seg {
                PathSeg::Key(k) => order.iter().position(|f| f == k).unwrap_or(order.len()),
                PathSeg::Index(_) => order.len(),
            };
            ordered.sort_by_key(|(seg, _)| rank(seg));
        }
        let mut map = Map::new();
        for (seg, child) in ordered {
            let key = match seg {
                PathSeg::Key(k) => k.clone(),
                PathSeg::Index(i) => i.to_string(),
            };
            path.push(seg.clone());
            let rendered = self.render_node(child, path);
            path.pop();
            map.insert(key, rendered);
        }
        Value::Object(map)
    }
}

/// Files `message` at `path`; a path below an existing list of messages (or a list where
/// deeper errors are) keeps what came first, as DRF reports one shape per field.
fn insert(node: &mut Node, path: &[PathSeg], message: &str) {
    let Some((first, rest)) = path.split_first() else {
        if let Node::Leaf(messages) = node {
            messages.push(message.to_owned());
        }
        return;
    };
    let Node::Branch(children) = node else {
        return;
    };
    let index = match children.iter().position(|(seg, _)| seg == first) {
        Some(i) => i,
        None => {
            let fresh = if rest.is_empty() {
                Node::Leaf(Vec::new())
            } else {
                Node::Branch(Vec::new())
            };
            children.push((first.clone(), fresh));
            children.len() - 1
        }
    };
    insert(&mut children[index].1, rest, message);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(k: &str) -> PathSeg {
        PathSeg::Key(k.to_owned())
    }

    #[test]
    fn shapes_are_drfs() {
        let mut e = FieldErrors::default();
        e.order(&[], &["title", "tags", "items", "author"]);
        e.add(
            &[key("items"), PathSeg::Index(1), key("name")],
            "This field is required.",
        );
        e.add(&[key("tags"), PathSeg::Index(2)], "Not a valid string.");
        e.add(&[key("title")], "This field may not be blank.");
        e.add(&[key("title")], "second");
        e.add_non_field(
            &[key("author")],
            "Invalid data. Expected a dictionary, but got str.",
        );
        assert_eq!(
            e.render(),
            json!({
                "title": ["This field may not be blank.", "second"],
                "tags": {"2": ["Not a valid string."]},
                "items": {"1": {"name": ["This field is required."]}},
                "author": {"non_field_errors": ["Invalid data. Expected a dictionary, but got str."]},
            })
        );
        assert_eq!(FieldErrors::default().render(), json!({}));
    }
}
