//! Keys and the two primitives the platform relies on: sealing identifying data with an
//! authenticated cipher (XChaCha20-Poly1305) and keyed hashes (HMAC-SHA256) for receipts,
//! idempotency keys, tokens and the audit trail's chain. Every key is derived (HKDF-SHA256) from one master secret that
//! lives outside the database, so a stolen database alone reveals nothing.

use std::io::Write;
use std::path::Path;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use hkdf::Hkdf;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use zeroize::Zeroizing;

const SEAL_VERSION: u8 = 1;
const NONCE_LEN: usize = 24;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("secret key: {0}")]
    Key(String),
    #[error("sealed data is damaged or was sealed with another key")]
    Open,
}

/// What a keyed hash is for; each purpose has its own derived key, so a hash made for one
/// purpose can never be replayed as another.
#[derive(Debug, Clone, Copy)]
pub enum MacPurpose {
    Receipt,
    Idempotency,
    Csrf,
    FollowUp,
    /// Links of the audit trail's hash chain: without this key, a consistent chain cannot be
    /// forged by someone who holds only the database.
    Audit,
    /// Keys of partner systems for the Open311 API: only this hash of a key is stored.
    ApiKey,
    /// Survey invitations (only this hash of a token is stored) and the cookie that marks a
    /// wave as answered on an open link.
    Survey,
    /// Links sent to residents by the dialogue (cancelling a registration or a booking,
    /// confirming a support) and the keyed hashes of their addresses (one per person).
    Dialogue,
}

pub struct Keys {
    cipher: XChaCha20Poly1305,
    receipt: Zeroizing<[u8; 32]>,
    idempotency: Zeroizing<[u8; 32]>,
    csrf: Zeroizing<[u8; 32]>,
    follow_up: Zeroizing<[u8; 32]>,
    audit: Zeroizing<[u8; 32]>,
    api_key: Zeroizing<[u8; 32]>,
    survey: Zeroizing<[u8; 32]>,
    dialogue: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys(..)")
    }
}

impl Keys {
    pub fn from_master(master: &[u8; 32]) -> Keys {
        let hk = Hkdf::<Sha256>::new(Some(b"mistok"), master);
        let derive = |info: &[u8]| {
            let mut out = Zeroizing::new([0u8; 32]);
            // 32 bytes is far below HKDF-SHA256's output limit, so expand cannot fail.
            hk.expand(info, out.as_mut())
                .expect("32-byte HKDF output is always valid");
            out
        };
        let seal_key = derive(b"seal v1");
        Keys {
            cipher: XChaCha20Poly1305::new(seal_key.as_ref().into()),
            receipt: derive(b"receipt v1"),
            idempotency: derive(b"idempotency v1"),
            csrf: derive(b"csrf v1"),
            follow_up: derive(b"follow-up v1"),
            audit: derive(b"audit v1"),
            api_key: derive(b"api key v1"),
            survey: derive(b"survey v1"),
            dialogue: derive(b"dialogue v1"),
        }
    }

    /// Loads the master secret from the configured value or file; creates the file with
    /// owner-only permissions on first run.
    pub fn load_or_create(inline: Option<&str>, path: &Path) -> Result<Keys, CryptoError> {
        let master = match inline {
            Some(b64) => decode_master(b64)?,
            None if path.exists() => {
                let text = Zeroizing::new(
                    std::fs::read_to_string(path).map_err(|e| CryptoError::Key(e.to_string()))?,
                );
                decode_master(text.trim())?
            }
            None => create_master_file(path)?,
        };
        Ok(Keys::from_master(&master))
    }

    /// Seals `plaintext`; `context` (e.g. "report.contact") is bound as associated data so a
    /// sealed value cannot be moved to another field unnoticed.
    pub fn seal(&self, context: &str, plaintext: &[u8]) -> Vec<u8> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let payload = Payload {
            msg: plaintext,
            aad: context.as_bytes(),
        };
        // Encryption only fails for messages beyond the cipher's ~256 GiB limit.
        let ciphertext = self
            .cipher
            .encrypt(&nonce, payload)
            .expect("XChaCha20-Poly1305 encrypts any in-memory message");
        let mut out = Vec::with_capacity(1 + NONCE_LEN + ciphertext.len());
        out.push(SEAL_VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        out
    }

    pub fn open(&self, context: &str, sealed: &[u8]) -> Result<Zeroizing<Vec<u8>>, CryptoError> {
        if sealed.len() < 1 + NONCE_LEN || sealed[0] != SEAL_VERSION {
            return Err(CryptoError::Open);
        }
        let nonce = XNonce::from_slice(&sealed[1..1 + NONCE_LEN]);
        let payload = Payload {
            msg: &sealed[1 + NONCE_LEN..],
            aad: context.as_bytes(),
        };
        self.cipher
            .decrypt(nonce, payload)
            .map(Zeroizing::new)
            .map_err(|_| CryptoError::Open)
    }

