//! Consequences of the record (四个结合) through the app layer, on both databases: the rule
//! set and its versions, the score ledger a close writes and each unit's reasons for every
//! point, the bonus withholding list, and the accountability ladder with the discipline
//! office's decisions and their confidentiality.

mod common;

use app::model::CaseFilter;
use app::testing::TestApp;
use app::{AppError, Caller, Identity};
use common::month::*;
use common::{all, assert_field, assert_forbidden, fields};
use domain::Role;
use domain::close::Step;
use domain::consequences::{DecisionInput, Points, RuleSet, RuleSetInput};

fn score_of(page: &domain::page::Page<app::model::UnitScoreRow>, unit: i64) -> (i64, bool) {
    page.items
        .iter()
        .find(|r| r.unit_id == unit)
        .map(|r| (r.points, r.withheld))
        .unwrap_or_else(|| panic!("no score for unit {unit}"))
}

async fn discipline(t: &TestApp) -> Identity {
    t.person("discipline", None, &[(Role::DisciplineOfficer, None)])
        .await
}

/// November of two units: A signs off one task (a highlight) and leaves one unfinished; B
/// signs off one and leaves one unfinished; the unfinished ones are key work, published red
/// after their deadline; then the director closes the month. Returns
/// `[a_done, a_open, b_done, b_open]`.
async fn closed_november(t: &TestApp, c: &Cast) -> Vec<i64> {
    let ids = plan_month(
        t,
        c,
        &[
            spec(c.unit_a, &c.staff_a, "重大项目签约"),
            spec(c.unit_a, &c.staff_a, "园区推介会").key(),
            spec(c.unit_b, &c.staff_b, "预算执行分析"),
            spec(c.unit_b, &c.staff_b, "国库集中支付").key(),
        ],
    )
    .await;
    go_to(t, SIGN_OFF_OPENS);
    let fa = submit(t, &c.head_a, ids[0]).await;
    let fb = submit(t, &c.head_b, ids[2]).await;
    go_to(t, REVIEW_DAY);
    sign_off(t, c, fa).await;
    sign_off(t, c, fb).await;
    let dir = Caller::Person(&c.director);
    t.app
        .select_highlight(dir, ids[0], "提前两天完成签约")
        .await
        .expect("highlight");
    publish_cards(t, c, MONTH).await;
    t.app.close_month(dir, t.org, MONTH).await.expect("close");
    ids
}

