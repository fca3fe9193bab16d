//! `mistok backup` while the server takes reports, and `mistok restore` into an empty platform:
//! the restored platform holds the same reports (their sealed contacts readable with the backed-up
//! secret), the same attachments and an intact audit trail.

use mistok::config::Config;

use crate::cases::report;
use crate::on_both_engines;
use crate::support::{Engine, TestApp, drop_pg_database, fresh_pg_database, pg_url_for};

on_both_engines!(a_backup_made_while_serving_restores_whole);

/// Every report's reference and sealed contact, in order.
async fn reports(db: &mistok::db::Db) -> Vec<(String, Option<Vec<u8>>)> {
    let sql = "SELECT reference, contact_sealed FROM reports ORDER BY reference";
    match db {
        mistok::db::Db::Sqlite(db) => sqlx::query_as(sql).fetch_all(&db.read).await.unwrap(),
        mistok::db::Db::Postgres(pool) => sqlx::query_as(sql).fetch_all(pool).await.unwrap(),
    }
}

async fn a_backup_made_while_serving_restores_whole(engine: Engine) {
    let app = TestApp::spawn(engine).await;
    for _ in 0..3 {
        report(&app).await;
    }
    app.state
        .blobs
        .put("originals/ab/evidence-1", b"sealed evidence bytes")
        .await
        .expect("attachment stored");
    let backup_dir = tempfile::tempdir().expect("folder");
    let target = backup_dir.path().join("backup");

    // Reports keep coming while the backup is made; it holds at least those before it.
    let writer = {
        let app_url = app.url("/api/v1/reports");
        let client = app.api();
        tokio::spawn(async move {
            for i in 0..10 {
                let body = serde_json::json!({
                    "kind": "safety", "category": "street_lighting",
                    "community": "sloviansk", "description": format!("Dark street number {i} near the school."),
                });
                let response = client.post(&app_url).json(&body).send().await.unwrap();
                assert_eq!(response.status(), 201);
            }
        })
    };
    let manifest = mistok::backup::backup(&app.state.config, &target, true)
        .await
        .expect("backup");
    writer.await.expect("writer");
    assert_eq!(manifest.engine, engine_name(engine));
    assert!(manifest.attachments >= 1);
    assert!(manifest.includes_secret);
    // A second backup into the same folder is refused.
    assert!(
        mistok::backup::backup(&app.state.config, &target, false)
            .await
            .is_err()
    );

    // Restore into an empty platform of the same engine.
    let restored_dir = tempfile::tempdir().expect("folder");
    let pg_database = match engine {
        Engine::Sqlite => None,
        Engine::Postgres => Some(fresh_pg_database().await),
    };
    let config = Config {
        data_dir: restored_dir.path().to_path_buf(),
        database_url: pg_database.as_deref().map(pg_url_for),
        jobs_interval_secs: 0,
        ..Config::default()
    };
    let back = mistok::backup::restore(&config, &target, false)
        .await
        .expect("restore");
    assert_eq!(back, manifest);
    // Restoring over it again needs --force.
    assert!(
        mistok::backup::restore(&config, &target, false)
            .await
            .is_err()
    );
    mistok::backup::restore(&config, &target, true)
        .await
        .expect("restore with force");

    let restored = mistok::build_state(config)
        .await
        .expect("restored platform");
    let before = reports(&restored.db).await;
    assert!(
        before.len() >= 3,
        "the reports made before the backup are in it"
    );
    let original = reports(&app.state.db).await;
    assert!(original.len() >= before.len());
    for (row, copy) in original.iter().zip(&before) {
        assert_eq!(row, copy, "the same report, byte for byte");
    }
    // The backed-up secret opens the sealed contacts.
    let sealed = before
        .iter()
        .find_map(|(_, contact)| contact.clone())
        .expect("a sealed contact");
    let contact = restored
        .keys
        .open_string("report.contact", &sealed)
        .expect("opened with the restored secret");
    assert!(contact.contains("Taras"));
    assert_eq!(
        restored
            .blobs
            .get("originals/ab/evidence-1")
            .await
            .expect("attachment restored"),
        b"sealed evidence bytes"
    );
    let audit = mistok::audit::service::verify(&restored.db, &restored.keys)
        .await
        .expect("verify");
    assert!(audit.is_intact(), "{:?}", audit.problem);
    if let mistok::db::Db::Postgres(pool) = &restored.db {
        pool.close().await;
    }
    if let Some(name) = pg_database {
        drop_pg_database(&name).await;
    }
}

fn engine_name(engine: Engine) -> &'static str {
    match engine {
        Engine::Sqlite => "sqlite",
        Engine::Postgres => "postgres",
    }
}
