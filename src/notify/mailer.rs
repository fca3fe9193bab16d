//! Delivery of one e-mail: to a mail server over SMTP when one is configured, else as an `.eml`
//! file in the outbox folder (a platform without a mail server loses nothing, and tests read
//! the files).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use uuid::Uuid;

use super::model::LEASE;
use crate::config::Config;

/// How long lettre waits for each answer of the mail server.
const SMTP_STEP_TIMEOUT: Duration = Duration::from_secs(30);
/// How long one delivery may take in all: well inside the [`LEASE`], so that no other server
/// takes over a message still being sent.
const SEND_TIMEOUT: Duration = Duration::from_secs(120);
const _: () = assert!(SEND_TIMEOUT.as_secs() * 2 <= LEASE.whole_seconds() as u64);

pub enum Mailer {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    /// Folder of `.eml` files, one per message, named by the notification's id.
    Outbox(PathBuf),
}

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("smtp_url: {0}")]
    Url(String),
    #[error("mail_from: not an e-mail address ({0})")]
    From(String),
}

/// Why a message was not delivered.
#[derive(Debug, thiserror::Error)]
#[error("{text}")]
pub struct SendError {
    /// Trying again cannot help (the server refused the address, the message cannot be built).
    pub permanent: bool,
    pub text: String,
}

impl SendError {
    fn permanent(text: impl ToString) -> SendError {
        SendError {
            permanent: true,
            text: text.to_string(),
        }
    }

    fn transient(text: impl ToString) -> SendError {
        SendError {
            permanent: false,
            text: text.to_string(),
        }
    }
}

impl Mailer {
    /// The mail server of `smtp_url`, else the outbox under the data folder. Connects lazily:
    /// a mail server that is down delays e-mails, it does not stop the platform.
    pub fn from_config(config: &Config) -> Result<Mailer, MailerError> {
        match config.smtp_url.as_deref().map(str::trim) {
            Some(url) if !url.is_empty() => {
                let url = lettre_url(url)?;
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&url)
                    // lettre's message may quote the URL, which holds the password.
                    .map_err(|_| MailerError::Url("not a usable smtp:// or smtps:// URL".into()))?
                    .timeout(Some(SMTP_STEP_TIMEOUT))
                    .build();
                Ok(Mailer::Smtp(transport))
            }
            _ => Ok(Mailer::Outbox(config.outbox_dir())),
        }
    }

    /// Delivers `message`; `id` (the notification's) names its file in the outbox, so a message
    /// delivered twice after a lost acknowledgement is one file.
    pub async fn send(&self, id: Uuid, message: Message) -> Result<(), SendError> {
        match self {
            Mailer::Smtp(transport) => {
                match tokio::time::timeout(SEND_TIMEOUT, transport.send(message)).await {
                    Ok(Ok(_)) => Ok(()),
                    Ok(Err(err)) => Err(SendError {
                        permanent: err.is_permanent(),
                        text: format!("smtp: {err}"),
                    }),
                    Err(_) => Err(SendError::transient("smtp: the mail server took too long")),
                }
            }
            Mailer::Outbox(dir) => {
                let dir = dir.clone();
                let bytes = message.formatted();
                tokio::task::spawn_blocking(move || write_atomically(&dir, id, &bytes))
                    .await
                    .map_err(SendError::transient)?
                    .map_err(|e| SendError::transient(format!("outbox: {e}")))
            }
        }
    }
}