app::app_test!(
    a_close_writes_the_ledger_and_each_unit_sees_why_it_lost_each_point,
    |t| {
        let c = cast(&t).await;
        let ids = closed_november(&t, &c).await;
        let perf = Caller::Person(&c.performance);
        let scores = t
            .app
            .month_scores(perf, t.org, MONTH, false, all())
            .await
            .unwrap();
        // Each unit left one task unsigned, published red past its deadline.
        // A: 2.50 − 0.50 (unsigned) − 0.20 (red card) + 0.50 (a highlight); B: 2.50 − 0.70.
        assert_eq!(score_of(&scores, c.unit_a), (230, true));
        assert_eq!(score_of(&scores, c.unit_b), (180, true));
        assert_eq!(scores.items[0].unit_id, c.unit_a, "best first");
        let withheld = t
            .app
            .month_scores(perf, t.org, MONTH, true, all())
            .await
            .unwrap();
        assert_eq!(withheld.total, 2);
        // The year so far: one closed month, graded against what it was worth.
        let y = t.app.year_scores(perf, t.org, 2026, all()).await.unwrap();
        let years: Vec<(i64, Points, i64, &str)> = y
            .page
            .items
            .iter()
            .map(|r| (r.unit_id, r.points, r.months, r.grade.as_str()))
            .collect();
        assert_eq!(
            years,
            vec![
                (c.unit_a, Points(230), 1, "excellent"),
                (c.unit_b, Points(180), 1, "pass"),
            ]
        );
        assert_forbidden(
            t.app
                .year_scores(Caller::Person(&c.head_a), t.org, 2026, all())
                .await,
        );

        // The unit reads its own entries, each tied to its rule and its task.
        let v = t
            .app
            .unit_score(Caller::Person(&c.head_a), c.unit_a, MONTH)
            .await
            .unwrap();
        assert!(v.scored && v.withheld);
        assert_eq!(v.total, Points(230));
        assert_eq!(
            (v.year_total, v.year_grade.as_str()),
            (Points(230), "excellent")
        );
        let lines: Vec<(&str, i64, Option<i64>)> = v
            .entries
            .iter()
            .map(|e| (e.rule.as_str(), e.points, e.task_id))
            .collect();
        assert_eq!(
            lines,
            vec![
                ("month_points", 250, None),
                ("unsigned_task", -50, Some(ids[1])),
                ("red_card", -20, Some(ids[1])),
                ("highlight", 50, Some(ids[0])),
                ("bonus_withheld", 0, None),
            ]
        );
        let unsigned = &v.entries[1];
        assert_eq!(
            (unsigned.person_id, unsigned.task_title.as_deref()),
            (Some(person_id(&c.staff_a)), Some("园区推介会"))
        );
        // Another unit's score, and the whole list, are not for a unit.
        assert_forbidden(
            t.app
                .unit_score(Caller::Person(&c.head_b), c.unit_a, MONTH)
                .await,
        );
        for who in [&c.head_a, &c.staff_b] {
            assert_forbidden(
                t.app
                    .month_scores(Caller::Person(who), t.org, MONTH, false, all())
                    .await,
            );
        }
        assert_field(
            t.app
                .month_scores(perf, t.org, "2026-13", false, all())
                .await,
            "month",
            "invalid_month",
        );
        // A month not closed has no ledger yet.
        let open = t
            .app
            .unit_score(Caller::Person(&c.head_a), c.unit_a, NEXT)
            .await
            .unwrap();
        assert!(!open.scored && open.entries.is_empty());
        // Closing again writes nothing twice.
        let again = t
            .app
            .close_month(Caller::Person(&c.director), t.org, MONTH)
            .await
            .unwrap();
        assert!(again.already_closed);
        let v2 = t
            .app
            .unit_score(Caller::Person(&c.head_a), c.unit_a, MONTH)
            .await
            .unwrap();
        assert_eq!(v2.entries.len(), 5);
    }
);

app::app_test!(
    the_performance_office_versions_the_rules_and_a_close_uses_the_newest,
    |t| {
        let c = cast(&t).await;
        let perf = Caller::Person(&c.performance);
        let v = t
            .app
            .rules(Caller::Person(&c.head_a), t.org, 2026)
            .await
            .unwrap();
        assert_eq!(
            (v.rules.clone(), v.version, v.can_edit),
            (RuleSet::default(), None, false)
        );
        let mut input = RuleSetInput::from(&RuleSet::default());
        input.unsigned_deduction = "1".into();
        for who in [&c.director, &c.head_a, &c.supervisor] {
            assert_forbidden(
                t.app
                    .save_rules(Caller::Person(who), t.org, 2026, &input)
                    .await,
            );
        }
        let bad = RuleSetInput {
            month_points: "2.555".into(),
            red_card_deduction: "".into(),
            ..input.clone()
        };
        let got = fields(t.app.save_rules(perf, t.org, 2026, &bad).await);
        assert!(
            got.contains(&("month_points".into(), "invalid_number")),
            "{got:?}"
        );
        assert!(
            got.contains(&("red_card_deduction".into(), "required")),
            "{got:?}"
        );
        assert!(
            t.app
                .rules(perf, t.org, 2026)
                .await
                .unwrap()
                .version
                .is_none(),
            "nothing saved"
        );
        assert_eq!(
            t.app.save_rules(perf, t.org, 2026, &input).await.unwrap(),
            1
        );
        input.highlight_bonus = "1.5".into();
        assert_eq!(
            t.app.save_rules(perf, t.org, 2026, &input).await.unwrap(),
            2
        );
        let v = t.app.rules(perf, t.org, 2026).await.unwrap();
        assert_eq!(v.version, Some(2));
        assert_eq!(v.versions.len(), 2);
        assert_eq!(v.rules.unsigned_deduction, Points(100));
        assert_eq!(v.rules.highlight_bonus, Points(150));
        assert!(v.can_edit);

        closed_november(&t, &c).await;
        let a = t
            .app
            .unit_score(Caller::Person(&c.head_a), c.unit_a, MONTH)
            .await
            .unwrap();
        // 2.50 − 1.00 − 0.20 (its red card) + 1.50, scored with version 2.
        assert_eq!((a.total, a.rule_set_version), (Points(280), Some(2)));
        // A later version leaves the closed month as it was.
        input.unsigned_deduction = "2".into();
        assert_eq!(
            t.app.save_rules(perf, t.org, 2026, &input).await.unwrap(),
            3
        );
        let a2 = t
            .app
            .unit_score(Caller::Person(&c.head_a), c.unit_a, MONTH)
            .await
            .unwrap();
        assert_eq!((a2.total, a2.rule_set_version), (Points(280), Some(2)));
    }
);

