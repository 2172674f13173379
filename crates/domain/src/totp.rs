//! Two-factor sign-in by time-based one-time passwords (TOTP, RFC 6238 over HOTP, RFC 4226),
//! as every authenticator app computes them: HMAC-SHA1, six digits, a 30-second step.
//!
//! A code is accepted for the step it names and one step either side (a phone's clock a little
//! off), and only for a step later than the last one accepted, so a code seen over a
//! shoulder cannot be used again. Recovery codes stand in for the phone once each.
//!
//! The secret is kept in the database sealed under the server's key ([`TotpSecret::seal`]): a
//! copy of the database alone does not yield anyone's codes.

use chrono::{DateTime, Utc};
use sha1::Sha1;
use sha2::Digest;

use crate::audit::AuditKey;

/// Seconds per step.
pub const STEP_SECS: i64 = 30;
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Recovery codes made at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// A person's shared secret (160 bits, as RFC 4226 recommends).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret([u8; 20]);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(…)")
    }
}

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

impl TotpSecret {
    pub fn from_bytes(bytes: [u8; 20]) -> TotpSecret {
        TotpSecret(bytes)
    }

    /// The secret as an authenticator app takes it typed in: RFC 4648 base32, no padding.
    pub fn to_base32(&self) -> String {
        let mut out = String::with_capacity(32);
        let (mut buffer, mut bits) = (0u32, 0u32);
        for &b in &self.0 {
            buffer = (buffer << 8) | u32::from(b);
            bits += 8;
            while bits >= 5 {
                bits -= 5;
                out.push(BASE32[((buffer >> bits) & 31) as usize] as char);
            }
        }
        if bits > 0 {
            out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
        }
        out
    }

    /// Reads base32 (spaces and case ignored); `None` unless it is exactly 20 bytes.
    pub fn from_base32(s: &str) -> Option<TotpSecret> {
        let mut bytes = Vec::with_capacity(20);
        let (mut buffer, mut bits) = (0u32, 0u32);
        for c in s.chars().filter(|c| !c.is_whitespace() && *c != '=') {
            let v = BASE32
                .iter()
                .position(|&b| b as char == c.to_ascii_uppercase())?;
            buffer = (buffer << 5) | v as u32;
            bits += 5;
            if bits >= 8 {
                bits -= 8;
                bytes.push((buffer >> bits) as u8);
            }
        }
        Some(TotpSecret(bytes.try_into().ok()?))
    }

    /// The `otpauth://` address an authenticator app reads from the QR code.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let enc = |s: &str| -> String {
            s.bytes()
                .map(|b| match b {
                    b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                        (b as char).to_string()
                    }
                    _ => format!("%{b:02X}"),
                })
                .collect()
        };
        format!(
            "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECS}",
            enc(issuer),
            enc(account),
            self.to_base32(),
            enc(issuer)
        )
    }

    /// The secret sealed for storage: XOR with a pad that only `key` and a fresh `nonce` give.
    pub fn seal(&self, key: &AuditKey, nonce: &str) -> String {
        let pad = pad(key, nonce);
        let sealed: Vec<u8> = self.0.iter().zip(pad).map(|(a, b)| a ^ b).collect();
        format!("v1:{nonce}:{}", hex::encode(sealed))
    }

    /// Opens what [`TotpSecret::seal`] made; `None` for anything that is not a seal. A seal
    /// made under another key opens to a wrong secret, whose codes then fail.
    pub fn unseal(key: &AuditKey, stored: &str) -> Option<TotpSecret> {
        let mut parts = stored.splitn(3, ':');
        if parts.next()? != "v1" {
            return None;
        }
        let nonce = parts.next()?;
        let sealed = hex::decode(parts.next()?).ok()?;
        let bytes: Vec<u8> = sealed
            .iter()
            .zip(pad(key, nonce))
            .map(|(a, b)| a ^ b)
            .collect();
        Some(TotpSecret(bytes.try_into().ok()?))
    }

    /// The code of `step`.
    pub fn code_at(&self, step: i64) -> String {
        let n = hotp(&self.0, step as u64, DIGITS);
        format!("{n:0width$}", width = DIGITS as usize)
    }

    /// The code at `now`, as the phone shows it.
    pub fn code_now(&self, now: DateTime<Utc>) -> String {
        self.code_at(step_of(now))
    }

    /// The step a typed `code` matches at `now` (one step of drift either way), if that step
    /// is later than `last_step`; `None` for a wrong, stale or replayed code.
    pub fn verify(&self, code: &str, now: DateTime<Utc>, last_step: Option<i64>) -> Option<i64> {
        let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let now = step_of(now);
        (now - 1..=now + 1)
            .filter(|s| last_step.is_none_or(|last| *s > last))
            .find(|s| constant_time_eq(self.code_at(*s).as_bytes(), code.as_bytes()))
    }
}

fn pad(key: &AuditKey, nonce: &str) -> Vec<u8> {
    hex::decode(key.hmac(format!("xiaohao-totp-secret\0{nonce}").as_bytes())).unwrap_or_default()
}

