//! The month's guards (DOMAIN.md, "Guards of the cycle") through the app layer, on both
//! databases: the cards a close freezes are the ones it computes, a closed month's cards never
//! change, the red cards that cost points are the published ones, no continuation points to a
//! signed-off task, a year's views count closed months only, lists of months read newest
//! first, and a downloaded plan table comes back without duplicating anything.

mod common;

use app::model::{CaseFilter, WarningFilter};
use app::testing::TestApp;
use app::{AppError, Caller};
use common::month::*;
use common::{all, assert_field};
use domain::Role;
use domain::plan::{Phase, TaskDraft, parse_date};
use domain::plan_table::{CellError, ImportSummary, PlanSheet, PlanTable, PlanTableRow};

/// The red-card deductions of a unit's closed month, as `(task, points)`.
async fn red_card_entries(t: &TestApp, unit: i64) -> Vec<(Option<i64>, i64)> {
    t.app
        .unit_score(Caller::System, unit, MONTH)
        .await
        .expect("score")
        .entries
        .iter()
        .filter(|e| e.rule == "red_card")
        .map(|e| (e.task_id, e.points))
        .collect()
}

/// A task written straight through the store (for what the history or another writer left).
async fn stored_task(
    t: &TestApp,
    unit: i64,
    month: &str,
    status: &str,
    carried_from: Option<i64>,
    owner: Option<i64>,
) -> store::Result<i64> {
    let draft = TaskDraft {
        title: format!("{month}的事项"),
        content: "按月推进".into(),
        criterion: "按期完成".into(),
        deadline: parse_date(&format!("{month}-20")).expect("day"),
        key_point_id: None,
        owner_id: owner,
        post_id: None,
        leader_id: None,
        is_key_work: true,
        key_project_id: None,
    };
    let mut tx = t.app.db().begin().await?;
    let id = store::plan::insert_task(
        &mut tx,
        &store::plan::NewTask {
            org: t.org,
            month,
            unit_id: unit,
            draft: &draft,
            is_assigned: false,
            status,
            carried_from_id: carried_from,
            months_overdue: i32::from(carried_from.is_some()),
            created_by: None,
        },
        t.app.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// November with one key task in each unit: `[unit A's, unit B's]`.
async fn key_task_of_each_unit(t: &TestApp, c: &Cast) -> Vec<i64> {
    plan_month(
        t,
        c,
        &[
            spec(c.unit_a, &c.staff_a, "重大项目签约").key(),
            spec(c.unit_b, &c.staff_b, "预算执行分析").key(),
        ],
    )
    .await
}

/// Staff A proposes a December task, submits it and the office meeting accepts it.
async fn accepted_in_december(t: &TestApp, c: &Cast) -> i64 {
    let who = Caller::Person(&c.staff_a);
    let input = task_input(c.kp, &c.staff_a, "园区推介会", NEXT_DEADLINE, false);
    let id = t
        .app
        .propose(who, t.org, NEXT, c.unit_a, &input)
        .await
        .expect("propose");
    t.app.submit_proposal(who, id).await.expect("submit");
    t.app
        .meeting_decide(
            Caller::Person(&c.director),
            id,
            &app::MeetingDecision::Accept,
        )
        .await
        .expect("accept");
    id
}

// ---- the cards a close freezes ----

app::app_test!(
    the_close_freezes_the_cards_it_computes_whatever_a_computation_left_before,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, true).await;
        go_to(&t, "2026-11-10");
        let before = card(&t, &c, MONTH, task).await;
        assert_eq!(before.card.computed_on, "2026-11-10");
        assert_ne!(before.card.color, "red");
        go_to(&t, REVIEW_DAY);
        // A computation claimed the day and never finished: a crash, or a large month's
        // background run still going.
        let mut tx = t.app.db().begin().await.unwrap();
        assert!(
            store::cards::claim_cards_day(&mut tx, t.org, MONTH, REVIEW_DAY)
                .await
                .unwrap()
        );
        tx.commit().await.unwrap();
        t.app
            .close_month(Caller::Person(&c.director), t.org, MONTH)
            .await
            .unwrap();
        let frozen = card(&t, &c, MONTH, task).await;
        assert_eq!(
            (frozen.card.computed_on.as_str(), frozen.card.color.as_str()),
            (REVIEW_DAY, "red"),
            "the card as of the close"
        );
        assert!(rules(&frozen).contains(&"deadline_passed"), "{frozen:?}");

        // Nothing changes a closed month's cards afterwards: not the supervisor, not a
        // computation, not a writer that goes straight to the store.
        let sup = Caller::Person(&c.supervisor);
        assert_field(
            t.app.refresh_cards(sup, t.org, MONTH).await,
            "month",
            "month_closed",
        );
        assert_field(
            t.app
                .judge_card(sup, frozen.card.id, "green", "已整改到位")
                .await,
            "month",
            "month_closed",
        );
        let mut tx = t.app.db().begin().await.unwrap();
        let write = store::cards::CardWrite {
            subject_kind: "task",
            subject_id: task,
            unit_id: c.unit_a,
            is_key: true,
            computed_color: "green".into(),
            reasons: "[]".into(),
            computed_on: REVIEW_DAY.into(),
            color: "green".into(),
            keep_confirmation: true,
        };
        assert!(
            store::cards::write_cards(&mut tx, t.org, MONTH, &[write], t.app.now())
                .await
                .is_err(),
            "the store refuses to change a closed month's card"
        );
        drop(tx);
        let mut tx = t.app.db().begin().await.unwrap();
        assert!(
            store::cards::delete_card(&mut tx, t.org, MONTH, "task", task)
                .await
                .is_err(),
            "the store refuses to remove a closed month's card"
        );
        drop(tx);
        go_to(&t, "2026-12-05");
        let later = card(&t, &c, MONTH, task).await;
        assert_eq!(
            (
                later.card.computed_on,
                later.card.color,
                later.card.updated_at
            ),
            (
                frozen.card.computed_on,
                frozen.card.color,
                frozen.card.updated_at
            )
        );
    }
);

