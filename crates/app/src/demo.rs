//! First start-up and the demo organization.
//!
//! On an empty database the server creates a first administrator with a random password,
//! printed once. The demo organization is modelled on the zone of the source article (湘潭高新区
//! 工管委): some 25 units, about 150 people with roles, leaders in charge. Loading it is
//! idempotent: a second load finds it and changes nothing.

use domain::org::{OrganizationDraft, PersonDraft, PostDraft, UnitDraft};
use domain::{Role, UnitId};
use serde_json::json;

use crate::auth::{generate_password, hash_password};
use crate::{App, AppError, Caller, Result};

pub const DEMO_ORG_CODE: &str = "xtgx";
const DEMO_ORG_NAME: &str = "湘潭高新区工管委";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub organization_id: i64,
    pub created: bool,
    pub units: usize,
    pub people: usize,
}

/// (code, name, role of its head, role of its staff)
const UNITS: &[(&str, &str, Role, Role)] = &[
    ("dzb", "党政办", Role::UnitHead, Role::Staff),
    ("dcs", "督查室", Role::Supervisor, Role::Supervisor),
    (
        "xnjc",
        "效能监察室",
        Role::EfficiencyOfficer,
        Role::EfficiencyOfficer,
    ),
    (
        "jkb",
        "绩考办",
        Role::PerformanceOfficer,
        Role::PerformanceOfficer,
    ),
    (
        "jgw",
        "纪工委",
        Role::DisciplineOfficer,
        Role::DisciplineOfficer,
    ),
    ("zzrs", "组织人事部", Role::UnitHead, Role::Staff),
    ("xczt", "宣传统战部", Role::UnitHead, Role::Staff),
    ("jjfz", "经济发展局", Role::UnitHead, Role::Staff),
    ("ghjs", "规划建设局", Role::UnitHead, Role::Staff),
    ("czj", "财政局", Role::UnitHead, Role::Staff),
    ("zshz", "招商合作局", Role::UnitHead, Role::Staff),
    ("zcb", "征拆办", Role::UnitHead, Role::Staff),
    ("gtzy", "国土资源分局", Role::UnitHead, Role::Staff),
    ("hbfj", "环境保护分局", Role::UnitHead, Role::Staff),
    ("shsw", "社会事务局", Role::UnitHead, Role::Staff),
    ("kjcx", "科技创新局", Role::UnitHead, Role::Staff),
    ("ajj", "安全生产监督管理局", Role::UnitHead, Role::Staff),
    ("cgj", "城市管理局", Role::UnitHead, Role::Staff),
    ("zzb", "综治办", Role::UnitHead, Role::Staff),
    ("sjj", "审计局", Role::UnitHead, Role::Staff),
    ("xzsp", "行政审批服务局", Role::UnitHead, Role::Staff),
    ("smjd", "双马街道", Role::UnitHead, Role::Staff),
    ("btjd", "板塘街道", Role::UnitHead, Role::Staff),
    ("tzjt", "投资发展集团", Role::UnitHead, Role::Staff),
    ("cyzx", "创业服务中心", Role::UnitHead, Role::Staff),
];

/// Sub-units: (code, name, parent code).
const SUB_UNITS: &[(&str, &str, &str)] = &[
    ("xmgl", "重点项目办", "ghjs"),
    ("qyfw", "企业服务科", "jjfz"),
];

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "周", "吴", "徐", "孙", "胡", "朱", "高", "林",
    "何", "郭", "马", "罗", "梁", "宋", "郑", "谢", "唐", "韩", "曹", "彭", "曾", "邓",
];
const GIVEN: &[&str] = &[
    "建国", "志强", "海燕", "丽华", "国平", "小军", "晓东", "春梅", "立新", "文斌", "红霞", "勇",
    "敏", "静", "磊", "婷", "洋", "芳", "杰", "娟", "伟", "涛", "艳", "鹏", "慧", "斌", "雪", "刚",
    "琳", "超",
];

fn demo_name(i: usize) -> String {
    format!(
        "{}{}",
        SURNAMES[i % SURNAMES.len()],
        GIVEN[(i * 7 + i / SURNAMES.len()) % GIVEN.len()]
    )
}

