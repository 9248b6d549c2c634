//! What every model shares: object metadata, conditions, replica counters, addresses, times,
//! Kubernetes quantities, and the parse error.
//!
//! The `Raw*` types are private serde mirrors of the JSON that the model constructors read and
//! then drop: every field is an `Option` (so a missing field or an explicit `null` is fine) and
//! unknown fields are ignored. A field we read with the wrong JSON type is an error with its path.

use std::collections::BTreeMap;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;

/// Unix seconds. Parsed from RFC 3339; the models never read the clock.
pub type Time = i64;

/// Label carrying the owning Cluster's name on CAPI and provider objects.
pub const CLUSTER_NAME_LABEL: &str = "cluster.x-k8s.io/cluster-name";
/// Argo CD's resource tracking annotation (the only annotation kept).
pub const TRACKING_ID_ANNOTATION: &str = "argocd.argoproj.io/tracking-id";
/// Pauses reconciliation of a Cluster (and of CAPI objects in general).
pub const PAUSED_ANNOTATION: &str = "cluster.x-k8s.io/paused";

/// Metadata kept for every object: no managedFields, no resourceVersion, no annotations but
/// the Argo CD tracking id.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Meta {
    pub name: String,
    pub namespace: Option<String>,
    pub uid: String,
    pub created: Option<Time>,
    /// `deletionTimestamp`: the object is being deleted since then.
    pub deleting: Option<Time>,
    pub generation: i64,
    pub labels: BTreeMap<String, String>,
    /// The `controller: true` ownerReference, else the first one.
    pub owner: Option<OwnerRef>,
    /// Annotation `argocd.argoproj.io/tracking-id`.
    pub tracking_id: Option<String>,
}

impl Meta {
    pub fn label(&self, key: &str) -> Option<&str> {
        self.labels.get(key).map(String::as_str)
    }

    /// Label `cluster.x-k8s.io/cluster-name`, else the name of an owning `Cluster`, else "".
    pub fn cluster_name(&self) -> String {
        if let Some(l) = self.label(CLUSTER_NAME_LABEL) {
            return l.to_string();
        }
        match &self.owner {
            Some(o) if o.kind == "Cluster" => o.name.clone(),
            _ => String::new(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct OwnerRef {
    pub kind: String,
    pub name: String,
}

/// A reference to another object in the same namespace (CAPI v1beta2 `{apiGroup, kind, name}`,
/// v1beta1 `ObjectReference`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ObjName {
    pub kind: String,
    pub name: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CondStatus {
    True,
    False,
    #[default]
    Unknown,
}

impl CondStatus {
    pub fn parse(s: &str) -> CondStatus {
        match s {
            "True" => CondStatus::True,
            "False" => CondStatus::False,
            _ => CondStatus::Unknown,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CondStatus::True => "True",
            CondStatus::False => "False",
            CondStatus::Unknown => "Unknown",
        }
    }
}

/// CAPI v1beta1 condition severity (only set when the status is False).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "Error" => Some(Severity::Error),
            "Warning" => Some(Severity::Warning),
            "Info" => Some(Severity::Info),
            _ => None,
        }
    }
}

/// One condition of either shape (metav1.Condition or CAPI v1beta1 with severity). Heartbeat
/// and update times are not kept, so a heartbeat-only change parses to an equal model.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Condition {
    pub type_: String,
    pub status: CondStatus,
    pub severity: Option<Severity>,
    pub reason: String,
    pub message: String,
    /// `lastTransitionTime`.
    pub since: Option<Time>,
}

/// The condition of type `type_`, if present.
pub fn condition<'a>(conds: &'a [Condition], type_: &str) -> Option<&'a Condition> {
    conds.iter().find(|c| c.type_ == type_)
}

/// Replica counters with v1beta2 meaning (ready = Ready machines, available = Available).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Replicas {
    pub desired: Option<i32>,
    pub current: Option<i32>,
    pub ready: Option<i32>,
    pub available: Option<i32>,
    pub up_to_date: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Address {
    pub type_: String,
    pub address: String,
}

/// Which Cluster API shape an object was served in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum CapiVersion {
    V1beta1,
    #[default]
    V1beta2,
}

impl CapiVersion {
    /// From the object's own `apiVersion`: `…/v1beta1` is the old shape, anything else the new.
    pub fn of(api_version: Option<&str>) -> CapiVersion {
        match api_version {
            Some(av) if av.ends_with("/v1beta1") => CapiVersion::V1beta1,
            _ => CapiVersion::V1beta2,
        }
    }
}