app::app_test!(
    a_close_stopped_after_any_step_leaves_the_cards_and_the_close_then_freezes_them_as_of_its_day,
    |t| {
        let c = cast(&t).await;
        let ids = key_task_of_each_unit(&t, &c).await;
        go_to(&t, "2026-11-10");
        let before = [
            card(&t, &c, MONTH, ids[0]).await.card,
            card(&t, &c, MONTH, ids[1]).await.card,
        ];
        go_to(&t, REVIEW_DAY);
        let dir = Caller::Person(&c.director);
        for step in domain::close::Step::ALL {
            assert!(
                t.app
                    .close_month_failing_after(dir, t.org, MONTH, step)
                    .await
                    .is_err()
            );
            // Read through the store: a view of the cards would compute them.
            for (i, id) in ids.iter().enumerate() {
                let now = store::cards::card_states(t.app.db(), t.org, MONTH, "task", *id, *id)
                    .await
                    .unwrap();
                assert_eq!(
                    (now[0].computed_color.as_str(), now[0].color.as_str()),
                    (before[i].computed_color.as_str(), before[i].color.as_str()),
                    "a close stopped after {} changed a card",
                    step.as_str()
                );
            }
        }
        t.app.close_month(dir, t.org, MONTH).await.unwrap();
        for id in &ids {
            let v = card(&t, &c, MONTH, *id).await;
            assert_eq!(
                (v.card.computed_on.as_str(), v.card.color.as_str()),
                (REVIEW_DAY, "red")
            );
        }
    }
);

// ---- the red cards that count ----

