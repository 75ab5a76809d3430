//! Each of the nine generated operations against an in-process axum server on
//! 127.0.0.1: the server records the request exactly as it arrived (method,
//! raw path, raw query string, headers, body) and answers with a realistic
//! Cloudflare envelope; the test checks both the request and the typed result.
//! Every operation is called once with an API token and once with e-mail + key.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use cloudflare_access_users::models::{
    ActiveSessionGetResponse, ActiveSessionGetResponseIdp, ActiveSessionGetResponseMtlsAuth,
    ActiveSessionListResponse, ActiveSessionListResponseMetadata,
    ActiveSessionListResponseMetadataApp, DevicePosture, DevicePostureCheck, DeviceSession,
    FailedLoginListResponse, Identity, IdentityIdp, IdentityMtlsAuth, User, UserCreateParams,
    UserListParams, UserPolicyCheckGeo, UserUpdateParams,
};
use cloudflare_access_users::{Client, Error, StatusClass};
use serde_json::{json, Value};

const ACCOUNT: &str = "023e105f4ecef8ad9ca31a8372d0c353";
const USER_ID: &str = "f174e90a-fafe-4643-bbbc-4a0ed4fc8415";
const TOKEN: &str = "Sn3lZJTBX6kkg7OdcBUAxOO963GEIyGQqnFTOFYY";
const EMAIL: &str = "admin@example.com";
const KEY: &str = "144c9defac04969c7bfad8efaa8ea194";

/// The two ways of authenticating.
#[derive(Debug, Clone, Copy)]
enum Auth {
    Token,
    EmailKey,
}

const AUTHS: [Auth; 2] = [Auth::Token, Auth::EmailKey];

/// Identifiers for a run and how they must appear in the path: realistic ones
/// with the token, ones that need percent-encoding with e-mail + key.
struct Ids {
    account: &'static str,
    account_enc: &'static str,
    user: &'static str,
    user_enc: &'static str,
}

fn ids(auth: Auth) -> Ids {
    match auth {
        Auth::Token => Ids {
            account: ACCOUNT,
            account_enc: ACCOUNT,
            user: USER_ID,
            user_enc: USER_ID,
        },
        Auth::EmailKey => Ids {
            account: "acc/../1 x",
            account_enc: "acc%2F..%2F1%20x",
            user: "jane doe?#%",
            user_enc: "jane%20doe%3F%23%25",
        },
    }
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    /// The path exactly as sent (percent-encoding intact).
    path: String,
    /// The raw query string, if any.
    query: Option<String>,
    headers: HeaderMap,
    body: Bytes,
}

impl Seen {
    fn json_body(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "request body is not JSON ({e}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(|v| v.to_str().unwrap())
    }

    /// Exactly the credentials of `auth`, and none of the other kind.
    fn assert_auth(&self, auth: Auth) {
        match auth {
            Auth::Token => {
                assert_eq!(
                    self.header("authorization"),
                    Some(format!("Bearer {TOKEN}").as_str())
                );
                assert_eq!(self.header("x-auth-email"), None);
                assert_eq!(self.header("x-auth-key"), None);
            }
            Auth::EmailKey => {
                assert_eq!(self.header("x-auth-email"), Some(EMAIL));
                assert_eq!(self.header("x-auth-key"), Some(KEY));
                assert_eq!(self.header("authorization"), None);
            }
        }
        assert_eq!(self.header("accept"), Some("application/json"));
    }

    /// A request without a body (GET, DELETE).
    fn assert_no_body(&self) {
        assert!(
            self.body.is_empty(),
            "unexpected body {:?}",
            String::from_utf8_lossy(&self.body)
        );
        assert_eq!(self.header("content-type"), None);
    }

    /// A JSON body equal to `expected` (no extra keys, no `null`s).
    fn assert_json_body(&self, expected: Value) {
        assert_eq!(self.header("content-type"), Some("application/json"));
        assert_eq!(self.json_body(), expected);
    }
}