app::app_test!(
    the_ladder_proposes_and_only_the_discipline_office_decides,
    |t| {
        let c = cast(&t).await;
        let d = discipline(&t).await;
        let ids = closed_november(&t, &c).await;
        let disc = Caller::Person(&d);
        let cases = t
            .app
            .list_cases(disc, t.org, &CaseFilter::default(), all())
            .await
            .unwrap();
        assert_eq!(cases.total, 2);
        let a_case = cases
            .items
            .iter()
            .find(|k| k.task_id == ids[1])
            .expect("case of A's unfinished task")
            .clone();
        // First month: a rectification order, ten days from the close.
        assert_eq!(
            (
                a_case.step.as_str(),
                a_case.months_unfinished,
                a_case.deadline.as_deref(),
                a_case.status.as_str()
            ),
            ("rectification_order", 1, Some("2026-12-12"), "proposed")
        );
        assert_eq!(a_case.person_id, Some(person_id(&c.staff_a)));
        // The discipline office is told once, by count; the unit is not.
        let told = t.app.inbox(disc, false, all()).await.unwrap();
        assert_eq!(told.total, 1);
        assert_eq!(told.items[0].event, "accountability_proposed");
        assert!(
            told.items[0].body.contains("问责建议2件"),
            "{}",
            told.items[0].body
        );
        // The subject, which administrators see among the deliveries, tells nothing more.
        assert!(!told.items[0].subject.contains('2'));
        assert!(
            !t.app
                .inbox(Caller::Person(&c.head_a), false, all())
                .await
                .unwrap()
                .items
                .iter()
                .any(|n| n.event == "accountability_proposed")
        );
        // A rectification order is the unit's to see; another unit's head does not see it.
        let head_a = t
            .app
            .list_cases(
                Caller::Person(&c.head_a),
                t.org,
                &CaseFilter::default(),
                all(),
            )
            .await
            .unwrap();
        assert_eq!(
            head_a.items.iter().map(|k| k.task_id).collect::<Vec<_>>(),
            vec![ids[1]]
        );
        assert!(matches!(
            t.app.get_case(Caller::Person(&c.head_b), a_case.id).await,
            Err(AppError::NotFound)
        ));
        assert!(
            !t.app
                .get_case(Caller::Person(&c.head_a), a_case.id)
                .await
                .unwrap()
                .can_decide
        );
        assert!(t.app.get_case(disc, a_case.id).await.unwrap().can_decide);

        // Only the discipline office decides, with its verification, sanction and reasons.
        let decision = DecisionInput {
            verification: "经核实，推介会因场地原因推迟".into(),
            sanction: "none".into(),
            reasons: "客观原因，限期整改即可".into(),
        };
        for who in [&c.director, &c.head_a] {
            let r = t
                .app
                .decide_case(Caller::Person(who), a_case.id, &decision)
                .await;
            assert!(matches!(r, Err(AppError::Forbidden)), "{r:?}");
        }
        let got = fields(
            t.app
                .decide_case(disc, a_case.id, &DecisionInput::default())
                .await,
        );
        assert_eq!(got.len(), 3, "{got:?}");
        t.app.decide_case(disc, a_case.id, &decision).await.unwrap();
        assert_field(
            t.app.decide_case(disc, a_case.id, &decision).await,
            "sanction",
            "case_decided",
        );
        let k = t.app.get_case(disc, a_case.id).await.unwrap();
        assert_eq!(
            (
                k.case.status.as_str(),
                k.case.sanction.as_deref(),
                k.can_decide
            ),
            ("decided", Some("none"), false)
        );

        // December: A's continuation stays unfinished, so the ladder climbs to an
        // admonishment, which is confidential.
        let dir = Caller::Person(&c.director);
        t.app.arrange_month(dir, t.org, NEXT).await.unwrap();
        go_to(&t, "2027-01-01");
        t.app.close_month(dir, t.org, NEXT).await.unwrap();
        let december = t
            .app
            .list_cases(
                disc,
                t.org,
                &CaseFilter {
                    month: Some(NEXT.into()),
                    ..Default::default()
                },
                all(),
            )
            .await
            .unwrap();
        let adm = december
            .items
            .iter()
            .find(|k| k.person_id == Some(person_id(&c.staff_a)))
            .expect("A's second month")
            .clone();
        assert_eq!(
            (
                adm.step.as_str(),
                adm.months_unfinished,
                adm.deadline.as_deref()
            ),
            ("admonishment", 2, None)
        );
        // The unit's head no longer sees it; the person concerned and the director do.
        assert!(matches!(
            t.app.get_case(Caller::Person(&c.head_a), adm.id).await,
            Err(AppError::NotFound)
        ));
        t.app
            .get_case(Caller::Person(&c.staff_a), adm.id)
            .await
            .unwrap();
        t.app.get_case(dir, adm.id).await.unwrap();
        let staff_list = t
            .app
            .list_cases(
                Caller::Person(&c.staff_a),
                t.org,
                &CaseFilter::default(),
                all(),
            )
            .await
            .unwrap();
        assert!(staff_list.items.iter().any(|k| k.id == adm.id));
        let head_list = t
            .app
            .list_cases(
                Caller::Person(&c.head_a),
                t.org,
                &CaseFilter::default(),
                all(),
            )
            .await
            .unwrap();
        assert!(!head_list.items.iter().any(|k| k.id == adm.id));
        assert_field(
            t.app
                .list_cases(
                    disc,
                    t.org,
                    &CaseFilter {
                        step: Some("prison".into()),
                        ..Default::default()
                    },
                    all(),
                )
                .await,
            "step",
            "invalid_choice",
        );
    }
);