app::app_test!(
    only_published_red_cards_cost_points_and_the_bulletin_awards_and_records_count_the_same,
    |t| {
        let c = cast(&t).await;
        let ids = key_task_of_each_unit(&t, &c).await;
        go_to(&t, REVIEW_DAY);
        // Both are red past their deadline; only unit B's month was published, while its
        // task was red. Unit A's card was never published.
        assert_eq!(card(&t, &c, MONTH, ids[0]).await.card.color, "red");
        let sup = Caller::Person(&c.supervisor);
        t.app.confirm_all_cards(sup, t.org, MONTH).await.unwrap();
        let a_card = card(&t, &c, MONTH, ids[0]).await.card.id;
        t.app
            .judge_card(sup, a_card, "yellow", "已有明确推进计划")
            .await
            .unwrap();
        let p = t.app.publish_cards(sup, t.org, MONTH, "").await.unwrap();
        let published = t
            .app
            .get_publication(sup, p.publication_id, &[], all())
            .await
            .unwrap();
        assert_eq!(
            (published.publication.red, published.publication.yellow),
            (1, 1)
        );
        // Afterwards the supervisor's override is withdrawn: the live card turns red again,
        // but no publication says so.
        t.app
            .judge_card(sup, a_card, "red", "复核后维持红牌")
            .await
            .unwrap();
        assert_eq!(card(&t, &c, MONTH, ids[0]).await.card.color, "red");
        let dir = Caller::Person(&c.director);
        t.app.close_month(dir, t.org, MONTH).await.unwrap();

        assert_eq!(red_card_entries(&t, c.unit_a).await, vec![]);
        assert_eq!(
            red_card_entries(&t, c.unit_b).await,
            vec![(Some(ids[1]), -20)]
        );
        // The bulletin states the same red cards.
        let b = t
            .app
            .generate_bulletin(dir, t.org, MONTH, "测高预安〔2026〕11号")
            .await
            .unwrap();
        let v = t.app.get_bulletin(dir, b).await.unwrap();
        assert!(
            v.issued.bulletin.sections[0].paragraphs[0].contains("红牌1项"),
            "{:?}",
            v.issued.bulletin.sections[0].paragraphs
        );
        // The ranking and the cadre records count the same.
        let awards = t.app.awards(dir, t.org, MONTH).await.unwrap();
        let red_of = |unit: i64| {
            awards
                .units
                .iter()
                .find(|p| p.id == unit)
                .map(|p| p.record.red_cards)
        };
        assert_eq!((red_of(c.unit_a), red_of(c.unit_b)), (Some(0), Some(1)));
        for (who, n) in [(&c.staff_a, 0), (&c.staff_b, 1)] {
            let r = t.app.cadre_record(dir, person_id(who)).await.unwrap();
            assert_eq!(r.total.red_cards, n, "{}", who.username);
        }
    }
);

app::app_test!(
    a_month_without_a_publication_has_no_red_card_deduction,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, true).await;
        go_to(&t, REVIEW_DAY);
        assert_eq!(card(&t, &c, MONTH, task).await.card.color, "red");
        let dir = Caller::Person(&c.director);
        t.app.close_month(dir, t.org, MONTH).await.unwrap();
        assert_eq!(red_card_entries(&t, c.unit_a).await, vec![]);
        let b = t
            .app
            .generate_bulletin(dir, t.org, MONTH, "测高预安〔2026〕11号")
            .await
            .unwrap();
        let v = t.app.get_bulletin(dir, b).await.unwrap();
        assert!(v.issued.bulletin.sections[0].paragraphs[0].contains("红牌0项"));
    }
);

// ---- continuations ----

app::app_test!(no_continuation_ever_points_to_a_signed_off_task, |t| {
    let c = cast(&t).await;
    let ids = plan_month(
        &t,
        &c,
        &[
            spec(c.unit_a, &c.staff_a, "重大项目签约"),
            spec(c.unit_a, &c.staff_a, "园区推介会"),
        ],
    )
    .await;
    go_to(&t, SIGN_OFF_OPENS);
    let form = submit(&t, &c.head_a, ids[0]).await;
    go_to(&t, REVIEW_DAY);
    sign_off(&t, &c, form).await;
    // The store refuses a continuation of the signed-off task…
    assert!(
        stored_task(&t, c.unit_a, NEXT, "accepted", Some(ids[0]), None)
            .await
            .is_err(),
        "a continuation of a signed-off task"
    );
    assert!(tasks_of(&t, NEXT).await.is_empty());
    // …the close continues only the other…
    t.app
        .close_month(Caller::Person(&c.director), t.org, MONTH)
        .await
        .unwrap();
    let next = tasks_of(&t, NEXT).await;
    assert_eq!(
        next.iter().map(|x| x.carried_from_id).collect::<Vec<_>>(),
        vec![Some(ids[1])]
    );
    for x in &next {
        let origin = x.carried_from_id.expect("a continuation");
        assert_ne!(status(&t, origin).await, "signed_off");
    }
    // …and a task with a continuation is never signed off behind it.
    let mut tx = t.app.db().begin().await.unwrap();
    assert!(
        store::plan::set_task_status(&mut tx, ids[1], "signed_off", None, None, t.app.now())
            .await
            .is_err()
    );
});

