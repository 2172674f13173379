//! The demo's supervision (督) for the current month: key projects modelled on the article
//! (万达广场, 屹丰科技), progress reports, two coordination requests, an open and two covert
//! inspections with findings and follow-ups, cards of every colour judged by the supervision
//! office, a publication with its warnings, and a display token for the screen.
//!
//! It is written through the use cases, so every row carries its audit entry, after the
//! organization itself is committed; a demo organization without key projects gets it on the
//! next load.

use std::collections::HashMap;

use domain::cards::CardColor;
use domain::page::PageRequest;
use domain::plan::{TaskStatus, YearMonth};
use domain::supervision::{
    CoordinationInput, DecisionInput, FindingInput, FollowUpInput, InspectionInput,
    KeyProjectInput, MilestoneInput, ProgressInput,
};

use crate::{App, Caller, EvidenceUpload, Identity, Result};

/// A small valid PDF, as the evidence of the demo's reports.
const DEMO_PDF: &[u8] = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n";

impl App {
    pub(crate) async fn demo_identity(&self, org: i64, username: &str) -> Result<Option<Identity>> {
        match store::people::person_id_by_username(&self.db, username).await? {
            Some(id) => {
                let i = self.load_identity(id).await?;
                Ok(i.filter(|i| i.actor.organization_id.0 == org))
            }
            None => Ok(None),
        }
    }