/// A server that records every request and answers each with the same
/// status and JSON body.
struct Mock {
    base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Mock {
    async fn start(status: u16, body: Value) -> Mock {
        let seen: Arc<Mutex<Vec<Seen>>> = Arc::default();
        let record = seen.clone();
        let status = StatusCode::from_u16(status).unwrap();
        let body = body.to_string();
        let app = Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, bytes: Bytes| {
                record.lock().unwrap().push(Seen {
                    method,
                    path: uri.path().to_owned(),
                    query: uri.query().map(str::to_owned),
                    headers,
                    body: bytes,
                });
                let body = body.clone();
                async move { json_response(status, body) }
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}/client/v4", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Mock { base, seen }
    }

    /// A client for this server; no retries, so one call is one request.
    fn client(&self, auth: Auth) -> Client {
        let builder = Client::builder().base_url(&self.base).max_retries(0);
        match auth {
            Auth::Token => builder.api_token(TOKEN),
            Auth::EmailKey => builder.api_key(EMAIL, KEY),
        }
        .build()
        .unwrap()
    }

    /// The single request received so far.
    fn only_request(&self) -> Seen {
        let seen = self.seen.lock().unwrap();
        assert_eq!(seen.len(), 1, "expected exactly one request: {seen:#?}");
        seen[0].clone()
    }

    fn requests(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn json_response(status: StatusCode, body: String) -> Response {
    (status, [("content-type", "application/json")], body).into_response()
}

fn envelope(result: Value) -> Value {
    json!({"success": true, "errors": [], "messages": [], "result": result})
}

/// Builds a `#[non_exhaustive]` response model the way code outside the crate can: from its
/// `Default` (or the base after `..`), one field at a time.
macro_rules! model {
    ($ty:ident { $($field:ident: $value:expr),* $(,)? }) => {
        model!($ty { $($field: $value,)* ..$ty::default() })
    };
    ($ty:ident { $($field:ident: $value:expr,)* ..$base:expr }) => {{
        let mut m: $ty = $base;
        $( m.$field = $value; )*
        m
    }};
}

fn user_json() -> Value {
    json!({
        "id": USER_ID,
        "access_seat": false,
        "active_device_count": 2,
        "created_at": "2014-01-01T05:20:00.12345Z",
        "email": "jdoe@example.com",
        "gateway_seat": true,
        "last_successful_login": "2020-07-01T05:20:00Z",
        "name": "Jane Doe",
        "seat_uid": "a1b2c3d4e5f60718293a4b5c6d7e8f90",
        "uid": "b7e3a9c2d1f04e5a8c6b2d9e1f3a7c5b",
        "updated_at": "2024-03-15T09:41:07.5Z"
    })
}

fn user_model() -> User {
    model!(User {
        id: Some(USER_ID.into()),
        access_seat: Some(false),
        active_device_count: Some(2.0),
        created_at: Some("2014-01-01T05:20:00.12345Z".into()),
        email: Some("jdoe@example.com".into()),
        gateway_seat: Some(true),
        last_successful_login: Some("2020-07-01T05:20:00Z".into()),
        name: Some("Jane Doe".into()),
        seat_uid: Some("a1b2c3d4e5f60718293a4b5c6d7e8f90".into()),
        uid: Some("b7e3a9c2d1f04e5a8c6b2d9e1f3a7c5b".into()),
        updated_at: Some("2024-03-15T09:41:07.5Z".into()),
    })
}

/// The identity fields shared by `last_seen_identity` and an active session.
fn identity_json() -> Value {
    json!({
        "account_id": ACCOUNT,
        "auth_status": "NONE",
        "common_name": "",
        "device_id": "4f5a6b7c-1d2e-4f30-8a9b-0c1d2e3f4a5b",
        "device_sessions": {
            "4f5a6b7c-1d2e-4f30-8a9b-0c1d2e3f4a5b": {"last_authenticated": 1638832687},
            "9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b": {"last_authenticated": 1638832690.5}
        },
        "devicePosture": {
            "disk-encryption": {
                "check": {"exists": true, "path": "/Library/Encryption"},
                "data": {"encrypted_volumes": ["/", "/home"], "fully_encrypted": true},
                "description": "Disk encryption is on",
                "error": "",
                "id": "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
                "rule_name": "Disk encryption",
                "success": true,
                "timestamp": "2024-03-15T09:41:07Z",
                "type": "disk_encryption"
            },
            "os-version": {
                "success": false,
                "type": "os_version",
                "data": null
            }
        },
        "email": "jdoe@example.com",
        "geo": {"country": "US"},
        "iat": 1694791905,
        "idp": {"id": "e5d4c3b2-a1f0-4e9d-8c7b-6a5f4e3d2c1b", "type": "okta"},
        "ip": "203.0.113.7",
        "is_gateway": false,
        "is_warp": true,
        "mtls_auth": {
            "auth_status": "OK",
            "cert_issuer_dn": "CN=Example Root CA",
            "cert_issuer_ski": "8A:F1:3C",
            "cert_presented": true,
            "cert_serial": "0F:12:AB"
        },
        "service_token_id": "",
        "service_token_status": false,
        "user_uuid": USER_ID,
        "version": 2,
        "extra_field_from_a_newer_api": {"ignored": true}
    })
}

fn device_sessions() -> BTreeMap<String, DeviceSession> {
    BTreeMap::from([
        (
            "4f5a6b7c-1d2e-4f30-8a9b-0c1d2e3f4a5b".to_owned(),
            model!(DeviceSession {
                last_authenticated: Some(1638832687.0),
            }),
        ),
        (
            "9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c5b".to_owned(),
            model!(DeviceSession {
                last_authenticated: Some(1638832690.5),
            }),
        ),
    ])
}

fn device_posture() -> BTreeMap<String, DevicePosture> {
    BTreeMap::from([
        (
            "disk-encryption".to_owned(),
            model!(DevicePosture {
                check: Some(model!(DevicePostureCheck {
                    exists: Some(true),
                    path: Some("/Library/Encryption".into()),
                })),
                data: Some(json!({"encrypted_volumes": ["/", "/home"], "fully_encrypted": true})),
                description: Some("Disk encryption is on".into()),
                error: Some(String::new()),
                id: Some("c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f".into()),
                rule_name: Some("Disk encryption".into()),
                success: Some(true),
                timestamp: Some("2024-03-15T09:41:07Z".into()),
                type_: Some("disk_encryption".into()),
            }),
        ),
        (
            "os-version".to_owned(),
            model!(DevicePosture {
                success: Some(false),
                type_: Some("os_version".into()),
                // An untyped `data: null` is absent, like any other null.
                data: None,
                ..DevicePosture::default()
            }),
        ),
    ])
}

fn identity_model() -> Identity {
    model!(Identity {
        account_id: Some(ACCOUNT.into()),
        auth_status: Some("NONE".into()),
        common_name: Some(String::new()),
        device_id: Some("4f5a6b7c-1d2e-4f30-8a9b-0c1d2e3f4a5b".into()),
        device_sessions: Some(device_sessions()),
        device_posture: Some(device_posture()),
        email: Some("jdoe@example.com".into()),
        geo: Some(model!(UserPolicyCheckGeo {
            country: Some("US".into()),
        })),
        iat: Some(1694791905.0),
        idp: Some(model!(IdentityIdp {
            id: Some("e5d4c3b2-a1f0-4e9d-8c7b-6a5f4e3d2c1b".into()),
            type_: Some("okta".into()),
        })),
        ip: Some("203.0.113.7".into()),
        is_gateway: Some(false),
        is_warp: Some(true),
        mtls_auth: Some(model!(IdentityMtlsAuth {
            auth_status: Some("OK".into()),
            cert_issuer_dn: Some("CN=Example Root CA".into()),
            cert_issuer_ski: Some("8A:F1:3C".into()),
            cert_presented: Some(true),
            cert_serial: Some("0F:12:AB".into()),
        })),
        service_token_id: Some(String::new()),
        service_token_status: Some(false),
        user_uuid: Some(USER_ID.into()),
        version: Some(2.0),
    })
}

#[tokio::test]
async fn list_users_sends_every_filter_and_decodes_the_page() {
    let body = json!({
        "success": true,
        "errors": [],
        "messages": [{"code": 10000, "message": "listing is eventually consistent"}],
        "result": [user_json(), {"id": "2b0c6a34-94d5-4b8e-9d54-0f4e1a6c7d88", "email": "sam@example.com"}],
        "result_info": {"page": 2, "per_page": 50, "count": 2, "total_count": 52, "total_pages": 2}
    });
    for auth in AUTHS {
        let id = ids(auth);
        let a = id.account_enc;
        let mock = Mock::start(200, body.clone()).await;
        let client = mock.client(auth);
        let params = UserListParams {
            name: Some("Jane Doe".into()),
            email: Some("jane+ops@example.com".into()),
            search: Some("o'neil & co".into()),
            page: Some(2),
            per_page: Some(50),
        };
        let resp = client
            .zero_trust()
            .access()
            .users()
            .list(id.account)
            .params(params)
            .send_with_response()
            .await
            .unwrap();

        let req = mock.only_request();
        assert_eq!(req.method, Method::GET);
        assert_eq!(req.path, format!("/client/v4/accounts/{a}/access/users"));
        assert_eq!(
            req.query.as_deref(),
            Some(
                "name=Jane+Doe&email=jane%2Bops%40example.com&search=o%27neil+%26+co&page=2&per_page=50"
            )
        );
        req.assert_auth(auth);
        req.assert_no_body();

        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.messages().len(), 1);
        assert_eq!(resp.messages()[0].code, 10000);
        let info = resp.result_info().expect("result_info");
        assert_eq!(
            (info.page, info.per_page, info.count, info.total_count, info.total_pages),
            (Some(2), Some(50), Some(2), Some(52), Some(2))
        );
        let page = resp.into_inner();
        assert_eq!(page.result_info.as_ref().and_then(|i| i.total_count), Some(52));
        assert_eq!(
            page.items,
            vec![
                user_model(),
                model!(User {
                    id: Some("2b0c6a34-94d5-4b8e-9d54-0f4e1a6c7d88".into()),
                    email: Some("sam@example.com".into()),
                    ..User::default()
                })
            ]
        );
    }
}

#[tokio::test]
async fn list_users_without_filters_sends_no_query_string() {
    let mock = Mock::start(200, envelope(json!([]))).await;
    let page = mock
        .client(Auth::Token)
        .zero_trust()
        .access()
        .users()
        .list(ACCOUNT)
        .await
        .unwrap();
    let req = mock.only_request();
    assert_eq!(req.method, Method::GET);
    assert_eq!(req.path, format!("/client/v4/accounts/{ACCOUNT}/access/users"));
    assert_eq!(req.query, None);
    assert!(page.items.is_empty());
    assert!(page.result_info.is_none());
}

#[tokio::test]
async fn list_users_auto_paging_asks_page_after_page_with_the_same_filters() {
    // 5 users over pages of 2; the server replies from the query it receives.
    let seen: Arc<Mutex<Vec<String>>> = Arc::default();
    let record = seen.clone();
    let app = Router::new().fallback(move |uri: Uri| {
        let query = uri.query().unwrap_or_default().to_owned();
        record.lock().unwrap().push(query.clone());
        let page: usize = query
            .split('&')
            .find_map(|kv| kv.strip_prefix("page="))
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        let items: Vec<Value> = (1..=5)
            .skip((page - 1) * 2)
            .take(2)
            .map(|i| json!({"id": format!("user-{i}"), "email": format!("u{i}@example.com")}))
            .collect();
        let body = json!({
            "success": true, "errors": [], "messages": [], "result": items,
            "result_info": {"page": page, "per_page": 2, "count": items.len(), "total_count": 5, "total_pages": 3}
        });
        async move { json_response(StatusCode::OK, body.to_string()) }
    });
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let client = Client::builder()
        .base_url(base)
        .api_token(TOKEN)
        .build()
        .unwrap();

    let mut users = client
        .zero_trust()
        .access()
        .users()
        .list(ACCOUNT)
        .search("example")
        .per_page(2)
        .auto_paging();
    let mut ids = Vec::new();
    while let Some(user) = users.try_next().await.unwrap() {
        ids.push(user.id.unwrap());
    }
    assert_eq!(ids, ["user-1", "user-2", "user-3", "user-4", "user-5"]);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "search=example&per_page=2&page=1",
            "search=example&per_page=2&page=2",
            "search=example&per_page=2&page=3"
        ]
    );
}

