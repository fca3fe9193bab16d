//! Retention: identifying data of a case that ended more than `retention_months` ago is deleted
//! (contact, witnesses, exact point, attachments' files), recorded in the audit trail; younger
//! and open cases keep theirs; a second run finds nothing more.

use mistok::error::{AppError, AppResult};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::cases::report;
use crate::on_both_engines;
use crate::support::{Engine, TestApp};

on_both_engines!(identifying_data_of_long_ended_cases_is_deleted);

/// Ends the case `reference` (status `status`) at `ended_at`, and gives it an attachment whose
/// files are `key`.
async fn end_case_with_file(
    app: &TestApp,
    reference: &str,
    status: &'static str,
    ended_at: OffsetDateTime,
    key: &str,
) -> Uuid {
    app.state
        .blobs
        .put(&format!("originals/{key}"), b"photo")
        .await
        .unwrap();
    app.state
        .blobs
        .put(&format!("served/{key}"), b"photo")
        .await
        .unwrap();
    let db = &app.state.db;
    let reference = reference.to_string();
    let key = key.to_string();
    let done: AppResult<Uuid> = async {
        mistok::db_write!(db, |conn| {
            let id: Uuid = sqlx::query_scalar("SELECT id FROM reports WHERE reference = $1")
                .bind(&reference)
                .fetch_one(&mut *conn)
                .await?;
            sqlx::query("UPDATE reports SET status = $2, lat = 48.72, lon = 37.55 WHERE id = $1")
                .bind(id)
                .bind(status)
                .execute(&mut *conn)
                .await?;
            sqlx::query(
                "INSERT INTO report_status_history (id, report_id, status, created_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(Uuid::now_v7())
            .bind(id)
            .bind(status)
            .bind(ended_at)
            .execute(&mut *conn)
            .await?;
            sqlx::query(
                "INSERT INTO attachments (id, report_id, kind, original_key, original_size, \
                 original_sha256, served_key, served_size, name_sealed, from_reporter, created_at) \
                 VALUES ($1, $2, 'image', $3, 5, $4, $5, 5, $6, TRUE, $7)",
            )
            .bind(Uuid::now_v7())
            .bind(id)
            .bind(format!("originals/{key}"))
            .bind(vec![0u8; 32])
            .bind(format!("served/{key}"))
            .bind(b"sealed name".to_vec())
            .bind(ended_at)
            .execute(&mut *conn)
            .await?;
            Ok::<_, AppError>(id)
        })
    }
    .await;
    done.expect("case ended")
}

/// (contact present, lat present, attachment name present, identity purged) of a report.
async fn held(app: &TestApp, id: Uuid) -> (bool, bool, bool, bool) {
    let sql = "SELECT r.contact_sealed IS NOT NULL, r.lat IS NOT NULL, \
               (SELECT COUNT(*) FROM attachments a WHERE a.report_id = r.id \
                AND a.name_sealed IS NOT NULL) > 0, r.identity_purged_at IS NOT NULL \
               FROM reports r WHERE r.id = $1";
    match &app.state.db {
        mistok::db::Db::Sqlite(db) => sqlx::query_as(sql)
            .bind(id)
            .fetch_one(&db.read)
            .await
            .unwrap(),
        mistok::db::Db::Postgres(pool) => {
            sqlx::query_as(sql).bind(id).fetch_one(pool).await.unwrap()
        }
    }
}

async fn identifying_data_of_long_ended_cases_is_deleted(engine: Engine) {
    let app = TestApp::spawn_with(engine, |config| config.retention_months = 6).await;
    let now = OffsetDateTime::now_utc();
    let (old, _) = report(&app).await;
    let (young, _) = report(&app).await;
    let (rejected, _) = report(&app).await;
    let (open, _) = report(&app).await;
    let old_reference = old.clone();
    let old = end_case_with_file(&app, &old, "closed", now - Duration::days(200), "aa/old").await;
    let young = end_case_with_file(
        &app,
        &young,
        "closed",
        now - Duration::days(120),
        "aa/young",
    )
    .await;
    let rejected = end_case_with_file(
        &app,
        &rejected,
        "rejected",
        now - Duration::days(400),
        "aa/rej",
    )
    .await;
    let open_id = {
        let sql = "SELECT id FROM reports WHERE reference = $1";
        match &app.state.db {
            mistok::db::Db::Sqlite(db) => sqlx::query_scalar::<_, Uuid>(sql)
                .bind(&open)
                .fetch_one(&db.read)
                .await
                .unwrap(),
            mistok::db::Db::Postgres(pool) => sqlx::query_scalar::<_, Uuid>(sql)
                .bind(&open)
                .fetch_one(pool)
                .await
                .unwrap(),
        }
    };
    let audit_before = app.count("audit_events").await;

    let report = mistok::jobs::run_once(&app.state).await.expect("jobs");
    assert_eq!(
        report.purged, 2,
        "the case closed 200 days ago and the one rejected 400 days ago"
    );
    for id in [old, rejected] {
        assert_eq!(held(&app, id).await, (false, false, false, true));
    }
    assert_eq!(held(&app, young).await, (true, true, true, false));
    assert!(!held(&app, open_id).await.3);
    assert!(
        held(&app, open_id).await.0,
        "the open case keeps its contact"
    );
    for key in ["aa/old", "aa/rej"] {
        assert!(
            app.state
                .blobs
                .get(&format!("originals/{key}"))
                .await
                .is_err(),
            "{key}"
        );
        assert!(
            app.state.blobs.get(&format!("served/{key}")).await.is_err(),
            "{key}"
        );
    }
    assert!(app.state.blobs.get("originals/aa/young").await.is_ok());
    assert_eq!(app.count("audit_events").await, audit_before + 2);
    let audit = mistok::audit::service::verify(&app.state.db, &app.state.keys)
        .await
        .unwrap();
    assert!(audit.is_intact());

    let again = mistok::jobs::run_once(&app.state)
        .await
        .expect("jobs again");
    assert_eq!(again.purged, 0);
    assert_eq!(app.count("audit_events").await, audit_before + 2);

    // The case page says why the contact is gone.
    let coordinator =
        crate::support::signed_in(&app, "coordinator@example.org", "coordinator", "").await;
    let page = coordinator
        .get(app.url(&format!("/staff/cases/{old_reference}?lang=en")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("deleted under the retention rule on"),
        "{page}"
    );
    assert!(!page.contains("Taras"));
}