/// Leaders in charge and the units each one leads.
const LEADERS: &[(&str, &[&str])] = &[
    ("demo.leader1", &["dzb", "zzrs", "xczt", "jgw", "dcs"]),
    ("demo.leader2", &["jjfz", "zshz", "kjcx", "tzjt", "cyzx"]),
    ("demo.leader3", &["ghjs", "zcb", "gtzy", "hbfj", "cgj"]),
    ("demo.leader4", &["czj", "sjj", "jkb", "xnjc", "xzsp"]),
    ("demo.leader5", &["shsw", "ajj", "zzb", "smjd", "btjd"]),
];

impl App {
    /// On a database without any person, creates a top-level organization named `org_name` and
    /// an administrator `admin` with a random password, which is returned (to be printed once).
    pub async fn ensure_first_admin(&self, org_name: &str) -> Result<Option<(String, String)>> {
        if store::people::count_people(&self.db).await? > 0 {
            return Ok(None);
        }
        let now = self.now();
        let password = generate_password();
        let hash = hash_password(&password)?;
        let mut tx = self.db.begin().await?;
        let org = store::org::insert_organization(
            &mut tx,
            &OrganizationDraft {
                name: org_name.to_owned(),
                code: None,
                parent_id: None,
            },
            None,
            now,
        )
        .await?;
        self.audit(
            &mut tx,
            Caller::System,
            org,
            "organization.create",
            "organization",
            Some(org),
            None,
            Some(json!({ "name": org_name })),
        )
        .await?;
        let draft = PersonDraft {
            username: "admin".into(),
            display_name: "系统管理员".into(),
            unit_id: None,
            post_id: None,
            email: None,
            phone: None,
        };
        let id = store::people::insert_person(&mut tx, org, &draft, &hash, true, now).await?;
        store::people::insert_role(&mut tx, id, org, Role::Admin.as_str(), None, now).await?;
        self.audit(
            &mut tx,
            Caller::System,
            org,
            "person.create",
            "person",
            Some(id),
            None,
            Some(json!({ "username": "admin", "roles": ["admin"] })),
        )
        .await?;
        tx.commit().await?;
        Ok(Some(("admin".into(), password)))
    }