#[tokio::test]
async fn create_user_posts_the_body_and_decodes_201() {
    for auth in AUTHS {
        let id = ids(auth);
        let a = id.account_enc;
        let mock = Mock::start(201, envelope(user_json())).await;
        let client = mock.client(auth);
        let users = client.zero_trust().access().users();

        let params = UserCreateParams {
            email: "jdoe@example.com".into(),
            name: Some("Jane Doe".into()),
        };
        let resp = users
            .create(id.account, params)
            .send_with_response()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::CREATED);
        assert_eq!(resp.into_inner(), user_model());

        // `name` is optional: left out of the body, not sent as null.
        let params = UserCreateParams {
            email: "sam@example.com".into(),
            name: None,
        };
        let created = users.create(id.account, params).await.unwrap();
        assert_eq!(created, user_model());

        let reqs = mock.requests();
        assert_eq!(reqs.len(), 2);
        for req in &reqs {
            assert_eq!(req.method, Method::POST);
            assert_eq!(req.path, format!("/client/v4/accounts/{a}/access/users"));
            assert_eq!(req.query, None);
            req.assert_auth(auth);
        }
        reqs[0].assert_json_body(json!({"email": "jdoe@example.com", "name": "Jane Doe"}));
        reqs[1].assert_json_body(json!({"email": "sam@example.com"}));
    }
}

