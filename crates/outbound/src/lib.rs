//! The channels that leave Xiaohao: mail over SMTP (`lettre`, TLS or STARTTLS) and the group
//! robots of WeCom (企业微信), DingTalk (钉钉, with its signing secret) and Feishu (飞书), each
//! in its platform's message format.
//!
//! Nothing here keeps state, reads the clock or decides whom to tell: the caller passes the
//! configuration, the message and the time. Nothing connects anywhere unless called, and the
//! caller only calls with a channel an administrator configured. Error texts never carry a
//! password, a secret or a webhook address (which holds the robot's token).
#![forbid(unsafe_code)]

use std::time::Duration;

use base64::Engine;
use domain::notify::{Channel, RobotConfig, SmtpConfig, SmtpSecurity};
use serde_json::{Value, json};

/// How long one delivery may take before it counts as failed.
pub const TIMEOUT: Duration = Duration::from_secs(15);

/// Why a delivery failed, in words an administrator can act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SendError(pub String);

impl std::fmt::Display for SendError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SendError {}

fn err(kind: &str, detail: impl std::fmt::Display) -> SendError {
    let mut s = format!("{kind}: {detail}");
    if s.chars().count() > 500 {
        s = s.chars().take(500).collect();
    }
    SendError(s)
}

// ---- mail ----

/// Sends one plain-text mail. The subject may be Chinese: it is encoded as RFC 2047.
pub async fn send_mail(
    cfg: &SmtpConfig,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), SendError> {
    use lettre::message::{Mailbox, header::ContentType};
    use lettre::transport::smtp::authentication::Credentials;
    use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

    let from: lettre::Address = cfg.from.parse().map_err(|e| err("from", e))?;
    let to: lettre::Address = to.parse().map_err(|e| err("recipient", e))?;
    let message = Message::builder()
        .from(Mailbox::new(Some("预安销号".to_owned()), from))
        .to(Mailbox::new(None, to))
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_owned())
        .map_err(|e| err("message", e))?;
    let builder = match cfg.security {
        SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(&cfg.host),
        SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(&cfg.host),
        SmtpSecurity::None => Ok(AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(
            &cfg.host,
        )),
    }
    .map_err(|e| err("smtp", e))?;
    let mut builder = builder.port(cfg.port).timeout(Some(TIMEOUT));
    if let (Some(user), Some(password)) = (&cfg.username, &cfg.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    let transport = builder.build();
    match tokio::time::timeout(TIMEOUT, transport.send(message)).await {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(err("smtp", e)),
        Err(_) => Err(err("smtp", "timed out")),
    }
}

// ---- group robots ----

/// HMAC-SHA256 (RFC 2104), as DingTalk's and Feishu's signatures use it.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(k.map(|b| b ^ 0x36));
    inner.update(message);
    let mut outer = Sha256::new();
    outer.update(k.map(|b| b ^ 0x5c));
    outer.update(inner.finalize());
    outer.finalize().into()
}

fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// DingTalk's signature (加签): base64 of HMAC-SHA256 keyed by the secret over
/// `"{timestamp_ms}\n{secret}"`.
pub fn dingtalk_sign(secret: &str, timestamp_ms: i64) -> String {
    b64(&hmac_sha256(
        secret.as_bytes(),
        format!("{timestamp_ms}\n{secret}").as_bytes(),
    ))
}

/// Feishu's signature: base64 of HMAC-SHA256 keyed by `"{timestamp_s}\n{secret}"` over
/// nothing.
pub fn feishu_sign(secret: &str, timestamp_s: i64) -> String {
    b64(&hmac_sha256(
        format!("{timestamp_s}\n{secret}").as_bytes(),
        b"",
    ))
}

/// The address to post to: DingTalk's carries the timestamp and signature as parameters.
pub fn robot_url(channel: Channel, cfg: &RobotConfig, now_ms: i64) -> Result<url::Url, SendError> {
    let mut u = url::Url::parse(&cfg.url).map_err(|_| err("url", "invalid webhook address"))?;
    if channel == Channel::Dingtalk
        && let Some(secret) = &cfg.secret
    {
        u.query_pairs_mut()
            .append_pair("timestamp", &now_ms.to_string())
            .append_pair("sign", &dingtalk_sign(secret, now_ms));
    }
    Ok(u)
}

/// The JSON body each platform expects for a text message that mentions people by mobile.
pub fn robot_payload(
    channel: Channel,
    cfg: &RobotConfig,
    text: &str,
    mobiles: &[String],
    now_ms: i64,
) -> Value {
    match channel {
        Channel::Wecom => json!({
            "msgtype": "text",
            "text": { "content": text, "mentioned_mobile_list": mobiles },
        }),
        Channel::Dingtalk => json!({
            "msgtype": "text",
            "text": { "content": text },
            "at": { "atMobiles": mobiles, "isAtAll": false },
        }),
        _ => {
            let mut v = json!({ "msg_type": "text", "content": { "text": text } });
            if let Some(secret) = &cfg.secret {
                let ts = now_ms.div_euclid(1000);
                v["timestamp"] = json!(ts.to_string());
                v["sign"] = json!(feishu_sign(secret, ts));
            }
            v
        }
    }
}