    /// Loads the demo organization unless it exists. Every demo account gets `password`.
    pub async fn load_demo(&self, password: &str) -> Result<DemoSummary> {
        let mut v = domain::validate::Validator::new();
        v.password("password", password);
        v.finish()?;
        if let Some(id) = store::org::organization_id_by_code(&self.db, DEMO_ORG_CODE).await? {
            return Ok(DemoSummary {
                organization_id: id,
                created: false,
                units: 0,
                people: 0,
            });
        }
        let now = self.now();
        // One hash for every demo account: the demo is for trying the system, not for real use.
        let hash = hash_password(password)?;
        let mut tx = self.db.begin().await?;
        let org = store::org::insert_organization(
            &mut tx,
            &OrganizationDraft {
                name: DEMO_ORG_NAME.into(),
                code: Some(DEMO_ORG_CODE.into()),
                parent_id: None,
            },
            None,
            now,
        )
        .await
        .map_err(|e| {
            if e.is_unique("organizations_name_key", "organizations.name") {
                AppError::field("name", "already_taken")
            } else {
                e.into()
            }
        })?;
        self.audit(
            &mut tx,
            Caller::System,
            org,
            "demo.load",
            "organization",
            Some(org),
            None,
            Some(json!({ "name": DEMO_ORG_NAME })),
        )
        .await?;

        let mut unit_ids = std::collections::HashMap::new();
        for (i, (code, name, _, _)) in UNITS.iter().enumerate() {
            let d = UnitDraft {
                name: (*name).into(),
                code: Some((*code).into()),
                parent_id: None,
                sort_order: i32::try_from(i * 10).unwrap_or(0),
            };
            let id = store::org::insert_unit(&mut tx, org, &d, None, now).await?;
            unit_ids.insert(*code, (id, format!("/{id}/")));
        }
        for (code, name, parent) in SUB_UNITS {
            let (pid, ppath) = unit_ids[parent].clone();
            let d = UnitDraft {
                name: (*name).into(),
                code: Some((*code).into()),
                parent_id: Some(UnitId(pid)),
                sort_order: 0,
            };
            let id = store::org::insert_unit(&mut tx, org, &d, Some(&ppath), now).await?;
            unit_ids.insert(*code, (id, format!("{ppath}{id}/")));
        }

        let mut people = 0usize;
        let mut add = |username: String, name: String, unit: Option<i64>, post: Option<i64>| {
            people += 1;
            (
                PersonDraft {
                    username,
                    display_name: name,
                    unit_id: unit.map(UnitId),
                    post_id: post.map(domain::PostId),
                    email: None,
                    phone: None,
                },
                people,
            )
        };
        let mut persons = Vec::new();
        // Organization-wide accounts.
        persons.push((
            add("demo.admin".into(), "系统管理员".into(), None, None),
            vec![(Role::Admin, None)],
        ));
        persons.push((
            add("demo.director".into(), "管委会主任".into(), None, None),
            vec![(Role::Director, None), (Role::LeadingGroup, None)],
        ));
        for (i, (username, _)) in LEADERS.iter().enumerate() {
            let name = format!("{}（副主任）", demo_name(200 + i));
            persons.push((
                add((*username).into(), name, None, None),
                vec![(Role::LeaderInCharge, None), (Role::LeadingGroup, None)],
            ));
        }
        persons.push((
            add("demo.display".into(), "电子显示屏".into(), None, None),
            vec![(Role::Display, None)],
        ));

        let mut n = 0usize;
        for (code, _, head_role, staff_role) in
            UNITS.iter().map(|(c, nm, h, s)| (*c, *nm, *h, *s)).chain(
                SUB_UNITS
                    .iter()
                    .map(|(c, nm, _)| (*c, *nm, Role::UnitHead, Role::Staff)),
            )
        {
            let (uid, _) = unit_ids[code].clone();
            let head_post = store::org::insert_post(
                &mut tx,
                org,
                &PostDraft {
                    unit_id: UnitId(uid),
                    name: "单位负责人".into(),
                },
                now,
            )
            .await?;
            let general = store::org::insert_post(
                &mut tx,
                org,
                &PostDraft {
                    unit_id: UnitId(uid),
                    name: "综合岗".into(),
                },
                now,
            )
            .await?;
            let business = store::org::insert_post(
                &mut tx,
                org,
                &PostDraft {
                    unit_id: UnitId(uid),
                    name: "业务岗".into(),
                },
                now,
            )
            .await?;
            let staff_count = if SUB_UNITS.iter().any(|s| s.0 == code) {
                2
            } else {
                4 + n % 2
            };
            n += 1;
            let grant = |r: Role| {
                if r.needs_unit() {
                    (r, Some(uid))
                } else {
                    (r, None)
                }
            };
            let mut head_grants = vec![grant(head_role)];
            if head_role != Role::UnitHead {
                head_grants.push((Role::UnitHead, Some(uid)));
            }
            persons.push((
                add(
                    format!("{code}.head"),
                    demo_name(n * 10),
                    Some(uid),
                    Some(head_post),
                ),
                head_grants,
            ));
            for s in 1..=staff_count {
                let post = if s % 2 == 1 { general } else { business };
                let mut grants = vec![grant(staff_role)];
                if staff_role != Role::Staff {
                    grants.push((Role::Staff, Some(uid)));
                }
                persons.push((
                    add(
                        format!("{code}.s{s}"),
                        demo_name(n * 10 + s),
                        Some(uid),
                        Some(post),
                    ),
                    grants,
                ));
            }
        }

        let mut ids = std::collections::HashMap::new();
        for ((draft, _), grants) in &persons {
            let id = store::people::insert_person(&mut tx, org, draft, &hash, false, now).await?;
            for (role, unit) in grants {
                store::people::insert_role(&mut tx, id, org, role.as_str(), *unit, now).await?;
            }
            ids.insert(draft.username.clone(), id);
        }
        for (username, codes) in LEADERS {
            let units: Vec<i64> = codes.iter().map(|c| unit_ids[c].0).collect();
            store::people::set_led_units(&mut tx, ids[*username], org, &units).await?;
        }
        self.audit(
            &mut tx,
            Caller::System,
            org,
            "demo.load",
            "person",
            None,
            None,
            Some(json!({ "units": unit_ids.len(), "people": persons.len() })),
        )
        .await?;
        tx.commit().await?;
        Ok(DemoSummary {
            organization_id: org,
            created: true,
            units: unit_ids.len(),
            people: persons.len(),
        })
    }
}
