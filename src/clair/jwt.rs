//! Clair's pre-shared-key auth (`auth.psk` in Clair's config): a JWT signed with HS256 under
//! the base64-decoded key, whose `iss` must be one of the issuers Clair allows; Clair checks
//! `exp` and `nbf` too.
//!
//! Hand-rolled on `ring::hmac` (already linked for kube's TLS) rather than a JWT crate: one
//! algorithm, one header, four claims, and verification (used by the demo's Clair) that accepts
//! nothing but HS256 — no algorithm negotiation to get wrong.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use ring::hmac;
use serde::Deserialize;

/// How long a token is valid after it is made.
pub const LIFETIME_SECS: u64 = 300;
/// The clock skew tolerated when checking `nbf` and `exp`.
const LEEWAY_SECS: u64 = 60;

/// A decoded key and the issuer to sign as. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Psk {
    key: Vec<u8>,
    pub issuer: String,
}

impl std::fmt::Debug for Psk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Psk {{ issuer: {:?}, key: <redacted> }}", self.issuer)
    }
}

impl Psk {
    /// The key as Clair's config holds it (standard base64).
    pub fn from_base64(key: &str, issuer: &str) -> Result<Psk, String> {
        let key = STANDARD
            .decode(key.trim())
            .map_err(|e| format!("the key is not base64 ({e})"))?;
        if key.is_empty() {
            return Err("the key is empty".into());
        }
        Ok(Psk {
            key,
            issuer: issuer.to_string(),
        })
    }

    pub fn new(key: &[u8], issuer: &str) -> Psk {
        Psk {
            key: key.to_vec(),
            issuer: issuer.to_string(),
        }
    }

    /// A token valid from `now` (unix seconds) for [`LIFETIME_SECS`].
    pub fn token(&self, now: u64) -> String {
        let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
        let claims = serde_json::json!({
            "iss": self.issuer,
            "iat": now,
            "nbf": now,
            "exp": now + LIFETIME_SECS,
        });
        let claims = URL_SAFE_NO_PAD.encode(claims.to_string());
        let signing_input = format!("{header}.{claims}");
        let key = hmac::Key::new(hmac::HMAC_SHA256, &self.key);
        let sig = hmac::sign(&key, signing_input.as_bytes());
        format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
}

#[derive(Deserialize)]
struct Claims {
    iss: Option<String>,
    exp: Option<u64>,
    nbf: Option<u64>,
}

/// Checks a token as Clair's PSK middleware does: HS256 only, a valid signature under `key`,
/// `iss` among `issuers`, within `nbf`..`exp`. The error says which check failed.
pub fn verify(token: &str, key: &[u8], issuers: &[&str], now: u64) -> Result<String, String> {
    let mut parts = token.split('.');
    let (Some(h), Some(c), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err("not a JWS compact token".into());
    };
    let decode = |part: &str, what: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|_| format!("the {what} is not base64url"))
    };
    let header: Header = serde_json::from_slice(&decode(h, "header")?)
        .map_err(|_| "the header is not JSON".to_string())?;
    if header.alg != "HS256" {
        return Err(format!("algorithm {} is not accepted", header.alg));
    }
    let sig = decode(s, "signature")?;
    let hkey = hmac::Key::new(hmac::HMAC_SHA256, key);
    hmac::verify(&hkey, format!("{h}.{c}").as_bytes(), &sig)
        .map_err(|_| "bad signature".to_string())?;
    let claims: Claims = serde_json::from_slice(&decode(c, "claims")?)
        .map_err(|_| "the claims are not JSON".to_string())?;
    let iss = claims.iss.ok_or("no issuer")?;
    if !issuers.contains(&iss.as_str()) {
        return Err(format!("issuer {iss:?} is not allowed"));
    }
    if claims.exp.is_some_and(|exp| now > exp + LEEWAY_SECS) {
        return Err("expired".into());
    }
    if claims.nbf.is_some_and(|nbf| now + LEEWAY_SECS < nbf) {
        return Err("not valid yet".into());
    }
    Ok(iss)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: u64 = 1_780_000_000;

    #[test]
    fn a_token_verifies_under_its_key_and_issuer_only() {
        let psk = Psk::from_base64(&STANDARD.encode(b"hunter2-key"), "blast").unwrap();
        let t = psk.token(NOW);
        assert_eq!(
            verify(&t, b"hunter2-key", &["blast"], NOW),
            Ok("blast".into())
        );
        assert_eq!(
            verify(&t, b"other-key", &["blast"], NOW),
            Err("bad signature".into())
        );
        assert!(
            verify(&t, b"hunter2-key", &["clairctl"], NOW)
                .unwrap_err()
                .contains("not allowed")
        );
        assert_eq!(
            verify(
                &t,
                b"hunter2-key",
                &["blast"],
                NOW + LIFETIME_SECS + LEEWAY_SECS + 1
            ),
            Err("expired".into())
        );
        assert_eq!(
            verify(&t, b"hunter2-key", &["blast"], NOW - LEEWAY_SECS - 1),
            Err("not valid yet".into())
        );
    }

    #[test]
    fn the_signature_matches_an_independent_hs256() {
        // RFC 7515 appendix A.1's HS256 example: its key, signing input and signature.
        let key = URL_SAFE_NO_PAD
            .decode("AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow")
            .unwrap();
        let input = "eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
        let token = format!("{input}.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk");
        assert_eq!(
            verify(&token, &key, &["joe"], 1_300_819_000),
            Ok("joe".into())
        );
    }

    #[test]
    fn none_and_other_algorithms_are_refused() {
        let h = URL_SAFE_NO_PAD.encode(br#"{"alg":"none"}"#);
        let c = URL_SAFE_NO_PAD.encode(br#"{"iss":"blast"}"#);
        let e = verify(&format!("{h}.{c}."), b"k", &["blast"], NOW).unwrap_err();
        assert!(e.contains("not accepted"), "{e}");
        assert!(verify("abc", b"k", &["blast"], NOW).is_err());
        assert!(Psk::from_base64("***", "blast").is_err());
        assert!(!format!("{:?}", Psk::new(b"sekrit", "x")).contains("sekrit"));
    }
}