/// A field we read had the wrong type: where, and what serde said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    /// Dotted path with list indexes, e.g. `spec.replicas` or `status.conditions[2].status`.
    pub path: String,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

impl std::error::Error for ParseError {}

/// A live object's JSON: a tree (as the emulator, the fixtures and the tests hold objects), or
/// its text as served, which the models decode straight from the text, with no tree between
/// (the watches' hot path: `crate::kube::watch::RawObject`).
#[derive(Debug, Clone, Copy)]
pub enum Json<'a> {
    Tree(&'a Value),
    Text(&'a str),
}

impl<'a> From<&'a Value> for Json<'a> {
    fn from(v: &'a Value) -> Json<'a> {
        Json::Tree(v)
    }
}

impl<'a> From<&'a serde_json::value::RawValue> for Json<'a> {
    fn from(v: &'a serde_json::value::RawValue) -> Json<'a> {
        Json::Text(v.get())
    }
}

/// Deserializes `v` as `T`, reporting the path of the first type error. The plain decoder runs
/// first (the common case, and faster); the path-tracking one only to say where it went wrong.
pub(crate) fn from_value<'a, T: Deserialize<'a>>(v: impl Into<Json<'a>>) -> Result<T, ParseError> {
    let error = |path: String, message: String| ParseError { path, message };
    match v.into() {
        Json::Tree(v) => T::deserialize(v).or_else(|_| {
            serde_path_to_error::deserialize(v)
                .map_err(|e| error(e.path().to_string(), e.inner().to_string()))
        }),
        Json::Text(s) => serde_json::from_str(s).or_else(|_| {
            let mut de = serde_json::Deserializer::from_str(s);
            serde_path_to_error::deserialize(&mut de)
                .map_err(|e| error(e.path().to_string(), without_position(e.inner())))
        }),
    }
}

/// A decoding error as the tree's decoder words it: without the text decoder's
/// "at line 1 column 80" (the path says where).
pub(crate) fn without_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let suffix = format!(" at line {} column {}", e.line(), e.column());
    match text.strip_suffix(&suffix) {
        Some(t) => t.to_string(),
        None => text,
    }
}

// ---------------------------------------------------------------------------------------------
// Times

/// Parses an RFC 3339 time (`2026-09-21T12:00:00Z`, fractions and offsets allowed) to unix
/// seconds (fractions dropped, a leap second read as :59); anything else is `None`. jiff's
/// parser, the one k8s-openapi reads `metav1.Time` with: RFC 3339 and the ISO 8601 forms
/// around it (`2026-09-21T12:00Z`), but never a time without an offset.
pub fn parse_time(s: &str) -> Option<Time> {
    s.parse::<jiff::Timestamp>().ok().map(|t| t.as_second())
}

/// Formats unix seconds as RFC 3339 UTC (`2026-09-21T12:00:00Z`), as Kubernetes writes
/// timestamps. Outside jiff's range (years -9999 to 9999) the nearest end of it.
pub fn format_time(t: Time) -> String {
    jiff::Timestamp::from_second(t)
        .unwrap_or(if t < 0 {
            jiff::Timestamp::MIN
        } else {
            jiff::Timestamp::MAX
        })
        .to_string()
}

/// `YYYY-MM-DD` (UTC) of unix seconds.
pub fn format_date(t: Time) -> String {
    format_time(t).chars().take_while(|&c| c != 'T').collect()
}