// ---- a year counts its closed months ----

app::app_test!(a_year_s_awards_and_grades_count_closed_months_only, |t| {
    let c = cast(&t).await;
    let ids = plan_month(&t, &c, &[spec(c.unit_a, &c.staff_a, "重大项目签约")]).await;
    go_to(&t, SIGN_OFF_OPENS);
    let form = submit(&t, &c.head_a, ids[0]).await;
    go_to(&t, REVIEW_DAY);
    sign_off(&t, &c, form).await;
    let dir = Caller::Person(&c.director);
    t.app.close_month(dir, t.org, MONTH).await.unwrap();
    // December is arranged and under way: its tasks are not signed off yet.
    t.app
        .move_phase(Caller::System, t.org, NEXT, Some(Phase::Proposing))
        .await
        .unwrap();
    accepted_in_december(&t, &c).await;
    t.app.arrange_month(dir, t.org, NEXT).await.unwrap();
    go_to(&t, "2026-12-03");

    let v = t.app.awards(dir, t.org, "2026").await.unwrap();
    assert_eq!(
        v.through.as_deref(),
        Some(MONTH),
        "counted through November"
    );
    let a = v
        .units
        .iter()
        .find(|p| p.id == c.unit_a)
        .expect("unit A ranked");
    assert!(
        a.tier.eligible(),
        "December's open task does not disqualify: {a:?}"
    );
    assert_eq!((a.record.planned, a.record.signed_off), (1, 1));
    t.app
        .select_award(dir, t.org, "2026", "annual_unit", c.unit_a, "全年按期销号")
        .await
        .unwrap();
    let y = t
        .app
        .year_scores(Caller::Person(&c.performance), t.org, 2026, all())
        .await
        .unwrap();
    assert_eq!(y.through.as_deref(), Some(MONTH));
    assert!(y.page.items.iter().all(|r| r.months == 1));
});

// ---- lists of months read newest first ----

app::app_test!(
    lists_of_months_read_newest_first_whatever_order_they_were_written_in,
    |t| {
        let c = cast(&t).await;
        let d = t
            .person("discipline", None, &[(Role::DisciplineOfficer, None)])
            .await;
        arranged_task(&t, &c, true).await;
        go_to(&t, REVIEW_DAY);
        publish_cards(&t, &c, MONTH).await;
        t.app
            .close_month(Caller::Person(&c.director), t.org, MONTH)
            .await
            .unwrap();
        // An older month written afterwards (as the demo's history is): its publication with a
        // warning, and a case.
        let origin = stored_task(
            &t,
            c.unit_a,
            "2026-05",
            "carried_over",
            None,
            Some(person_id(&c.staff_a)),
        )
        .await
        .unwrap();
        let next = stored_task(&t, c.unit_a, "2026-06", "signed_off", Some(origin), None)
            .await
            .unwrap();
        let at = t.app.now();
        let mut tx = t.app.db().begin().await.unwrap();
        let old = store::history::insert_publication(&mut tx, t.org, "2026-05", 0, 1, at)
            .await
            .unwrap();
        store::history::insert_publication_card(&mut tx, old, origin, "red")
            .await
            .unwrap();
        store::history::insert_warning(&mut tx, t.org, old, origin, at)
            .await
            .unwrap();
        store::history::insert_decided_case(
            &mut tx,
            origin,
            next,
            "rectification_order",
            1,
            "none",
            "已整改",
            at,
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();

        let sup = Caller::Person(&c.supervisor);
        let months = t
            .app
            .list_publications(sup, t.org, None, all())
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|p| p.month)
            .collect::<Vec<_>>();
        assert_eq!(months, vec![MONTH.to_owned(), "2026-05".to_owned()]);
        let warnings = t
            .app
            .list_warnings(
                sup,
                t.org,
                &WarningFilter {
                    year: Some(2026),
                    ..Default::default()
                },
                all(),
            )
            .await
            .unwrap()
            .warnings
            .items;
        assert_eq!(warnings.first().map(|w| w.month.as_str()), Some(MONTH));
        assert_eq!(warnings.last().map(|w| w.month.as_str()), Some("2026-05"));
        let cases = t
            .app
            .list_cases(Caller::Person(&d), t.org, &CaseFilter::default(), all())
            .await
            .unwrap()
            .items
            .into_iter()
            .map(|k| k.month)
            .collect::<Vec<_>>();
        assert_eq!(cases, vec![MONTH.to_owned(), "2026-05".to_owned()]);
        // The board shows the latest month's publication.
        let (_, token) = t
            .app
            .create_display_token(sup, t.org, "大厅电子屏")
            .await
            .unwrap();
        let board = t.app.board(&token).await.unwrap();
        assert_eq!(board.publication.map(|p| p.month).as_deref(), Some(MONTH));
    }
);

