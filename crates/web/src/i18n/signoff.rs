//! Texts of sign-off (销号): the forms, the joint review, the review meeting, the briefing and
//! the bulletin, and the month's close.

pub const TEXTS: &[(&str, &str, &str)] = &[
    // ---- errors ----
    (
        "err.month_not_over",
        "本月尚未结束，不能关账。",
        "The month is not over yet.",
    ),
    (
        "err.not_enough_approvals",
        "联审通过的部门数不够，不能销号。",
        "Not enough offices approved it yet.",
    ),
    (
        "err.returned_by_office",
        "有联审部门退回了该事项，不能销号。",
        "An office returned it; it cannot be signed off.",
    ),
    (
        "err.site_check_pending",
        "有联审部门要求实地考察，考察完成前不能销号。",
        "An office asked for a site check; it comes first.",
    ),
];