    /// Loads the supervision part of the demo; returns the display token it issued.
    pub(crate) async fn load_demo_supervision(&self, org: i64) -> Result<String> {
        let sys = Caller::System;
        let today = self.today();
        let this = YearMonth::of(today);
        let m = this.to_string();
        let units: HashMap<String, i64> = store::org::all_units(&self.db, org)
            .await?
            .into_iter()
            .filter_map(|u| u.code.map(|c| (c, u.id)))
            .collect();
        let unit = |code: &str| units.get(code).copied();
        let person = |name: &str| {
            let name = name.to_owned();
            async move { store::people::person_id_by_username(&self.db, &name).await }
        };

        // Key projects with milestones: one is behind a milestone (red), one on track.
        let start = this.prev().prev().first_day();
        let projects = [
            ("万达广场项目", "xmgl", "demo.leader3", 12, 36, 850_000, 35),
            (
                "屹丰科技汽车零部件项目",
                "zshz",
                "demo.leader2",
                6,
                18,
                320_000,
                60,
            ),
            ("标准厂房三期", "tzjt", "demo.leader2", 3, 12, 56_000, 80),
        ];
        let mut project_ids = Vec::new();
        for (i, (name, code, leader, ms_months, months, investment, progress)) in
            projects.iter().enumerate()
        {
            let end = (0..*months).fold(this, |m, _| m.next()).last_day();
            let id = self
                .create_project(
                    sys,
                    org,
                    &KeyProjectInput {
                        name: (*name).into(),
                        unit_id: unit(code),
                        leader_id: person(leader).await?,
                        description: format!("{name}：按月调度，节点管理"),
                        investment: investment.to_string(),
                        start_on: start.to_string(),
                        end_on: end.to_string(),
                        status: String::new(),
                    },
                )
                .await?;
            let first_due = if i == 0 {
                // Already past: the project's card turns red until it is reached.
                today - chrono::Duration::days(5)
            } else {
                (0..*ms_months).fold(this, |m, _| m.next()).day(15)
            };
            let first_due = first_due.max(start);
            for (title, due) in [("完成阶段性建设节点", first_due), ("竣工验收", end)]
            {
                self.add_milestone(
                    sys,
                    id,
                    &MilestoneInput {
                        title: title.into(),
                        due_on: due.to_string(),
                    },
                )
                .await?;
            }
            if let Some(head) = self.demo_identity(org, &format!("{code}.head")).await? {
                self.report_project_progress(
                    Caller::Person(&head),
                    id,
                    &ProgressInput {
                        percent: *progress,
                        narrative: format!("{name}本月按计划推进，累计完成{progress}%"),
                    },
                )
                .await?;
            }
            project_ids.push(id);
        }

        // The month's planned tasks.
        let tasks = self
            .list_tasks(
                sys,
                org,
                &store::plan::TaskFilter {
                    month: Some(m.clone()),
                    statuses: vec![TaskStatus::Arranged.as_str().into()],
                    ..Default::default()
                },
                PageRequest::new(Some(1), Some(domain::page::MAX_PAGE_SIZE)),
            )
            .await?
            .items;

        // Progress: most owners report once; a few stay silent.
        let mut owners: HashMap<i64, Option<Identity>> = HashMap::new();
        for (i, t) in tasks.iter().enumerate() {
            if i % 5 == 4 {
                continue;
            }
            let Some(owner) = t.owner_id else { continue };
            if let std::collections::hash_map::Entry::Vacant(e) = owners.entry(owner) {
                e.insert(self.load_identity(owner).await?);
            }
            let Some(Some(ident)) = owners.get(&owner) else {
                continue;
            };
            let percent = [30, 55, 70, 90, 100, 20, 45][i % 7];
            let files = if i % 3 == 0 {
                vec![EvidenceUpload {
                    name: format!("{}进展材料.pdf", t.unit_name),
                    bytes: DEMO_PDF.to_vec(),
                }]
            } else {
                vec![]
            };
            self.report_progress(
                Caller::Person(ident),
                t.id,
                &ProgressInput {
                    percent,
                    narrative: format!("已完成{percent}%：{}", t.criterion),
                },
                &files,
            )
            .await?;
        }

        // Coordination: one open with proposed solutions, one decided by the office meeting.
        let zcb_task = tasks.iter().find(|t| Some(t.unit_id) == unit("zcb"));
        let ghjs_task = tasks.iter().find(|t| Some(t.unit_id) == unit("ghjs"));
        if let (Some(t), Some(head)) = (zcb_task, self.demo_identity(org, "zcb.head").await?) {
            let id = self
                .raise_coordination(
                    Caller::Person(&head),
                    t.id,
                    &CoordinationInput {
                        title: "万达广场项目红线内电力、燃气管线迁改".into(),
                        description: "项目红线内有 10kV 电力线路和中压燃气管道，需国土、规划部门协调产权单位限期迁改，否则影响本月征拆交地。".into(),
                        involved_unit_ids: [unit("gtzy"), unit("ghjs")].into_iter().flatten().collect(),
                    },
                )
                .await?;
            if let Some(g) = self.demo_identity(org, "gtzy.head").await? {
                self.propose_solution(
                    Caller::Person(&g),
                    id,
                    "由国土资源分局牵头召集产权单位现场办公，明确迁改方案和时限。",
                )
                .await?;
            }
            if let Some(l) = self.demo_identity(org, "demo.leader3").await? {
                self.propose_solution(
                    Caller::Person(&l),
                    id,
                    "建议提请主任办公会研究，迁改费用由项目业主先行垫付。",
                )
                .await?;
            }
        }
        if let (Some(t), Some(head)) = (ghjs_task, self.demo_identity(org, "ghjs.head").await?) {
            let id = self
                .raise_coordination(
                    Caller::Person(&head),
                    t.id,
                    &CoordinationInput {
                        title: "屹丰科技项目施工临时用水接入".into(),
                        description: "项目进场施工需接入临时用水，涉及道路开挖审批。".into(),
                        involved_unit_ids: [unit("cgj"), unit("xzsp")]
                            .into_iter()
                            .flatten()
                            .collect(),
                    },
                )
                .await?;
            self.decide_coordination(
                sys,
                id,
                &DecisionInput {
                    decision: "由行政审批服务局三个工作日内办结开挖许可，城市管理局配合交通疏导。"
                        .into(),
                    owner_unit_id: unit("xzsp"),
                    deadline: (today + chrono::Duration::days(7)).to_string(),
                },
            )
            .await?;
        }

        // Inspections: an open scheduled one with a finding and a follow-up; a covert one
        // published; a covert one still with the team.
        let inspected = ["zcb", "ghjs", "hbfj"];
        let open_id = self
            .create_inspection(
                sys,
                org,
                &InspectionInput {
                    kind: "scheduled".into(),
                    mode: "open".into(),
                    title: format!("{}月重点工作定期督查", this.month),
                    scope: "重点在建项目和征地拆迁任务的推进情况".into(),
                    planned_on: today.to_string(),
                    unit_ids: inspected.iter().filter_map(|c| unit(c)).collect(),
                },
            )
            .await?;
        let hbfj_task = tasks.iter().find(|t| Some(t.unit_id) == unit("hbfj"));
        if let Some(t) = hbfj_task {
            let f = self
                .record_finding(
                    sys,
                    open_id,
                    &FindingInput {
                        unit_id: Some(t.unit_id),
                        task_id: Some(t.id),
                        key_project_id: None,
                        severity: "serious".into(),
                        description: "现场检查发现整改台账不全，进度与报送情况不符。".into(),
                        found_on: today.to_string(),
                    },
                    &[EvidenceUpload {
                        name: "现场检查记录.pdf".into(),
                        bytes: DEMO_PDF.to_vec(),
                    }],
                )
                .await?;
            self.add_follow_up(
                sys,
                f,
                &FollowUpInput {
                    action: "三日内补齐整改台账并报督查室".into(),
                    due_on: (today + chrono::Duration::days(3)).to_string(),
                },
            )
            .await?;
        }
        self.complete_inspection(sys, open_id).await?;
        let covert = self
            .create_inspection(
                sys,
                org,
                &InspectionInput {
                    kind: "random".into(),
                    mode: "covert".into(),
                    title: "重点项目工地随机暗访".into(),
                    scope: "施工组织、安全文明施工".into(),
                    planned_on: today.to_string(),
                    unit_ids: [unit("xmgl")].into_iter().flatten().collect(),
                },
            )
            .await?;
        if let (Some(p), Some(u)) = (project_ids.first(), unit("xmgl")) {
            self.record_finding(
                sys,
                covert,
                &FindingInput {
                    unit_id: Some(u),
                    task_id: None,
                    key_project_id: Some(*p),
                    severity: "general".into(),
                    description: "工地围挡破损，扬尘治理措施未落实。".into(),
                    found_on: today.to_string(),
                },
                &[],
            )
            .await?;
        }
        self.complete_inspection(sys, covert).await?;
        self.publish_inspection(sys, covert).await?;
        self.create_inspection(
            sys,
            org,
            &InspectionInput {
                kind: "random".into(),
                mode: "covert".into(),
                title: "机关作风效能暗访".into(),
                scope: "上班纪律、窗口服务".into(),
                planned_on: (today + chrono::Duration::days(2)).to_string(),
                unit_ids: [unit("xzsp"), unit("shsw")].into_iter().flatten().collect(),
            },
        )
        .await?;

        // Cards: a concern (yellow) and an override (red) by the supervision office, the rest
        // confirmed as computed, then the month's publication.
        self.refresh_cards(sys, org, &m).await?;
        let cards = self
            .list_cards(
                sys,
                org,
                &m,
                &store::cards::CardFilter {
                    key_only: true,
                    kind: Some("task".into()),
                    ..Default::default()
                },
                PageRequest::new(Some(1), Some(domain::page::MAX_PAGE_SIZE)),
            )
            .await?;
        let greens: Vec<_> = cards
            .cards
            .items
            .iter()
            .filter(|c| c.card.color == CardColor::Green.as_str())
            .collect();
        if let Some(c) = greens.first() {
            self.set_card_concern(sys, c.card.id, true, "群众反映推进较慢，督查室重点关注")
                .await?;
        }
        if let Some(c) = greens.get(1) {
            self.judge_card(sys, c.card.id, "red", "明察发现报送进度与实际不符")
                .await?;
        }
        self.confirm_all_cards(sys, org, &m).await?;
        self.publish_cards(sys, org, &m, "本月重点工作红黄绿牌公示")
            .await?;
        let (_, token) = self
            .create_display_token(sys, org, "政务大厅电子屏")
            .await?;
        Ok(token)
    }
}