    pub fn open_string(&self, context: &str, sealed: &[u8]) -> Result<String, CryptoError> {
        let bytes = self.open(context, sealed)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| CryptoError::Open)
    }

    /// HMAC-SHA256 of `data` under the key for `purpose`.
    pub fn mac(&self, purpose: MacPurpose, data: &[u8]) -> [u8; 32] {
        hmac_sha256(self.mac_key_bytes(purpose), data)
    }

    /// An owned copy of one purpose's key, for work that cannot borrow `Keys` (e.g. a job of
    /// the SQLite writer, which must be `'static`).
    pub fn mac_key(&self, purpose: MacPurpose) -> MacKey {
        MacKey {
            purpose,
            key: Zeroizing::new(*self.mac_key_bytes(purpose)),
        }
    }

    fn mac_key_bytes(&self, purpose: MacPurpose) -> &[u8; 32] {
        match purpose {
            MacPurpose::Receipt => &self.receipt,
            MacPurpose::Idempotency => &self.idempotency,
            MacPurpose::Csrf => &self.csrf,
            MacPurpose::FollowUp => &self.follow_up,
            MacPurpose::Audit => &self.audit,
            MacPurpose::ApiKey => &self.api_key,
            MacPurpose::Survey => &self.survey,
            MacPurpose::Dialogue => &self.dialogue,
        }
    }

    /// Constant-time check of a MAC made by [`Keys::mac`].
    pub fn verify_mac(&self, purpose: MacPurpose, data: &[u8], tag: &[u8]) -> bool {
        use subtle::ConstantTimeEq;
        let expected = self.mac(purpose, data);
        expected.ct_eq(tag).into()
    }
}

/// One purpose's MAC key on its own (see [`Keys::mac_key`]); zeroed when dropped.
#[derive(Clone)]
pub struct MacKey {
    purpose: MacPurpose,
    key: Zeroizing<[u8; 32]>,
}

impl std::fmt::Debug for MacKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MacKey({:?}, ..)", self.purpose)
    }
}

impl MacKey {
    pub fn purpose(&self) -> MacPurpose {
        self.purpose
    }

    /// The same as [`Keys::mac`] with this key's purpose.
    pub fn mac(&self, data: &[u8]) -> [u8; 32] {
        hmac_sha256(&self.key, data)
    }
}

fn hmac_sha256(key: &[u8; 32], data: &[u8]) -> [u8; 32] {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(data);
    mac.finalize().into_bytes().into()
}

fn decode_master(b64: &str) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
    let bytes = Zeroizing::new(
        B64.decode(b64.trim())
            .map_err(|_| CryptoError::Key("not valid base64".into()))?,
    );
    let array: [u8; 32] = bytes
        .as_slice()
        .try_into()
        .map_err(|_| CryptoError::Key("must be 32 bytes (44 base64 characters)".into()))?;
    Ok(Zeroizing::new(array))
}

fn create_master_file(path: &Path) -> Result<Zeroizing<[u8; 32]>, CryptoError> {
    let io = |e: std::io::Error| CryptoError::Key(format!("{}: {e}", path.display()));
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut master = Zeroizing::new([0u8; 32]);
    rand::fill(master.as_mut());
    let encoded = Zeroizing::new(B64.encode(master.as_ref()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path).map_err(io)?;
    file.write_all(encoded.as_bytes()).map_err(io)?;
    file.write_all(b"\n").map_err(io)?;
    file.sync_all().map_err(io)?;
    tracing::info!(path = %path.display(), "created a new master secret");
    Ok(master)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys() -> Keys {
        Keys::from_master(&[7u8; 32])
    }

    #[test]
    fn seal_round_trips_and_binds_context() {
        let k = keys();
        let sealed = k.seal("report.contact", b"+380 50 123 45 67");
        assert!(!sealed.windows(4).any(|w| w == b"+380"));
        assert_eq!(
            k.open("report.contact", &sealed).unwrap().as_slice(),
            b"+380 50 123 45 67"
        );
        assert!(k.open("report.witnesses", &sealed).is_err());
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(k.open("report.contact", &tampered).is_err());
        assert!(k.open("report.contact", &[1, 2, 3]).is_err());
    }

    #[test]
    fn purposes_have_distinct_keys() {
        let k = keys();
        assert_ne!(
            k.mac(MacPurpose::Receipt, b"x"),
            k.mac(MacPurpose::Idempotency, b"x")
        );
        assert_ne!(
            k.mac(MacPurpose::Audit, b"x"),
            k.mac(MacPurpose::FollowUp, b"x")
        );
        let audit = k.mac_key(MacPurpose::Audit);
        assert_eq!(audit.mac(b"x"), k.mac(MacPurpose::Audit, b"x"));
        let tag = k.mac(MacPurpose::Csrf, b"abc");
        assert!(k.verify_mac(MacPurpose::Csrf, b"abc", &tag));
        assert!(!k.verify_mac(MacPurpose::Csrf, b"abd", &tag));
    }

    #[test]
    fn creates_key_file_once_with_owner_only_mode() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keys/secret.key");
        let a = Keys::load_or_create(None, &path).unwrap();
        let b = Keys::load_or_create(None, &path).unwrap();
        assert_eq!(
            a.mac(MacPurpose::Receipt, b"r"),
            b.mac(MacPurpose::Receipt, b"r")
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(Keys::load_or_create(Some("short"), &path).is_err());
    }
}