#[tokio::test]
async fn get_user_encodes_the_path_and_decodes_the_user() {
    for auth in AUTHS {
        let id = ids(auth);
        let (a, u) = (id.account_enc, id.user_enc);
        let mock = Mock::start(200, envelope(user_json())).await;
        let user = mock
            .client(auth)
            .zero_trust()
            .access()
            .users()
            .get(id.account, id.user)
            .await
            .unwrap();
        let req = mock.only_request();
        assert_eq!(req.method, Method::GET);
        assert_eq!(req.path, format!("/client/v4/accounts/{a}/access/users/{u}"));
        assert_eq!(req.query, None);
        req.assert_auth(auth);
        req.assert_no_body();
        assert_eq!(user, user_model());
    }
}

#[tokio::test]
async fn get_user_404_is_a_typed_api_error() {
    let body = json!({
        "success": false,
        "errors": [{"code": 1003, "message": "user not found"}],
        "messages": [],
        "result": null
    });
    let mock = Mock::start(404, body).await;
    let err = mock
        .client(Auth::Token)
        .zero_trust()
        .access()
        .users()
        .get(ACCOUNT, USER_ID)
        .await
        .unwrap_err();
    assert!(err.is_not_found(), "{err:?}");
    match &err {
        Error::Api(api) => {
            assert_eq!(api.class(), StatusClass::NotFound);
            assert!(api.has_code(1003));
            assert_eq!(api.errors()[0].message, "user not found");
        }
        other => panic!("expected an API error, got {other:?}"),
    }
    // The document's `4XX` body, typed.
    let detail = err
        .detail::<cloudflare_access_users::models::AccessApiResponseCommonFailure>()
        .expect("the 4XX failure body decodes");
    assert!(!detail.success);
    assert_eq!(detail.errors[0].code, 1003);
    assert_eq!(detail.errors[0].message, "user not found");
    assert_eq!(mock.requests().len(), 1, "a 404 is not retried");
}

