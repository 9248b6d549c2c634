//! Names, uids and fresh copies of objects, as the API server and the controllers make them.

use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

use super::now;

static SEED: AtomicU64 = AtomicU64::new(0);

fn random() -> u64 {
    let mut x = SEED.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed)
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
    // splitmix64
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

/// A suffix as the Kubernetes name generator makes them (5 of `bcdfghjklmnpqrstvwxz2456789`).
pub fn suffix(len: usize) -> String {
    const ALPHA: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";
    let mut r = random();
    (0..len)
        .map(|_| {
            let c = ALPHA[(r % ALPHA.len() as u64) as usize] as char;
            r /= ALPHA.len() as u64;
            c
        })
        .collect()
}

pub(super) fn hex(n: usize) -> String {
    let mut s = String::new();
    while s.len() < n {
        s.push_str(&format!("{:016x}", random()));
    }
    s.truncate(n);
    s
}

pub(super) fn uid() -> String {
    let h = hex(32);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..]
    )
}

/// A copy of `obj` as a new object: fresh name, uid and times, no resourceVersion.
pub(super) fn fresh_copy(obj: &Value, name: &str, uid: &str) -> Value {
    let mut o = obj.clone();
    let meta = o["metadata"]
        .as_object_mut()
        .expect("objects have metadata");
    meta.remove("resourceVersion");
    meta.remove("deletionTimestamp");
    meta.insert("name".into(), json!(name));
    meta.insert("uid".into(), json!(uid));
    meta.insert("generation".into(), json!(1));
    meta.insert("creationTimestamp".into(), json!(now()));
    o
}
