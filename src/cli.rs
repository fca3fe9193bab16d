//! The command line of the `mistok` binary.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::config::Config;

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
    /// Load the demo region: Donetsk region communities, organizations and a few hundred reports.
    Demo {
        /// How many demo reports to add (only when the store has none).
        #[arg(long, default_value_t = 300)]
        reports: usize,
        #[command(flatten)]
        store: StoreArgs,
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
        Command::Demo { reports, store } => {
            store.apply(&mut config);
            let state = crate::build_state(config).await?;
            report_demo(crate::demo::load(&state, reports).await?);
        }
    }
    Ok(())
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