#[tokio::test]
async fn update_user_puts_both_required_fields() {
    let mut updated = user_json();
    updated["name"] = json!("Jane Q. Doe");
    for auth in AUTHS {
        let id = ids(auth);
        let (a, u) = (id.account_enc, id.user_enc);
        let mock = Mock::start(200, envelope(updated.clone())).await;
        let params = UserUpdateParams {
            email: "jdoe@example.com".into(),
            name: "Jane Q. Doe".into(),
        };
        let user = mock
            .client(auth)
            .zero_trust()
            .access()
            .users()
            .update(id.account, id.user, params)
            .await
            .unwrap();
        let req = mock.only_request();
        assert_eq!(req.method, Method::PUT);
        assert_eq!(
            req.path,
            format!("/client/v4/accounts/{a}/access/users/{u}")
        );
        assert_eq!(req.query, None);
        req.assert_auth(auth);
        req.assert_json_body(json!({"email": "jdoe@example.com", "name": "Jane Q. Doe"}));
        assert_eq!(
            user,
            model!(User {
                name: Some("Jane Q. Doe".into()),
                ..user_model()
            })
        );
    }
}

#[tokio::test]
async fn delete_user_sends_delete_and_decodes_202() {
    for auth in AUTHS {
        let id = ids(auth);
        let (a, u) = (id.account_enc, id.user_enc);
        let mock = Mock::start(202, envelope(json!({"id": USER_ID}))).await;
        let resp = mock
            .client(auth)
            .zero_trust()
            .access()
            .users()
            .delete(id.account, id.user)
            .send_with_response()
            .await
            .unwrap();
        let req = mock.only_request();
        assert_eq!(req.method, Method::DELETE);
        assert_eq!(
            req.path,
            format!("/client/v4/accounts/{a}/access/users/{u}")
        );
        assert_eq!(req.query, None);
        req.assert_auth(auth);
        req.assert_no_body();
        assert_eq!(resp.status(), StatusCode::ACCEPTED);
        assert_eq!(resp.into_inner(), json!({"id": USER_ID}));
    }
}