app::app_test!(
    a_close_stopped_after_its_consequences_leaves_no_ledger_and_no_case,
    |t| {
        let c = cast(&t).await;
        let d = discipline(&t).await;
        plan_month(&t, &c, &[spec(c.unit_a, &c.staff_a, "重大项目签约").key()]).await;
        go_to(&t, REVIEW_DAY);
        publish_cards(&t, &c, MONTH).await;
        let dir = Caller::Person(&c.director);
        for step in [Step::Consequences, Step::Freeze] {
            let r = t
                .app
                .close_month_failing_after(dir, t.org, MONTH, step)
                .await;
            assert!(matches!(r, Err(AppError::Internal(_))), "{r:?}");
            let v = t
                .app
                .unit_score(Caller::System, c.unit_a, MONTH)
                .await
                .unwrap();
            assert!(!v.scored, "a ledger after a stop at {}", step.as_str());
            let cases = t
                .app
                .list_cases(Caller::Person(&d), t.org, &CaseFilter::default(), all())
                .await
                .unwrap();
            assert_eq!(cases.total, 0);
            // Nor a notice of cases that were never made.
            assert_eq!(t.app.unread_count(Caller::Person(&d)).await.unwrap(), 0);
        }
        t.app.close_month(dir, t.org, MONTH).await.unwrap();
        let v = t
            .app
            .unit_score(Caller::System, c.unit_a, MONTH)
            .await
            .unwrap();
        // 2.50 − 0.50 (unsigned) − 0.20 (published red after its deadline).
        assert_eq!(v.total, Points(180));
        let cases = t
            .app
            .list_cases(Caller::Person(&d), t.org, &CaseFilter::default(), all())
            .await
            .unwrap();
        assert_eq!(cases.total, 1);
    }
);