/// A plain-text message from `from` to `to`, with a Message-ID made from the notification's id
/// (a message delivered twice can be recognised as one).
pub fn build_message(
    id: Uuid,
    from: &Mailbox,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<Message, SendError> {
    let to: Mailbox = to
        .parse()
        .map_err(|_| SendError::permanent("recipient is not an e-mail address"))?;
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(subject)
        .message_id(Some(format!("<{}@{}>", id, from.email.domain())))
        .header(ContentType::TEXT_PLAIN)
        .body(body.to_string())
        .map_err(SendError::permanent)
}

pub fn parse_from(mail_from: &str) -> Result<Mailbox, MailerError> {
    mail_from
        .parse()
        .map_err(|_| MailerError::From(mail_from.to_string()))
}

/// lettre's URL: `smtp://` means STARTTLS, which mail servers require for submission (lettre
/// alone would send in clear text); `?tls=none` keeps clear text, for a relay on the same machine.
fn lettre_url(url: &str) -> Result<String, MailerError> {
    let mut parsed = url::Url::parse(url).map_err(|_| MailerError::Url("not a URL".to_string()))?;
    let tls = parsed
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    let others: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(k, _)| k != "tls")
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let tls = match (parsed.scheme(), tls.as_deref()) {
        ("smtps", _) => tls,
        ("smtp", None) => Some("required".to_string()),
        ("smtp", Some("none")) => None,
        ("smtp", Some("required" | "opportunistic")) => tls,
        ("smtp", Some(other)) => {
            return Err(MailerError::Url(format!(
                "tls={other}: expected required, opportunistic or none"
            )));
        }
        (scheme, _) => {
            return Err(MailerError::Url(format!(
                "scheme {scheme}: expected smtp or smtps"
            )));
        }
    };
    parsed.set_query(None);
    if !others.is_empty() || tls.is_some() {
        let mut query = parsed.query_pairs_mut();
        for (k, v) in &others {
            query.append_pair(k, v);
        }
        if let Some(tls) = &tls {
            query.append_pair("tls", tls);
        }
    }
    Ok(parsed.to_string())
}