/// Whether the platform's answer says the message was accepted: WeCom and DingTalk answer
/// `errcode` 0, Feishu `code` 0 (older robots `StatusCode` 0).
pub fn robot_accepted(body: &[u8]) -> Result<(), SendError> {
    let v: Value = serde_json::from_slice(body).map_err(|_| err("robot", "answer is not JSON"))?;
    let code = v
        .get("errcode")
        .or_else(|| v.get("code"))
        .or_else(|| v.get("StatusCode"))
        .and_then(Value::as_i64);
    match code {
        Some(0) => Ok(()),
        Some(c) => {
            let msg = v
                .get("errmsg")
                .or_else(|| v.get("msg"))
                .and_then(Value::as_str)
                .unwrap_or("");
            Err(err("robot", format!("refused with code {c} {msg}")))
        }
        None => Err(err("robot", "answer has no result code")),
    }
}

/// Posts one text message to a group robot.
pub async fn post_robot(
    channel: Channel,
    cfg: &RobotConfig,
    text: &str,
    mobiles: &[String],
    now_ms: i64,
) -> Result<(), SendError> {
    use http_body_util::{BodyExt, Full};
    use hyper_util::client::legacy::Client;
    use hyper_util::rt::TokioExecutor;

    let url = robot_url(channel, cfg, now_ms)?;
    let payload = robot_payload(channel, cfg, text, mobiles, now_ms).to_string();
    let https = hyper_rustls::HttpsConnectorBuilder::new()
        .with_native_roots()
        .map_err(|e| err("tls", e))?
        .https_or_http()
        .enable_http1()
        .build();
    let client: Client<_, Full<hyper::body::Bytes>> =
        Client::builder(TokioExecutor::new()).build(https);
    let req = hyper::Request::post(url.as_str())
        .header("content-type", "application/json; charset=utf-8")
        .body(Full::new(hyper::body::Bytes::from(payload)))
        .map_err(|e| err("request", e))?;
    let call = async {
        let res = client
            .request(req)
            // The error's text may hold the address (and its token); keep only its kind.
            .await
            .map_err(|e| {
                err(
                    "connect",
                    if e.is_connect() {
                        "cannot connect"
                    } else {
                        "request failed"
                    },
                )
            })?;
        let status = res.status();
        let body = res
            .into_body()
            .collect()
            .await
            .map_err(|_| err("robot", "answer cut off"))?
            .to_bytes();
        if !status.is_success() {
            return Err(err("robot", format!("HTTP {}", status.as_u16())));
        }
        robot_accepted(&body)
    };
    match tokio::time::timeout(TIMEOUT, call).await {
        Ok(r) => r,
        Err(_) => Err(err("robot", "timed out")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_matches_rfc_4231() {
        // Test case 2 of RFC 4231.
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        assert_eq!(
            mac.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Test case 6: a key longer than the block is hashed first.
        let mac = hmac_sha256(
            &[0xaa; 131],
            b"Test Using Larger Than Block-Size Key - Hash Key First",
        );
        assert_eq!(
            mac.iter().map(|b| format!("{b:02x}")).collect::<String>(),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn dingtalk_signs_its_address() {
        let cfg = RobotConfig {
            url: "https://robot.example/send?access_token=abc".into(),
            secret: Some("SEC1".into()),
        };
        let u = robot_url(Channel::Dingtalk, &cfg, 1_700_000_000_000).unwrap();
        let q: Vec<(String, String)> = u.query_pairs().into_owned().collect();
        assert_eq!(q[0], ("access_token".into(), "abc".into()));
        assert_eq!(q[1], ("timestamp".into(), "1700000000000".into()));
        assert_eq!(q[2].1, dingtalk_sign("SEC1", 1_700_000_000_000));
        assert_ne!(dingtalk_sign("SEC1", 1), dingtalk_sign("SEC2", 1));
        // WeCom has no signature.
        let u = robot_url(Channel::Wecom, &cfg, 1).unwrap();
        assert_eq!(u.query_pairs().count(), 1);
    }

    #[test]
    fn answers_are_read_per_platform() {
        assert!(robot_accepted(br#"{"errcode":0,"errmsg":"ok"}"#).is_ok());
        assert!(robot_accepted(br#"{"code":0,"msg":"success"}"#).is_ok());
        let e = robot_accepted(br#"{"errcode":310000,"errmsg":"sign not match"}"#).unwrap_err();
        assert!(e.0.contains("310000"), "{e}");
        assert!(robot_accepted(b"<html>").is_err());
    }
}

#[cfg(feature = "testing")]
pub mod testing;
