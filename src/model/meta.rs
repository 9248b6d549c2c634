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

/// Deserializes `v` as `T`, reporting the path of the first type error.
pub(crate) fn from_value<'a, T: Deserialize<'a>>(v: &'a Value) -> Result<T, ParseError> {
    serde_path_to_error::deserialize(v).map_err(|e| ParseError {
        path: e.path().to_string(),
        message: e.inner().to_string(),
    })
}

// ---------------------------------------------------------------------------------------------
// Times

/// Parses an RFC 3339 time (`2026-09-21T12:00:00Z`, fractions and offsets allowed) to unix
/// seconds; anything else is `None`.
pub fn parse_time(s: &str) -> Option<Time> {
    let b = s.as_bytes();
    if b.len() < 20 {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = s.get(r)?;
        if part.bytes().all(|c| c.is_ascii_digit()) {
            part.parse().ok()
        } else {
            None
        }
    };
    let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hour, min, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || min > 59 || sec > 60 {
        return None;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return None;
        }
    }
    let offset = match b.get(i)? {
        b'Z' | b'z' if i + 1 == b.len() => 0,
        sign @ (b'+' | b'-') if i + 6 == b.len() && b[i + 3] == b':' => {
            let (h, m) = (num(i + 1..i + 3)?, num(i + 4..i + 6)?);
            if h > 23 || m > 59 {
                return None;
            }
            let o = h * 3600 + m * 60;
            if *sign == b'+' { o } else { -o }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    Some(days * 86400 + hour * 3600 + min * 60 + sec.min(59) - offset)
}

/// Formats unix seconds as RFC 3339 UTC (`2026-09-21T12:00:00Z`).
pub fn format_time(t: Time) -> String {
    let days = t.div_euclid(86400);
    let secs = t.rem_euclid(86400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

/// Days since 1970-01-01 (Howard Hinnant's `days_from_civil`).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719468;
    let era = z.div_euclid(146097);
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
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
