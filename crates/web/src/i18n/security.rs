//! Texts of two-factor sign-in and of the readable audit ledger.

pub const TEXTS: &[(&str, &str, &str)] = &[
    // ---- errors ----
    (
        "err.wrong_code",
        "验证码不正确或已使用过，请输入验证器应用当前显示的验证码。",
        "The code is wrong or was used already: type the one the authenticator app shows now.",
    ),
    (
        "err.challenge_expired",
        "验证码错误次数过多，请重新输入密码登录。",
        "Too many wrong codes: sign in with your password again.",
    ),
    (
        "err.totp_already_enabled",
        "已经启用了双因素认证。",
        "Two-factor sign-in is on already.",
    ),
    (
        "err.totp_not_begun",
        "请先开始绑定验证器应用。",
        "Begin adding the authenticator app first.",
    ),
    (
        "err.totp_required",
        "您的角色要求双因素认证，不能关闭；如更换手机，请联系安全管理员重置。",
        "Your role requires two-factor sign-in, so it cannot be turned off; for a new phone, ask the security administrator to reset it.",
    ),
    (
        "err.totp_not_enabled",
        "尚未启用双因素认证。",
        "Two-factor sign-in is not on.",
    ),
    ("field.totp_code", "验证码", "Code"),
    // ---- two-factor sign-in ----
    ("nav.totp", "双因素认证", "Two-factor"),
    ("totp.title", "双因素认证", "Two-factor sign-in"),
    (
        "totp.help",
        "登录时除密码外，还须输入手机验证器应用（如微信小程序、Google Authenticator、Microsoft Authenticator、FreeOTP）上每 30 秒变化的 6 位验证码。",
        "Besides the password, sign-in asks for the 6-digit code an authenticator app on your phone (Google Authenticator, Microsoft Authenticator, FreeOTP…) shows, new every 30 seconds.",
    ),
    (
        "totp.enrol_required",
        "您的角色要求使用双因素认证。请用手机验证器应用扫描下方二维码（或手动输入密钥），然后输入应用显示的 6 位验证码完成绑定并登录。",
        "Your role requires two-factor sign-in. Scan the QR code below with an authenticator app on your phone (or type the key in), then enter the 6-digit code it shows to finish and sign in.",
    ),
    (
        "totp.verify_help",
        "请输入手机验证器应用显示的 6 位验证码；手机不在身边时，可输入一个恢复码。",
        "Enter the 6-digit code your authenticator app shows; without your phone, a recovery code does.",
    ),
    ("totp.secret_label", "密钥：", "Key:"),
    ("totp.code", "6 位验证码", "6-digit code"),
    (
        "totp.code_or_recovery",
        "验证码或恢复码",
        "Code or recovery code",
    ),
    ("totp.submit", "验证并登录", "Verify and sign in"),
    (
        "totp.back_to_password",
        "返回密码登录",
        "Back to the password",
    ),
    ("totp.recovery_title", "恢复码", "Recovery codes"),
    (
        "totp.recovery_help",
        "请抄写或打印以下恢复码并妥善保管。手机丢失时，每个恢复码可代替验证码登录一次。恢复码只显示这一次。",
        "Write down or print these recovery codes and keep them safe. Without your phone, each signs you in once in place of a code. They are shown only this once.",
    ),
    ("totp.continue", "我已保存，继续", "Saved them: continue"),
    ("totp.state_on", "已启用", "On"),
    ("totp.state_off", "未启用", "Off"),
    ("totp.codes_left", "剩余恢复码：", "Recovery codes left:"),
    (
        "totp.required_note",
        "您的角色要求使用双因素认证。",
        "Your role requires two-factor sign-in.",
    ),
    ("totp.begin", "绑定验证器应用", "Add an authenticator app"),
    (
        "totp.scan",
        "请用手机验证器应用扫描二维码（或手动输入密钥），再输入应用显示的 6 位验证码。",
        "Scan the QR code with your authenticator app (or type the key in), then enter the 6-digit code it shows.",
    ),
    ("totp.confirm", "确认绑定", "Confirm"),
    (
        "totp.disable",
        "关闭双因素认证",
        "Turn two-factor sign-in off",
    ),
    (
        "totp.disable_confirm",
        "关闭后，登录只需密码。确定关闭吗？",
        "Afterwards, sign-in takes the password only. Turn it off?",
    ),
    (
        "totp.enabled",
        "双因素认证已启用。",
        "Two-factor sign-in is on.",
    ),
    (
        "totp.disabled",
        "双因素认证已关闭。",
        "Two-factor sign-in is off.",
    ),
    ("totp.policy_title", "双因素认证", "Two-factor sign-in"),
    (
        "totp.policy_help",
        "勾选的角色登录时必须使用双因素认证；尚未绑定的人员在下次登录时须先绑定。",
        "The roles ticked must sign in with a second factor; those who have none add one at their next sign-in.",
    ),
    (
        "totp.policy_saved",
        "双因素认证要求已保存。",
        "The two-factor requirement was saved.",
    ),
    ("totp.reset", "重置双因素认证", "Reset two-factor sign-in"),
    (
        "totp.reset_confirm",
        "重置后，此人的验证器绑定和恢复码作废，所有登录会话结束；如其角色要求双因素认证，下次登录时须重新绑定。确定重置吗？",
        "Their authenticator and recovery codes stop working and their sessions end; if their role requires it, they add a new one at the next sign-in. Reset?",
    ),
    (
        "totp.reset_done",
        "双因素认证已重置。",
        "Two-factor sign-in was reset.",
    ),
];