// ---- after the arrangement ----

app::app_test!(
    after_the_arrangement_new_work_enters_only_as_a_change_or_an_assigned_item,
    |t| {
        let c = cast(&t).await;
        // 21 November: December takes proposals.
        go_to(&t, "2026-11-21");
        let who = Caller::Person(&c.staff_a);
        let dir = Caller::Person(&c.director);
        let input = task_input(c.kp, &c.staff_a, "园区推介会", NEXT_DEADLINE, false);
        accepted_in_december(&t, &c).await;
        let draft = t
            .app
            .propose(who, t.org, NEXT, c.unit_a, &input)
            .await
            .unwrap();
        t.app.arrange_month(dir, t.org, NEXT).await.unwrap();
        // The month reads as arranged, not as proposing.
        assert_eq!(phase_of(&t, NEXT).await, Phase::Arranging);
        assert_field(
            t.app.propose(who, t.org, NEXT, c.unit_a, &input).await,
            "month",
            "month_arranged",
        );
        assert_field(
            t.app.update_proposal(who, draft, &input).await,
            "month",
            "month_arranged",
        );
        assert_field(
            t.app.submit_proposal(who, draft).await,
            "month",
            "month_arranged",
        );
        assert_eq!(
            t.app
                .proposals_refused(t.org, domain::plan::YearMonth::parse(NEXT).unwrap())
                .await
                .unwrap(),
            Some("month_arranged")
        );
        assert_eq!(status(&t, draft).await, "draft");
        // An assigned item still enters the month.
        t.app
            .add_assigned_item(
                Caller::Person(&c.leading),
                t.org,
                NEXT,
                c.unit_a,
                &task_input(c.kp, &c.staff_a, "交办：园区道路维修", NEXT_DEADLINE, true),
            )
            .await
            .unwrap();
        // A month whose proposals have not opened says so.
        let jan = task_input(c.kp, &c.staff_a, "一月事项", "2027-01-20", false);
        assert_field(
            t.app.propose(who, t.org, "2027-01", c.unit_a, &jan).await,
            "month",
            "proposals_not_open",
        );
    }
);

// ---- the plan table's round trip ----

/// The rows of a table as an upload reads them: each with its sheet row, no cell errors.
fn uploaded(table: &PlanTable) -> PlanSheet {
    PlanSheet {
        rows: table
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| PlanTableRow {
                line: u32::try_from(i + 3).expect("row"),
                ..r.clone()
            })
            .collect(),
        errors: Vec::new(),
    }
}

/// Each cell an import refused, as "row column code"; panics on any other error.
fn row_errors(e: AppError) -> Vec<String> {
    let AppError::Rows(cells) = e else {
        panic!("row errors expected, got {e:?}")
    };
    cells
        .into_iter()
        .map(|c| format!("{} {} {}", c.row, c.column, c.code))
        .collect::<Vec<_>>()
}

/// Unit A's tasks of `month`, any status, oldest first.
async fn unit_a_tasks(t: &TestApp, c: &Cast, month: &str) -> Vec<app::model::TaskRow> {
    let f = app::model::TaskFilter {
        month: Some(month.into()),
        unit_id: Some(c.unit_a),
        ..Default::default()
    };
    let mut rows = t
        .app
        .list_tasks(Caller::System, t.org, &f, all())
        .await
        .expect("tasks")
        .items;
    rows.sort_by_key(|r| r.id);
    rows
}

