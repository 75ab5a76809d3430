//! Smoke test of every operation against a live API or a mock of it.
//!
//! ```text
//! CLOUDFLARE_BASE_URL=http://127.0.0.1:4010 \
//! CLOUDFLARE_API_TOKEN=... \
//! CLOUDFLARE_ACCOUNT_ID=023e105f4ecef8ad9ca31a8372d0c353 \
//!     cargo run -p cloudflare-access-users --example smoke
//! ```
//!
//! Creates a user, reads, updates and lists users, reads the user's active
//! sessions (one session by the nonce the list returned), last seen identity
//! and failed logins, then deletes the user. Prints one line per call and
//! exits with status 1 at the first failure. With `CLOUDFLARE_SMOKE_ALL_USERS=1`
//! a last step streams every user of the account through auto-paging (100 per
//! page) and prints `users: N`. `CLOUDFLARE_API_KEY` + `CLOUDFLARE_EMAIL` may
//! replace the token; `CLOUDFLARE_BASE_URL` defaults to the public API.

use std::fmt::Display;
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use cloudflare_access_users::models::{UserCreateParams, UserUpdateParams};
use cloudflare_access_users::{Client, Error};

/// Nonce used for the single-session call when the user has no active session.
const FALLBACK_NONCE: &str = "X1aXj1lFVcqqyoXF";

/// Report a failed step and stop.
fn fail(step: &str, err: impl Display) -> ExitCode {
    eprintln!("{step}: FAILED: {err}");
    ExitCode::FAILURE
}

/// Unwrap a step's result or return from `main` with a failure.
macro_rules! step {
    ($name:expr, $call:expr) => {
        match $call {
            Ok(v) => v,
            Err(e) => return fail($name, describe(&e)),
        }
    };
}

/// The error with its source chain, so a transport failure says why.
fn describe(err: &Error) -> String {
    let mut text = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

fn or_dash(v: &Option<impl Display>) -> String {
    v.as_ref().map_or_else(|| "-".to_owned(), ToString::to_string)
}

#[tokio::main]
async fn main() -> ExitCode {
    let account_id = match std::env::var("CLOUDFLARE_ACCOUNT_ID") {
        Ok(v) if !v.trim().is_empty() => v.trim().to_owned(),
        _ => return fail("config", "CLOUDFLARE_ACCOUNT_ID is not set"),
    };
    let client = step!("config", Client::from_env());
    let all_users = std::env::var("CLOUDFLARE_SMOKE_ALL_USERS").is_ok_and(|v| v.trim() == "1");
    println!("base URL: {}", client.base_url());

    let users = client.zero_trust().access().users();
    let stamp = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let email = format!("rustgen-smoke-{stamp}@example.com");

    // 1. create
    let params = UserCreateParams {
        email: email.clone(),
        name: Some("Smoke Test".into()),
    };
    let created = step!(
        "create",
        users.create(&account_id, params).send_with_response().await
    );
    println!(
        "create: {} id={} email={}",
        created.status().as_u16(),
        or_dash(&created.id),
        or_dash(&created.email)
    );
    let Some(user_id) = created.id.clone() else {
        return fail("create", "the response has no user id");
    };
    // The API may normalise the address; update must repeat the stored one.
    let email = created.email.clone().unwrap_or(email);

    // 2. get
    let user = step!("get", users.get(&account_id, &user_id).await);
    println!(
        "get: id={} name={} email={}",
        or_dash(&user.id),
        or_dash(&user.name),
        or_dash(&user.email)
    );

    // 3. update
    let params = UserUpdateParams {
        email: user.email.clone().unwrap_or(email),
        name: "Smoke Test (renamed)".into(),
    };
    let updated = step!("update", users.update(&account_id, &user_id, params).await);
    println!(
        "update: id={} name={}",
        or_dash(&updated.id),
        or_dash(&updated.name)
    );

    // 4. list (one page)
    let page = step!("list", users.list(&account_id).per_page(50).await);
    let info = page.result_info.clone().unwrap_or_default();
    println!(
        "list: {} users on page {} (total_count {}, total_pages {})",
        page.len(),
        or_dash(&info.page),
        or_dash(&info.total_count),
        or_dash(&info.total_pages)
    );

    // 5. active sessions
    let sessions = step!(
        "active_sessions.list",
        users.active_sessions().list(&account_id, &user_id).await
    );
    let nonce = sessions
        .iter()
        .find_map(|s| s.metadata.as_ref()?.nonce.clone())
        .unwrap_or_else(|| FALLBACK_NONCE.to_owned());
    println!(
        "active_sessions.list: {} sessions (first nonce {nonce})",
        sessions.len()
    );

    // 6. one active session
    let session = step!(
        "active_sessions.get",
        users
            .active_sessions()
            .get(&account_id, &user_id, &nonce)
            .await
    );
    println!(
        "active_sessions.get: email={} is_active={} device_sessions={} device_posture={}",
        or_dash(&session.email),
        or_dash(&session.is_active),
        session.device_sessions.as_ref().map_or(0, |m| m.len()),
        session.device_posture.as_ref().map_or(0, |m| m.len())
    );

    // 7. last seen identity
    let identity = step!(
        "last_seen_identity.get",
        users.last_seen_identity().get(&account_id, &user_id).await
    );
    println!(
        "last_seen_identity.get: email={} ip={} country={}",
        or_dash(&identity.email),
        or_dash(&identity.ip),
        or_dash(&identity.geo.as_ref().and_then(|g| g.country.clone()))
    );

    // 8. failed logins
    let logins = step!(
        "failed_logins.list",
        users.failed_logins().list(&account_id, &user_id).await
    );
    println!("failed_logins.list: {} entries", logins.len());

    // 9. delete
    let deleted = step!(
        "delete",
        users
            .delete(&account_id, &user_id)
            .send_with_response()
            .await
    );
    println!("delete: {} id={user_id}", deleted.status().as_u16());

    // Optional: every user of the account, 100 per page.
    if all_users {
        let mut stream = users.list(&account_id).per_page(100).auto_paging();
        let mut count: u64 = 0;
        loop {
            match stream.try_next().await {
                Ok(Some(_)) => count += 1,
                Ok(None) => break,
                Err(e) => return fail("users (auto-paging)", describe(&e)),
            }
        }
        println!("users: {count}");
    }
    ExitCode::SUCCESS
}