app::app_test!(
    the_month_s_stars_are_chosen_from_the_ranking_and_an_unsigned_task_disqualifies,
    |t| {
        let c = cast(&t).await;
        let ids = plan_month(
            &t,
            &c,
            &[
                spec(c.unit_a, &c.staff_a, "重大项目签约"),
                spec(c.unit_b, &c.staff_b, "预算执行分析"),
                spec(c.unit_b, &c.staff_b, "国库集中支付").key(),
            ],
        )
        .await;
        go_to(&t, SIGN_OFF_OPENS);
        let fa = submit(&t, &c.head_a, ids[0]).await;
        let fb = submit(&t, &c.head_b, ids[1]).await;
        go_to(&t, REVIEW_DAY);
        sign_off(&t, &c, fa).await;
        sign_off(&t, &c, fb).await;
        // The unsigned key task is published red.
        publish_cards(&t, &c, MONTH).await;
        let dir = Caller::Person(&c.director);
        // Before the close there is no ranking, and nothing can be chosen.
        let v = t.app.awards(dir, t.org, MONTH).await.unwrap();
        assert!(!v.closed && v.units.is_empty() && !v.can_select);
        assert_field(
            t.app
                .select_award(dir, t.org, MONTH, "star_unit", c.unit_a, "全部按期销号")
                .await,
            "month",
            "month_not_closed",
        );
        t.app.close_month(dir, t.org, MONTH).await.unwrap();

        let v = t
            .app
            .awards(Caller::Person(&c.staff_b), t.org, MONTH)
            .await
            .unwrap();
        assert!(v.closed && !v.can_select);
        let units: Vec<(i64, Option<u32>, &str)> = v
            .units
            .iter()
            .map(|p| (p.id, p.rank, p.tier.as_str()))
            .collect();
        assert_eq!(
            units,
            vec![
                (c.unit_a, Some(1), "first"),
                (c.unit_b, None, "disqualified")
            ]
        );
        assert_eq!(v.units[0].name, "招商合作局");
        let codes: Vec<&str> = v.units[1].reasons.iter().map(|r| r.code()).collect();
        assert_eq!(codes, vec!["unsigned", "red_cards"]);
        let persons: Vec<(i64, Option<u32>)> = v.persons.iter().map(|p| (p.id, p.rank)).collect();
        assert_eq!(
            persons,
            vec![
                (person_id(&c.staff_a), Some(1)),
                (person_id(&c.staff_b), None)
            ]
        );

        // Only the leadership chooses, only the eligible, each once.
        assert_forbidden(
            t.app
                .select_award(
                    Caller::Person(&c.head_a),
                    t.org,
                    MONTH,
                    "star_unit",
                    c.unit_a,
                    "全部按期销号",
                )
                .await,
        );
        assert_field(
            t.app
                .select_award(dir, t.org, MONTH, "star_unit", c.unit_b, "推进有力")
                .await,
            "subject_id",
            "disqualified",
        );
        assert_field(
            t.app
                .select_award(dir, t.org, MONTH, "star_unit", c.unit_a, " ")
                .await,
            "citation",
            "required",
        );
        assert_field(
            t.app
                .select_award(dir, t.org, MONTH, "star_planet", c.unit_a, "x")
                .await,
            "kind",
            "invalid_choice",
        );
        t.app
            .select_award(dir, t.org, MONTH, "star_unit", c.unit_a, "全部按期销号")
            .await
            .unwrap();
        t.app
            .select_award(
                dir,
                t.org,
                MONTH,
                "star_person",
                person_id(&c.staff_a),
                "提前完成签约",
            )
            .await
            .unwrap();
        assert_field(
            t.app
                .select_award(dir, t.org, MONTH, "star_unit", c.unit_a, "再选一次")
                .await,
            "subject_id",
            "already_taken",
        );
        let v = t.app.awards(dir, t.org, MONTH).await.unwrap();
        assert!(v.can_select && v.units[0].selected && v.persons[0].selected);
        let chosen: Vec<(&str, &str)> = v
            .awards
            .iter()
            .map(|a| (a.kind.as_str(), a.subject_name.as_str()))
            .collect();
        assert_eq!(
            chosen,
            vec![("star_unit", "招商合作局"), ("star_person", "测试staff.a")]
        );

        // The person's record counts the month: one task, signed off on time, a star.
        let r = t
            .app
            .cadre_record(Caller::Person(&c.staff_a), person_id(&c.staff_a))
            .await
            .unwrap();
        assert_eq!(r.years.len(), 1);
        let y = r.years[0];
        assert_eq!(
            (
                y.year,
                y.planned,
                y.signed_off,
                y.on_time,
                y.stars,
                y.carried_over
            ),
            (2026, 1, 1, 1, 1, 0)
        );
        let b = t
            .app
            .cadre_record(dir, person_id(&c.staff_b))
            .await
            .unwrap();
        assert_eq!(
            (
                b.total.planned,
                b.total.signed_off,
                b.total.carried_over,
                b.total.red_cards
            ),
            (2, 1, 1, 1)
        );
        // The person's score: the entries that name them (−0.50 unsigned, −0.20 red card).
        assert_eq!(b.total.points, -70);
        assert_eq!(b.months, vec![(MONTH.to_owned(), Points(-70))]);
        assert_eq!(r.total.points, 0);
        for who in [&c.head_a, &c.performance, &c.staff_b] {
            assert_forbidden(
                t.app
                    .cadre_record(Caller::Person(who), person_id(&c.staff_a))
                    .await,
            );
        }
    }
);

