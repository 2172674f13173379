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
        static MAP: OnceLock<HashMap<&'static str, (&'static str, &'static str)>> = OnceLock::new();
        let map = MAP.get_or_init(|| TEXTS.iter().map(|(k, zh, en)| (*k, (*zh, *en))).collect());
        match map.get(key) {
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

    pub fn role(self, role: &str) -> &'static str {
        let key = format!("role.{role}");
        if has_key(&key) {
            self.t(&key)
        } else {
            self.t("field.unknown")
        }
    }
}

pub fn has_key(key: &str) -> bool {
    TEXTS.iter().any(|(k, _, _)| *k == key)
}

pub const TEXTS: &[(&str, &str, &str)] = &[
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
    ("role.admin", "系统管理员", "Administrator"),
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
        "err.password_too_short",
        "密码至少 8 位。",
        "At least 8 characters.",
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
];
