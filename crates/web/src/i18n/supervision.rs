//! Texts of execution and supervision (督): progress, coordination, inspections, key
//! projects, cards, publications, warnings, the display screen and the dashboards.

pub const TEXTS: &[(&str, &str, &str)] = &[
    // ---- errors ----
    ("err.already_closed", "已经关闭。", "Already closed."),
    ("err.already_done", "已经完成。", "Already done."),
    ("err.already_published", "已经公开。", "Already published."),
    ("err.already_resolved", "已经解决。", "Already resolved."),
    ("err.already_revoked", "已经作废。", "Already revoked."),
    (
        "err.date_in_future",
        "日期不能晚于今天。",
        "The date cannot be after today.",
    ),
    (
        "err.date_in_past",
        "日期不能早于今天。",
        "The date cannot be before today.",
    ),
    (
        "err.end_before_start",
        "结束日期不能早于开始日期。",
        "The end cannot be before the start.",
    ),
    ("err.file_empty", "文件为空。", "The file is empty."),
    (
        "err.evidence_too_large",
        "文件过大（单个文件不超过 10 MB）。",
        "The file is too large (at most 10 MB each).",
    ),
    (
        "err.file_type_not_allowed",
        "只接受 PDF、图片（PNG/JPG）和 Office 文档（doc/docx/xls/xlsx/pptx）。",
        "Only PDF, images (PNG/JPG) and Office documents (doc/docx/xls/xlsx/pptx) are accepted.",
    ),
    (
        "err.too_many_files",
        "一次最多上传 5 个文件。",
        "At most 5 files at a time.",
    ),
    (
        "err.invalid_color",
        "无效的牌色。",
        "Not a valid card colour.",
    ),
    (
        "err.not_covert",
        "只有暗访需要公开。",
        "Only covert inspections are published.",
    ),
    (
        "err.not_decided",
        "主任办公会尚未作出决定。",
        "The office meeting has not decided yet.",
    ),
    (
        "err.not_in_plan",
        "该事项不在本月计划中（尚未安排或已撤销）。",
        "The task is not in the month's plan (not arranged, or withdrawn).",
    ),
    (
        "err.not_in_unit",
        "该事项不属于所选单位。",
        "The task does not belong to the chosen unit.",
    ),
    (
        "err.outside_project",
        "节点日期须在项目起止日期之内。",
        "The milestone must fall within the project's dates.",
    ),
    (
        "err.project_not_active",
        "项目不在建设中。",
        "The project is not active.",
    ),
    (
        "err.publication_conflict",
        "另一位督查人员正在公示，请稍后重试。",
        "Another supervisor is publishing; try again.",
    ),
    ("err.too_many", "选择过多。", "Too many chosen."),
    (
        "err.unjudged_cards",
        "还有重点工作的牌色未经督查室确认，请先确认或调整。",
        "Some key cards are not confirmed yet; confirm or adjust them first.",
    ),
    (
        "err.month_not_arranged",
        "本月尚未安排。",
        "The month is not arranged yet.",
    ),
];