app::app_test!(
    a_closed_month_is_scored_again_only_when_asked_after_its_difference_is_shown,
    |t| {
        let c = cast(&t).await;
        closed_november(&t, &c).await;
        let perf = Caller::Person(&c.performance);
        // New rules leave the closed month as it was…
        let mut input = RuleSetInput::from(&RuleSet::default());
        input.unsigned_deduction = "1".into();
        assert_eq!(
            t.app.save_rules(perf, t.org, 2026, &input).await.unwrap(),
            1
        );
        let score = |t: &TestApp, unit: i64| {
            let app = t.app.clone();
            async move {
                app.unit_score(Caller::System, unit, MONTH)
                    .await
                    .unwrap()
                    .total
            }
        };
        assert_eq!(score(&t, c.unit_a).await, Points(230));
        // …until the performance office looks at the difference and applies it.
        assert_forbidden(
            t.app
                .recompute_preview(Caller::Person(&c.head_a), t.org, MONTH)
                .await,
        );
        let p = t.app.recompute_preview(perf, t.org, MONTH).await.unwrap();
        assert_eq!((p.version, p.same_rules), (Some(1), false));
        let changes: Vec<(i64, Points, Points)> = p
            .changes
            .iter()
            .map(|x| (x.unit_id, x.before, x.after))
            .collect();
        assert_eq!(
            changes,
            vec![
                (c.unit_a, Points(230), Points(180)),
                (c.unit_b, Points(180), Points(130)),
            ]
        );
        assert_field(
            t.app.recompute_preview(perf, t.org, NEXT).await,
            "month",
            "month_not_closed",
        );
        // Applying what was not previewed is refused, and nothing changes.
        assert_field(
            t.app.recompute_month(perf, t.org, MONTH, None).await,
            "version",
            "rules_changed",
        );
        assert_eq!(score(&t, c.unit_a).await, Points(230));
        let audit_before = audited(&t, "score.recompute").await;
        t.app
            .recompute_month(perf, t.org, MONTH, Some(1))
            .await
            .unwrap();
        assert_eq!(score(&t, c.unit_a).await, Points(180));
        assert_eq!(score(&t, c.unit_b).await, Points(130));
        let v = t
            .app
            .unit_score(Caller::System, c.unit_a, MONTH)
            .await
            .unwrap();
        assert_eq!((v.rule_set_version, v.entries.len()), (Some(1), 5));
        assert_eq!(audited(&t, "score.recompute").await, audit_before + 1);
        // Nothing left to change; the cases are untouched.
        let again = t.app.recompute_preview(perf, t.org, MONTH).await.unwrap();
        assert!(again.same_rules && again.changes.is_empty());
        let d = discipline(&t).await;
        let cases = t
            .app
            .list_cases(Caller::Person(&d), t.org, &CaseFilter::default(), all())
            .await
            .unwrap();
        assert_eq!(cases.total, 2);
    }
);