/// A duration as kubectl prints ages (apimachinery's `duration.HumanDuration`): about two
/// significant figures, `45s`, `119s`, `3m10s`, `70m`, `3h12m`, `47h`, `5d3h`, `367d`, `2y45d`,
/// `8y`. A negative duration of up to a second (clock skew) is `0s`; beyond that `<invalid>`.
pub fn human_duration(d: jiff::SignedDuration) -> String {
    let seconds = d.as_secs();
    if seconds < -1 {
        return "<invalid>".into();
    }
    if seconds < 0 {
        return "0s".into();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        return match seconds % 60 {
            0 => format!("{minutes}m"),
            s => format!("{minutes}m{s}s"),
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    let days = hours / 24;
    if hours < 8 {
        match minutes % 60 {
            0 => format!("{hours}h"),
            m => format!("{hours}h{m}m"),
        }
    } else if hours < 48 {
        format!("{hours}h")
    } else if hours < 24 * 8 {
        match hours % 24 {
            0 => format!("{days}d"),
            h => format!("{days}d{h}h"),
        }
    } else if hours < 24 * 365 * 2 {
        format!("{days}d")
    } else if hours < 24 * 365 * 8 {
        match days % 365 {
            0 => format!("{}y", days / 365),
            d => format!("{}y{d}d", days / 365),
        }
    } else {
        format!("{}y", days / 365)
    }
}

pub(crate) fn time(s: &Option<String>) -> Option<Time> {
    s.as_deref().and_then(parse_time)
}

// ---------------------------------------------------------------------------------------------
// Quantities

/// Parses a Kubernetes quantity (`4`, `3500m`, `16Gi`, `16303724Ki`, `1e3`, `2G`, `1.5`) to its
/// value in base units. `None` when it is not a quantity.
pub fn parse_quantity(s: &str) -> Option<f64> {
    let s = s.trim();
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits_start = i;
    while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
        i += 1;
    }
    let mantissa = &s[..i];
    if i == digits_start || !mantissa[digits_start..].bytes().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let n: f64 = mantissa.parse().ok()?;
    let suffix = &s[i..];
    // A decimal exponent: e/E followed by an optionally signed integer, to the end.
    if let Some(exp) = suffix
        .strip_prefix('e')
        .or_else(|| suffix.strip_prefix('E'))
        .filter(|e| {
            let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
            !digits.is_empty() && digits.bytes().all(|c| c.is_ascii_digit())
        })
    {
        let e: i32 = exp.parse().ok()?;
        return Some(n * 10f64.powi(e));
    }
    let mult = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        _ => return None,
    };
    Some(n * mult)
}

/// A quantity field: a string (or, leniently, a JSON number); unparsable text is `None`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Quantity(pub Option<f64>);

