//! The `xiaohao` command: serve the web application (with this server's delivery worker and
//! scheduler), migrate the database, load the demo organization, manage users and API tokens,
//! verify the audit ledger, close a month, list and run the scheduled jobs.
#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result, anyhow, bail};
use app::{App, AppConfig, AppError, Caller, SystemClock};
use clap::{Args, Parser, Subcommand};
use domain::{Role, UnitId};

#[derive(Parser, Debug)]
#[command(
    name = "xiaohao",
    version,
    about = "预安销号 — plan, supervise and sign off a government's monthly work"
)]
struct Cli {
    #[command(flatten)]
    db: DbArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Debug, Clone)]
struct DbArgs {
    /// Directory for the embedded SQLite database (created if missing).
    #[arg(
        long,
        global = true,
        env = "XIAOHAO_DATA_DIR",
        default_value = "./data"
    )]
    data_dir: PathBuf,
    /// Database URL: sqlite://PATH or postgres://USER@HOST:PORT/DB. Default: SQLite in --data-dir.
    #[arg(long, global = true, env = "XIAOHAO_DATABASE_URL")]
    database_url: Option<String>,
    /// Connections per server process to PostgreSQL.
    #[arg(
        long,
        global = true,
        env = "XIAOHAO_DB_MAX_CONNECTIONS",
        default_value_t = 10
    )]
    db_max_connections: u32,
    /// SQLite's commit durability: full (on disk before acknowledged, survives a power cut)
    /// or normal (faster; the last commits before a power cut may be lost).
    #[arg(
        long,
        global = true,
        env = "XIAOHAO_SQLITE_SYNCHRONOUS",
        default_value = "full",
        value_parser = ["full", "normal"]
    )]
    sqlite_synchronous: String,
    /// Keep a single administrator (a small deployment): `admin` also holds the security and
    /// audit administrators' offices. Off by default: three administrators (三员分立).
    #[arg(long, global = true, env = "XIAOHAO_SINGLE_ADMIN")]
    single_admin: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Serve the web application and the API.
    Serve(ServeArgs),
    /// Apply pending database migrations.
    Migrate,
    /// Load the demo organization (idempotent).
    Demo {
        /// Password of every demo account.
        #[arg(long, env = "XIAOHAO_DEMO_PASSWORD", default_value = "xiaohao-demo")]
        password: String,
    },
    /// Manage people's accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// The audit ledger.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// The scheduled jobs (phases, reminders, the daily digest): list recent runs, or run one.
    Jobs {
        #[command(subcommand)]
        command: Option<JobsCommand>,
    },
    /// Close a month (月底关账): carry every task not signed off into the next month and
    /// freeze the month's figures. Safe to run again; for a scheduled job.
    /// Check the installation and print what was found: the configuration, the database
    /// (reachable, its file sound, its schema), the audit ledger, the free disk space.
    /// Exits non-zero when something is wrong.
    Doctor,
    CloseMonth {
        /// The month, `YYYY-MM` (default: last month).
        #[arg(long)]
        month: Option<String>,
        /// The organization's code (default: every organization whose month was arranged).
        #[arg(long)]
        org: Option<String>,
    },
}

#[derive(Args, Debug)]
struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "XIAOHAO_LISTEN", default_value = "127.0.0.1:8080")]
    listen: String,
    /// Load the demo organization at start (idempotent).
    #[arg(long)]
    demo: bool,
    /// Password of every demo account.
    #[arg(long, env = "XIAOHAO_DEMO_PASSWORD", default_value = "xiaohao-demo")]
    demo_password: String,
    /// Name of the organization created on an empty database.
    #[arg(long, env = "XIAOHAO_ORG_NAME", default_value = "本级工管委")]
    org_name: String,
    /// Mark cookies Secure (set when served behind HTTPS).
    #[arg(long, env = "XIAOHAO_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Minutes of inactivity after which a session ends.
    #[arg(long, env = "XIAOHAO_SESSION_MINUTES", default_value_t = 480)]
    session_minutes: i64,
    /// Hours after sign-in after which a session ends however active it is.
    #[arg(long, env = "XIAOHAO_SESSION_MAX_HOURS", default_value_t = 12)]
    session_max_hours: i64,
    /// Do not run the delivery worker and the scheduler on this server (another server of
    /// the same database runs them).
    #[arg(long, env = "XIAOHAO_NO_JOBS")]
    no_jobs: bool,
}