#[tokio::test]
async fn active_sessions_list_decodes_metadata_and_apps() {
    let body = envelope(json!([
        {
            "expiration": 1694813506,
            "name": "CF_AppSession",
            "metadata": {
                "apps": {
                    "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0": {
                        "hostname": "wiki.example.com",
                        "name": "Wiki",
                        "type": "self_hosted",
                        "uid": "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
                    }
                },
                "expires": 1694813506,
                "iat": 1694791905,
                "nonce": "X1aXj1lFVcqqyoXF",
                "ttl": 21600
            }
        },
        {"expiration": 1694813999}
    ]));
    for auth in AUTHS {
        let id = ids(auth);
        let (a, u) = (id.account_enc, id.user_enc);
        let mock = Mock::start(200, body.clone()).await;
        let sessions = mock
            .client(auth)
            .zero_trust()
            .access()
            .users()
            .active_sessions()
            .list(id.account, id.user)
            .await
            .unwrap();
        let req = mock.only_request();
        assert_eq!(req.method, Method::GET);
        assert_eq!(
            req.path,
            format!("/client/v4/accounts/{a}/access/users/{u}/active_sessions")
        );
        assert_eq!(req.query, None);
        req.assert_auth(auth);
        req.assert_no_body();
        assert_eq!(
            sessions,
            vec![
                model!(ActiveSessionListResponse {
                    expiration: Some(1694813506),
                    name: Some("CF_AppSession".into()),
                    metadata: Some(model!(ActiveSessionListResponseMetadata {
                        apps: Some(BTreeMap::from([(
                            "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0".to_owned(),
                            model!(ActiveSessionListResponseMetadataApp {
                                hostname: Some("wiki.example.com".into()),
                                name: Some("Wiki".into()),
                                type_: Some("self_hosted".into()),
                                uid: Some("0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0".into()),
                            })
                        )])),
                        expires: Some(1694813506),
                        iat: Some(1694791905),
                        nonce: Some("X1aXj1lFVcqqyoXF".into()),
                        ttl: Some(21600),
                    })),
                }),
                model!(ActiveSessionListResponse {
                    expiration: Some(1694813999),
                    ..ActiveSessionListResponse::default()
                })
            ]
        );
    }
}

#[tokio::test]
async fn active_session_get_decodes_nested_maps_and_camel_case() {
    let mut result = identity_json();
    result["isActive"] = json!(true);
    for auth in AUTHS {
        let id = ids(auth);
        let (a, u) = (id.account_enc, id.user_enc);
        let mock = Mock::start(200, envelope(result.clone())).await;
        let session = mock
            .client(auth)
            .zero_trust()
            .access()
            .users()
            .active_sessions()
            .get(id.account, id.user, "X1aXj1lF+/Vcq=")
            .await
            .unwrap();
        let req = mock.only_request();
        assert_eq!(req.method, Method::GET);
        assert_eq!(
            req.path,
            format!(
                "/client/v4/accounts/{a}/access/users/{u}/active_sessions/X1aXj1lF%2B%2FVcq%3D"
            )
        );
        assert_eq!(req.query, None);
        req.assert_auth(auth);
        req.assert_no_body();

        let ident = identity_model();
        let expected = model!(ActiveSessionGetResponse {
            account_id: ident.account_id,
            auth_status: ident.auth_status,
            common_name: ident.common_name,
            device_id: ident.device_id,
            device_sessions: ident.device_sessions,
            device_posture: ident.device_posture,
            email: ident.email,
            geo: ident.geo,
            iat: ident.iat,
            idp: Some(model!(ActiveSessionGetResponseIdp {
                id: Some("e5d4c3b2-a1f0-4e9d-8c7b-6a5f4e3d2c1b".into()),
                type_: Some("okta".into()),
            })),
            ip: ident.ip,
            is_gateway: ident.is_gateway,
            is_warp: ident.is_warp,
            is_active: Some(true),
            mtls_auth: Some(model!(ActiveSessionGetResponseMtlsAuth {
                auth_status: Some("OK".into()),
                cert_issuer_dn: Some("CN=Example Root CA".into()),
                cert_issuer_ski: Some("8A:F1:3C".into()),
                cert_presented: Some(true),
                cert_serial: Some("0F:12:AB".into()),
            })),
            service_token_id: ident.service_token_id,
            service_token_status: ident.service_token_status,
            user_uuid: ident.user_uuid,
            version: ident.version,
        });
        assert_eq!(session, expected);
        // The camelCase JSON names survive a round trip.
        let back = serde_json::to_value(&session).unwrap();
        assert_eq!(back["isActive"], json!(true));
        assert!(back["devicePosture"]["disk-encryption"]["check"]["exists"] == json!(true));
        assert!(back.get("is_active").is_none() && back.get("device_posture").is_none());
    }
}

