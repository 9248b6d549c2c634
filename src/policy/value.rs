//! The object as checkov's rules see it: the document read the way PyYAML's `SafeLoader` reads
//! it (YAML 1.1 scalars, merge keys), with Python's truthiness and `in`.
//!
//! One PyYAML detail decides many results: checkov's loader adds `__startline__` and
//! `__endline__` to every mapping it builds, so a mapping from the file is never empty, and
//! `securityContext: {}` is as "set" to a rule as a full one. [`V::truthy`] says so for every
//! mapping; iteration over keys leaves the two out, as checkov's own code mostly does.

use crate::repo::yaml::{Node, Scalar, scalar_to_json_k8s};

/// A value of the document, in Python's terms.
#[derive(Debug, Clone, PartialEq)]
pub enum V {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<V>),
    /// Keys in file order (a repeated key keeps its first place and its last value, as a
    /// Python dict does).
    Map(Vec<(String, V)>),
}

pub static NULL: V = V::Null;

impl V {
    /// Converts a positioned tree (without recursion: documents can be deep).
    pub fn from_node(node: &Node) -> V {
        node.fold(
            |_, s| V::scalar(s),
            |_, items| V::List(items),
            |_, entries| {
                let mut out: Vec<(String, V)> = Vec::with_capacity(entries.len());
                for (e, v) in entries {
                    match out.iter_mut().find(|(k, _)| *k == e.key) {
                        Some(slot) => slot.1 = v,
                        None => out.push((e.key.clone(), v)),
                    }
                }
                V::Map(out)
            },
        )
    }

    /// A scalar as PyYAML's resolver reads it: YAML 1.1 like Kubernetes' reader, except that
    /// `y`, `n` (any case) and `0o…` stay strings (PyYAML's booleans are yes/no/on/off and
    /// true/false only, and it has no `0o` octal).
    fn scalar(s: &Scalar) -> V {
        if !s.quoted {
            let t = s.text.trim_start_matches(['+', '-']);
            if matches!(s.text.as_str(), "y" | "Y" | "n" | "N")
                || t.get(..2).is_some_and(|p| p.eq_ignore_ascii_case("0o"))
            {
                return V::Str(s.text.clone());
            }
        }
        V::from_json(scalar_to_json_k8s(s))
    }

    fn from_json(j: serde_json::Value) -> V {
        use serde_json::Value as J;
        match j {
            J::Null => V::Null,
            J::Bool(b) => V::Bool(b),
            J::Number(n) => match n.as_i64() {
                Some(i) => V::Int(i),
                None => V::Float(n.as_f64().unwrap_or(0.0)),
            },
            J::String(s) => V::Str(s),
            // Scalars only come here.
            J::Array(_) | J::Object(_) => V::Null,
        }
    }

    /// Python's `bool(x)`; every mapping read from a file is true (see the module doc).
    pub fn truthy(&self) -> bool {
        match self {
            V::Null => false,
            V::Bool(b) => *b,
            V::Int(i) => *i != 0,
            V::Float(f) => *f != 0.0,
            V::Str(s) => !s.is_empty(),
            V::List(l) => !l.is_empty(),
            V::Map(_) => true,
        }
    }

    /// `d.get(key)` on a mapping; `None` for anything else (and for a missing key).
    pub fn get(&self, key: &str) -> Option<&V> {
        match self {
            V::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    /// `d.get(key)` as a value, `None` becoming [`V::Null`].
    pub fn at(&self, key: &str) -> &V {
        self.get(key).unwrap_or(&NULL)
    }

    /// checkov's `find_in_dict(d, "a/b/c")`: the value at the path, or `None` when a step is
    /// missing, null or not a mapping.
    pub fn path(&self, path: &str) -> Option<&V> {
        let mut v = self;
        for key in path.split('/') {
            v = v.get(key)?;
            if matches!(v, V::Null) {
                return None;
            }
        }
        Some(v)
    }

    /// `key in d` for a mapping.
    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            V::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_map(&self) -> bool {
        matches!(self, V::Map(_))
    }

    pub fn is_list(&self) -> bool {
        matches!(self, V::List(_))
    }

    /// The items of a list (nothing for other values).
    pub fn items(&self) -> &[V] {
        match self {
            V::List(l) => l,
            _ => &[],
        }
    }

    /// The entries of a mapping.
    pub fn entries(&self) -> &[(String, V)] {
        match self {
            V::Map(m) => m,
            _ => &[],
        }
    }

    /// Python's `needle in self` for a string needle: a substring of a string, an item of a
    /// list, a key of a mapping.
    pub fn contains(&self, needle: &str) -> bool {
        match self {
            V::Str(s) => s.contains(needle),
            V::List(l) => l.iter().any(|v| v.as_str() == Some(needle)),
            V::Map(m) => m.iter().any(|(k, _)| k == needle),
            _ => false,
        }
    }

    /// The strings of a list (Python would iterate the characters of a string; checkov's
    /// command checks then compare characters, which never match a flag).
    pub fn strs(&self) -> Vec<&str> {
        match self {
            V::List(l) => l.iter().filter_map(V::as_str).collect(),
            _ => Vec::new(),
        }
    }

    /// Python's `str(x)`, as checkov formats resource ids.
    pub fn py_str(&self) -> String {
        match self {
            V::Null => "None".into(),
            V::Bool(true) => "True".into(),
            V::Bool(false) => "False".into(),
            V::Int(i) => i.to_string(),
            V::Float(f) => {
                if f.fract() == 0.0 && f.abs() < 1e16 {
                    format!("{f:.1}")
                } else {
                    f.to_string()
                }
            }
            V::Str(s) => s.clone(),
            V::List(_) | V::Map(_) => "…".into(),
        }
    }

    /// Python's `x is False`.
    pub fn is_false(&self) -> bool {
        matches!(self, V::Bool(false))
    }

    /// Python's `isinstance(x, int)` (bools are ints in Python).
    pub fn as_int(&self) -> Option<i64> {
        match self {
            V::Int(i) => Some(*i),
            V::Bool(b) => Some(*b as i64),
            _ => None,
        }
    }
}
