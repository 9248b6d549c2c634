//! One object as served, kept as its JSON text until it is decoded into its model: no
//! `serde_json::Value` tree per object on the watches' hot path.
//!
//! A list's items (and a watch event's object) are captured as [`RawValue`]s, a copy of their
//! text; the watcher needs only the identity (name, namespace, resourceVersion, uid), read from
//! the text by a small struct; the model then decodes straight from the same text
//! (`crate::model::parse` with `Json::Text`). Decoding an item never fails, whatever the server
//! sends: an object whose metadata does not decode keeps what can be salvaged (name, namespace,
//! resourceVersion) and carries the error naming the field, so one bad object is a broken row
//! instead of a failed list or watch. (kube's `DeserializeGuard` still fails on bad metadata.)
//!
//! The metadata is checked as kube's `ObjectMeta` would decode it (types of every field, times,
//! owner references' required fields; `managedFields` skipped), but only the identity is kept.

use std::borrow::Cow;
use std::fmt;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Resource;
use kube::api::ApiResource;
use kube::core::DynamicResourceScope;
use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

#[derive(Debug, Clone)]
pub struct RawObject {
    /// The identity only (name, namespace, resourceVersion, uid): what the watcher and the
    /// stores need.
    pub(super) metadata: ObjectMeta,
    /// The object's text as served.
    pub(super) json: Box<RawValue>,
    /// The metadata did not decode: the error, naming the field.
    pub(super) problem: Option<String>,
}

impl<'de> Deserialize<'de> for RawObject {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(RawObject::from_json(
            d.deserialize_newtype_struct(RAW_VALUE_TOKEN, TextOrTree)?,
        ))
    }
}

/// The name by which serde_json's deserializers are asked for a value's text (what
/// `Box<RawValue>`'s own `Deserialize` asks with).
const RAW_VALUE_TOKEN: &str = "$serde_json::private::RawValue";

/// `Box<RawValue>` from serde_json's deserializers (text and tree), which answer the raw-value
/// request with a one-entry map; from any other deserializer through a tree. That other case
/// is a watch event whose `object` comes before its `type` (serde buffers it: no Kubernetes
/// server writes them so, but nothing may fail a watch for it).
struct TextOrTree;

impl<'de> Visitor<'de> for TextOrTree {
    type Value = Box<RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Box<RawValue>, A::Error> {
        Box::<RawValue>::deserialize(de::value::MapAccessDeserializer::new(map))
    }

    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<Box<RawValue>, D::Error> {
        let tree = Value::deserialize(d)?;
        serde_json::value::to_raw_value(&tree).map_err(de::Error::custom)
    }
}

impl RawObject {
    /// From a tree (the tests, and whoever holds one).
    pub fn from_value(value: Value) -> RawObject {
        let json = serde_json::value::to_raw_value(&value)
            .unwrap_or_else(|_| RawValue::from_string("null".into()).expect("null is JSON"));
        RawObject::from_json(json)
    }

    fn from_json(json: Box<RawValue>) -> RawObject {
        let (metadata, problem) = match identity(json.get()) {
            Ok(m) => (m, None),
            Err(e) => (salvage(json.get()), Some(e)),
        };
        RawObject {
            metadata,
            json,
            problem,
        }
    }
}

/// The identity of an object whose metadata decodes, else the error naming the field.
fn identity(text: &str) -> Result<ObjectMeta, String> {
    // The plain decoder first (the common case, and faster); the path-tracking one only to say
    // where it went wrong.
    let head = serde_json::from_str::<Head>(text).or_else(|_| {
        let mut de = serde_json::Deserializer::from_str(text);
        serde_path_to_error::deserialize::<_, Head>(&mut de).map_err(|e| {
            let path = e.path().to_string();
            let inner = crate::model::meta::without_position(e.inner());
            if path == "." {
                format!("metadata: missing (the item is not an object: {inner})")
            } else {
                format!("{path}: {inner}")
            }
        })
    })?;
    let Some(m) = head.metadata else {
        return Err("metadata: missing".to_string());
    };
    Ok(ObjectMeta {
        name: m.name,
        namespace: m.namespace.filter(|n| !n.is_empty()),
        resource_version: m.resource_version,
        uid: m.uid,
        ..Default::default()
    })
}

/// What can be read of metadata that does not decode: the object's identity. (The rare path:
/// through a tree.)
fn salvage(text: &str) -> ObjectMeta {
    let tree: Value = serde_json::from_str(text).unwrap_or_default();
    let meta = tree.get("metadata");
    let text = |key: &str| match meta.and_then(|m| m.get(key)) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    ObjectMeta {
        name: text("name"),
        namespace: text("namespace").filter(|n| !n.is_empty()),
        resource_version: text("resourceVersion"),
        uid: text("uid"),
        ..Default::default()
    }
}

/// The object as far as its metadata; everything else is skipped without being kept.
#[derive(Deserialize)]
struct Head {
    metadata: Option<HeadMeta>,
}

/// `ObjectMeta`'s fields with its types: the identity kept, the rest checked and dropped.
/// `managedFields` (the largest part, needed by no view) is skipped.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct HeadMeta {
    name: Option<String>,
    namespace: Option<String>,
    resource_version: Option<String>,
    uid: Option<String>,
    annotations: Option<StrMap>,
    labels: Option<StrMap>,
    creation_timestamp: Option<Timestamp>,
    deletion_timestamp: Option<Timestamp>,
    deletion_grace_period_seconds: Option<i64>,
    finalizers: Option<Strs>,
    generate_name: Option<Str>,
    generation: Option<i64>,
    owner_references: Option<Vec<OwnerRefCheck>>,
    self_link: Option<Str>,
}

