//! The credentials offered to libgit2, in order: for ssh the agent, then unencrypted keys in
//! `~/.ssh`; for https the git credential helper, then default credentials. Names what was
//! tried (never a secret) for the error, and gives up after a few calls.

use std::collections::VecDeque;
use std::path::PathBuf;

use git2::CredentialType;

/// Calls to the credentials callback after which we stop, whatever is left to try.
const MAX_CRED_CALLS: u32 = 8;
const SSH_KEYS: [&str; 3] = ["id_ed25519", "id_ecdsa", "id_rsa"];

/// What the credentials callback offered so far; libgit2 calls it again after each failure.
#[derive(Default)]
pub(super) struct Creds {
    calls: u32,
    pub(super) tried: Vec<String>,
    agent: bool,
    keys: Option<VecDeque<PathBuf>>,
    helper: bool,
    default: bool,
    pub(super) exhausted: bool,
}

fn home() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|b| b.home_dir().to_path_buf())
}

/// True when a private key file needs a passphrase (or cannot be read as a key we know).
fn key_is_encrypted(text: &str) -> bool {
    if text.contains("ENCRYPTED") {
        // PEM `Proc-Type: 4,ENCRYPTED`, PKCS#8 `BEGIN ENCRYPTED PRIVATE KEY`.
        return true;
    }
    const BEGIN: &str = "-----BEGIN OPENSSH PRIVATE KEY-----";
    const END: &str = "-----END OPENSSH PRIVATE KEY-----";
    let Some(start) = text.find(BEGIN) else {
        return false;
    };
    let body = &text[start + BEGIN.len()..];
    let body = &body[..body.find(END).unwrap_or(body.len())];
    let b64: String = body.split_whitespace().collect();
    use base64::Engine as _;
    let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64) else {
        return true;
    };
    const MAGIC: &[u8] = b"openssh-key-v1\0";
    let Some(rest) = bytes.strip_prefix(MAGIC) else {
        return true;
    };
    let Some(len) = rest.get(..4) else {
        return true;
    };
    let len = u32::from_be_bytes([len[0], len[1], len[2], len[3]]) as usize;
    rest.get(4..4 + len) != Some(b"none".as_slice())
}

fn key_files() -> VecDeque<PathBuf> {
    let Some(ssh) = home().map(|h| h.join(".ssh")) else {
        return VecDeque::new();
    };
    SSH_KEYS
        .iter()
        .map(|k| ssh.join(k))
        .filter(|p| {
            std::fs::read_to_string(p)
                .map(|t| !key_is_encrypted(&t))
                .unwrap_or(false)
        })
        .collect()
}

impl Creds {
    pub(super) fn next(
        &mut self,
        config: Option<&git2::Config>,
        url: &str,
        user_from_url: Option<&str>,
        allowed: CredentialType,
    ) -> Result<git2::Cred, git2::Error> {
        self.calls += 1;
        if self.calls > MAX_CRED_CALLS {
            self.exhausted = true;
            return Err(git2::Error::from_str("gave up after too many attempts"));
        }
        let user = user_from_url.unwrap_or("git");
        if allowed.contains(CredentialType::USERNAME) {
            return git2::Cred::username(user);
        }
        if allowed.contains(CredentialType::SSH_KEY) {
            if !self.agent {
                self.agent = true;
                if std::env::var_os("SSH_AUTH_SOCK").is_some() {
                    self.tried.push("ssh-agent".into());
                    return git2::Cred::ssh_key_from_agent(user);
                }
            }
            let keys = self.keys.get_or_insert_with(key_files);
            if let Some(key) = keys.pop_front() {
                let name = key.file_name().map(|n| n.to_string_lossy().into_owned());
                self.tried
                    .push(format!("~/.ssh/{}", name.unwrap_or_default()));
                let public = key.with_extension("pub");
                let public = public.exists().then_some(public);
                return git2::Cred::ssh_key(user, public.as_deref(), &key, None);
            }
        }
        if allowed.contains(CredentialType::USER_PASS_PLAINTEXT) && !self.helper {
            self.helper = true;
            self.tried.push("git credential helper".into());
            if let Some(config) = config
                && let Ok(c) = git2::Cred::credential_helper(config, url, user_from_url)
            {
                return Ok(c);
            }
        }
        if allowed.contains(CredentialType::DEFAULT) && !self.default {
            self.default = true;
            self.tried.push("default credentials".into());
            return git2::Cred::default();
        }
        self.exhausted = true;
        Err(git2::Error::from_str("no more credentials to try"))
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encrypted_keys_are_told_from_plain_ones() {
        use base64::Engine as _;
        let key = |cipher: &str| {
            let mut b = b"openssh-key-v1\0".to_vec();
            b.extend((cipher.len() as u32).to_be_bytes());
            b.extend(cipher.as_bytes());
            b.extend([0, 0, 0, 4]);
            b.extend(b"none");
            let b64 = base64::engine::general_purpose::STANDARD.encode(b);
            format!(
                "-----BEGIN OPENSSH PRIVATE KEY-----\n{}\n{}\n-----END OPENSSH PRIVATE KEY-----\n",
                &b64[..20],
                &b64[20..]
            )
        };
        assert!(!key_is_encrypted(&key("none")));
        assert!(key_is_encrypted(&key("aes256-ctr")));
        assert!(key_is_encrypted(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: x\n\nAAAA\n"
        ));
        assert!(key_is_encrypted(
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n"
        ));
        assert!(!key_is_encrypted(
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA\n-----END RSA PRIVATE KEY-----\n"
        ));
        assert!(key_is_encrypted(
            "-----BEGIN OPENSSH PRIVATE KEY-----\n!!!\n-----END OPENSSH PRIVATE KEY-----\n"
        ));
    }

    #[test]
    fn credentials_stop_when_nothing_is_left() {
        let mut c = Creds {
            agent: true,
            keys: Some(VecDeque::new()),
            ..Creds::default()
        };
        // ssh with agent tried and no keys: gives up at once, and says so.
        assert!(
            c.next(None, "ssh://h/x", None, CredentialType::SSH_KEY)
                .is_err()
        );
        assert!(c.exhausted);
        // https: the helper once (none configured here), then default credentials once, then no.
        let mut c = Creds::default();
        let allowed = CredentialType::USER_PASS_PLAINTEXT | CredentialType::DEFAULT;
        assert!(c.next(None, "https://h/x", None, allowed).is_ok());
        assert!(c.next(None, "https://h/x", None, allowed).is_err());
        assert_eq!(
            c.tried,
            vec!["git credential helper", "default credentials"]
        );
        // Never more than MAX_CRED_CALLS answers, whatever is asked.
        let mut c = Creds::default();
        let n = (0..100)
            .filter(|_| {
                c.next(None, "ssh://h/x", Some("u"), CredentialType::USERNAME)
                    .is_ok()
            })
            .count();
        assert_eq!(n, MAX_CRED_CALLS as usize);
    }
}
