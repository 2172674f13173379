//! User-interface text in Chinese (the default) and English. Every string the UI shows, and
//! every error code the app layer returns, has an entry here; a test checks that every key a
//! template uses exists.

use std::collections::HashMap;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    pub fn parse(s: &str) -> Option<Lang> {
        match s {
            "zh" | "zh-CN" => Some(Lang::Zh),
            "en" => Some(Lang::En),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub fn t(self, key: &str) -> &'static str {
        match map().get(key) {
            Some((zh, en)) => match self {
                Lang::Zh => zh,
                Lang::En => en,
            },
            None => {
                tracing::warn!(key, "missing translation");
                "?"
            }
        }
    }

    /// The message for an error code (`err.` keys).
    pub fn err(self, code: &str) -> &'static str {
        let key = format!("err.{code}");
        if has_key(&key) {
            self.t(&key)
        } else {
            self.t("err.invalid")
        }
    }

    /// The label of a form field (`field.` keys).
    pub fn field(self, name: &str) -> &'static str {
        let key = format!("field.{name}");
        if has_key(&key) {
            self.t(&key)
        } else {
            self.t("field.unknown")
        }
    }

    /// The name of an action of the audit ledger; a task's event by its history name; an
    /// action without a name (none should be) as its code.
    pub fn audit_action(self, action: &str) -> String {
        let key = format!("audit.action.{action}");
        if has_key(&key) {
            return self.t(&key).to_owned();
        }
        if let Some(event) = action.strip_prefix("task.") {
            let key = format!("event.{event}");
            if has_key(&key) {
                return format!("{}{}", self.t("audit.task_event"), self.t(&key));
            }
        }
        action.to_owned()
    }

    /// The name of a kind of object of the audit ledger.
    pub fn audit_entity(self, entity: &str) -> String {
        let key = format!("audit.entity.{entity}");
        if has_key(&key) {
            self.t(&key).to_owned()
        } else {
            entity.to_owned()
        }
    }

    pub fn role(self, role: &str) -> &'static str {
        let key = format!("role.{role}");
        if has_key(&key) {
            self.t(&key)
        } else {
            self.t("field.unknown")
        }
    }
}

mod consequences;
mod notify;
mod security;
mod signoff;
mod supervision;

fn map() -> &'static HashMap<&'static str, (&'static str, &'static str)> {
    static MAP: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
    MAP.get_or_init(|| texts().map(|(k, zh, en)| (*k, (*zh, *en))).collect())
}

/// Every UI text: (key, Chinese, English).
pub fn texts() -> impl Iterator<Item = &'static (&'static str, &'static str, &'static str)> {
    TEXTS
        .iter()
        .chain(supervision::TEXTS)
        .chain(signoff::TEXTS)
        .chain(consequences::TEXTS)
        .chain(notify::TEXTS)
        .chain(security::TEXTS)
        .chain(security::ACTIONS)
}

/// The codes of the named actions of the audit ledger, in the order of their table.
pub fn audit_actions() -> impl Iterator<Item = &'static str> {
    security::ACTIONS
        .iter()
        .filter_map(|(k, _, _)| k.strip_prefix("audit.action."))
}

/// The kinds of object of the audit ledger.
pub fn audit_entities() -> impl Iterator<Item = &'static str> {
    security::ACTIONS
        .iter()
        .filter_map(|(k, _, _)| k.strip_prefix("audit.entity."))
}

pub fn has_key(key: &str) -> bool {
    map().contains_key(key)
}