app::app_test!(
    a_downloaded_plan_table_uploaded_again_updates_its_tasks_and_duplicates_nothing,
    |t| {
        let c = cast(&t).await;
        t.app
            .move_phase(Caller::System, t.org, MONTH, Some(Phase::Proposing))
            .await
            .unwrap();
        let sa = Caller::Person(&c.staff_a);
        for title in ["园区推介会", "招商引资"] {
            let input = task_input(c.kp, &c.staff_a, title, DEADLINE, true);
            t.app
                .propose(sa, t.org, MONTH, c.unit_a, &input)
                .await
                .unwrap();
        }
        let input = task_input(c.kp, &c.staff_a, "落实书记批示件", DEADLINE, false);
        let assigned = t
            .app
            .add_assigned_item(Caller::Person(&c.director), t.org, MONTH, c.unit_a, &input)
            .await
            .unwrap();

        // Before the arrangement the table lists the unit's proposals, with their ids and
        // key points, so that it can come back.
        let table = t
            .app
            .plan_table(sa, t.org, MONTH, c.unit_a, None)
            .await
            .unwrap();
        assert_eq!(table.rows.len(), 3, "{table:?}");
        assert!(table.rows.iter().all(|r| r.task_id.is_some()));
        assert!(
            table.rows.iter().all(|r| r.key_point == "2026年招商引资"),
            "{table:?}"
        );
        assert_eq!(
            table
                .rows
                .iter()
                .map(|r| r.category.as_str())
                .collect::<Vec<_>>(),
            ["重点工作", "重点工作", "交办事项"]
        );

        // Uploaded as downloaded: nothing is added or changed.
        let s = t
            .app
            .import_proposals(sa, t.org, MONTH, c.unit_a, None, &uploaded(&table))
            .await
            .unwrap();
        assert_eq!(
            s,
            ImportSummary {
                unchanged: 3,
                ..Default::default()
            }
        );

        // Edited in a spreadsheet: one criterion changed, one row added.
        let mut edited = table.clone();
        edited.rows[0].criterion = "签约三家".into();
        edited.rows.push(PlanTableRow {
            title: "企业走访".into(),
            criterion: "走访十家".into(),
            deadline: DEADLINE.into(),
            owner: table.rows[0].owner.clone(),
            category: "一般工作".into(),
            key_point: "2026年招商引资".into(),
            ..Default::default()
        });
        let s = t
            .app
            .import_proposals(sa, t.org, MONTH, c.unit_a, None, &uploaded(&edited))
            .await
            .unwrap();
        assert_eq!(
            s,
            ImportSummary {
                added: 1,
                updated: 1,
                change_requests: 0,
                unchanged: 2,
            }
        );
        let tasks = unit_a_tasks(&t, &c, MONTH).await;
        assert_eq!(
            tasks
                .iter()
                .map(|r| (r.title.as_str(), r.criterion.as_str(), r.is_assigned))
                .collect::<Vec<_>>(),
            [
                ("园区推介会", "签约三家", false),
                ("招商引资", "按期完成并提交佐证材料", false),
                ("落实书记批示件", "按期完成并提交佐证材料", true),
                ("企业走访", "走访十家", false),
            ]
        );
        assert_eq!(tasks[2].id, assigned);
        assert_eq!(tasks[3].key_point_id, Some(c.kp));

        // A sheet whose 编号 column was deleted is matched by title: still nothing twice.
        let mut no_ids = t
            .app
            .plan_table(sa, t.org, MONTH, c.unit_a, None)
            .await
            .unwrap();
        for r in &mut no_ids.rows {
            r.task_id = None;
        }
        let s = t
            .app
            .import_proposals(sa, t.org, MONTH, c.unit_a, None, &uploaded(&no_ids))
            .await
            .unwrap();
        assert_eq!(s.unchanged, 4, "{s:?}");
        assert_eq!(unit_a_tasks(&t, &c, MONTH).await.len(), 4);

        // The leadership's item keeps its type: the unit cannot rewrite it, nor make one.
        let mut rewritten = no_ids.clone();
        rewritten.rows[2].title = "落实书记批示件（改）".into();
        rewritten.rows[2].task_id = Some(assigned);
        rewritten.rows[3].category = "交办事项".into();
        let e = t
            .app
            .import_proposals(sa, t.org, MONTH, c.unit_a, None, &uploaded(&rewritten))
            .await
            .unwrap_err();
        assert_eq!(
            row_errors(e),
            ["5 工作事项 not_editable", "6 类别 assigned_not_importable",]
        );
    }
);