/// An owner reference as `OwnerReference` requires it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
struct OwnerRefCheck {
    api_version: Str,
    kind: Str,
    name: Str,
    uid: Str,
    controller: Option<bool>,
    block_owner_deletion: Option<bool>,
}

/// A string, checked and not kept.
struct Str;

impl<'de> Deserialize<'de> for Str {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Str;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Str, E> {
                Ok(Str)
            }
        }
        d.deserialize_str(V)
    }
}

/// A list of strings, checked and not kept.
struct Strs;

impl<'de> Deserialize<'de> for Strs {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Strs;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a sequence")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strs, A::Error> {
                while seq.next_element::<Str>()?.is_some() {}
                Ok(Strs)
            }
        }
        d.deserialize_seq(V)
    }
}

/// A map of strings to strings (labels, annotations), checked and not kept.
struct StrMap;

impl<'de> Deserialize<'de> for StrMap {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = StrMap;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StrMap, A::Error> {
                while map.next_key::<Str>()?.is_some() {
                    map.next_value::<Str>()?;
                }
                Ok(StrMap)
            }
        }
        d.deserialize_map(V)
    }
}

/// An RFC 3339 time as `metav1.Time` reads it, checked and not kept.
struct Timestamp;

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Timestamp;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Timestamp, E> {
                match s.parse::<jiff::Timestamp>() {
                    Ok(_) => Ok(Timestamp),
                    Err(e) => Err(E::invalid_value(de::Unexpected::Str(s), &&*e.to_string())),
                }
            }
        }
        d.deserialize_str(V)
    }
}

impl Resource for RawObject {
    type DynamicType = ApiResource;
    type Scope = DynamicResourceScope;

    fn kind(dt: &ApiResource) -> Cow<'_, str> {
        dt.kind.as_str().into()
    }
    fn group(dt: &ApiResource) -> Cow<'_, str> {
        dt.group.as_str().into()
    }
    fn version(dt: &ApiResource) -> Cow<'_, str> {
        dt.version.as_str().into()
    }
    fn api_version(dt: &ApiResource) -> Cow<'_, str> {
        dt.api_version.as_str().into()
    }
    fn plural(dt: &ApiResource) -> Cow<'_, str> {
        dt.plural.as_str().into()
    }
    fn meta(&self) -> &ObjectMeta {
        &self.metadata
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.metadata
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// From text, the item is kept as served (the fast path: no tree), spacing and key order
    /// included.
    #[test]
    fn an_item_from_text_is_kept_as_its_text() {
        let text = r#"{"items": [ {"spec": {"b": 1, "a": 2}, "metadata": {"name": "n", "resourceVersion": "3"}} ]}"#;
        #[derive(Deserialize)]
        struct List {
            items: Vec<RawObject>,
        }
        let l: List = serde_json::from_str(text).unwrap();
        assert_eq!(
            l.items[0].json.get(),
            r#"{"spec": {"b": 1, "a": 2}, "metadata": {"name": "n", "resourceVersion": "3"}}"#
        );
        assert_eq!(l.items[0].metadata.resource_version.as_deref(), Some("3"));
        assert!(l.items[0].problem.is_none());
    }

    /// A watch event whose object comes before its type (serde buffers it) still decodes.
    #[test]
    fn a_watch_event_with_the_object_first_decodes() {
        let line =
            r#"{"object": {"metadata": {"name": "n", "resourceVersion": "4"}}, "type": "ADDED"}"#;
        let ev: kube::core::WatchEvent<RawObject> = serde_json::from_str(line).unwrap();
        let kube::core::WatchEvent::Added(o) = ev else {
            panic!()
        };
        assert_eq!(o.metadata.name.as_deref(), Some("n"));
        assert!(o.problem.is_none());
    }

    /// Each field of the metadata is checked with `ObjectMeta`'s types, though only the
    /// identity is kept.
    #[test]
    fn metadata_is_checked_as_object_meta_would_decode_it() {
        let problem = |meta: Value| RawObject::from_value(json!({ "metadata": meta })).problem;
        assert_eq!(
            problem(
                json!({"name": "a", "labels": {"x": "y"}, "finalizers": ["f"],
            "creationTimestamp": "2026-09-21T12:00:00Z", "managedFields": [{"anything": 1}],
            "ownerReferences": [{"apiVersion": "v1", "kind": "K", "name": "o", "uid": "u", "controller": true}]})
            ),
            None
        );
        for (meta, path) in [
            (json!({"labels": {"x": 1}}), "metadata.labels.x:"),
            (json!({"annotations": []}), "metadata.annotations:"),
            (json!({"finalizers": [1]}), "metadata.finalizers[0]:"),
            (
                json!({"creationTimestamp": "yesterday"}),
                "metadata.creationTimestamp:",
            ),
            (json!({"generation": "2"}), "metadata.generation:"),
            (
                json!({"ownerReferences": [{"kind": "K", "name": "o", "uid": "u"}]}),
                "metadata.ownerReferences[0]:",
            ),
            (json!({"resourceVersion": 5}), "metadata.resourceVersion:"),
            (json!("text"), "metadata:"),
        ] {
            let got = problem(meta.clone()).unwrap_or_default();
            assert!(got.starts_with(path), "{meta}: {got}");
            assert!(!got.contains("line 1"), "{got}");
        }
    }
}