pub const TEXTS: &[(&str, &str, &str)] = &[
    (
        "err.last_admin",
        "不能移除组织的最后一名管理员。",
        "The organization's last administrator cannot be removed.",
    ),
    (
        "err.invalid_choice",
        "请选择有效的选项。",
        "Choose one of the offered options.",
    ),
    (
        "err.method_not_allowed",
        "不支持该请求方法。",
        "This method is not allowed here.",
    ),
    ("app.name", "预安销号", "Xiaohao"),
    (
        "app.tagline",
        "预安销号工作管理系统",
        "Plan, supervise and sign off",
    ),
    ("nav.home", "首页", "Home"),
    ("nav.organizations", "组织", "Organizations"),
    ("nav.units", "部门单位", "Units"),
    ("nav.people", "人员", "People"),
    ("nav.audit", "审计日志", "Audit ledger"),
    ("nav.password", "修改密码", "Change password"),
    ("nav.logout", "退出", "Sign out"),
    ("nav.lang_other", "English", "中文"),
    ("nav.menu", "菜单", "Menu"),
    ("login.title", "登录", "Sign in"),
    ("login.submit", "登录", "Sign in"),
    (
        "login.hint",
        "请使用管理员分配的账号登录。",
        "Sign in with the account your administrator gave you.",
    ),
    ("home.welcome", "欢迎", "Welcome"),
    ("home.your_roles", "您的角色", "Your roles"),
    (
        "home.no_roles",
        "尚未分配角色，请联系管理员。",
        "No role yet: ask your administrator.",
    ),
    ("home.led_units", "分管单位", "Units in your charge"),
    ("home.your_unit", "所在单位", "Your unit"),
    (
        "home.must_change",
        "首次登录请先修改密码。",
        "Please change your password before you continue.",
    ),
    ("home.shortcuts", "常用功能", "Shortcuts"),
    ("common.search", "搜索", "Search"),
    ("common.save", "保存", "Save"),
    ("common.create", "新建", "Create"),
    ("common.edit", "编辑", "Edit"),
    ("common.cancel", "取消", "Cancel"),
    ("common.disable", "停用", "Disable"),
    ("common.enable", "启用", "Enable"),
    ("common.disabled", "已停用", "Disabled"),
    ("common.enabled", "正常", "Active"),
    ("common.status", "状态", "Status"),
    ("common.actions", "操作", "Actions"),
    ("common.none", "无", "None"),
    ("common.empty", "暂无数据。", "Nothing here yet."),
    ("common.prev", "上一页", "Previous"),
    ("common.next", "下一页", "Next"),
    ("common.page_of", "页，共", "of"),
    ("common.total", "共", "Total"),
    ("common.items", "条", "items"),
    ("common.show_disabled", "显示已停用", "Show disabled"),
    ("common.all", "全部", "All"),
    ("common.top_level", "（顶级）", "(top level)"),
    ("common.back", "返回", "Back"),
    ("common.confirm", "确定要执行此操作吗？", "Are you sure?"),
    ("common.saved", "已保存。", "Saved."),
    (
        "common.fix_errors",
        "请修正以下错误后重新提交。",
        "Please correct the errors below.",
    ),
    ("common.filter", "筛选", "Filter"),
    ("common.details", "详情", "Details"),
    ("org.list", "组织列表", "Organizations"),
    ("org.new", "新建下级组织", "New sub-organization"),
    ("org.edit", "编辑组织", "Edit organization"),
    ("org.parent", "上级组织", "Parent organization"),
    ("unit.list", "部门单位", "Units"),
    ("unit.new", "新建单位", "New unit"),
    ("unit.edit", "编辑单位", "Edit unit"),
    ("unit.children", "下级单位", "Sub-units"),
    ("unit.posts", "岗位", "Posts"),
    ("unit.people", "人员", "People"),
    ("unit.new_post", "新增岗位", "Add post"),
    ("unit.path", "上级", "Within"),
    (
        "unit.no_people_access",
        "您无权查看该单位的人员。",
        "You may not see the people of this unit.",
    ),
    ("person.list", "人员", "People"),
    ("person.new", "新建人员", "New person"),
    ("person.edit", "编辑人员", "Edit person"),
    ("person.roles", "角色", "Roles"),
    ("person.grant_role", "授予角色", "Grant role"),
    ("person.revoke", "撤销", "Revoke"),
    ("person.led_units", "分管单位", "Units in charge"),
    (
        "person.set_led_units",
        "保存分管单位",
        "Save units in charge",
    ),
    ("person.reset_password", "重置密码", "Reset password"),
    ("person.unlock", "解除登录限制", "Lift sign-in locks"),
    (
        "person.unlocked",
        "已解除登录限制，解除的限制数：",
        "Sign-in locks lifted; number lifted:",
    ),
    (
        "person.password_generated",
        "已生成初始密码（仅显示一次，请转交本人）：",
        "Generated password (shown once; hand it to the person):",
    ),
    (
        "person.password_reset_done",
        "密码已重置，新密码（仅显示一次）：",
        "Password reset. New password (shown once):",
    ),
    ("person.api_tokens", "API 令牌", "API tokens"),
    ("nav.tokens", "接口令牌", "API tokens"),
    ("tokens.title", "我的接口令牌", "My API tokens"),
    (
        "tokens.help",
        "接口令牌让其他系统（如企业微信、钉钉、通讯录同步）以您的身份和权限调用本系统接口，请求头写作 Authorization: Bearer 令牌。令牌只在创建时显示一次，请妥善保管；不再使用时请撤销。",
        "An API token lets another system (WeCom, DingTalk, a directory sync) call this system's API as you, with your rights: send it as Authorization: Bearer <token>. It is shown once, when it is made; keep it safe, and revoke it when it is no longer used.",
    ),
    (
        "tokens.created",
        "令牌已创建。它只显示这一次，请现在复制并保存：",
        "The token was made. It is shown only this once: copy it and keep it now.",
    ),
    ("tokens.name", "用途", "Used for"),
    (
        "tokens.name_example",
        "例如：企业微信同步",
        "e.g. WeCom sync",
    ),
    ("tokens.validity", "有效期", "Valid for"),
    ("tokens.days", "天", "days"),
    ("tokens.no_expiry", "长期有效（直到撤销）", "Until revoked"),
    ("tokens.create", "创建令牌", "Make a token"),
    (
        "tokens.none",
        "您还没有接口令牌。",
        "You have no API tokens.",
    ),
    ("tokens.created_at", "创建时间", "Made"),
    ("tokens.expires_at", "到期时间", "Expires"),
    ("tokens.state", "状态", "State"),
    ("tokens.state_active", "有效", "Active"),
    ("tokens.state_expired", "已过期", "Expired"),
    ("tokens.state_revoked", "已撤销", "Revoked"),
    ("tokens.revoke", "撤销", "Revoke"),
    (
        "tokens.revoke_confirm",
        "撤销后，使用这个令牌的系统将立即无法再调用接口，且不能恢复。确定撤销吗？",
        "Once revoked, the systems using this token can no longer call the API, at once and for good. Revoke it?",
    ),
    ("tokens.revoked", "令牌已撤销。", "The token was revoked."),
    ("field.expires_in_days", "有效期", "Valid for"),
    ("person.scope_org", "全组织", "Whole organization"),
    (
        "person.password_optional",
        "留空则自动生成初始密码，首次登录须修改。",
        "Leave empty to generate one; it must be changed at first sign-in.",
    ),
    ("audit.title", "审计日志", "Audit ledger"),
    ("audit.at", "时间", "Time"),
    ("audit.actor", "操作人", "Actor"),
    ("audit.action", "动作", "Action"),
    ("audit.entity", "对象", "Entity"),
    ("audit.change", "变更", "Change"),
    ("audit.system", "系统", "System"),
    ("audit.seq", "序号", "No."),
    ("password.title", "修改密码", "Change password"),
    ("password.changed", "密码已修改。", "Password changed."),
    ("error.title", "出错了", "Something went wrong"),
    (
        "error.not_found",
        "页面不存在。",
        "This page does not exist.",
    ),
    (
        "error.forbidden",
        "您无权访问此页面。",
        "You may not open this page.",
    ),
    (
        "error.internal",
        "服务器内部错误，已记录，请稍后再试。",
        "An internal error occurred and was logged. Please try again later.",
    ),
    ("error.go_home", "返回首页", "Back to the home page"),
    ("field.name", "名称", "Name"),
    ("field.code", "编码", "Code"),
    ("field.parent_id", "上级", "Parent"),
    ("field.sort_order", "排序", "Sort order"),
    ("field.unit_id", "单位", "Unit"),
    ("field.unit_ids", "分管单位", "Units in charge"),
    ("field.post_id", "岗位", "Post"),
    ("field.username", "用户名", "Username"),
    ("field.display_name", "姓名", "Name"),
    ("field.email", "电子邮箱", "Email"),
    ("field.phone", "电话", "Phone"),
    ("field.password", "密码", "Password"),
    ("field.current_password", "当前密码", "Current password"),
    ("field.new_password", "新密码", "New password"),
    (
        "field.confirm_password",
        "确认新密码",
        "Confirm new password",
    ),
    ("field.role", "角色", "Role"),
    ("field.disabled", "状态", "Status"),
    ("field.organization_id", "组织", "Organization"),
    ("field.page", "页码", "Page"),
    ("field.per_page", "每页条数", "Per page"),
    ("field.from", "起始日期", "From"),
    ("field.to", "截止日期", "To"),
    ("field.entity", "对象类型", "Entity type"),
    ("field.action", "动作", "Action"),
    ("field.actor_id", "操作人编号", "Actor id"),
    ("field.body", "请求内容", "Request body"),
    ("field.unknown", "字段", "Field"),
    ("role.admin", "系统管理员", "System administrator"),
    (
        "role.security_admin",
        "安全管理员",
        "Security administrator",
    ),
    ("role.audit_admin", "审计管理员", "Audit administrator"),
    (
        "err.administrator_account",
        "管理员账号的密码只能由运维人员在服务器上用 xiaohao user reset-password 重置。",
        "An administrator's password is reset by the operator on the server (xiaohao user reset-password).",
    ),
    (
        "err.cannot_grant_self",
        "不能给自己授予角色，请由另一位安全管理员授予。",
        "Nobody grants roles to themselves: another security administrator does.",
    ),
    (
        "err.separation_of_duties",
        "系统管理员、安全管理员、审计管理员三员分立，同一人不能兼任其中两个。",
        "The system, security and audit administrators are kept apart: nobody holds two of them.",
    ),
    ("role.director", "管委会主任", "Director"),
    ("role.leader_in_charge", "分管领导", "Leader in charge"),
    ("role.leading_group", "领导小组", "Leading group"),
    ("role.supervisor", "督查室", "Supervisor"),
    (
        "role.efficiency_officer",
        "效能监察室",
        "Efficiency officer",
    ),
    ("role.performance_officer", "绩考办", "Performance officer"),
    ("role.discipline_officer", "纪检监察", "Discipline officer"),
    ("role.unit_head", "单位负责人", "Unit head"),
    ("role.staff", "工作人员", "Staff"),
    ("role.display", "电子屏", "Display screen"),
    (
        "err.validation_failed",
        "输入有误。",
        "The input is invalid.",
    ),
    ("err.not_found", "不存在或已被删除。", "Not found."),
    (
        "err.forbidden",
        "您无权执行此操作。",
        "You are not allowed to do this.",
    ),
    ("err.unauthenticated", "请先登录。", "Please sign in."),
    (
        "err.invalid_credentials",
        "用户名或密码错误。",
        "Wrong username or password.",
    ),
    (
        "err.login_throttled",
        "登录失败次数过多，请稍后再试。",
        "Too many failed sign-ins. Try again later.",
    ),
    ("err.internal", "服务器内部错误。", "Internal error."),
    (
        "err.storage_full",
        "服务器存储空间已满，本次操作未保存，请联系系统管理员清理后重试。",
        "The server's disk is full: nothing was saved. Ask the administrator to free space, then try again.",
    ),
    (
        "err.csrf_failed",
        "请求校验失败，请刷新页面后重试。",
        "The request could not be verified. Reload the page and try again.",
    ),
    ("err.invalid", "无效。", "Invalid."),
    ("err.required", "必填。", "Required."),
    ("err.too_long", "过长。", "Too long."),
    (
        "err.invalid_characters",
        "包含无效字符。",
        "Contains invalid characters.",
    ),
    (
        "err.invalid_code",
        "只能包含字母、数字、下划线和连字符。",
        "Only letters, digits, _ and -.",
    ),
    (
        "err.invalid_username",
        "须为 3–32 位小写字母、数字或 . _ -，以字母或数字开头。",
        "3–32 lower-case letters, digits or . _ -, starting with a letter or digit.",
    ),
    (
        "err.password_too_simple",
        "须包含大写字母、小写字母、数字、其他字符中的足够类别。",
        "Must mix enough of upper case, lower case, digits and other characters.",
    ),
    (
        "err.password_contains_name",
        "不得包含用户名或姓名。",
        "Must not contain the username or the person's name.",
    ),
    (
        "err.password_common",
        "是常见密码或演示密码，容易被猜中，请换一个。",
        "Is a common or demo password, easily guessed: choose another.",
    ),
    (
        "err.password_reused",
        "不得与最近使用过的密码相同。",
        "Must differ from the passwords used lately.",
    ),
    ("nav.security", "安全策略", "Security policy"),
    ("security.title", "密码策略", "Password policy"),
    (
        "security.help",
        "本策略适用于本组织所有人员设置的新密码；密码最长使用期限到期后，人员下次登录时须先修改密码。",
        "The policy applies to every new password set in the organization; once a password reaches its maximum age, its owner must change it at the next sign-in.",
    ),
    (
        "security.saved",
        "密码策略已保存。",
        "The password policy was saved.",
    ),
    ("field.min_length", "最小长度（位）", "Minimum length"),
    (
        "field.min_classes",
        "至少包含字符类别数（大写、小写、数字、其他）",
        "Character classes at least (upper, lower, digit, other)",
    ),
    (
        "field.history",
        "不得与最近几次密码相同",
        "Not one of the last",
    ),
    (
        "field.max_age_days",
        "最长使用天数（留空为不限）",
        "Maximum age in days (empty: none)",
    ),
    (
        "err.password_too_short",
        "密码长度不足：密码策略规定了最小长度（至少 8 位）。",
        "Too short for the password policy (8 characters at the very least).",
    ),
    (
        "err.invalid_email",
        "邮箱格式不正确。",
        "Not a valid email address.",
    ),
    (
        "err.invalid_phone",
        "电话格式不正确。",
        "Not a valid phone number.",
    ),
    ("err.out_of_range", "超出允许范围。", "Out of range."),
    ("err.not_a_number", "须为整数。", "Must be a whole number."),
    (
        "err.invalid_date",
        "日期格式应为 YYYY-MM-DD。",
        "Use the date format YYYY-MM-DD.",
    ),
    ("err.already_taken", "已被使用。", "Already taken."),
    (
        "err.parent_cycle",
        "不能移动到自身或其下级之下。",
        "Cannot be moved under itself or its own sub-unit.",
    ),
    (
        "err.tree_too_deep",
        "层级过深。",
        "The tree would be too deep.",
    ),
    ("err.disabled", "已停用。", "Is disabled."),
    (
        "err.post_needs_unit",
        "选择岗位前须先选择单位。",
        "Choose a unit before a post.",
    ),
    (
        "err.post_not_in_unit",
        "岗位不属于所选单位。",
        "The post is not in the chosen unit.",
    ),
    (
        "err.role_needs_unit",
        "该角色须指定单位。",
        "This role needs a unit.",
    ),
    (
        "err.role_is_organization_wide",
        "该角色适用于全组织，不能指定单位。",
        "This role spans the organization; choose no unit.",
    ),
    ("err.invalid_role", "无效的角色。", "Not a valid role."),
    (
        "err.unit_has_subunits",
        "该单位还有启用的下级单位。",
        "The unit still has active sub-units.",
    ),
    (
        "err.unit_has_people",
        "该单位还有在岗人员。",
        "The unit still has active people.",
    ),
    (
        "err.parent_disabled",
        "上级单位已停用。",
        "The parent unit is disabled.",
    ),
    (
        "err.cannot_disable_self",
        "不能停用自己的账号。",
        "You cannot disable your own account.",
    ),
    (
        "err.cannot_remove_own_admin",
        "不能撤销自己的管理员角色。",
        "You cannot remove your own administrator role.",
    ),
    (
        "err.cannot_disable_own_organization",
        "不能停用自己所在的组织。",
        "You cannot disable your own organization.",
    ),
    (
        "err.not_a_leader",
        "须先授予“分管领导”角色。",
        "Grant the leader-in-charge role first.",
    ),
    (
        "err.wrong_password",
        "当前密码不正确。",
        "The current password is wrong.",
    ),
    (
        "err.passwords_differ",
        "两次输入的密码不一致。",
        "The passwords differ.",
    ),
    (
        "err.password_unchanged",
        "新密码不能与当前密码相同。",
        "The new password must differ from the current one.",
    ),
    ("err.invalid_json", "JSON 格式错误。", "Malformed JSON."),
    ("err.invalid_type", "类型不正确。", "Wrong type."),
    (
        "err.unsupported_media_type",
        "请使用 application/json。",
        "Send application/json.",
    ),
    (
        "err.body_too_large",
        "请求内容过大。",
        "The request is too large.",
    ),
    ("nav.months", "月度预安", "Monthly plan"),
    ("nav.key_points", "年度要点", "Annual key points"),
    ("nav.change_requests", "变更申请", "Change requests"),
    ("month.title", "月度预安", "Monthly plan"),
    ("month.prev", "上月", "Previous month"),
    ("month.next", "下月", "Next month"),
    ("month.phase", "当前阶段", "Phase"),
    ("month.dates", "关键日期", "Key dates"),
    ("month.proposals_open", "提报开始", "Proposals open"),
    ("month.proposals_due", "提报截止", "Proposals due"),
    ("month.arrangement_due", "安排截止", "Arrangement due"),
    ("month.sign_off_opens", "销号开始", "Sign-off opens"),
    ("month.review_due", "联审截止", "Joint review due"),
    ("month.arranged_at", "已于此时安排", "Arranged at"),
    ("month.not_arranged", "尚未安排", "Not arranged yet"),
    ("month.units", "各单位情况", "By unit"),
    ("month.unit", "单位", "Unit"),
    ("month.total", "合计", "Total"),
    ("month.late", "逾期未报", "Late"),
    ("month.move_phase", "调整阶段", "Move the phase"),
    ("month.move", "调整", "Move"),
    ("month.arrangement", "会议安排", "Arrangement"),
    ("month.arrange", "安排本月计划", "Arrange the month"),
    (
        "month.arrange_confirm",
        "确定将所有已采纳事项列入本月计划吗？安排后只能通过变更申请调整。",
        "Put every accepted item into the month's plan? Afterwards only change requests can alter it.",
    ),
    (
        "month.arranged",
        "本月计划已安排。",
        "The month's plan is arranged.",
    ),
    ("month.phase_moved", "阶段已调整。", "The phase was moved."),
    ("unit_month.tasks", "本月事项", "Tasks of the month"),
    ("unit_month.propose", "提报事项", "Propose a task"),
    (
        "unit_month.proposed",
        "已保存为草稿，请核对后提交。",
        "Saved as a draft: check it, then submit.",
    ),
    ("unit_month.plan_table", "预安表", "Plan table"),
    ("unit_month.import", "从 Excel 导入", "Import from Excel"),
    (
        "unit_month.import_help",
        "上传 .xlsx 预安表（第 1 行标题、第 2 行表头）。下载的预安表修改后可再上传：已有事项按编号识别并更新（本月安排后为变更申请），新行为草稿，不会重复；全部正确才会导入。",
        "Upload an .xlsx plan table (title in row 1, headers in row 2). A downloaded table may be edited and uploaded again: its tasks are recognised by their number and updated (as change requests once the month is arranged), new rows become drafts, nothing is duplicated. Nothing is imported unless every row is valid.",
    ),
    (
        "task.repeats_carried",
        "与结转事项重复",
        "Repeats carried-over work",
    ),
    (
        "task.repeats_carried_long",
        "本项与上月结转至本月的事项重复，结转事项已在本月计划中，无需再次提报：",
        "This repeats work carried into this month, which is already in the month's plan and needs no new proposal:",
    ),
    (
        "arrangement.merge_carried",
        "并入结转事项",
        "Merge into the carried task",
    ),
    (
        "arrangement.merge_carried_confirm",
        "将此提报并入结转事项（不再单独安排）：",
        "Merge this proposal into the carried task (it will not be arranged on its own): ",
    ),
    (
        "arrangement.merge_carried_reason",
        "与上月结转事项重复，并入结转事项",
        "Repeats work carried over from last month; merged into it",
    ),
    (
        "unit_month.imported",
        "导入完成：新增 {added} 项（草稿），修改 {updated} 项，提出变更申请 {requested} 项，未变 {unchanged} 项。",
        "Imported: {added} added as drafts, {updated} updated, {requested} change requests raised, {unchanged} left alone.",
    ),
    (
        "unit_month.import_errors",
        "导入失败，以下单元格有误，未导入任何事项：",
        "Import refused: these cells are wrong, nothing was imported:",
    ),
    (
        "unit_month.no_propose",
        "您不是本单位的负责人或工作人员，不能提报。",
        "Only the unit's head and staff may propose.",
    ),
    ("import.row", "行号", "Row"),
    ("import.column", "列", "Column"),
    ("import.reason", "原因", "Reason"),
    ("import.file", "文件", "File"),
    ("task.title", "事项", "Task"),
    ("task.status", "状态", "Status"),
    ("task.unit", "单位", "Unit"),
    ("task.month", "月份", "Month"),
    ("task.key_point", "对应要点", "Key point"),
    ("task.owner", "责任人", "Owner"),
    ("task.post", "岗位", "Post"),
    ("task.leader", "分管领导", "Leader in charge"),
    ("task.category", "类别", "Category"),
    ("task.key_work", "重点工作", "Key work"),
    ("task.regular", "一般工作", "Regular work"),
    ("task.assigned", "交办事项", "Assigned item"),
    ("task.version", "版本", "Version"),
    ("task.reason", "说明", "Reason"),
    ("task.merged_into", "已合并至", "Merged into"),
    ("task.history", "历史记录", "History"),
    ("task.chain", "结转链", "Carried over from"),
    ("task.months_overdue", "逾期月数", "Months overdue"),
    ("task.change_requests", "变更申请", "Change requests"),
    ("task.edit", "修改", "Edit"),
    ("task.submit", "提交", "Submit"),
    ("task.submitted", "已提交。", "Submitted."),
    ("task.review", "分管领导审核", "Leader's review"),
    ("task.approve", "同意", "Approve"),
    ("task.adjust", "调整后同意", "Adjust and approve"),
    ("task.return", "退回", "Return"),
    ("task.decision", "会议决定", "Meeting decision"),
    ("task.accept", "采纳", "Accept"),
    ("task.change", "修改后采纳", "Change and accept"),
    ("task.reject", "不予采纳", "Reject"),
    ("task.merge", "合并到", "Merge into"),
    ("task.merge_into", "合并到事项编号", "Merge into task no."),
    ("task.request_change", "申请变更", "Request a change"),
    ("task.decided", "已处理。", "Done."),
    (
        "task.default_leader",
        "（默认：单位分管领导）",
        "(default: the unit's leader)",
    ),
    ("task.choose", "请选择", "Choose"),
    ("task.open", "查看", "Open"),
    (
        "task.none_yet",
        "本月尚无事项。",
        "No tasks this month yet.",
    ),
    ("task.time", "时间", "Time"),
    ("task.event", "动作", "Event"),
    ("task.actor", "操作人", "By"),
    ("task.fields", "事项内容", "Task fields"),
    ("arrangement.title", "会议安排", "Arrangement"),
    ("arrangement.by_unit", "按单位", "By unit"),
    ("arrangement.by_leader", "按分管领导", "By leader in charge"),
    ("arrangement.awaiting", "待决定", "Awaiting decision"),
    ("arrangement.accepted", "已采纳", "Accepted"),
    ("arrangement.assign", "交办事项", "Assign an item"),
    (
        "arrangement.assigned",
        "交办事项已添加。",
        "The item was assigned.",
    ),
    ("arrangement.no_leader", "（未指定）", "(none)"),
    (
        "arrangement.reject_reason",
        "不予采纳的理由",
        "Reason for rejecting",
    ),
    ("table.title", "预安表", "Plan table"),
    ("table.print", "打印版", "Print layout"),
    ("table.xlsx", "下载 Excel", "Download Excel"),
    ("table.whole_unit", "全单位", "Whole unit"),
    ("table.post", "岗位表", "Post's table"),
    (
        "table.empty",
        "本月尚无已安排的事项。",
        "Nothing arranged for this month yet.",
    ),
    ("table.printed_at", "打印日期", "Printed on"),
    ("kp.title", "年度要点", "Annual key points"),
    ("kp.new", "新增要点", "New key point"),
    ("kp.import", "从表格导入", "Import from a sheet"),
    (
        "kp.import_help",
        "XLSX 表格，表头为：类别（工作要点／重点热点问题）、要点、说明；全部行无误才导入。",
        "An XLSX sheet with the headers 类别 (工作要点 or 重点热点问题), 要点, 说明; imported only if every row is valid.",
    ),
    ("kp.imported", "已导入年度要点。", "Key points imported."),
    ("kp.year", "年度", "Year"),
    ("kp.prev_year", "上一年", "Previous year"),
    ("kp.next_year", "下一年", "Next year"),
    ("kp.kind.key_point", "工作要点", "Key point"),
    ("kp.kind.focus_issue", "重点热点问题", "Focus issue"),
    ("cr.title", "变更申请", "Change requests"),
    ("cr.kind", "变更类型", "Kind"),
    ("cr.kind.withdraw", "撤销任务", "Withdraw"),
    ("cr.kind.rescope", "调整内容", "Re-scope"),
    ("cr.kind.redate", "调整时限", "Re-date"),
    ("cr.status.pending", "待审批", "Pending"),
    ("cr.status.approved", "已批准", "Approved"),
    ("cr.status.rejected", "已驳回", "Rejected"),
    ("cr.requested_at", "申请时间", "Requested"),
    ("cr.proposal", "申请内容", "Asked for"),
    ("cr.approve", "批准", "Approve"),
    ("cr.reject", "驳回", "Reject"),
    ("cr.decision_reason", "审批意见", "Decision note"),
    (
        "cr.requested",
        "变更申请已提交。",
        "The change request was filed.",
    ),
    (
        "cr.fields_help",
        "撤销只需填写理由；调整内容填写事项、内容、标准；调整时限填写新时限。",
        "Withdraw needs only a reason; re-scope needs title, content and criterion; re-date a new deadline.",
    ),
    ("phase.upcoming", "尚未开始", "Not open yet"),
    ("phase.proposing", "预安提报", "Proposing"),
    ("phase.arranging", "会议安排", "Arranging"),
    ("phase.executing", "执行中", "Executing"),
    ("phase.signing_off", "销号", "Signing off"),
    ("phase.reviewing", "三部联审", "Joint review"),
    ("phase.closed", "已关闭", "Closed"),
    ("status.draft", "草稿", "Draft"),
    ("status.submitted", "已提交", "Submitted"),
    ("status.returned", "已退回", "Returned"),
    (
        "status.leader_approved",
        "分管领导已同意",
        "Leader approved",
    ),
    ("status.accepted", "已采纳", "Accepted"),
    ("status.rejected", "未采纳", "Rejected"),
    ("status.merged", "已合并", "Merged"),
    ("status.arranged", "已安排", "Arranged"),
    ("status.withdrawn", "已撤销", "Withdrawn"),
    ("event.propose", "提报", "Proposed"),
    ("event.edit", "修改", "Edited"),
    ("event.submit", "提交", "Submitted"),
    ("event.leader_approve", "分管领导同意", "Leader approved"),
    (
        "event.leader_adjust",
        "分管领导调整后同意",
        "Leader adjusted",
    ),
    ("event.leader_return", "分管领导退回", "Leader returned"),
    ("event.accept", "会议采纳", "Accepted"),
    ("event.change", "会议修改后采纳", "Changed and accepted"),
    ("event.reject", "会议不予采纳", "Rejected"),
    ("event.merge", "合并", "Merged"),
    ("event.arrange", "列入计划", "Arranged"),
    ("event.assign", "交办", "Assigned"),
    ("event.import", "导入", "Imported"),
    ("event.change_withdraw", "变更：撤销", "Change: withdrawn"),
    ("event.withdraw", "撤销", "Withdrawn"),
    (
        "event.change_rescope",
        "变更：调整内容",
        "Change: re-scoped",
    ),
    ("event.change_redate", "变更：调整时限", "Change: re-dated"),
    ("field.title", "工作事项", "Title"),
    ("field.content", "工作内容", "Content"),
    ("field.criterion", "完成标准", "Completion criterion"),
    ("field.deadline", "完成时限", "Deadline"),
    ("field.key_point_id", "对应要点", "Key point"),
    ("field.owner_id", "责任人", "Owner"),
    ("field.leader_id", "分管领导", "Leader in charge"),
    ("field.is_key_work", "重点工作", "Key work"),
    ("field.month", "月份", "Month"),
    ("field.phase", "阶段", "Phase"),
    ("field.reason", "理由", "Reason"),
    ("field.merge_into", "合并目标", "Merge target"),
    ("field.kind", "类型", "Kind"),
    ("field.decision", "决定", "Decision"),
    ("field.file", "文件", "File"),
    ("field.year", "年度", "Year"),
    ("field.description", "说明", "Description"),
    ("field.status", "状态", "Status"),
    ("field.approve", "是否批准", "Approve"),
    ("field.query", "查询参数", "Query"),
    (
        "err.invalid_month",
        "月份格式应为 YYYY-MM。",
        "Use the month format YYYY-MM.",
    ),
    ("err.invalid_phase", "无效的阶段。", "Not a valid phase."),
    (
        "err.close_is_separate",
        "关闭月份须单独操作。",
        "Closing a month is a separate action.",
    ),
    ("err.month_closed", "该月已关闭。", "The month is closed."),
    (
        "err.proposals_not_open",
        "本月提报尚未开始，开始后即可提报。",
        "Proposals for this month have not opened yet.",
    ),
    (
        "err.month_arranged",
        "本月工作已经会议安排，不再接受提报。新增或调整工作请提交变更申请，或由领导小组交办。",
        "This month is arranged and takes no more proposals. New or changed work goes through a change request or an assigned item.",
    ),
    (
        "err.proposals_closed",
        "提报已截止，当前阶段不接受提报、修改或提交。",
        "Proposals are closed: the month no longer takes proposals, edits or submissions.",
    ),
    (
        "err.decisions_closed",
        "当前阶段不能再作决定。",
        "Decisions are closed for this month.",
    ),
    (
        "err.undecided_proposals",
        "还有待决定的提报，请先逐项作出决定。",
        "Some proposals still await a decision: decide them first.",
    ),
    (
        "err.already_arranged",
        "本月计划已经安排。",
        "The month is already arranged.",
    ),
    (
        "err.nothing_to_arrange",
        "没有已采纳的事项可以安排。",
        "There is no accepted item to arrange.",
    ),
    (
        "err.deadline_outside_month",
        "完成时限须在本月内。",
        "The deadline must fall within the month.",
    ),
    (
        "err.invalid_transition",
        "当前状态下不能执行此操作。",
        "Not possible in the task's current state.",
    ),
    (
        "err.not_editable",
        "当前状态不可修改。",
        "Not editable in this state.",
    ),
    (
        "err.invalid_merge_target",
        "合并目标须为本月另一项待决定或已采纳的事项。",
        "The target must be another undecided or accepted task of the month.",
    ),
    (
        "err.not_arranged",
        "只有已安排的事项可以申请变更。",
        "Only arranged tasks can be changed.",
    ),
    (
        "err.change_pending",
        "已有待审批的变更申请。",
        "A change request is already pending.",
    ),
    ("err.already_decided", "该申请已处理。", "Already decided."),
    (
        "err.invalid_change_kind",
        "无效的变更类型。",
        "Not a valid kind of change.",
    ),
    ("err.invalid_kind", "无效的类型。", "Not a valid kind."),
    (
        "err.invalid_decision",
        "无效的决定。",
        "Not a valid decision.",
    ),
    ("err.invalid_status", "无效的状态。", "Not a valid status."),
    (
        "err.owner_not_in_unit",
        "责任人须为本单位人员。",
        "The owner must be a person of the unit.",
    ),
    (
        "err.unknown_person",
        "本单位无此人员。",
        "No such person in the unit.",
    ),
    (
        "err.unknown_leader",
        "无此分管领导。",
        "No such leader in charge.",
    ),
    (
        "err.invalid_category",
        "类别须为重点工作、一般工作或交办事项。",
        "The category must be 重点工作, 一般工作 or 交办事项.",
    ),
    (
        "err.unknown_task",
        "本单位本月无此编号的事项（编号列请勿修改）。",
        "The unit has no task of this number this month (leave the 编号 column as downloaded).",
    ),
    (
        "err.duplicate_row",
        "与上面一行是同一事项。",
        "The same task as a row above.",
    ),
    (
        "err.invalid_id",
        "编号须为正整数。",
        "The number must be a positive whole number.",
    ),
    (
        "err.unknown_key_point",
        "本年度无此要点。",
        "No such key point this year.",
    ),
    (
        "err.assigned_not_importable",
        "交办事项由领导交办，不能导入。",
        "Assigned items are given by the leadership and cannot be imported.",
    ),
    (
        "err.not_changeable",
        "本月已安排，此项不能通过变更申请修改。",
        "The month is arranged: this cannot be changed through a change request.",
    ),
    (
        "err.one_change_at_a_time",
        "本月已安排，一次变更申请只能改内容或改时限，请分两次提出。",
        "The month is arranged: a change request changes either the scope or the deadline; make two.",
    ),
    (
        "err.not_answered",
        "单位尚未提交整改反馈，不能核验。",
        "The unit has not answered yet: nothing to verify.",
    ),
    (
        "err.already_answered",
        "已提交整改反馈，等待核验。",
        "Already answered; waiting for verification.",
    ),
    (
        "err.follow_ups_open",
        "该问题还有未办结的督办，办结后才能关闭。",
        "The finding still has follow-ups not closed; close them first.",
    ),
    (
        "err.invalid_rows",
        "文件中有错误的行。",
        "Some rows of the file are invalid.",
    ),
    (
        "err.empty_file",
        "文件中没有事项。",
        "The file holds no tasks.",
    ),
    (
        "err.file_too_large",
        "文件过大（上限 2 MB）。",
        "The file is too large (2 MB at most).",
    ),
    (
        "err.too_many_rows",
        "行数过多（上限 500 行）。",
        "Too many rows (500 at most).",
    ),
    (
        "err.unreadable_file",
        "无法读取，请上传 .xlsx 格式的文件。",
        "Unreadable: upload an .xlsx file.",
    ),
    (
        "err.missing_column",
        "表头缺少必需的列。",
        "The header row lacks a required column.",
    ),
    (
        "err.write_failed",
        "生成文件失败。",
        "The file could not be written.",
    ),
];

#[cfg(test)]
mod tests {
    #[test]
    fn every_key_is_defined_once() {
        let mut seen = std::collections::HashSet::new();
        for (k, _, _) in super::texts() {
            assert!(seen.insert(*k), "{k} is defined twice");
        }
    }
}
