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
    /// The display screen's token, when this load issued one (shown once).
    pub board_token: Option<String>,
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
    /// On an empty database: the organization and its administrators, each with a generated
    /// password to change at first sign-in. Under 三员分立 three (系统管理员 `admin`, 安全管理员
    /// `security`, 审计管理员 `auditor`); with a single administrator, `admin` alone. Returns
    /// (username, password) of each, empty when people exist already.
    pub async fn ensure_first_admin(&self, org_name: &str) -> Result<Vec<(String, String)>> {
        if store::people::count_people(&self.db).await? > 0 {
            return Ok(vec![]);
        }
        let now = self.now();
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
            crate::LedgerEntry {
                chain: org,
                action: "organization.create",
                entity: "organization",
                entity_id: Some(org),
                after: Some(json!({ "name": org_name })),
                ..Default::default()
            },
        )
        .await?;
        let all = [
            ("admin", "系统管理员", Role::Admin),
            ("security", "安全管理员", Role::SecurityAdmin),
            ("auditor", "审计管理员", Role::AuditAdmin),
        ];
        let admins = if self.config.single_admin {
            &all[..1]
        } else {
            &all[..]
        };
        let mut made = Vec::new();
        for (username, name, role) in admins {
            let password = generate_password();
            let hash = hash_password(&password)?;
            let draft = PersonDraft {
                username: (*username).into(),
                display_name: (*name).into(),
                unit_id: None,
                post_id: None,
                email: None,
                phone: None,
            };
            let id = store::people::insert_person(&mut tx, org, &draft, &hash, true, now).await?;
            store::people::insert_role(&mut tx, id, org, role.as_str(), None, now).await?;
            self.audit(
                &mut tx,
                Caller::System,
                crate::LedgerEntry {
                    chain: org,
                    action: "person.create",
                    entity: "person",
                    entity_id: Some(id),
                    after: Some(json!({ "username": username, "roles": [role] })),
                    ..Default::default()
                },
            )
            .await?;
            made.push(((*username).to_owned(), password));
        }
        tx.commit().await?;
        Ok(made)
    }

    /// Loads the demo organization unless it exists. Every demo account gets `password`.
    pub async fn load_demo(&self, password: &str) -> Result<DemoSummary> {
        let mut v = domain::validate::Validator::new();
        v.password("password", password);
        v.finish()?;
        if let Some(id) = store::org::organization_id_by_code(&self.db, DEMO_ORG_CODE).await? {
            // An organization loaded before its supervision part was written gets it now.
            let (_, projects) = store::projects::list_projects(
                &self.db,
                id,
                &Default::default(),
                domain::page::PageRequest::new(Some(1), Some(1)),
            )
            .await?;
            let board_token = if projects == 0 {
                Some(self.load_demo_supervision(id).await?)
            } else {
                None
            };
            // And one loaded before its sign-off part gets that.
            let (_, bulletins) = store::signoff::list_bulletins(
                &self.db,
                id,
                false,
                domain::page::PageRequest::new(Some(1), Some(1)),
            )
            .await?;
            if bulletins == 0 {
                self.load_demo_signoff(id).await?;
            }
            // And one loaded before its history gets that.
            self.load_demo_history(id).await?;
            return Ok(DemoSummary {
                organization_id: id,
                created: false,
                units: 0,
                people: 0,
                board_token,
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
            crate::LedgerEntry {
                chain: org,
                action: "demo.load",
                entity: "organization",
                entity_id: Some(org),
                after: Some(json!({ "name": DEMO_ORG_NAME })),
                ..Default::default()
            },
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
        // Organization-wide accounts: the three administrators of 三员分立 first.
        let mut persons = vec![
            (
                add("demo.admin".into(), "系统管理员".into(), None, None),
                vec![(Role::Admin, None)],
            ),
            (
                add("demo.security".into(), "安全管理员".into(), None, None),
                vec![(Role::SecurityAdmin, None)],
            ),
            (
                add("demo.audit".into(), "审计管理员".into(), None, None),
                vec![(Role::AuditAdmin, None)],
            ),
            (
                add("demo.director".into(), "管委会主任".into(), None, None),
                vec![(Role::Director, None), (Role::LeadingGroup, None)],
            ),
        ];
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
        let plan = self.load_demo_plan(&mut tx, org, &unit_ids, &ids).await?;
        self.audit(
            &mut tx,
            Caller::System,
            crate::LedgerEntry {
                chain: org,
                action: "demo.load",
                entity: "person",
                after: Some(
                    json!({ "units": unit_ids.len(), "people": persons.len(), "tasks": plan }),
                ),
                ..Default::default()
            },
        )
        .await?;
        tx.commit().await?;
        let board_token = Some(self.load_demo_supervision(org).await?);
        self.load_demo_signoff(org).await?;
        self.load_demo_history(org).await?;
        Ok(DemoSummary {
            organization_id: org,
            created: true,
            units: unit_ids.len(),
            people: persons.len(),
            board_token,
        })
    }
}

/// Key points of the year (工作要点) and leadership focus issues, modelled on the article.
const KEY_POINTS: &[(&str, &str)] = &[
    (
        "key_point",
        "招商引资：全年引进重大项目，实际到位资金稳步增长",
    ),
    (
        "key_point",
        "重点项目建设：万达广场、屹丰科技等重点在建项目按节点推进",
    ),
    ("key_point", "征地拆迁：保障重点项目用地，按期完成征拆任务"),
    ("key_point", "园区基础设施：道路、管网、标准厂房建设"),
    ("key_point", "科技创新：高新技术企业培育与创新平台建设"),
    ("key_point", "优化营商环境：行政审批提速与企业服务"),
    ("key_point", "财政金融：预算执行、税收征管与融资保障"),
    ("key_point", "社会事业与民生：教育、医疗、社保与就业"),
    ("key_point", "党的建设与作风建设：党风廉政与干部队伍"),
    ("focus_issue", "安全生产与环境保护专项整治"),
    ("focus_issue", "信访维稳与综合治理"),
    ("focus_issue", "城市管理与市容环境提质"),
];

/// For each unit: its key point (index into KEY_POINTS) and task titles with criteria.
type DemoTasks = &'static [(&'static str, usize, &'static [(&'static str, &'static str)])];

const DEMO_TASKS: DemoTasks = &[
    (
        "dzb",
        8,
        &[
            (
                "起草主任办公会纪要并督促落实",
                "纪要三日内印发，议定事项分解到单位",
            ),
            ("完成月度预安简报编印", "月末前印发预安简报"),
        ],
    ),
    (
        "dcs",
        8,
        &[
            ("开展重点工作明察暗访", "完成明察暗访不少于4次并形成通报"),
            ("跟踪督办红黄牌事项", "红牌事项全部明确整改时限"),
        ],
    ),
    (
        "xnjc",
        8,
        &[
            ("行政审批效能监察", "抽查审批件不少于30件，问题全部反馈"),
            ("机关作风专项检查", "形成专项检查报告"),
        ],
    ),
    (
        "jkb",
        8,
        &[
            ("月度绩效考核数据汇总", "5日前完成各单位月度考核汇总"),
            ("修订预安销号考评细则", "细则经主任办公会审定"),
        ],
    ),
    (
        "jgw",
        8,
        &[
            ("政令不畅问题线索核查", "线索全部登记并明确核查人"),
            ("党风廉政教育专题活动", "组织专题教育1次，覆盖全体干部"),
        ],
    ),
    (
        "zzrs",
        8,
        &[
            ("全员竞聘上岗考核准备", "完成考核方案与岗位说明书"),
            ("干部培训计划实施", "完成2期专题培训"),
        ],
    ),
    (
        "xczt",
        8,
        &[
            ("重点项目建设宣传报道", "在市级以上媒体发稿不少于5篇"),
            ("统战对象走访", "走访重点企业家10人次"),
        ],
    ),
    (
        "jjfz",
        4,
        &[
            ("规上工业企业运行监测", "完成月度运行分析报告"),
            ("高新技术企业申报辅导", "辅导企业不少于8家完成申报材料"),
            ("屹丰科技二期投产协调", "解决企业提出的用电用水问题"),
        ],
    ),
    (
        "ghjs",
        1,
        &[
            ("万达广场主体结构施工督导", "完成主体结构至第十层"),
            ("园区主干道管网改造", "完成管网铺设1.2公里"),
            ("标准厂房三期规划审批", "取得规划许可证"),
        ],
    ),
    (
        "czj",
        6,
        &[
            ("月度预算执行分析", "预算执行进度不低于序时进度"),
            ("重点项目资金拨付", "按合同节点拨付到位"),
        ],
    ),
    (
        "zshz",
        0,
        &[
            ("重大项目洽谈签约", "签约亿元以上项目1个"),
            ("产业链精准招商", "外出招商2次，形成项目线索台账"),
        ],
    ),
    (
        "zcb",
        2,
        &[
            ("万达广场周边地块征收", "完成签约30户"),
            ("屹丰科技扩建用地清表", "完成地面附着物清表"),
            ("征拆安置房分配", "完成首批安置房分房"),
        ],
    ),
    (
        "gtzy",
        2,
        &[
            ("重点项目用地报批", "完成2宗用地组卷上报"),
            ("闲置土地清理", "处置闲置土地1宗"),
        ],
    ),
    (
        "hbfj",
        9,
        &[
            ("重点企业排污监测", "完成15家企业监督性监测"),
            ("扬尘污染专项整治", "建筑工地扬尘治理达标率100%"),
        ],
    ),
    (
        "shsw",
        7,
        &[
            ("城乡低保动态核查", "完成全区低保对象入户核查"),
            ("就业援助月活动", "组织招聘会2场"),
        ],
    ),
    (
        "kjcx",
        4,
        &[
            ("创新平台认定申报", "申报省级创新平台2个"),
            ("科技成果转化对接", "举办成果对接会1场"),
        ],
    ),
    (
        "ajj",
        9,
        &[
            ("安全生产大检查", "检查企业50家，隐患整改率100%"),
            ("危化品企业专项督查", "完成全部危化品企业督查"),
        ],
    ),
    (
        "cgj",
        11,
        &[
            ("主次干道市容整治", "清理占道经营点位全部销号"),
            ("垃圾分类试点推进", "新增试点小区3个"),
        ],
    ),
    (
        "zzb",
        10,
        &[
            ("信访积案化解", "化解积案2件"),
            ("矛盾纠纷排查调处", "完成月度排查并建立台账"),
        ],
    ),
    (
        "sjj",
        6,
        &[
            ("政府投资项目结算审计", "完成3个项目结算审计"),
            ("专项资金审计", "出具审计报告"),
        ],
    ),
    (
        "xzsp",
        5,
        &[
            ("企业开办一日办结", "企业开办平均时限不超过1个工作日"),
            ("审批事项清单梳理", "公布调整后的审批清单"),
        ],
    ),
    (
        "smjd",
        7,
        &[
            ("社区网格化管理提升", "网格员培训全覆盖"),
            ("辖区安全隐患排查", "排查整改隐患20处"),
        ],
    ),
    (
        "btjd",
        2,
        &[
            ("辖区征拆协调", "配合完成征拆签约20户"),
            ("老旧小区改造入户动员", "完成2个小区动员"),
        ],
    ),
    (
        "tzjt",
        1,
        &[
            ("重点项目融资落地", "到位融资资金5000万元"),
            ("标准厂房招租", "新增出租面积1万平方米"),
        ],
    ),
    (
        "cyzx",
        4,
        &[
            ("孵化企业入驻", "新增入孵企业5家"),
            ("创业导师辅导活动", "举办辅导活动2场"),
        ],
    ),
];

impl App {
    /// The demo's plan: the year's key points; last month and this month arranged (what last
    /// month leaves unsigned is carried over by its close); next month's proposals in every
    /// state once its proposal window is open; change requests.
    async fn load_demo_plan(
        &self,
        tx: &mut store::Tx,
        org: i64,
        unit_ids: &std::collections::HashMap<&str, (i64, String)>,
        people: &std::collections::HashMap<String, i64>,
    ) -> Result<usize> {
        use domain::plan::{Change, TaskDraft, TaskStatus, YearMonth};
        let now = self.now();
        let today = self.today();
        let this = YearMonth::of(today);
        let director = people.get("demo.director").copied();
        let mut kp_ids = Vec::new();
        let mut years = vec![this.prev().year, this.year, this.next().year];
        years.dedup();
        for year in years {
            for (i, (kind, title)) in KEY_POINTS.iter().enumerate() {
                let k = store::plan::NewKeyPoint {
                    year,
                    kind: (*kind).into(),
                    title: (*title).into(),
                    description: String::new(),
                    sort_order: i32::try_from(i * 10).unwrap_or(0),
                };
                kp_ids.push((
                    year,
                    i,
                    store::plan::insert_key_point(tx, org, &k, now).await?,
                ));
            }
        }
        let kp = |year: i32, i: usize| {
            kp_ids
                .iter()
                .find(|(y, j, _)| *y == year && *j == i)
                .map(|(_, _, id)| *id)
        };
        let leader_of = |code: &str| {
            LEADERS
                .iter()
                .find(|(_, codes)| codes.contains(&code))
                .and_then(|(u, _)| people.get(*u).copied())
        };
        let mut count = 0usize;
        let mut withdraw_target = None;
        let mut redate_target = None;
        for (mi, month) in [this.prev(), this, this.next()].into_iter().enumerate() {
            let m = month.to_string();
            let cal = domain::plan::Calendar::default();
            // Next month has proposals only once its window has opened.
            if mi == 2 && cal.phase_on(month, today) == domain::plan::Phase::Upcoming {
                continue;
            }
            store::plan::ensure_cycle(tx, org, &m, cal.phase_on(month, today).as_str(), now)
                .await?;
            let cycle = store::plan::cycle(&mut *tx, org, &m)
                .await?
                .ok_or(AppError::NotFound)?;
            let next_month = mi == 2;
            for (ti, (code, kpi, items)) in DEMO_TASKS.iter().enumerate() {
                let (unit, _) = unit_ids[code];
                for (j, (title, criterion)) in items.iter().enumerate() {
                    let owner = people
                        .get(&format!("{code}.s{}", j + 1))
                        .or_else(|| people.get(&format!("{code}.head")))
                        .copied();
                    let status = if next_month {
                        // Next month: every state a proposal can be in.
                        [
                            TaskStatus::Draft,
                            TaskStatus::Submitted,
                            TaskStatus::LeaderApproved,
                            TaskStatus::Returned,
                            TaskStatus::Accepted,
                            TaskStatus::Submitted,
                            TaskStatus::Rejected,
                            TaskStatus::Merged,
                        ][(ti + j) % 8]
                    } else if (ti + j) % 17 == 5 {
                        TaskStatus::Rejected
                    } else {
                        TaskStatus::Arranged
                    };
                    let day = 10 + u32::try_from((ti * 3 + j * 7) % 18).unwrap_or(0);
                    // Each month's item is that month's stage of the work, so that what last
                    // month carries into this one is never planned a second time beside it.
                    let title = format!("{title}（{}月）", month.month);
                    let draft = TaskDraft {
                        title: title.clone(),
                        content: format!(
                            "围绕“{title}”制定实施方案，明确责任人和时间节点，按周调度推进"
                        ),
                        criterion: (*criterion).into(),
                        deadline: month.day(day),
                        key_point_id: kp(month.year, *kpi),
                        owner_id: owner,
                        post_id: None,
                        leader_id: leader_of(code),
                        is_key_work: j == 0,
                        key_project_id: None,
                    };
                    let new = store::plan::NewTask {
                        org,
                        month: &m,
                        unit_id: unit,
                        draft: &draft,
                        is_assigned: false,
                        status: status.as_str(),
                        // Carried work arrives through last month's close (demo_signoff),
                        // never written by hand: a continuation must not point to a task
                        // signed off.
                        carried_from_id: None,
                        months_overdue: 0,
                        created_by: owner,
                    };
                    let id = store::plan::insert_task(tx, &new, now).await?;
                    let why = match status {
                        TaskStatus::Returned => Some("完成标准不够具体，请量化后重新提交"),
                        TaskStatus::Rejected => Some("与年度工作要点关联不紧，本月不列入"),
                        TaskStatus::Merged => Some("与同类事项合并推进"),
                        _ => None,
                    };
                    if why.is_some() {
                        store::plan::set_task_status(tx, id, status.as_str(), why, None, now)
                            .await?;
                    }
                    let snap = serde_json::json!({ "title": title, "status": status.as_str() })
                        .to_string();
                    store::plan::add_history(
                        tx,
                        id,
                        1,
                        now,
                        owner,
                        "propose",
                        status.as_str(),
                        why,
                        &snap,
                    )
                    .await?;
                    if mi == 1 && ti == 8 && j == 2 {
                        withdraw_target = Some(id);
                    }
                    if mi == 1 && ti == 15 && j == 1 {
                        redate_target = Some(id);
                    }
                    count += 1;
                }
            }
            if !next_month {
                // An assigned item (交办事项) per arranged month.
                let (unit, _) = unit_ids["zcb"];
                let draft = TaskDraft {
                    title: format!(
                        "落实主任办公会交办：万达广场项目周边交通疏导方案（{}月）",
                        month.month
                    ),
                    content: "会同规划建设局、城市管理局制定施工期交通疏导方案".into(),
                    criterion: "方案经主任办公会审定并实施".into(),
                    deadline: month.day(25),
                    key_point_id: None,
                    owner_id: people.get("zcb.head").copied(),
                    post_id: None,
                    leader_id: leader_of("zcb"),
                    is_key_work: true,
                    key_project_id: None,
                };
                let new = store::plan::NewTask {
                    org,
                    month: &m,
                    unit_id: unit,
                    draft: &draft,
                    is_assigned: true,
                    status: TaskStatus::Arranged.as_str(),
                    carried_from_id: None,
                    months_overdue: 0,
                    created_by: director,
                };
                store::plan::insert_task(tx, &new, now).await?;
                count += 1;
                store::plan::set_arranged(tx, cycle.id, director, now).await?;
            }
        }
        // A withdrawn task (approved change request) and a pending re-dating request.
        if let Some(t) = withdraw_target {
            let cr = store::plan::insert_change_request(
                tx,
                org,
                t,
                "withdraw",
                &serde_json::to_string(&Change::Withdraw).unwrap_or_default(),
                "项目业主调整建设计划，本月暂停",
                people.get("ghjs.head").copied(),
                now,
            )
            .await?;
            store::plan::decide_change_request(tx, cr, "approved", director, Some("同意"), now)
                .await?;
            store::plan::set_task_status(
                tx,
                t,
                TaskStatus::Withdrawn.as_str(),
                Some("项目业主调整建设计划，本月暂停"),
                None,
                now,
            )
            .await?;
        }
        if let Some(t) = redate_target {
            let change = Change::Redate {
                deadline: this.last_day(),
            };
            store::plan::insert_change_request(
                tx,
                org,
                t,
                "redate",
                &serde_json::to_string(&change).unwrap_or_default(),
                "对接单位时间调整，申请延至月底",
                people.get("kjcx.head").copied(),
                now,
            )
            .await?;
        }
        Ok(count)
    }
}