impl<'de> Deserialize<'de> for Quantity {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Quantity;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a quantity")
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Quantity, E> {
                Ok(Quantity(parse_quantity(s)))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Quantity, E> {
                Ok(Quantity(Some(n as f64)))
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Quantity, E> {
                Ok(Quantity(Some(n as f64)))
            }
            fn visit_f64<E: de::Error>(self, n: f64) -> Result<Quantity, E> {
                Ok(Quantity(Some(n)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Quantity, E> {
                Ok(Quantity(None))
            }
        }
        d.deserialize_any(V)
    }
}

// ---------------------------------------------------------------------------------------------
// Raw shapes shared by the kinds

/// `metadata`, `spec` and `status` of any object, the two last in a kind's own shapes.
#[derive(Deserialize)]
pub(crate) struct RawObject<S, T> {
    pub metadata: Option<RawMeta>,
    pub spec: Option<S>,
    pub status: Option<T>,
}

#[derive(Deserialize, Default)]
#[serde(rename = "ObjectMeta", rename_all = "camelCase")]
pub(crate) struct RawMeta {
    name: Option<String>,
    namespace: Option<String>,
    uid: Option<String>,
    creation_timestamp: Option<String>,
    deletion_timestamp: Option<String>,
    generation: Option<i64>,
    labels: Option<BTreeMap<String, String>>,
    pub(crate) annotations: Option<Annotations>,
    owner_references: Option<Vec<RawOwnerRef>>,
}

#[derive(Deserialize)]
#[serde(rename = "OwnerReference")]
struct RawOwnerRef {
    kind: Option<String>,
    name: Option<String>,
    controller: Option<bool>,
}

impl RawMeta {
    pub(crate) fn into_meta(self) -> Meta {
        let mut owners = self.owner_references.unwrap_or_default();
        let owner = match owners.iter().position(|o| o.controller == Some(true)) {
            Some(i) => Some(owners.swap_remove(i)),
            None if !owners.is_empty() => Some(owners.swap_remove(0)),
            None => None,
        }
        .map(|o| OwnerRef {
            kind: o.kind.unwrap_or_default(),
            name: o.name.unwrap_or_default(),
        });
        Meta {
            name: self.name.unwrap_or_default(),
            namespace: self.namespace.filter(|n| !n.is_empty()),
            uid: self.uid.unwrap_or_default(),
            created: time(&self.creation_timestamp),
            deleting: time(&self.deletion_timestamp),
            generation: self.generation.unwrap_or_default(),
            labels: self.labels.unwrap_or_default(),
            owner,
            tracking_id: self.annotations.and_then(|a| a.tracking_id),
        }
    }
}

/// The annotations we look at; every other one (including the possibly huge and possibly
/// secret `last-applied-configuration`) is skipped without being copied.
#[derive(Default)]
pub(crate) struct Annotations {
    pub tracking_id: Option<String>,
    pub paused: bool,
}

impl<'de> Deserialize<'de> for Annotations {
    fn deserialize<D: de::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Annotations;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a map of annotations")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Annotations, A::Error> {
                let mut out = Annotations::default();
                while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
                    match key.as_ref() {
                        TRACKING_ID_ANNOTATION => out.tracking_id = map.next_value()?,
                        PAUSED_ANNOTATION => {
                            map.next_value::<IgnoredAny>()?;
                            out.paused = true;
                        }
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(out)
            }
        }
        d.deserialize_map(V)
    }
}

#[derive(Deserialize)]
#[serde(rename = "Condition", rename_all = "camelCase")]
pub(crate) struct RawCondition {
    #[serde(rename = "type")]
    type_: Option<String>,
    status: Option<String>,
    severity: Option<String>,
    reason: Option<String>,
    message: Option<String>,
    last_transition_time: Option<String>,
}

impl RawCondition {
    fn into_condition(self) -> Condition {
        Condition {
            type_: self.type_.unwrap_or_default(),
            status: CondStatus::parse(self.status.as_deref().unwrap_or_default()),
            severity: self.severity.as_deref().and_then(Severity::parse),
            reason: self.reason.unwrap_or_default(),
            message: self.message.unwrap_or_default(),
            since: time(&self.last_transition_time),
        }
    }
}

pub(crate) fn conditions(raw: Option<Vec<RawCondition>>) -> Vec<Condition> {
    raw.unwrap_or_default()
        .into_iter()
        .map(RawCondition::into_condition)
        .collect()
}

#[derive(Deserialize)]
#[serde(rename = "Address")]
pub(crate) struct RawAddress {
    #[serde(rename = "type")]
    type_: Option<String>,
    address: Option<String>,
}

pub(crate) fn addresses(raw: Option<Vec<RawAddress>>) -> Vec<Address> {
    raw.unwrap_or_default()
        .into_iter()
        .map(|a| Address {
            type_: a.type_.unwrap_or_default(),
            address: a.address.unwrap_or_default(),
        })
        .collect()
}

/// Either reference shape: CAPI v1beta2 `{apiGroup, kind, name}` or an `ObjectReference`.
#[derive(Deserialize)]
#[serde(rename = "Reference")]
pub(crate) struct RawRef {
    kind: Option<String>,
    name: Option<String>,
}

pub(crate) fn obj_name(raw: Option<RawRef>) -> Option<ObjName> {
    raw.and_then(|r| {
        let name = r.name.filter(|n| !n.is_empty())?;
        Some(ObjName {
            kind: r.kind.unwrap_or_default(),
            name,
        })
    })
}

/// `spec.controlPlaneEndpoint`.
#[derive(Deserialize)]
#[serde(rename = "APIEndpoint")]
pub(crate) struct RawEndpoint {
    host: Option<String>,
    port: Option<i64>,
}

/// `host:port` (`[v6]:port`), or `None` when there is no host.
pub(crate) fn endpoint(raw: Option<RawEndpoint>) -> Option<String> {
    let e = raw?;
    let host = e.host.filter(|h| !h.is_empty())?;
    let host = if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host
    };
    Some(match e.port {
        Some(p) if p != 0 => format!("{host}:{p}"),
        _ => host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_round_trip_and_tolerate_garbage() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_time("2026-09-21T12:00:00Z"), Some(1789992000));
        assert_eq!(format_time(1789992000), "2026-09-21T12:00:00Z");
        assert_eq!(
            parse_time("2026-09-21T12:00:00.123456Z"),
            parse_time("2026-09-21T12:00:00Z")
        );
        assert_eq!(
            parse_time("2026-09-21T14:00:00+02:00"),
            parse_time("2026-09-21T12:00:00Z")
        );
        assert_eq!(parse_time("2024-02-29T23:59:59Z"), Some(1709251199));
        assert_eq!(format_time(1709251199), "2024-02-29T23:59:59Z");
        assert_eq!(format_time(-1), "1969-12-31T23:59:59Z");
        assert_eq!(format_time(i64::MIN), "-009999-01-02T01:59:59Z");
        assert_eq!(format_date(0), "1970-01-01");
        assert_eq!(format_date(1_795_392_000), "2026-11-23");
        assert_eq!(format_date(1_795_478_399), "2026-11-23");
        assert_eq!(format_date(951_782_400), "2000-02-29");
        for bad in [
            "",
            "yesterday",
            "2026-13-01T00:00:00Z",
            "2026-02-30T00:00:00Z",
            "2026-09-21T12:00:00",
            "2026-09-21T12:00:00Zjunk",
            "2026-09-21T25:00:00Z",
            "2026-09-21T12:00:00.Z",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }

    /// apimachinery's own cases (`pkg/util/duration/duration_test.go`: `TestHumanDuration` and
    /// `TestHumanDurationBoundaries`), in milliseconds.
    #[test]
    fn ages_read_like_kubectl() {
        const S: i64 = 1000;
        const M: i64 = 60 * S;
        const H: i64 = 60 * M;
        const D: i64 = 24 * H;
        const Y: i64 = 365 * D;
        let cases: &[(i64, &str)] = &[
            (S, "1s"),
            (70 * S, "70s"),
            (190 * S, "3m10s"),
            (70 * M, "70m"),
            (47 * H, "47h"),
            (49 * H, "2d1h"),
            ((8 * 24 + 2) * H, "8d"),
            (367 * D, "367d"),
            ((365 * 2 * 24 + 25) * H, "2y1d"),
            ((365 * 8 * 24 + 2) * H, "8y"),
            // the boundaries
            (-2 * S, "<invalid>"),
            (-2 * S + 1, "0s"),
            (0, "0s"),
            (S - 1, "0s"),
            (2 * M - 1, "119s"),
            (2 * M, "2m"),
            (2 * M + S, "2m1s"),
            (10 * M - 1, "9m59s"),
            (10 * M, "10m"),
            (10 * M + S, "10m"),
            (3 * H - 1, "179m"),
            (3 * H, "3h"),
            (3 * H + M, "3h1m"),
            (8 * H - 1, "7h59m"),
            (8 * H, "8h"),
            (8 * H + 59 * M, "8h"),
            (2 * D - 1, "47h"),
            (2 * D, "2d"),
            (2 * D + H, "2d1h"),
            (8 * D - 1, "7d23h"),
            (8 * D, "8d"),
            (8 * D + 23 * H, "8d"),
            (2 * Y - 1, "729d"),
            (2 * Y, "2y"),
            (2 * Y + 23 * H, "2y"),
            (2 * Y + 23 * H + 59 * M, "2y"),
            (2 * Y + D - 1, "2y"),
            (2 * Y + D, "2y1d"),
            (3 * Y, "3y"),
            (4 * Y, "4y"),
            (5 * Y, "5y"),
            (6 * Y, "6y"),
            (7 * Y, "7y"),
            (8 * Y - 1, "7y364d"),
            (8 * Y, "8y"),
            (8 * Y + 364 * D, "8y"),
            (9 * Y, "9y"),
        ];
        for &(ms, want) in cases {
            let d = jiff::SignedDuration::from_millis(ms);
            assert_eq!(human_duration(d), want, "{ms} ms");
        }
    }

    #[test]
    fn quantities() {
        let cases: &[(&str, f64)] = &[
            ("4", 4.0),
            ("3500m", 3.5),
            ("16Gi", 16.0 * 1024.0 * 1024.0 * 1024.0),
            ("16303724Ki", 16303724.0 * 1024.0),
            ("1e3", 1000.0),
            ("1E3", 1000.0),
            ("2G", 2e9),
            ("1.5", 1.5),
            ("0.5Mi", 524288.0),
            ("100n", 1e-7),
            ("110", 110.0),
            ("+5k", 5000.0),
        ];
        for (s, want) in cases {
            let got = parse_quantity(s).unwrap_or_else(|| panic!("{s} did not parse"));
            assert!(
                (got - want).abs() < 1e-9 * want.abs().max(1.0),
                "{s}: {got}"
            );
        }
        assert_eq!(parse_quantity("1E"), Some(1e18));
        for bad in ["", "Gi", "abc", "1Qi", "1 Gi", "1e", "."] {
            assert_eq!(parse_quantity(bad), None, "{bad}");
        }
    }

    #[test]
    fn endpoints() {
        let e = |h: &str, p: Option<i64>| {
            endpoint(Some(RawEndpoint {
                host: Some(h.into()),
                port: p,
            }))
        };
        assert_eq!(
            e("10.40.0.10", Some(6443)).as_deref(),
            Some("10.40.0.10:6443")
        );
        assert_eq!(e("fd00::1", Some(6443)).as_deref(), Some("[fd00::1]:6443"));
        assert_eq!(e("api.example", None).as_deref(), Some("api.example"));
        assert_eq!(e("", Some(6443)), None);
    }
}