#[tokio::test]
async fn last_seen_identity_decodes_the_identity() {
    for auth in AUTHS {
        let id = ids(auth);
        let (a, u) = (id.account_enc, id.user_enc);
        let mock = Mock::start(200, envelope(identity_json())).await;
        let identity = mock
            .client(auth)
            .zero_trust()
            .access()
            .users()
            .last_seen_identity()
            .get(id.account, id.user)
            .await
            .unwrap();
        let req = mock.only_request();
        assert_eq!(req.method, Method::GET);
        assert_eq!(
            req.path,
            format!("/client/v4/accounts/{a}/access/users/{u}/last_seen_identity")
        );
        assert_eq!(req.query, None);
        req.assert_auth(auth);
        req.assert_no_body();
        assert_eq!(identity, identity_model());
    }
}

#[tokio::test]
async fn failed_logins_keep_untyped_metadata() {
    let metadata = json!({
        "app_name": "Wiki",
        "aud": "39691c1480a2352a18ece567debc2b32552686cbd38eec0887aa18d5d3f00c04",
        "datetime": "2022-02-02T21:54:34.914Z",
        "ray_id": "6d76a8a42ead4133",
        "user_email": "jdoe@example.com",
        "user_uuid": USER_ID,
        "nested": {"list": [1, 2.5, null, "x"]}
    });
    let body = envelope(json!([
        {"expiration": 1694813506, "metadata": metadata},
        {"expiration": 1694813507}
    ]));
    for auth in AUTHS {
        let id = ids(auth);
        let (a, u) = (id.account_enc, id.user_enc);
        let mock = Mock::start(200, body.clone()).await;
        let logins = mock
            .client(auth)
            .zero_trust()
            .access()
            .users()
            .failed_logins()
            .list(id.account, id.user)
            .await
            .unwrap();
        let req = mock.only_request();
        assert_eq!(req.method, Method::GET);
        assert_eq!(
            req.path,
            format!("/client/v4/accounts/{a}/access/users/{u}/failed_logins")
        );
        assert_eq!(req.query, None);
        req.assert_auth(auth);
        req.assert_no_body();
        assert_eq!(
            logins,
            vec![
                model!(FailedLoginListResponse {
                    expiration: Some(1694813506),
                    metadata: Some(metadata.clone()),
                }),
                model!(FailedLoginListResponse {
                    expiration: Some(1694813507),
                    metadata: None,
                })
            ]
        );
    }
}

#[test]
fn client_defaults_match_the_documented_ones() {
    let client = Client::builder().api_token(TOKEN).build().unwrap();
    assert_eq!(client.base_url(), "https://api.cloudflare.com/client/v4");
    let shown = format!("{client:?}");
    for expected in [
        "timeout: 60s",
        "max_retries: 2",
        "initial_backoff: 500ms",
        "max_backoff: 8s",
        "max_retry_after: 60s",
    ] {
        assert!(shown.contains(expected), "{expected} not in {shown}");
    }
    assert!(!shown.contains(TOKEN), "{shown}");
}