/// The step `now` falls in.
pub fn step_of(now: DateTime<Utc>) -> i64 {
    now.timestamp().div_euclid(STEP_SECS)
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// HMAC-SHA1 (RFC 2104) of `message` under `key` (at most 64 bytes).
fn hmac_sha1(key: &[u8], message: &[u8]) -> [u8; 20] {
    let mut block = [0u8; 64];
    block[..key.len().min(64)].copy_from_slice(&key[..key.len().min(64)]);
    let pad = |byte: u8| block.map(|b| b ^ byte);
    let inner = Sha1::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha1::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// HOTP (RFC 4226): the dynamically truncated HMAC-SHA1 of the counter, `digits` long.
pub fn hotp(key: &[u8], counter: u64, digits: u32) -> u32 {
    let mac = hmac_sha1(key, &counter.to_be_bytes());
    let offset = usize::from(mac[19] & 0x0f);
    let binary = (u32::from(mac[offset]) & 0x7f) << 24
        | u32::from(mac[offset + 1]) << 16
        | u32::from(mac[offset + 2]) << 8
        | u32::from(mac[offset + 3]);
    binary % 10u32.pow(digits)
}

/// A recovery code from 8 random bytes: ten letters and digits without look-alikes, shown as
/// two groups of five (`k7m2p-x9qrt`).
pub fn recovery_code(bytes: [u8; 8]) -> String {
    const CHARS: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut n = u64::from_be_bytes(bytes);
    let mut out = String::with_capacity(11);
    for i in 0..10 {
        if i == 5 {
            out.push('-');
        }
        out.push(CHARS[(n % CHARS.len() as u64) as usize] as char);
        n /= CHARS.len() as u64;
    }
    out
}

/// A recovery code as typed, in the form it was made: lower case, the dash in place, spaces
/// dropped; `None` if it cannot be one.
pub fn normalize_recovery_code(typed: &str) -> Option<String> {
    let chars: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    (chars.len() == 10).then(|| format!("{}-{}", &chars[..5], &chars[5..]))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const RFC_KEY: &[u8; 20] = b"12345678901234567890";

    #[test]
    fn hotp_matches_rfc_4226_appendix_d() {
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, want) in expected.iter().enumerate() {
            assert_eq!(hotp(RFC_KEY, counter as u64, 6), *want, "counter {counter}");
        }
    }

    #[test]
    fn totp_matches_rfc_6238_appendix_b_for_sha1() {
        for (t, want) in [
            (59_i64, 94287082_u32),
            (1111111109, 7081804),
            (1111111111, 14050471),
            (1234567890, 89005924),
            (2000000000, 69279037),
            (20000000000, 65353130),
        ] {
            let step = Utc.timestamp_opt(t, 0).unwrap().timestamp() / STEP_SECS;
            assert_eq!(hotp(RFC_KEY, step as u64, 8), want, "T = {t}");
        }
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        let s = TotpSecret::from_bytes(*RFC_KEY);
        assert_eq!(s.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            TotpSecret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"),
            Some(s)
        );
        assert_eq!(TotpSecret::from_base32("GEZDGNBV"), None);
        assert_eq!(
            TotpSecret::from_base32("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1"),
            None
        );
    }

    #[test]
    fn a_code_is_accepted_once_within_a_step_of_drift() {
        let s = TotpSecret::from_bytes(*RFC_KEY);
        let now = Utc.timestamp_opt(1_700_000_015, 0).unwrap();
        let step = step_of(now);
        assert_eq!(s.verify(&s.code_at(step), now, None), Some(step));
        assert_eq!(s.verify(&s.code_at(step - 1), now, None), Some(step - 1));
        assert_eq!(s.verify(&s.code_at(step + 1), now, None), Some(step + 1));
        assert_eq!(s.verify(&s.code_at(step - 2), now, None), None);
        // Replayed, or older than the last one used.
        assert_eq!(s.verify(&s.code_at(step), now, Some(step)), None);
        assert_eq!(s.verify(&s.code_at(step - 1), now, Some(step - 1)), None);
        // Typed with a space in the middle, as apps show it.
        let code = s.code_at(step);
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(s.verify(&spaced, now, None), Some(step));
        for bad in ["", "12345", "1234567", "abcdef"] {
            assert_eq!(s.verify(bad, now, None), None, "{bad:?}");
        }
    }

    #[test]
    fn a_sealed_secret_opens_only_under_its_key() {
        let key = AuditKey::from_bytes([7; 32]);
        let other = AuditKey::from_bytes([8; 32]);
        let s = TotpSecret::from_bytes(*RFC_KEY);
        let stored = s.seal(&key, "n1");
        assert!(!stored.contains(&hex::encode(RFC_KEY)));
        assert_ne!(stored, s.seal(&key, "n2"), "each nonce seals differently");
        assert_eq!(TotpSecret::unseal(&key, &stored), Some(s.clone()));
        assert_ne!(TotpSecret::unseal(&other, &stored), Some(s));
        assert_eq!(TotpSecret::unseal(&key, "garbage"), None);
    }

    #[test]
    fn the_uri_names_issuer_account_and_secret() {
        let s = TotpSecret::from_bytes(*RFC_KEY);
        let uri = s.otpauth_uri("预安销号", "demo.admin");
        assert!(uri.starts_with("otpauth://totp/%E9%A2%84"), "{uri}");
        assert!(uri.contains(":demo.admin?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&"));
        assert!(uri.ends_with("&digits=6&period=30"));
    }

    #[test]
    fn recovery_codes_read_back_however_typed() {
        let code = recovery_code([1, 2, 3, 4, 5, 6, 7, 8]);
        assert_eq!(code.len(), 11);
        assert_eq!(&code[5..6], "-");
        assert_ne!(code, recovery_code([8, 7, 6, 5, 4, 3, 2, 1]));
        let typed = code.to_uppercase().replace('-', " ");
        assert_eq!(normalize_recovery_code(&typed), Some(code));
        assert_eq!(normalize_recovery_code("abc"), None);
    }
}
