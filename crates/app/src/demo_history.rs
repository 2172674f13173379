//! The demo's history: the 36 months from January 2013 that `domain::history` shapes, written
//! as closed months of the demo organization (tasks signed off or carried over with their
//! chains, each month's frozen figures, the published key items with their cards, the
//! warnings, and the discipline office's decisions on the ladder's cases), so that the
//! statistics of that period show what the source article reports of its zone. Written in one
//! transaction: the history is there whole or not at all.

use chrono::{Duration, NaiveTime};
use domain::consequences::LadderStep;
use domain::history::{FIRST, history};
use domain::plan::TaskDraft;
use store::plan::{NewKeyPoint, NewTask};

use crate::{App, AppError, Result};

/// What the zone's tasks were about.
const TITLES: [&str; 12] = [
    "重点项目征地拆迁",
    "招商引资项目签约",
    "安置房建设推进",
    "园区道路提质改造",
    "企业服务专项行动",
    "财政预算执行分析",
    "安全生产隐患排查",
    "重大项目手续办理",
    "环境整治专项行动",
    "科技企业孵化培育",
    "信访积案化解",
    "重点项目融资落地",
];

impl App {
    /// Writes the history unless the organization already has its first month.
    pub(crate) async fn load_demo_history(&self, org: i64) -> Result<bool> {
        if store::plan::cycle(&self.db, org, &FIRST.to_string())
            .await?
            .is_some()
        {
            return Ok(false);
        }
        let owners = store::history::owners(&self.db, org).await?;
        if owners.len() < 8 {
            return Ok(false);
        }
        let n = owners.len();
        let months = history();
        let mut tx = self.db.begin().await?;
        let at = |day: chrono::NaiveDate| day.and_time(NaiveTime::MIN).and_utc();
        let mut key_points = std::collections::HashMap::new();
        for year in 2013..=2015 {
            let id = store::plan::insert_key_point(
                &mut tx,
                org,
                &NewKeyPoint {
                    year,
                    kind: "key_point".into(),
                    title: format!("{year}年重点工作"),
                    description: String::new(),
                    sort_order: 0,
                },
                at(chrono::NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()),
            )
            .await?;
            key_points.insert(year, id);
        }
        // The ids, owners and units of the month before, by index.
        let mut previous: Vec<(i64, i64, i64)> = Vec::new();
        for (m, hm) in months.iter().enumerate() {
            let ym = hm.month;
            let month = ym.to_string();
            let closed_at = at(ym.last_day() + Duration::days(5));
            store::history::insert_closed_cycle(&mut tx, org, &month, closed_at).await?;
            let mut ids: Vec<(i64, i64, i64)> = Vec::with_capacity(hm.tasks.len());
            for (i, t) in hm.tasks.iter().enumerate() {
                let (owner, unit) = match (t.carried_from, t.stubborn) {
                    (Some(j), _) => {
                        let (_, o, u) = previous[j];
                        (o, u)
                    }
                    (None, Some(k)) => owners[(k * n / 8) % n],
                    (None, None) => owners[(m * 31 + i * 7) % n],
                };
                let title = TITLES[(m + i) % TITLES.len()];
                let draft = TaskDraft {
                    title: format!("{title}（{}月第{}项）", ym.month, i + 1),
                    content: "按月推进，按期销号".into(),
                    criterion: "按完成标准完成并提交佐证材料".into(),
                    deadline: ym.day(25),
                    key_point_id: (i % 5 != 0)
                        .then(|| key_points.get(&ym.year).copied())
                        .flatten(),
                    owner_id: Some(owner),
                    post_id: None,
                    leader_id: None,
                    is_key_work: t.key,
                    key_project_id: None,
                };
                let id = store::plan::insert_task(
                    &mut tx,
                    &NewTask {
                        org,
                        month: &month,
                        unit_id: unit,
                        draft: &draft,
                        is_assigned: i % 5 == 0,
                        status: if t.signed_off {
                            "signed_off"
                        } else {
                            "carried_over"
                        },
                        carried_from_id: t.carried_from.map(|j| previous[j].0),
                        months_overdue: i32::try_from(t.months_overdue).unwrap_or(0),
                        created_by: None,
                    },
                    at(ym.day(1)),
                )
                .await?;
                if t.signed_off {
                    store::history::set_completed_on(&mut tx, id, &ym.day(20).to_string()).await?;
                }
                ids.push((id, owner, unit));
            }
            // The month's frozen figures, as the close writes them.
            let rows = store::signoff::outcome_groups(&mut tx, org, &month).await?;
            let figures = crate::meeting::figures_of(&rows);
            let json =
                serde_json::to_string(&figures).map_err(|e| AppError::Internal(e.to_string()))?;
            let carried = hm.tasks.iter().filter(|t| !t.signed_off).count();
            store::signoff::insert_month_result(
                &mut tx,
                org,
                &month,
                &json,
                i64::try_from(carried).unwrap_or(0),
                closed_at,
            )
            .await?;
            // The month's publication of its key items, and the warnings of red cards.
            let keys: Vec<(usize, bool)> = hm
                .tasks
                .iter()
                .enumerate()
                .filter(|(_, t)| t.key)
                .map(|(i, t)| (i, t.signed_off))
                .collect();
            let red = keys.iter().filter(|(_, s)| !s).count();
            let publication = store::history::insert_publication(
                &mut tx,
                org,
                &month,
                i32::try_from(keys.len() - red).unwrap_or(0),
                i32::try_from(red).unwrap_or(0),
                at(ym.day(15)),
            )
            .await?;
            for (i, signed) in &keys {
                let color = if *signed { "green" } else { "red" };
                store::history::insert_publication_card(&mut tx, publication, ids[*i].0, color)
                    .await?;
                if hm.tasks[*i].warned {
                    store::history::insert_warning(
                        &mut tx,
                        org,
                        publication,
                        ids[*i].0,
                        at(ym.day(16)),
                    )
                    .await?;
                }
            }
            // The month before is scored now that its continuations exist: the close's own
            // rules write its ledger and the ladder's cases.
            if m > 0 {
                self.score_history_month(&mut tx, org, months[m - 1].month)
                    .await?;
            }
            previous = ids;
        }
        if let Some(last) = months.last() {
            self.score_history_month(&mut tx, org, last.month).await?;
        }
        tx.commit().await?;
        Ok(true)
    }

    /// Scores a history month as its close would have on its fifth day after, and records
    /// the discipline office's decision on each case the ladder proposed: a rectification
    /// order needs no sanction, a second month unfinished is an admonishment.
    async fn score_history_month(
        &self,
        tx: &mut store::Tx,
        org: i64,
        ym: domain::plan::YearMonth,
    ) -> Result<()> {
        let m = ym.to_string();
        let closed_on = ym.last_day() + Duration::days(5);
        let rows = store::signoff::outcome_groups(&mut *tx, org, &m).await?;
        self.score_month_on(
            tx,
            org,
            ym,
            crate::consequences::planned_units(&rows),
            closed_on,
            false,
        )
        .await?;
        let decided_at = (ym.next().day(10)).and_time(NaiveTime::MIN).and_utc();
        store::history::decide_cases(
            tx,
            org,
            &m,
            LadderStep::RectificationOrder.as_str(),
            ("none", "已限期整改，下月完成"),
            ("admonishment", "连续两个月未完成，予以诫勉谈话并通报"),
            decided_at,
        )
        .await?;
        Ok(())
    }
}
