//! The command line of the `mistok` binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::audit::ChainHead;
use crate::config::Config;
use crate::crypto::Keys;
use crate::db::Db;

#[derive(Debug, Parser)]
#[command(
    name = "mistok",
    version,
    about = "Mistok: a regional human-rights platform"
)]
pub struct Cli {
    /// Configuration file (default: ./mistok.toml when present).
    #[arg(long, global = true, env = "MISTOK_CONFIG")]
    pub config: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args, Clone, Default)]
pub struct StoreArgs {
    /// Folder of the embedded database, the secret key and attachments [env: MISTOK_DATA_DIR].
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// `postgres://…` to use PostgreSQL instead of the embedded SQLite [env: MISTOK_DATABASE_URL].
    #[arg(long)]
    pub database_url: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the web server (applies pending migrations first).
    Serve {
        /// Address to listen on [env: MISTOK_LISTEN] [default: 127.0.0.1:8080].
        #[arg(long)]
        listen: Option<SocketAddr>,
        /// Load the demo region first (only adds reports when the store has none).
        #[arg(long)]
        demo: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Apply pending database migrations and exit.
    Migrate {
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Administration: staff accounts, organizations, Open311 API keys.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Write the monthly digest "My community — my police" as a PDF ready to print.
    Digest {
        /// The month, as YYYY-MM.
        #[arg(long)]
        month: String,
        /// Language of the digest: uk, ru or en.
        #[arg(long, default_value = "uk")]
        lang: String,
        /// Where to write the PDF [default: digest-YYYY-MM-LANG.pdf].
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Load the demo region: Donetsk region communities, organizations and a few hundred reports.
    Demo {
        /// How many demo reports to add (only when the store has none).
        #[arg(long, default_value_t = 300)]
        reports: usize,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Check or show the tamper-evident audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Copy the platform (database, attachments) into a new folder while it runs.
    Backup {
        /// The folder to write (new or empty).
        #[arg(long)]
        to: PathBuf,
        /// Copy the master secret too (keep such a backup as safe as the secret itself).
        #[arg(long)]
        include_secret: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Bring a backup back (the server stopped); applies this program's migrations after.
    Restore {
        /// The backup's folder.
        #[arg(long)]
        from: PathBuf,
        /// Replace an existing database.
        #[arg(long)]
        force: bool,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Background jobs: escalation of overdue referrals and sending of e-mails.
    Jobs {
        #[command(subcommand)]
        command: JobsCommand,
    },
}

#[derive(Debug, Subcommand)]
pub enum JobsCommand {
    /// Run every job once and exit (for cron, or with `jobs_interval_secs = 0`); safe while
    /// servers run them too.
    RunOnce {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Check every event of the audit trail in order; exits with 1 naming the first broken one.
    Verify {
        /// A head printed earlier by `mistok audit head` ("SEQ HASH") that the trail must still
        /// contain; catches the newest events deleted together with the stored head. Repeatable.
        #[arg(long, value_name = "SEQ HASH")]
        anchor: Vec<ChainHead>,
        #[command(flatten)]
        store: StoreArgs,
    },
    /// Print the trail's newest link as "SEQ HASH"; keep it outside the database and pass it to
    /// `audit verify --anchor` later.
    Head {
        #[command(flatten)]
        store: StoreArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a staff account. The password is read from standard input (one line), or, with
    /// `--generate-password`, made up and printed once.
    CreateUser {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// administrator, coordinator, operator, officer or analyst.
        #[arg(long)]
        role: String,
        /// Code of the organization (required for officers).
        #[arg(long, default_value = "")]
        organization: String,
        #[arg(long)]
        generate_password: bool,
    },
    /// Create an organization (police unit, prosecutor's office, NGO…).
    CreateOrganization {
        /// Short code, e.g. `kramatorsk_rup` (lower-case letters, digits, `_`).
        #[arg(long)]
        code: String,
        /// police, security_service, prosecutor, ombudsman, local_government, ngo or platform.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        name_uk: String,
        #[arg(long)]
        name_ru: String,
        #[arg(long)]
        name_en: String,
        /// Community code, when the organization serves one community.
        #[arg(long, default_value = "")]
        community: String,
        /// The head's e-mail, to which overdue referrals are escalated.
        #[arg(long, default_value = "")]
        head_email: String,
    },
    /// Give an account a temporary password (printed once) that must be changed at sign-in.
    ResetPassword {
        #[arg(long)]
        email: String,
    },
    /// Forget an account's second factor (lost phone); it is set up again at the next sign-in.
    ResetTwoFactor {
        #[arg(long)]
        email: String,
    },
    /// Issue an Open311 API key to a partner system; the key is printed once.
    CreateApiKey {
        /// The partner system, e.g. "Kramatorsk 311 app".
        #[arg(long)]
        name: String,
    },
    /// List the Open311 API keys: id, first characters, partner system, state.
    ListApiKeys,
    /// Revoke an Open311 API key (its id, as printed when it was issued or by `list-api-keys`).
    RevokeApiKey {
        #[arg(long)]
        id: uuid::Uuid,
    },
}

impl StoreArgs {
    fn apply(&self, config: &mut Config) {
        if let Some(dir) = &self.data_dir {
            config.data_dir = dir.clone();
        }
        if let Some(url) = &self.database_url {
            config.database_url = Some(url.clone());
        }
    }
}

pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = Config::load(cli.config.as_deref()).context("reading the configuration")?;
    match cli.command {
        Command::Serve {
            listen,
            demo,
            store,
        } => {
            store.apply(&mut config);
            if let Some(listen) = listen {
                config.listen = listen;
            }
            let state = crate::build_state(config).await?;
            if demo {
                report_demo(crate::demo::load(&state, 300).await?);
            }
            let listener = tokio::net::TcpListener::bind(state.config.listen)
                .await
                .with_context(|| format!("listening on {}", state.config.listen))?;
            tracing::info!(
                address = %state.config.listen,
                engine = state.db.engine(),
                "Mistok is serving"
            );
            println!("Mistok is serving on http://{}", state.config.listen);
            crate::serve(state, listener, shutdown_signal()).await?;
        }
        Command::Migrate { store } => {
            store.apply(&mut config);
            let state = crate::build_state(config).await?;
            println!("migrations applied ({})", state.db.engine());
        }
        Command::Admin { command, store } => {
            store.apply(&mut config);
            let state = crate::build_state(config).await?;
            admin(&state, command).await?;
        }
        Command::Demo { reports, store } => {
            store.apply(&mut config);
            let state = crate::build_state(config).await?;
            report_demo(crate::demo::load(&state, reports).await?);
        }
        Command::Digest {
            month,
            lang,
            out,
            store,
        } => {
            store.apply(&mut config);
            let state = crate::build_state(config).await?;
            let lang = crate::i18n::Lang::from_code(&lang)
                .ok_or_else(|| anyhow::anyhow!("--lang must be uk, ru or en"))?;
            let month = crate::digest::service::parse_month(&state, &month).map_err(|_| {
                anyhow::anyhow!("--month must be a month that has begun, as YYYY-MM")
            })?;
            let digest = crate::digest::service::digest(&state, month, lang).await?;
            let bytes = crate::digest::service::pdf(&digest)?;
            let out = out.unwrap_or_else(|| {
                PathBuf::from(format!("digest-{}-{}.pdf", month.code(), lang.code()))
            });
            std::fs::write(&out, bytes)?;
            println!("{}", out.display());
        }
        Command::Audit { command } => run_audit(command, config).await?,
        Command::Backup {
            to,
            include_secret,
            store,
        } => {
            store.apply(&mut config);
            let manifest = crate::backup::backup(&config, &to, include_secret).await?;
            println!(
                "backup of {} written to {} ({} attachments){}",
                manifest.engine,
                to.display(),
                manifest.attachments,
                if include_secret {
                    "; it holds the master secret: keep it safe"
                } else {
                    "; the master secret is not in it: keep the secret safe apart"
                }
            );
        }
        Command::Restore { from, force, store } => {
            store.apply(&mut config);
            let manifest = crate::backup::restore(&config, &from, force).await?;
            println!(
                "restored the backup of {} made {} ({} attachments)",
                manifest.engine, manifest.created_at, manifest.attachments
            );
            if config.secret_key.is_none() && !config.secret_key_path().exists() {
                println!(
                    "no master secret at {}: put the platform's secret there before starting, \
                     or sealed data stays unreadable",
                    config.secret_key_path().display()
                );
            }
        }
        Command::Jobs {
            command: JobsCommand::RunOnce { store },
        } => {
            store.apply(&mut config);
            // An existing platform's secret: a new one would make the audit events forged.
            existing_keys(&config)?;
            let state = crate::build_state(config).await?;
            let report = crate::jobs::run_once(&state).await?;
            println!(
                "jobs ran: {} referrals escalated, {} e-mails sent, {} not delivered",
                report.escalated, report.sent, report.failed
            );
        }
    }
    Ok(())
}

async fn admin(state: &crate::state::AppState, command: AdminCommand) -> anyhow::Result<()> {
    use crate::accounts::{service, store};
    let user_by_email = |email: String| async move {
        let normalized = crate::accounts::model::normalize_email(&email)
            .ok_or_else(|| anyhow::anyhow!("not an e-mail address: {email}"))?;
        store::find_user_by_email(&state.db, &normalized)
            .await?
            .ok_or_else(|| anyhow::anyhow!("no account with e-mail {normalized}"))
    };
    match command {
        AdminCommand::CreateUser {
            email,
            name,
            role,
            organization,
            generate_password,
        } => {
            let password = if generate_password {
                let mut bytes = [0u8; 15];
                rand::fill(&mut bytes);
                use base64::Engine;
                base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
            } else {
                let mut line = String::new();
                std::io::stdin().read_line(&mut line)?;
                line.trim_end_matches(['\r', '\n']).to_string()
            };
            let input = service::NewUser {
                email: email.clone(),
                display_name: name,
                role,
                organization,
                password: password.clone(),
                must_change_password: generate_password,
            };
            match service::create_user(state, &crate::accounts::Actor::Cli, input).await {
                Ok(id) => {
                    println!("created {email} ({id})");
                    if generate_password {
                        println!(
                            "temporary password (shown once, to be changed at sign-in): {password}"
                        );
                    }
                }
                Err(crate::error::AppError::Validation(errors)) => {
                    for e in errors {
                        eprintln!("{}: {}", e.field, crate::i18n::Lang::En.t(e.key));
                    }
                    anyhow::bail!("the account was not created");
                }
                Err(err) => return Err(err.into()),
            }
        }
        AdminCommand::CreateOrganization {
            code,
            kind,
            name_uk,
            name_ru,
            name_en,
            community,
            head_email,
        } => {
            let input = service::NewOrganization {
                code: code.clone(),
                kind,
                name_uk,
                name_ru,
                name_en,
                community,
                head_email,
            };
            match service::create_organization(state, &crate::accounts::Actor::Cli, input).await {
                Ok(id) => println!("created organization {code} ({id})"),
                Err(crate::error::AppError::Validation(errors)) => {
                    for e in errors {
                        eprintln!("{}: {}", e.field, crate::i18n::Lang::En.t(e.key));
                    }
                    anyhow::bail!("the organization was not created");
                }
                Err(err) => return Err(err.into()),
            }
        }
        AdminCommand::ResetPassword { email } => {
            let user = user_by_email(email).await?;
            let temporary =
                service::reset_password(state, &crate::accounts::Actor::Cli, user.id).await?;
            println!(
                "temporary password for {} (shown once): {temporary}",
                user.email
            );
        }
        AdminCommand::ResetTwoFactor { email } => {
            let user = user_by_email(email).await?;
            service::reset_second_factor(state, &crate::accounts::Actor::Cli, user.id).await?;
            println!(
                "second factor of {} forgotten; it is set up again at the next sign-in",
                user.email
            );
        }
        AdminCommand::CreateApiKey { name } => {
            use crate::open311::service as open311;
            match open311::issue_api_key(state, &crate::accounts::Actor::Cli, &name).await {
                Ok((id, key)) => {
                    println!("issued API key {id} to {}", name.trim());
                    println!("key (shown once, only its fingerprint is kept): {key}");
                }
                Err(crate::error::AppError::Validation(errors)) => {
                    for e in errors {
                        eprintln!("{}: {}", e.field, crate::i18n::Lang::En.t(e.key));
                    }
                    anyhow::bail!("no key was issued");
                }
                Err(err) => return Err(err.into()),
            }
        }
        AdminCommand::ListApiKeys => {
            for key in crate::open311::service::api_keys(state).await? {
                let state = match key.revoked_at {
                    Some(at) => format!("revoked {at}"),
                    None => "active".to_string(),
                };
                println!("{}  {}  {}  ({state})", key.id, key.hint, key.name);
            }
        }
        AdminCommand::RevokeApiKey { id } => {
            use crate::open311::service as open311;
            match open311::revoke_api_key(state, &crate::accounts::Actor::Cli, id).await {
                Ok(()) => println!("API key {id} revoked"),
                Err(crate::error::AppError::NotFound) => anyhow::bail!("no API key {id}"),
                Err(crate::error::AppError::Conflict(_)) => {
                    anyhow::bail!("API key {id} was revoked already")
                }
                Err(err) => return Err(err.into()),
            }
        }
    }
    Ok(())
}

async fn run_audit(command: AuditCommand, mut config: Config) -> anyhow::Result<()> {
    match command {
        AuditCommand::Verify { anchor, store } => {
            store.apply(&mut config);
            let keys = existing_keys(&config)?;
            let db = existing_store(&config).await?;
            let report = crate::audit::service::verify_with_anchors(&db, &keys, &anchor).await?;
            match report.problem {
                None => {
                    println!("audit trail intact: {} events", report.checked);
                    if let Some(head) = report.head {
                        println!("head: {head}");
                    }
                }
                Some(problem) => {
                    let at = problem
                        .seq()
                        .map(|seq| format!(" at seq {seq}"))
                        .unwrap_or_default();
                    anyhow::bail!(
                        "audit trail broken{at}: {problem} ({} events before it are intact)",
                        report.checked
                    );
                }
            }
        }
        AuditCommand::Head { store } => {
            store.apply(&mut config);
            let db = existing_store(&config).await?;
            let head = crate::audit::store::head(&db)
                .await?
                .context("the audit trail's head is missing")?;
            println!("{head}");
        }
    }
    Ok(())
}

/// The keys of an existing platform: a new secret would make every event look forged.
fn existing_keys(config: &Config) -> anyhow::Result<Keys> {
    let path = config.secret_key_path();
    if config.secret_key.is_none() && !path.exists() {
        anyhow::bail!(
            "no master secret at {} (nor in MISTOK_SECRET_KEY): the audit trail is keyed from it",
            path.display()
        );
    }
    Keys::load_or_create(config.secret_key.as_deref(), &path).context("loading the master secret")
}

/// The store of an existing platform: checking a folder without one would create an empty one.
async fn existing_store(config: &Config) -> anyhow::Result<Db> {
    if let Some(file) = config.embedded_database_file()
        && !file.exists()
    {
        anyhow::bail!("no database at {}", file.display());
    }
    Db::connect(&config.effective_database_url())
        .await
        .context("opening the database")
}

fn report_demo(summary: crate::demo::DemoSummary) {
    println!(
        "demo region loaded; {} reports added",
        summary.reports_added
    );
    for (reference, receipt) in summary.sample_receipts {
        println!("  try the follow-up page: {reference} has receipt {receipt}");
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
