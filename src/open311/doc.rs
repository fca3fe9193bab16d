//! Open311 answers as one document tree, written as JSON or as XML. GeoReport v2 gives every
//! answer in both formats with the same fields: a JSON array is, in XML, a wrapper element
//! holding one element per item (`<services><service>…</service></services>`), a JSON object is
//! an element with one child per field, and `null` is an empty element.

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use serde_json::{Map, Value};

/// One value of an answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Doc {
    Null,
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// A JSON array; in XML, one `<item>` element per entry.
    List {
        item: &'static str,
        items: Vec<Doc>,
    },
    /// A JSON object; in XML, one child element per field, in this order.
    Record(Vec<(&'static str, Doc)>),
}

impl Doc {
    pub fn text(text: impl Into<String>) -> Doc {
        Doc::Text(text.into())
    }

    /// The text, or `null` when there is none.
    pub fn opt_text(text: Option<impl Into<String>>) -> Doc {
        text.map_or(Doc::Null, |t| Doc::Text(t.into()))
    }

    pub fn opt_float(value: Option<f64>) -> Doc {
        match value {
            Some(v) if v.is_finite() => Doc::Float(v),
            _ => Doc::Null,
        }
    }

    pub fn list(item: &'static str, items: Vec<Doc>) -> Doc {
        Doc::List { item, items }
    }

    pub fn to_json(&self) -> Value {
        match self {
            Doc::Null => Value::Null,
            Doc::Text(t) => Value::String(t.clone()),
            Doc::Int(n) => Value::from(*n),
            Doc::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Doc::Bool(b) => Value::Bool(*b),
            Doc::List { items, .. } => Value::Array(items.iter().map(Doc::to_json).collect()),
            Doc::Record(fields) => {
                let mut map = Map::with_capacity(fields.len());
                for (name, value) in fields {
                    map.insert((*name).to_string(), value.to_json());
                }
                Value::Object(map)
            }
        }
    }

    /// The whole XML document with `root` as its root element, preceded by the XML declaration
    /// with the UTF-8 encoding the specification asks for.
    pub fn to_xml(&self, root: &str) -> Vec<u8> {
        let mut writer = Writer::new(Vec::with_capacity(1024));
        // Writing to a `Vec` cannot fail.
        let _ = writer.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        write_element(&mut writer, root, self);
        writer.into_inner()
    }
}

fn write_element(writer: &mut Writer<Vec<u8>>, name: &str, doc: &Doc) {
    let text = match doc {
        Doc::Null => {
            let _ = writer.write_event(Event::Empty(BytesStart::new(name)));
            return;
        }
        Doc::Text(t) => xml_safe(t),
        Doc::Int(n) => n.to_string(),
        Doc::Float(f) => f.to_string(),
        Doc::Bool(b) => b.to_string(),
        Doc::List { item, items } => {
            let _ = writer.write_event(Event::Start(BytesStart::new(name)));
            for entry in items {
                write_element(writer, item, entry);
            }
            let _ = writer.write_event(Event::End(BytesEnd::new(name)));
            return;
        }
        Doc::Record(fields) => {
            let _ = writer.write_event(Event::Start(BytesStart::new(name)));
            for (field, value) in fields {
                write_element(writer, field, value);
            }
            let _ = writer.write_event(Event::End(BytesEnd::new(name)));
            return;
        }
    };
    if text.is_empty() {
        let _ = writer.write_event(Event::Empty(BytesStart::new(name)));
        return;
    }
    let _ = writer.write_event(Event::Start(BytesStart::new(name)));
    let _ = writer.write_event(Event::Text(BytesText::new(&text)));
    let _ = writer.write_event(Event::End(BytesEnd::new(name)));
}

/// Leaves out the characters XML 1.0 cannot hold at all (most control characters, lone
/// surrogates cannot occur in a `str`, U+FFFE and U+FFFF), so no text makes a document invalid.
fn xml_safe(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && !matches!(c, '\u{FFFE}' | '\u{FFFF}'))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sample() -> Doc {
        Doc::list(
            "service",
            vec![Doc::Record(vec![
                ("service_code", Doc::text("street_lighting")),
                ("service_name", Doc::text("Dark <street> & \"lights\"")),
                ("metadata", Doc::Bool(true)),
                ("lat", Doc::Float(48.5)),
                ("account_id", Doc::Null),
                (
                    "keywords",
                    Doc::list("keyword", vec![Doc::text("a"), Doc::Int(2)]),
                ),
            ])],
        )
    }

    #[test]
    fn json_keeps_fields_in_their_shape() {
        let json = sample().to_json();
        assert_eq!(json[0]["service_code"], "street_lighting");
        assert_eq!(json[0]["metadata"], true);
        assert_eq!(json[0]["lat"], 48.5);
        assert!(json[0]["account_id"].is_null());
        assert_eq!(json[0]["keywords"][1], 2);
    }

    #[test]
    fn xml_wraps_lists_and_escapes_text() {
        let xml = String::from_utf8(sample().to_xml("services")).unwrap();
        assert!(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?><services><service>"));
        assert!(
            xml.contains(
                "<service_name>Dark &lt;street&gt; &amp; &quot;lights&quot;</service_name>"
            )
        );
        assert!(xml.contains("<account_id/>"));
        assert!(xml.contains("<keywords><keyword>a</keyword><keyword>2</keyword></keywords>"));
        assert!(xml.ends_with("</service></services>"));
    }

    #[test]
    fn control_characters_never_reach_xml() {
        let xml = Doc::text("a\u{1}b\u{FFFF}c\nd").to_xml("x");
        assert!(String::from_utf8(xml).unwrap().ends_with("<x>abc\nd</x>"));
        assert!(Doc::Float(f64::NAN).to_json().is_null());
    }

    proptest! {
        #[test]
        fn any_text_makes_well_formed_xml(text in any::<String>()) {
            let xml = Doc::Record(vec![("t", Doc::text(text))]).to_xml("r");
            let xml = String::from_utf8(xml).unwrap();
            let mut reader = quick_xml::Reader::from_str(&xml);
            loop {
                match reader.read_event() {
                    Ok(Event::Eof) => break,
                    Ok(_) => {}
                    Err(e) => prop_assert!(false, "{e}: {xml}"),
                }
            }
        }
    }
}