app::app_test!(
    every_problem_of_an_uploaded_sheet_is_reported_in_one_pass_and_nothing_is_taken,
    |t| {
        let c = cast(&t).await;
        t.app
            .move_phase(Caller::System, t.org, MONTH, Some(Phase::Proposing))
            .await
            .unwrap();
        let sa = Caller::Person(&c.staff_a);
        let owner = c.staff_a.display_name.clone();
        let row = |title: &str, deadline: &str, owner: &str, key_point: &str| PlanTableRow {
            title: title.into(),
            criterion: "按期完成".into(),
            deadline: deadline.into(),
            owner: owner.into(),
            category: "一般工作".into(),
            key_point: key_point.into(),
            ..Default::default()
        };
        let mut sheet = uploaded(&PlanTable {
            organization: String::new(),
            unit: String::new(),
            year: 2026,
            month: 11,
            rows: vec![
                row("格式有误的一行", "", &owner, ""),
                row("下月的一行", NEXT_DEADLINE, &owner, ""),
                row("无人负责的一行", DEADLINE, "查无此人", "不存在的要点"),
                row("正确的一行", DEADLINE, &owner, ""),
            ],
        });
        // What the file's reader found: row 3's 完成时限 is no date.
        sheet.errors.push(CellError {
            row: 3,
            column: "完成时限".into(),
            code: "invalid_date",
        });
        sheet.rows[0].task_id = None;
        sheet.rows[1].task_id = Some(999_999);
        let e = t
            .app
            .import_proposals(sa, t.org, MONTH, c.unit_a, Some(c.kp), &sheet)
            .await
            .unwrap_err();
        assert_eq!(
            row_errors(e),
            [
                "3 完成时限 invalid_date",
                "4 编号 unknown_task",
                "4 完成时限 deadline_outside_month",
                "5 责任人 unknown_person",
                "5 对应要点 unknown_key_point",
            ]
        );
        assert!(unit_a_tasks(&t, &c, MONTH).await.is_empty());
    }
);

app::app_test!(
    an_arranged_month_s_sheet_comes_back_as_change_requests_and_takes_no_new_rows,
    |t| {
        let c = cast(&t).await;
        let task = arranged_task(&t, &c, true).await;
        let head = Caller::Person(&c.head_a);
        let table = t
            .app
            .plan_table(head, t.org, MONTH, c.unit_a, None)
            .await
            .unwrap();
        assert_eq!(table.rows[0].task_id, Some(task));

        let mut later = table.clone();
        later.rows[0].deadline = "2026-11-30".into();
        let s = t
            .app
            .import_proposals(head, t.org, MONTH, c.unit_a, None, &uploaded(&later))
            .await
            .unwrap();
        assert_eq!(
            s,
            ImportSummary {
                change_requests: 1,
                ..Default::default()
            }
        );
        let pending = t
            .app
            .list_change_requests(Caller::Person(&c.director), t.org, Some("pending"), all())
            .await
            .unwrap();
        assert_eq!(pending.items.len(), 1);
        assert_eq!(pending.items[0].kind, "redate");
        assert_eq!(unit_a_tasks(&t, &c, MONTH).await[0].deadline, DEADLINE);

        // A new row needs a proposal, and proposals are over; a second change of the same
        // task waits for the first; staff may not raise change requests at all.
        let mut more = later.clone();
        more.rows[0].deadline = "2026-11-29".into();
        more.rows.push(PlanTableRow {
            title: "新增一项".into(),
            ..later.rows[0].clone()
        });
        more.rows[1].task_id = None;
        let e = t
            .app
            .import_proposals(head, t.org, MONTH, c.unit_a, None, &uploaded(&more))
            .await
            .unwrap_err();
        let AppError::Rows(cells) = e else {
            panic!("row errors expected, got {e:?}")
        };
        assert_eq!(
            cells.iter().map(|e| (e.row, e.code)).collect::<Vec<_>>(),
            [(4, "month_arranged")]
        );
        let e = t
            .app
            .import_proposals(head, t.org, MONTH, c.unit_a, None, &uploaded(&later))
            .await
            .unwrap_err();
        assert!(
            matches!(&e, AppError::Rows(cells) if cells[0].code == "change_pending"),
            "{e:?}"
        );
        let e = t
            .app
            .import_proposals(
                Caller::Person(&c.staff_a),
                t.org,
                MONTH,
                c.unit_a,
                None,
                &uploaded(&later),
            )
            .await
            .unwrap_err();
        assert!(matches!(e, AppError::Forbidden), "{e:?}");
    }
);