/// Writes `bytes` as `dir/{id}.eml` so that a reader sees the whole message or none: a hidden
/// temporary file, flushed to disk, then renamed into place.
fn write_atomically(dir: &Path, id: Uuid, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(".{id}.eml.tmp"));
    let mut file = std::fs::File::create(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(&tmp, dir.join(format!("{id}.eml")))?;
    // The rename itself is durable only once the folder is.
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use std::sync::{Arc, Mutex};

    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

    use super::*;

    #[test]
    fn smtp_means_starttls() {
        assert_eq!(
            lettre_url("smtp://user:pass@mail.example.org:587").unwrap(),
            "smtp://user:pass@mail.example.org:587?tls=required"
        );
        assert_eq!(
            lettre_url("smtp://mail.example.org?tls=opportunistic").unwrap(),
            "smtp://mail.example.org?tls=opportunistic"
        );
        assert_eq!(
            lettre_url("smtp://127.0.0.1:25?tls=none").unwrap(),
            "smtp://127.0.0.1:25"
        );
        assert_eq!(
            lettre_url("smtps://u:p%40ss@mail.example.org").unwrap(),
            "smtps://u:p%40ss@mail.example.org"
        );
        assert!(lettre_url("smtp://mail.example.org?tls=maybe").is_err());
        assert!(lettre_url("http://mail.example.org").is_err());
    }

    #[tokio::test]
    async fn transports_are_built_without_connecting() {
        let config = Config {
            smtp_url: Some("smtps://user:secret@mail.example.org:465".into()),
            ..Config::default()
        };
        assert!(matches!(Mailer::from_config(&config), Ok(Mailer::Smtp(_))));
        let config = Config {
            smtp_url: Some("ftp://mail.example.org".into()),
            ..Config::default()
        };
        let err = Mailer::from_config(&config).err().unwrap().to_string();
        assert!(!err.contains("secret"));
        assert!(matches!(
            Mailer::from_config(&Config::default()),
            Ok(Mailer::Outbox(_))
        ));
    }

    /// A mail server on loopback without STARTTLS that keeps what it receives; with `refuse`, it
    /// refuses every recipient as unknown.
    async fn fake_smtp(refuse: bool) -> (u16, Arc<Mutex<Vec<String>>>) {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let kept = received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let kept = kept.clone();
                tokio::spawn(async move {
                    let (read, mut write) = stream.into_split();
                    let mut lines = BufReader::new(read).lines();
                    write.write_all(b"220 fake ESMTP\r\n").await?;
                    let mut data: Option<String> = None;
                    while let Some(line) = lines.next_line().await? {
                        if let Some(message) = data.as_mut() {
                            if line == "." {
                                kept.lock().unwrap().push(std::mem::take(message));
                                data = None;
                                write.write_all(b"250 queued\r\n").await?;
                            } else {
                                message.push_str(&line);
                                message.push('\n');
                            }
                            continue;
                        }
                        let reply: &[u8] =
                            match line.get(..4).unwrap_or("").to_ascii_uppercase().as_str() {
                                "EHLO" => b"250-fake\r\n250 8BITMIME\r\n",
                                "RCPT" if refuse => b"550 5.1.1 no such user\r\n",
                                "DATA" => {
                                    data = Some(String::new());
                                    b"354 go on\r\n"
                                }
                                "QUIT" => {
                                    write.write_all(b"221 bye\r\n").await?;
                                    break;
                                }
                                _ => b"250 ok\r\n",
                            };
                        write.write_all(reply).await?;
                    }
                    Ok::<_, std::io::Error>(())
                });
            }
        });
        (port, received)
    }

    fn smtp(url: String) -> Mailer {
        Mailer::from_config(&Config {
            smtp_url: Some(url),
            ..Config::default()
        })
        .unwrap()
    }

    fn message(id: Uuid) -> Message {
        let from = parse_from("Mistok <noreply@example.org>").unwrap();
        build_message(
            id,
            &from,
            "olena@example.org",
            "Звернення DN-2026-000001",
            "Текст\n",
        )
        .unwrap()
    }

    #[tokio::test]
    async fn smtp_sends_in_clear_text_only_when_told() {
        let (port, received) = fake_smtp(false).await;
        let id = Uuid::now_v7();
        smtp(format!("smtp://127.0.0.1:{port}?tls=none"))
            .send(id, message(id))
            .await
            .unwrap();
        let kept = received.lock().unwrap().clone();
        assert_eq!(kept.len(), 1);
        assert!(kept[0].contains("To: olena@example.org"), "{}", kept[0]);
        assert!(kept[0].contains(&format!("Message-ID: <{id}@example.org>")));

        // A server that offers no STARTTLS gets nothing from a plain `smtp://` URL.
        let refused = smtp(format!("smtp://127.0.0.1:{port}"))
            .send(id, message(id))
            .await
            .unwrap_err();
        assert!(!refused.permanent, "{refused}");
        assert_eq!(received.lock().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_refused_recipient_is_a_permanent_failure() {
        let (port, received) = fake_smtp(true).await;
        let id = Uuid::now_v7();
        let err = smtp(format!("smtp://127.0.0.1:{port}?tls=none"))
            .send(id, message(id))
            .await
            .unwrap_err();
        assert!(err.permanent, "{err}");
        assert!(received.lock().unwrap().is_empty());
    }

    #[tokio::test]
    async fn the_outbox_holds_whole_rfc5322_messages() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::Outbox(dir.path().join("outbox"));
        let id = Uuid::now_v7();
        let from = parse_from("Mistok <noreply@example.org>").unwrap();
        let message = build_message(
            id,
            &from,
            "olena@example.org",
            "Звернення DN-2026-000001",
            "Текст\n",
        )
        .unwrap();
        mailer.send(id, message).await.unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path().join("outbox"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(files, vec![format!("{id}.eml")]);
        let text = std::fs::read_to_string(dir.path().join("outbox").join(&files[0])).unwrap();
        assert!(text.contains("To: olena@example.org\r\n"), "{text}");
        assert!(text.contains(&format!("Message-ID: <{id}@example.org>")));
        assert!(text.contains("Content-Type: text/plain; charset=utf-8"));
        assert!(text.contains("\r\n\r\n"), "headers, then the body");
        assert!(
            build_message(id, &from, "not an address", "s", "b")
                .unwrap_err()
                .permanent
        );
    }
}