app::app_test!(
    the_year_s_commendations_are_chosen_from_the_year_s_record,
    |t| {
        let c = cast(&t).await;
        let ids = plan_month(
            &t,
            &c,
            &[
                spec(c.unit_a, &c.staff_a, "重大项目签约"),
                spec(c.unit_b, &c.staff_b, "预算执行分析"),
                spec(c.unit_b, &c.staff_b, "国库集中支付"),
            ],
        )
        .await;
        go_to(&t, SIGN_OFF_OPENS);
        let fa = submit(&t, &c.head_a, ids[0]).await;
        let fb = submit(&t, &c.head_b, ids[1]).await;
        go_to(&t, REVIEW_DAY);
        sign_off(&t, &c, fa).await;
        sign_off(&t, &c, fb).await;
        let dir = Caller::Person(&c.director);
        t.app.close_month(dir, t.org, MONTH).await.unwrap();
        let v = t.app.awards(dir, t.org, "2026").await.unwrap();
        assert!(v.annual && v.closed && v.can_select);
        assert_eq!(
            (v.unit_kind, v.person_kind),
            ("annual_unit", "annual_person")
        );
        // The year: A signed off everything on time; B half, below 95%.
        let units: Vec<(i64, &str)> = v.units.iter().map(|p| (p.id, p.tier.as_str())).collect();
        assert_eq!(units, vec![(c.unit_a, "first"), (c.unit_b, "disqualified")]);
        // A month's kind is not a year's, nor the other way round.
        assert_field(
            t.app
                .select_award(dir, t.org, "2026", "star_unit", c.unit_a, "全年按期")
                .await,
            "kind",
            "invalid_choice",
        );
        assert_field(
            t.app
                .select_award(dir, t.org, MONTH, "annual_unit", c.unit_a, "全年按期")
                .await,
            "kind",
            "invalid_choice",
        );
        t.app
            .select_award(dir, t.org, "2026", "annual_unit", c.unit_a, "全年按期销号")
            .await
            .unwrap();
        let v = t.app.awards(dir, t.org, "2026").await.unwrap();
        assert!(v.units[0].selected);
        assert_eq!(v.awards.len(), 1);
        // The month's stars are apart from the year's.
        assert!(
            t.app
                .awards(dir, t.org, MONTH)
                .await
                .unwrap()
                .awards
                .is_empty()
        );
        let empty = t.app.awards(dir, t.org, "2025").await.unwrap();
        assert!(!empty.closed && empty.units.is_empty());
        assert_field(
            t.app.awards(dir, t.org, "20x6").await,
            "month",
            "invalid_month",
        );
    }
);

app::app_test!(a_city_sees_its_zones_in_the_statistics, |t| {
    let c = cast(&t).await;
    plan_month(&t, &c, &[spec(c.unit_a, &c.staff_a, "重大项目签约")]).await;
    let sys = Caller::System;
    let zone = t
        .app
        .create_organization(
            sys,
            &domain::org::OrganizationInput {
                name: "高新区".into(),
                code: "zone".into(),
                parent_id: Some(domain::OrganizationId(t.org)),
            },
        )
        .await
        .unwrap()
        .id;
    let zone_unit = t
        .app
        .create_unit(
            sys,
            zone,
            &domain::org::UnitInput {
                name: "园区办".into(),
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let (owner, _) = t
        .app
        .create_person(
            sys,
            zone,
            &app::NewPerson {
                profile: domain::org::PersonInput {
                    username: "zone.staff".into(),
                    display_name: "园区干部".into(),
                    unit_id: Some(domain::UnitId(zone_unit)),
                    ..Default::default()
                },
                password: None,
            },
        )
        .await
        .unwrap();
    for title in ["园区道路改造", "企业服务"] {
        t.app
            .add_assigned_item(
                sys,
                zone,
                MONTH,
                zone_unit,
                &domain::plan::TaskInput {
                    title: title.into(),
                    criterion: "按期完成".into(),
                    deadline: "2026-11-20".into(),
                    owner_id: Some(owner),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
    }
    t.app.arrange_month(sys, zone, MONTH).await.unwrap();
    let q = |below| app::StatsQuery {
        from: MONTH.into(),
        to: MONTH.into(),
        below,
        ..Default::default()
    };
    // The city's director, loaded once the zone exists.
    let director = t.identity(person_id(&c.director)).await;
    let own = t
        .app
        .statistics(Caller::Person(&director), t.org, &q(false))
        .await
        .unwrap();
    assert_eq!(
        (own.totals.figures.planned, own.organizations, own.by_org),
        (1, 1, false)
    );
    let all = t
        .app
        .statistics(Caller::Person(&director), t.org, &q(true))
        .await
        .unwrap();
    assert_eq!(
        (all.totals.figures.planned, all.organizations, all.by_org),
        (3, 2, true)
    );
    let by: Vec<(i64, u32)> = all
        .compared
        .iter()
        .map(|x| (x.id, x.figures.planned))
        .collect();
    assert_eq!(by, vec![(zone, 2), (t.org, 1)]);
    // Someone of a unit does not count the zones.
    assert_forbidden(
        t.app
            .statistics(Caller::Person(&c.staff_a), t.org, &q(true))
            .await,
    );
});