// ---- carried-over work is not proposed twice ----

app::app_test!(
    a_proposal_repeating_carried_work_is_flagged_and_merged_into_it_in_one_decision,
    |t| {
        let c = cast(&t).await;
        let ids = plan_month(
            &t,
            &c,
            &[
                spec(c.unit_a, &c.staff_a, "万达广场周边地块征收").key(),
                spec(c.unit_a, &c.staff_a, "园区推介会"),
            ],
        )
        .await;
        go_to(&t, SIGN_OFF_OPENS);
        let form = submit(&t, &c.head_a, ids[1]).await;
        go_to(&t, REVIEW_DAY);
        sign_off(&t, &c, form).await;
        let dir = Caller::Person(&c.director);
        t.app.close_month(dir, t.org, MONTH).await.unwrap();
        let carried = tasks_of(&t, NEXT).await;
        assert_eq!(carried.len(), 1);
        let carried = carried[0].id;

        // December still takes proposals: the unit proposes the same work again, and
        // something new.
        t.app
            .move_phase(Caller::System, t.org, NEXT, Some(Phase::Proposing))
            .await
            .unwrap();
        let sa = Caller::Person(&c.staff_a);
        let mut proposals = Vec::new();
        for title in ["万达广场周边地块征收（续）", "园区推介会"] {
            let input = task_input(c.kp, &c.staff_a, title, NEXT_DEADLINE, true);
            let id = t
                .app
                .propose(sa, t.org, NEXT, c.unit_a, &input)
                .await
                .unwrap();
            t.app.submit_proposal(sa, id).await.unwrap();
            proposals.push(id);
        }
        let rows: Vec<_> = tasks_of(&t, NEXT)
            .await
            .into_iter()
            .filter(|r| proposals.contains(&r.id))
            .collect();
        // The unit, its leader and the meeting are told; another unit's staff is not.
        for who in [&c.staff_a, &c.head_a, &c.director] {
            let repeats = t
                .app
                .carried_repeats(Caller::Person(who), t.org, &rows)
                .await
                .unwrap();
            assert_eq!(
                repeats.into_iter().collect::<Vec<_>>(),
                [(proposals[0], (carried, "万达广场周边地块征收".to_owned()))],
                "{}",
                who.username
            );
        }
        assert!(
            t.app
                .carried_repeats(Caller::Person(&c.staff_b), t.org, &rows)
                .await
                .unwrap()
                .is_empty()
        );

        // One decision merges it into the carried task; December's plan has the work once.
        t.app
            .meeting_decide(
                dir,
                proposals[0],
                &app::MeetingDecision::Merge {
                    into: carried,
                    reason: "与上月结转事项重复，并入结转事项".into(),
                },
            )
            .await
            .unwrap();
        assert_eq!(status(&t, proposals[0]).await, "merged");
        t.app
            .meeting_decide(dir, proposals[1], &app::MeetingDecision::Accept)
            .await
            .unwrap();
        t.app.arrange_month(dir, t.org, NEXT).await.unwrap();
        let plan: Vec<String> = tasks_of(&t, NEXT)
            .await
            .into_iter()
            .filter(|r| r.status == "arranged")
            .map(|r| r.title)
            .collect();
        assert_eq!(plan.len(), 2, "{plan:?}");
        assert_eq!(
            plan.iter()
                .filter(|t| t.starts_with("万达广场周边地块征收"))
                .count(),
            1,
            "{plan:?}"
        );
    }
);