#[derive(Subcommand, Debug)]
enum UserCommand {
    /// Create an account; prints the generated password once unless --password is given.
    Add {
        username: String,
        /// Display name.
        #[arg(long)]
        name: String,
        /// Organization id (default: the only top-level organization).
        #[arg(long)]
        org: Option<i64>,
        /// Unit id the person works in.
        #[arg(long)]
        unit: Option<i64>,
        /// Role to grant (repeatable): admin, director, leader_in_charge, leading_group,
        /// supervisor, efficiency_officer, performance_officer, discipline_officer,
        /// unit_head, staff (unit roles apply to --unit), display.
        #[arg(long = "role")]
        roles: Vec<String>,
        #[arg(long, env = "XIAOHAO_NEW_PASSWORD")]
        password: Option<String>,
    },
    /// Set a new random password (printed once) that must be changed at next sign-in.
    ResetPassword { username: String },
    /// Disable an account and end its sessions.
    Disable { username: String },
    /// Re-enable an account.
    Enable { username: String },
    /// Issue an API token (printed once) for `Authorization: Bearer <token>`.
    Token {
        username: String,
        #[arg(long, default_value = "cli")]
        name: String,
        /// Days the token works (1 to 3650); without it, until revoked.
        #[arg(long)]
        expires_days: Option<i64>,
    },
    /// Revoke a person's API tokens (all, or those named --name).
    RevokeTokens {
        username: String,
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand, Debug)]
enum JobsCommand {
    /// The most recent runs, newest first (the default).
    List {
        #[arg(long, default_value_t = 30)]
        limit: i64,
    },
    /// Run one job now (phases, reminders or digest); what it already wrote is not repeated.
    Run { job: String },
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Check every chain: each entry's hash and MAC, the links, the gaps, and the heads
    /// against the checkpoints; names every altered, removed or truncated entry and exits
    /// non-zero when there is one.
    Verify {
        /// More checkpoint lines to compare with (an operator's copy of `audit head`), as
        /// many files as given.
        #[arg(long = "checkpoints")]
        checkpoints: Vec<PathBuf>,
    },
    /// Print the head of every chain as signed checkpoint lines, and append them to the
    /// checkpoint file: copy them somewhere the server cannot write.
    Head,
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("XIAOHAO_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

/// The database URL: the given one, or SQLite in the data directory (which must be writable).
fn database_url(args: &DbArgs) -> Result<String> {
    if let Some(url) = &args.database_url {
        return Ok(url.clone());
    }
    ensure_writable(&args.data_dir)?;
    Ok(format!(
        "sqlite://{}",
        args.data_dir.join("xiaohao.db").display()
    ))
}

fn ensure_writable(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)
        .with_context(|| format!("cannot create data directory {}", dir.display()))?;
    let probe = dir.join(".write-test");
    std::fs::write(&probe, b"ok")
        .with_context(|| format!("data directory {} is not writable", dir.display()))?;
    let _ = std::fs::remove_file(probe);
    Ok(())
}

/// The audit ledger's key: `XIAOHAO_AUDIT_KEY` (64 hex digits) if set, else the file
/// `audit.key` in the data directory, made with a fresh key on first start (`create`). Says
/// whether it was just made. The key is never printed or logged.
fn audit_key(args: &DbArgs, create: bool) -> Result<(domain::audit::AuditKey, bool)> {
    use domain::audit::AuditKey;
    if let Ok(hex) = std::env::var("XIAOHAO_AUDIT_KEY") {
        let key = AuditKey::from_hex(&hex)
            .ok_or_else(|| anyhow!("XIAOHAO_AUDIT_KEY is not 64 hexadecimal digits"))?;
        return Ok((key, false));
    }
    let path = args.data_dir.join("audit.key");
    match std::fs::read_to_string(&path) {
        Ok(text) => Ok((
            AuditKey::from_hex(&text).ok_or_else(|| {
                anyhow!(
                    "the audit key file {} is not 64 hexadecimal digits",
                    path.display()
                )
            })?,
            false,
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && create => {
            let key = app::new_audit_key();
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut f = options
                .open(&path)
                .with_context(|| format!("cannot create the audit key file {}", path.display()))?;
            std::io::Write::write_all(&mut f, format!("{}\n", key.to_hex()).as_bytes())
                .and_then(|()| f.sync_all())
                .with_context(|| format!("cannot write the audit key file {}", path.display()))?;
            Ok((key, true))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => bail!(
            "the audit ledger is signed but its key {} is missing: copy audit.key from the server that made it, or set XIAOHAO_AUDIT_KEY",
            path.display()
        ),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

/// `config` with the ledger's key and checkpoint file of this installation.
fn with_ledger(args: &DbArgs, config: AppConfig, create: bool) -> Result<(AppConfig, bool)> {
    if create {
        // The key and the checkpoints live here, on PostgreSQL too.
        std::fs::create_dir_all(&args.data_dir)
            .with_context(|| format!("cannot create data directory {}", args.data_dir.display()))?;
    }
    let (key, created) = audit_key(args, create)?;
    Ok((
        AppConfig {
            audit_key: key,
            audit_checkpoints: Some(args.data_dir.join("audit-checkpoints.log")),
            single_admin: args.single_admin,
            ..config
        },
        created,
    ))
}

async fn open(args: &DbArgs, config: AppConfig) -> Result<App> {
    let url = database_url(args)?;
    let opts = app::DbOptions {
        max_connections: args.db_max_connections,
        sqlite_durability: app::SqliteDurability::parse(&args.sqlite_synchronous)
            .unwrap_or_default(),
        ..Default::default()
    };
    let db = app::Db::connect(&url, &opts)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    refuse_damaged(&db).await?;
    // Migrations write no ledger entry: an app without the key applies them.
    let boot = App::new(db.clone(), Arc::new(SystemClock), AppConfig::default());
    boot.migrate().await.map_err(|e| anyhow!("{e}"))?;
    // A key is made only for a ledger nobody signed yet; a signed ledger whose key this
    // server lacks (another host, a second server) is refused rather than given a new key.
    let signed = boot.audit_ledger_signed().await.map_err(explain)?;
    let (config, key_created) = with_ledger(args, config, !signed)?;
    let app = App::new(db, Arc::new(SystemClock), config);
    if !signed {
        let sealed = app.seal_audit_ledger().await.map_err(explain)?;
        if sealed > 0 || key_created {
            tracing::info!(
                sealed,
                "the audit ledger is signed from now on; keep a copy of its key apart from the database's backups"
            );
        }
    }
    Ok(app)
}

/// The application for a command that only reads the database (`audit verify`, `audit
/// head`): it applies no migration, makes no key and signs nothing; a database whose schema is
/// not this program's is refused with one line.
async fn open_read_only(args: &DbArgs) -> Result<App> {
    let url = database_url(args)?;
    let opts = app::DbOptions {
        max_connections: 2,
        sqlite_durability: app::SqliteDurability::parse(&args.sqlite_synchronous)
            .unwrap_or_default(),
        ..Default::default()
    };
    let db = app::Db::connect(&url, &opts)
        .await
        .map_err(|e| anyhow!("{e}"))?;
    refuse_damaged(&db).await?;
    let latest = app::latest_schema_version();
    let version = db.schema_version().await.unwrap_or(0);
    if version != latest {
        bail!(
            "the database's schema is version {version}, this program's {latest}: run `xiaohao migrate` first (this command changes nothing)"
        );
    }
    let (config, _) = with_ledger(args, AppConfig::default(), false)?;
    Ok(App::new(db, Arc::new(SystemClock), config))
}

/// Nothing starts on a damaged database file: it would answer until the first page it cannot
/// read, and migrations or writes could make it worse.
async fn refuse_damaged(db: &app::Db) -> Result<()> {
    let problems = db.integrity_problems().await.map_err(|e| anyhow!("{e}"))?;
    match problems.first() {
        None => Ok(()),
        Some(first) => bail!(
            "the database file is damaged ({first}); restore it from a backup; `xiaohao doctor` lists what is wrong"
        ),
    }
}

/// A database address for printing: without its password.
fn redacted(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let creds = &url[scheme + 3..at];
            match creds.find(':') {
                Some(colon) => format!(
                    "{}{}:***{}",
                    &url[..scheme + 3],
                    &creds[..colon],
                    &url[at..]
                ),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// The smallest free space `doctor` accepts in the data directory.
const MIN_FREE_BYTES: u64 = 1 << 30;

async fn doctor(args: &DbArgs) -> Result<()> {
    let mut problems = 0;
    let mut report = |ok: bool, what: &str, line: String| {
        if !ok {
            problems += 1;
        }
        println!("{} {what}: {line}", if ok { "ok  " } else { "FAIL" });
    };
    let url = database_url(args)?;
    if args.single_admin {
        // Allowed, and said: not a failure of the installation.
        println!(
            "WARN administrators: a single administrator (--single-admin): admin also holds the \
             security and audit offices, which 等保 level 3 asks to keep apart"
        );
    } else {
        report(
            true,
            "administrators",
            "three, kept apart (系统管理员, 安全管理员, 审计管理员)".to_owned(),
        );
    }
    report(
        true,
        "configuration",
        format!(
            "data directory {}, database {}",
            args.data_dir.display(),
            redacted(&url)
        ),
    );
    let opts = app::DbOptions {
        max_connections: 2,
        sqlite_durability: app::SqliteDurability::parse(&args.sqlite_synchronous)
            .unwrap_or_default(),
        ..Default::default()
    };
    match app::Db::connect(&url, &opts).await {
        Err(e) => report(false, "database", format!("cannot open: {e}")),
        Ok(db) => {
            match db.integrity_problems().await {
                Ok(p) if p.is_empty() => report(true, "database", "reachable, file sound".into()),
                Ok(p) => report(
                    false,
                    "database",
                    format!(
                        "damaged: {}",
                        p.iter().take(5).cloned().collect::<Vec<_>>().join("; ")
                    ),
                ),
                Err(e) => report(false, "database", format!("cannot be checked: {e}")),
            }
            if let Ok(Some(sync)) = db.sqlite_synchronous().await {
                report(
                    true,
                    "durability",
                    if sync >= 2 {
                        "synchronous=FULL: commits survive a power cut".into()
                    } else {
                        "synchronous=NORMAL: the last commits before a power cut may be lost".into()
                    },
                );
            }
            let latest = app::latest_schema_version();
            match db.schema_version().await {
                Ok(v) if v == latest => report(true, "schema", format!("version {v}, up to date")),
                Ok(v) if v < latest => report(
                    false,
                    "schema",
                    format!("version {v} of {latest}: run `xiaohao migrate`"),
                ),
                Ok(v) => report(
                    false,
                    "schema",
                    format!("version {v} is newer than this program ({latest})"),
                ),
                Err(e) => report(false, "schema", format!("cannot be read: {e}")),
            }
            let config = match with_ledger(args, AppConfig::default(), false) {
                Ok((config, _)) => config,
                Err(e) => {
                    report(false, "audit key", format!("{e:#}"));
                    AppConfig::default()
                }
            };
            let app = App::new(db.clone(), Arc::new(SystemClock), config);
            if !args.single_admin {
                match app.missing_administrators().await {
                    Ok(missing) if missing.is_empty() => {}
                    Ok(missing) => {
                        for (org, role) in missing {
                            report(
                                false,
                                "administrators",
                                format!(
                                    "{org} has no {role}: make one with `xiaohao user add USERNAME --name NAME --role {role}`"
                                ),
                            );
                        }
                    }
                    Err(e) => report(false, "administrators", format!("cannot be read: {e}")),
                }
            }
            match app.verify_audit().await {
                Ok(r) if r.ok() => report(
                    true,
                    "audit ledger",
                    format!(
                        "intact: {} entries in {} chains, {} checkpoints agree",
                        r.entries, r.chains, r.checkpoints
                    ),
                ),
                Ok(r) => report(
                    false,
                    "audit ledger",
                    format!(
                        "{} breaks (`xiaohao audit verify` names the entries)",
                        r.breaks.len()
                    ),
                ),
                Err(e) => report(false, "audit ledger", format!("cannot be read: {e}")),
            }
            match app.audit_retention().await {
                Ok(r) if r.missing => println!(
                    "WARN audit retention: the oldest entry ({}) is younger than the deployment ({}): \
                     entries were removed; the ledger is to be kept at least {} days",
                    r.oldest
                        .map_or("none".into(), |t| t.format("%Y-%m-%d").to_string()),
                    r.deployed
                        .map_or("unknown".into(), |t| t.format("%Y-%m-%d").to_string()),
                    app::AUDIT_RETENTION_DAYS
                ),
                Ok(r) => report(
                    true,
                    "audit retention",
                    format!(
                        "kept since {} (nothing is deleted; at least {} days are required)",
                        r.oldest
                            .map_or("the start".into(), |t| t.format("%Y-%m-%d").to_string()),
                        app::AUDIT_RETENTION_DAYS
                    ),
                ),
                Err(e) => report(false, "audit retention", format!("cannot be read: {e}")),
            }
            db.close().await;
        }
    }
    match free_bytes(&args.data_dir) {
        Some(free) => report(
            free >= MIN_FREE_BYTES,
            "disk",
            format!(
                "{:.1} GiB free in {}",
                free as f64 / f64::from(1u32 << 30),
                args.data_dir.display()
            ),
        ),
        None => report(
            false,
            "disk",
            format!("cannot read the free space of {}", args.data_dir.display()),
        ),
    }
    if problems > 0 {
        bail!("{problems} problems found");
    }
    Ok(())
}

#[cfg(unix)]
// The field types differ between Unix systems (u32 on some, u64 on Linux).
#[allow(clippy::useless_conversion)]
fn free_bytes(dir: &Path) -> Option<u64> {
    let st = nix::sys::statvfs::statvfs(dir).ok()?;
    Some(u64::from(st.blocks_available()).saturating_mul(u64::from(st.fragment_size())))
}

#[cfg(not(unix))]
fn free_bytes(_dir: &Path) -> Option<u64> {
    None
}

/// One line for an app error, naming fields for validation errors.
fn explain(e: AppError) -> anyhow::Error {
    match e {
        AppError::Invalid(v) => anyhow!(
            "invalid input: {}",
            v.0.iter()
                .map(|f| format!("{} ({})", f.field, f.code))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        AppError::NotFound => anyhow!("not found"),
        other => anyhow!("{other}"),
    }
}

async fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Serve(s) => serve(&cli.db, s).await,
        Command::Migrate => {
            let url = database_url(&cli.db)?;
            let opts = app::DbOptions {
                max_connections: 2,
                ..Default::default()
            };
            let db = app::Db::connect(&url, &opts)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            let app = App::new(db, Arc::new(SystemClock), AppConfig::default());
            let applied = app.migrate().await.map_err(explain)?;
            if applied.is_empty() {
                println!("database is up to date");
            } else {
                println!("applied migrations: {applied:?}");
            }
            Ok(())
        }
        Command::Demo { password } => {
            let app = open(&cli.db, AppConfig::default()).await?;
            let s = app.load_demo(&password).await.map_err(explain)?;
            print_demo(&s, &password);
            Ok(())
        }
        Command::User(u) => user(&cli.db, u).await,
        Command::CloseMonth { month, org } => close_month(&cli.db, month, org).await,
        Command::Jobs { command } => jobs(&cli.db, command).await,
        Command::Doctor => doctor(&cli.db).await,
        Command::Audit(AuditCommand::Verify { checkpoints }) => {
            let app = open_read_only(&cli.db).await?;
            let mut more = String::new();
            for path in &checkpoints {
                more.push_str(
                    &std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read {}", path.display()))?,
                );
                more.push('\n');
            }
            let r = app.verify_audit_against(&more).await.map_err(explain)?;
            if r.ok() {
                println!(
                    "audit ledger intact: {} entries in {} chains, {} checkpoints agree",
                    r.entries, r.chains, r.checkpoints
                );
                Ok(())
            } else {
                for b in &r.breaks {
                    println!("{}", describe_break(b));
                }
                bail!(
                    "audit ledger verification failed: {} breaks",
                    r.breaks.len()
                )
            }
        }
        Command::Audit(AuditCommand::Head) => {
            let app = open_read_only(&cli.db).await?;
            for c in app.checkpoint_audit().await.map_err(explain)? {
                println!("{}", c.line());
            }
            Ok(())
        }
    }
}

/// One line for one break of the ledger.
fn describe_break(b: &domain::audit::ChainBreak) -> String {
    use domain::audit::ChainBreak;
    match b {
        ChainBreak::Altered { id, chain, seq } => {
            format!("altered: entry id {id} (chain {chain}, seq {seq})")
        }
        ChainBreak::Removed {
            before_id,
            chain,
            expected_seq,
            found_seq,
        } if found_seq - expected_seq == 1 => format!(
            "removed: entry seq {expected_seq} of chain {chain} is missing (before entry id {before_id})"
        ),
        ChainBreak::Removed {
            before_id,
            chain,
            expected_seq,
            found_seq,
        } => format!(
            "removed: entries seq {expected_seq} to {} of chain {chain} are missing (before entry id {before_id})",
            found_seq - 1
        ),
        ChainBreak::Truncated {
            chain,
            last_seq,
            checkpoint_seq,
        } => format!(
            "truncated: chain {chain} ends at seq {last_seq} but was checkpointed at seq {checkpoint_seq}: its newest entries were removed"
        ),
        ChainBreak::Diverged { id, chain, seq } => format!(
            "diverged: entry id {id} (chain {chain}, seq {seq}) is not the entry checkpointed there"
        ),
        ChainBreak::ForgedCheckpoint { line } => {
            format!("forged checkpoint: {line}")
        }
    }
}

async fn close_month(db: &DbArgs, month: Option<String>, org: Option<String>) -> Result<()> {
    let app = open(db, AppConfig::default()).await?;
    let month =
        month.unwrap_or_else(|| domain::plan::YearMonth::of(app.today()).prev().to_string());
    let mut orgs = Vec::new();
    for number in 1.. {
        let page = app
            .list_organizations(
                Caller::System,
                &app::model::ListFilter::default(),
                domain::page::PageRequest::new(Some(number), Some(domain::page::MAX_PAGE_SIZE)),
            )
            .await
            .map_err(explain)?;
        let done = page.items.len() < domain::page::MAX_PAGE_SIZE as usize;
        orgs.extend(page.items);
        if done {
            break;
        }
    }
    let chosen: Vec<_> = orgs
        .into_iter()
        .filter(|o| {
            org.as_deref()
                .is_none_or(|c| o.org.code.as_deref() == Some(c))
        })
        .collect();
    if chosen.is_empty() {
        bail!("no organization with code {}", org.unwrap_or_default());
    }
    let mut failed = 0;
    for o in &chosen {
        match app.close_month(Caller::System, o.org.id, &month).await {
            Ok(r) if r.already_closed => println!("{} {month}: already closed", o.org.name),
            Ok(r) => println!(
                "{} {month}: closed; {} carried over; {} of {} signed off ({})",
                o.org.name,
                r.carried_over,
                r.figures.signed_off,
                r.figures.planned,
                r.figures.completion_text()
            ),
            // A month nobody arranged has nothing to close (an organization not using it).
            Err(AppError::Invalid(v))
                if org.is_none() && v.for_field("month") == Some("month_not_arranged") =>
            {
                println!("{} {month}: not arranged; skipped", o.org.name)
            }
            Err(e) => {
                failed += 1;
                eprintln!("{} {month}: {}", o.org.name, explain(e));
            }
        }
    }
    if failed > 0 {
        bail!("{failed} organization(s) could not close {month}");
    }
    Ok(())
}

fn print_demo(s: &app::DemoSummary, password: &str) {
    if s.created {
        println!(
            "demo organization loaded: {} units, {} people",
            s.units, s.people
        );
        println!(
            "demo accounts (password {password}): demo.admin, demo.director, demo.leader1..5, dcs.head (督查室), <unit>.head, <unit>.s1"
        );
    } else if s.board_token.is_none() {
        println!(
            "demo organization already present (id {}); nothing changed",
            s.organization_id
        );
    }
    if let Some(token) = &s.board_token {
        println!("display screen of the demo (shown once): /board/{token}");
    }
}

async fn serve(db: &DbArgs, s: ServeArgs) -> Result<()> {
    let config = AppConfig {
        session_idle: chrono::Duration::minutes(s.session_minutes.max(5)),
        session_max: chrono::Duration::hours(s.session_max_hours.max(1)),
        ..AppConfig::default()
    };
    let app = open(db, config).await?;
    if s.demo {
        let summary = app.load_demo(&s.demo_password).await.map_err(explain)?;
        print_demo(&summary, &s.demo_password);
    }
    let first = app.ensure_first_admin(&s.org_name).await.map_err(explain)?;
    for (username, password) in &first {
        println!("first administrator created — username: {username}  password: {password}");
    }
    if !first.is_empty() {
        println!("(shown once; each is asked to change it at first sign-in)");
    }
    let listener = tokio::net::TcpListener::bind(&s.listen)
        .await
        .with_context(|| format!("cannot listen on {}", s.listen))?;
    let addr = listener.local_addr()?;
    println!(
        "Xiaohao is serving on http://{addr}/  ({} database)",
        match app.db().backend() {
            app::Backend::Sqlite => "SQLite",
            app::Backend::Postgres => "PostgreSQL",
        }
    );
    // Deliveries and scheduled runs are claimed in the database, so every server may run
    // them; the name tells the runs apart.
    let background = (!s.no_jobs).then(|| app.start_background(&server_name(&addr)));
    let state = web::AppState {
        app: app.clone(),
        secure_cookies: s.secure_cookies,
    };
    web::serve(listener, state, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    drop(background);
    app.close().await;
    Ok(())
}

/// This server's name in claims and job runs: host, port and process.
fn server_name(addr: &std::net::SocketAddr) -> String {
    let host = std::env::var("HOSTNAME")
        .ok()
        .filter(|h| !h.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/etc/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
        })
        .unwrap_or_else(|| "server".to_owned());
    format!("{host}:{}:{}", addr.port(), std::process::id())
}

async fn jobs(db: &DbArgs, cmd: Option<JobsCommand>) -> Result<()> {
    let app = open(db, AppConfig::default()).await?;
    match cmd.unwrap_or(JobsCommand::List { limit: 30 }) {
        JobsCommand::List { limit } => {
            let runs = app.recent_job_runs(limit).await.map_err(explain)?;
            if runs.is_empty() {
                println!("no runs yet");
            }
            for r in runs {
                println!(
                    "{}  {:<9} {:<24} {:<7} {:<28} {}",
                    r.started_at.format("%Y-%m-%d %H:%M:%S"),
                    r.job,
                    r.run_key,
                    r.status,
                    r.server,
                    r.detail.unwrap_or_default()
                );
            }
        }
        JobsCommand::Run { job } => {
            let r = app
                .run_job_now(&job, &format!("cli:{}", std::process::id()))
                .await
                .map_err(explain)?;
            println!(
                "{} {}: {}",
                r.job,
                if r.ok { "done" } else { "failed" },
                r.detail
            );
            if !r.ok {
                bail!("job {} failed", r.job);
            }
        }
    }
    app.close().await;
    Ok(())
}

async fn user(db: &DbArgs, cmd: UserCommand) -> Result<()> {
    let app = open(db, AppConfig::default()).await?;
    let sys = Caller::System;
    match cmd {
        UserCommand::Add {
            username,
            name,
            org,
            unit,
            roles,
            password,
        } => {
            let org = match org {
                Some(o) => o,
                None => {
                    let tops = app
                        .list_organizations(
                            sys,
                            &Default::default(),
                            domain::page::PageRequest::new(Some(1), Some(2)),
                        )
                        .await
                        .map_err(explain)?;
                    let roots: Vec<_> = tops
                        .items
                        .iter()
                        .filter(|o| o.org.parent_id.is_none())
                        .collect();
                    match roots.as_slice() {
                        [one] if tops.total == 1 => one.org.id,
                        [] => {
                            bail!("no organization yet: run `xiaohao serve` once or `xiaohao demo`")
                        }
                        _ => bail!("several organizations exist: pass --org ID"),
                    }
                }
            };
            let mut grants = Vec::new();
            for r in &roles {
                let role = Role::parse(r).ok_or_else(|| anyhow!("unknown role {r:?}"))?;
                grants.push(role);
            }
            let input = app::NewPerson {
                profile: domain::org::PersonInput {
                    username: username.clone(),
                    display_name: name,
                    unit_id: unit.map(UnitId),
                    ..Default::default()
                },
                password,
            };
            let (id, generated) = app.create_person(sys, org, &input).await.map_err(explain)?;
            for role in grants {
                let unit = if role.needs_unit() {
                    unit.map(UnitId)
                } else {
                    None
                };
                app.grant_role(sys, id, Some(role), unit)
                    .await
                    .map_err(explain)?;
            }
            println!("created {username} (id {id})");
            if let Some(p) = generated {
                println!("password: {p}  (shown once; must be changed at first sign-in)");
            }
        }
        UserCommand::ResetPassword { username } => {
            let id = app.person_id(&username).await.map_err(explain)?;
            let p = app.reset_password(sys, id).await.map_err(explain)?;
            println!(
                "new password for {username}: {p}  (shown once; must be changed at next sign-in)"
            );
        }
        UserCommand::Disable { username } => {
            let id = app.person_id(&username).await.map_err(explain)?;
            app.set_person_disabled(sys, id, true)
                .await
                .map_err(explain)?;
            println!("{username} disabled; their sessions have ended");
        }
        UserCommand::Enable { username } => {
            let id = app.person_id(&username).await.map_err(explain)?;
            app.set_person_disabled(sys, id, false)
                .await
                .map_err(explain)?;
            println!("{username} enabled");
        }
        UserCommand::Token {
            username,
            name,
            expires_days,
        } => {
            let (_, token) = app
                .create_api_token_for(sys, &username, &name, expires_days)
                .await
                .map_err(explain)?;
            println!("{token}");
        }
        UserCommand::RevokeTokens { username, name } => {
            let n = app
                .revoke_api_tokens(sys, &username, name.as_deref())
                .await
                .map_err(explain)?;
            println!("revoked {n} token(s) of {username}");
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", format!("{e:#}").replace('\n', " "));
            ExitCode::FAILURE
        }
    }
}
