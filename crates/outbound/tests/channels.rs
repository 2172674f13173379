//! Real exchanges: a mail through an SMTP server started here, and each robot's payload as a
//! local HTTP receiver gets it.

use domain::notify::{Channel, RobotConfig, SmtpConfig, SmtpSecurity};
use outbound::testing::{Receiver, SmtpServer};
use serde_json::json;

fn smtp(port: u16) -> SmtpConfig {
    SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        security: SmtpSecurity::None,
        username: Some("notice".into()),
        password: Some("pw-123".into()),
        from: "notice@gov.example".into(),
    }
}

#[tokio::test]
async fn a_mail_with_a_chinese_subject_goes_through_smtp() {
    let server = SmtpServer::start().await;
    outbound::send_mail(
        &smtp(server.port),
        "zhang@unit.example",
        "【预安销号】催办：完成老旧小区改造",
        "督查室对任务「完成老旧小区改造」进行催办。\n请加快办理。",
    )
    .await
    .expect("sent");
    let mails = server.received();
    assert_eq!(mails.len(), 1);
    let m = &mails[0];
    assert_eq!(m.from, "notice@gov.example");
    assert_eq!(m.to, vec!["zhang@unit.example".to_owned()]);
    assert_eq!(m.auth, Some(("notice".into(), "pw-123".into())));
    assert_eq!(
        m.header("Subject").as_deref(),
        Some("【预安销号】催办：完成老旧小区改造")
    );
    assert!(m.header("Content-Type").unwrap().contains("charset=utf-8"));
    assert!(
        m.body()
            .contains("督查室对任务「完成老旧小区改造」进行催办。"),
        "{}",
        m.body()
    );
}

#[tokio::test]
async fn a_mail_server_that_is_down_is_an_error_not_a_hang() {
    // Bind and drop: the port is closed.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let e = outbound::send_mail(&smtp(port), "a@b.example", "主题", "正文")
        .await
        .unwrap_err();
    assert!(e.0.starts_with("smtp"), "{e}");
    assert!(!e.0.contains("pw-123"));
}

#[tokio::test]
async fn a_starttls_server_without_starttls_is_refused() {
    let server = SmtpServer::start().await;
    let cfg = SmtpConfig {
        security: SmtpSecurity::Starttls,
        ..smtp(server.port)
    };
    assert!(
        outbound::send_mail(&cfg, "a@b.example", "主题", "正文")
            .await
            .is_err()
    );
    assert!(server.received().is_empty(), "nothing is sent in the clear");
}

#[tokio::test]
async fn each_robot_gets_its_platform_format() {
    let ok = Receiver::start(json!({"errcode": 0, "errmsg": "ok"})).await;
    let now_ms = 1_780_000_000_123;
    let mobiles = vec!["13800000001".to_owned()];

    let wecom = RobotConfig {
        url: format!("{}/cgi-bin/webhook/send?key=K1", ok.base),
        secret: None,
    };
    outbound::post_robot(
        Channel::Wecom,
        &wecom,
        "【预安销号】红牌预警",
        &mobiles,
        now_ms,
    )
    .await
    .expect("wecom");
    let ding = RobotConfig {
        url: format!("{}/robot/send?access_token=T1", ok.base),
        secret: Some("SECxyz".into()),
    };
    outbound::post_robot(
        Channel::Dingtalk,
        &ding,
        "【预安销号】催办",
        &mobiles,
        now_ms,
    )
    .await
    .expect("dingtalk");
    let got = ok.received();
    assert_eq!(got.len(), 2);
    assert_eq!(got[0].path_and_query, "/cgi-bin/webhook/send?key=K1");
    assert_eq!(
        got[0].body,
        json!({"msgtype": "text", "text": {"content": "【预安销号】红牌预警", "mentioned_mobile_list": ["13800000001"]}})
    );
    let sign = outbound::dingtalk_sign("SECxyz", now_ms);
    let expected: String = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("access_token", "T1")
        .append_pair("timestamp", &now_ms.to_string())
        .append_pair("sign", &sign)
        .finish();
    assert_eq!(got[1].path_and_query, format!("/robot/send?{expected}"));
    assert_eq!(
        got[1].body,
        json!({"msgtype": "text", "text": {"content": "【预安销号】催办"}, "at": {"atMobiles": ["13800000001"], "isAtAll": false}})
    );

    let feishu_rx = Receiver::start(json!({"code": 0, "msg": "success"})).await;
    let feishu = RobotConfig {
        url: format!("{}/open-apis/bot/v2/hook/H1", feishu_rx.base),
        secret: Some("fs-secret".into()),
    };
    outbound::post_robot(
        Channel::Feishu,
        &feishu,
        "【预安销号】通报已发布",
        &[],
        now_ms,
    )
    .await
    .expect("feishu");
    let got = feishu_rx.received();
    assert_eq!(got[0].path_and_query, "/open-apis/bot/v2/hook/H1");
    assert_eq!(
        got[0].body,
        json!({
            "msg_type": "text",
            "content": {"text": "【预安销号】通报已发布"},
            "timestamp": "1780000000",
            "sign": outbound::feishu_sign("fs-secret", 1_780_000_000),
        })
    );
}

#[tokio::test]
async fn a_robot_that_refuses_is_an_error_without_its_token() {
    let refusing = Receiver::start(json!({"errcode": 310000, "errmsg": "sign not match"})).await;
    let cfg = RobotConfig {
        url: format!("{}/robot/send?access_token=SECRET-TOKEN", refusing.base),
        secret: Some("s".into()),
    };
    let e = outbound::post_robot(Channel::Dingtalk, &cfg, "x", &[], 1)
        .await
        .unwrap_err();
    assert!(e.0.contains("310000"), "{e}");
    assert!(!e.0.contains("SECRET-TOKEN"));
    // Nothing listens here.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let down = RobotConfig {
        url: format!("http://127.0.0.1:{port}/hook?key=SECRET-TOKEN"),
        secret: None,
    };
    let e = outbound::post_robot(Channel::Wecom, &down, "x", &[], 1)
        .await
        .unwrap_err();
    assert!(!e.0.contains("SECRET-TOKEN"), "{e}");
}
