//! Known answers: the bootstrap, authentication, session and subscription
//! examples of the O2G reference, §1 and §2.1, decoded into the typed bodies
//! (and the request bodies written back exactly).

use o2g_api::types::{
    AccountType, AuthenticateAnswer, Discovery, Package, Selector, SessionInfo, SessionRequest,
    SubscriptionAnswer, SubscriptionRequest, SubscriptionStatus, SupervisedAccount, VersionStatus,
};
use serde_json::{Value, json};

fn parse<T: serde::de::DeserializeOwned>(text: &str) -> T {
    match serde_json::from_str(text) {
        Ok(v) => v,
        Err(e) => panic!("{e}: {text}"),
    }
}

#[test]
fn discovery_of_section_1_1() {
    let d: Discovery = parse(
        r#"{
  "serverInfo": {
    "productName": "O2G Solution",
    "productType": "O2G",
    "productVersion": { "major": "2.7", "minor": "005.000" },
    "haMode": false
  },
  "versions": [
    { "id": "1.0", "status": "CURRENT",
      "publicUrl":   "https://public-fqdn/api/rest/authenticate?version=1.0",
      "internalUrl": "https://10.1.1.10/api/rest/authenticate?version=1.0" }
  ],
  "custoFeatures": [ { "CCD_LOAD_OPE_CCA": true, "HOTEL_LOAD_Z_GUESTS": true } ]
}"#,
    );
    assert_eq!(d.server_info.product_name, "O2G Solution");
    assert_eq!(
        d.server_info
            .product_version
            .as_ref()
            .map(|v| v.minor.as_str()),
        Some("005.000")
    );
    assert!(!d.server_info.ha_mode);
    let v = d.version(None).map(|v| v.id.as_str());
    assert_eq!(v, Some("1.0"), "CURRENT is picked without a wish");
    assert!(d.version(Some("2.0")).is_none());
    let v = &d.versions[0];
    assert_eq!(v.status, VersionStatus::Current);
    assert_eq!(
        v.internal_url.as_deref(),
        Some("https://10.1.1.10/api/rest/authenticate?version=1.0")
    );
    assert_eq!(
        d.custo_features[0].get("CCD_LOAD_OPE_CCA"),
        Some(&json!(true))
    );
}

#[test]
fn the_seed_001_discovery_with_an_unknown_status_still_decodes() {
    let d: Discovery = parse(
        r#"{"serverInfo":{"productName":"O2G Services 2.2.1","productType":"O2G","productVersion":{"major":"14.2","minor":"001.004"},"haMode":false},"versions":[{"id":"1.0","status":"SUNSET","publicUrl":"https://h/api/rest/authenticate?version=1.0","internalUrl":"https://h/api/rest/authenticate?version=1.0"}],"custoFeatures":[]}"#,
    );
    assert_eq!(d.versions[0].status, VersionStatus::Other("SUNSET".into()));
    assert!(d.version(None).is_none(), "no CURRENT version");
    assert!(d.version(Some("1.0")).is_some());
}

#[test]
fn authenticate_answer_of_section_1_2_keeps_the_credential_secret() {
    let a: AuthenticateAnswer = parse(
        r#"{
  "credential": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOi",
  "publicUrl":   "https://public-fqdn/api/rest/1.0/sessions",
  "internalUrl": "http://10.1.1.10:80/api/rest/1.0/sessions"
}"#,
    );
    assert_eq!(a.credential.expose(), "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOi");
    assert_eq!(
        a.internal_url.as_deref(),
        Some("http://10.1.1.10:80/api/rest/1.0/sessions")
    );
    assert!(!a.expired);
    assert!(!format!("{a:?}").contains("eyJhbGci"), "{a:?}");
}

#[test]
fn session_request_and_answer_of_section_1_4() {
    let mut req = SessionRequest::new("MyApp");
    req.supervised_account = Some(SupervisedAccount::new(AccountType::LoginName, "oxe1001"));
    let written: Value = serde_json::to_value(&req).unwrap_or(Value::Null);
    assert_eq!(
        written,
        json!({ "applicationName": "MyApp",
                "supervisedAccount": { "type": "LOGIN_NAME", "id": "oxe1001" } })
    );
    assert_eq!(
        serde_json::to_value(SessionRequest::new("RustO2gClient")).unwrap_or(Value::Null),
        json!({"applicationName": "RustO2gClient"}),
        "no supervisedAccount when not set"
    );

    let info: SessionInfo = parse(
        r#"{
  "admin": false,
  "login": "oxe1001",
  "timeToLive": 1800,
  "publicBaseUrl":  "https://public-fqdn/api/rest/1.0",
  "privateBaseUrl": "https://10.1.1.10/api/rest/1.0",
  "services": [
    { "serviceName": "Users", "serviceVersion": "1.0", "relativeUrl": "/users" },
    { "serviceName": "BasicTelephony", "serviceVersion": "1.0", "relativeUrl": "/telephony/basicCall" }
  ],
  "creationDate":   "2025-01-15T09:00:00Z",
  "expirationDate": "2025-01-15T09:30:00Z",
  "otherSessions": [ { "sessionId": "s-2", "creationDate": "2025-01-15T08:00:00Z", "timeToLive": 1800 } ],
  "capabilities": ["BASIC_TELEPHONY"]
}"#,
    );
    assert!(!info.admin);
    assert_eq!(info.login.as_deref(), Some("oxe1001"));
    assert_eq!(info.time_to_live, 1800);
    assert_eq!(info.services.len(), 2);
    assert_eq!(info.services[1].relative_url, "/telephony/basicCall");
    assert_eq!(
        info.other_sessions
            .as_ref()
            .map(|o| o[0].session_id.as_str()),
        Some("s-2")
    );
}

#[test]
fn subscription_request_and_answer_of_section_2_1() {
    let req = SubscriptionRequest::new(
        vec![
            Selector::new(vec![Package::Telephony], ["oxe1001", "oxe1002"]),
            Selector::any(vec![Package::EventSummary]),
        ],
        10,
    );
    let written = serde_json::to_value(&req).unwrap_or(Value::Null);
    assert_eq!(
        written,
        json!({
          "filter": {
            "selectors": [
              { "ids": ["oxe1001", "oxe1002"], "names": ["telephony"] },
              { "names": ["eventSummary"] }
            ]
          },
          "version": "1.0",
          "timeout": 10
        })
    );
    let back: SubscriptionRequest =
        serde_json::from_value(written).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(back, req);

    let a: SubscriptionAnswer = parse(
        r#"{
  "subscriptionId": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhZG1pbkM1Ii",
  "publicPollingUrl":  "http://o2g-host:8014/OTEvents?subscriptionId=eyJhbGci",
  "privatePollingUrl": "http://o2g-host:8014/OTEvents?subscriptionId=eyJhbGci",
  "status": "ACCEPTED",
  "mode": "CHUNK",
  "format": "JSON"
}"#,
    );
    assert_eq!(a.status, SubscriptionStatus::Accepted);
    assert_eq!(
        a.private_polling_url.as_ref().map(|u| u.expose().as_str()),
        Some("http://o2g-host:8014/OTEvents?subscriptionId=eyJhbGci")
    );
    assert_eq!(a.mode.as_deref(), Some("CHUNK"));
    assert!(!format!("{a:?}").contains("eyJhbGci"), "ids are secrets");

    let refused: SubscriptionAnswer = parse(r#"{"status":"REFUSED","message":"quota"}"#);
    assert_eq!(refused.status, SubscriptionStatus::Refused);
    assert_eq!(refused.message.as_deref(), Some("quota"));
}

#[test]
fn package_names_are_the_wire_names() {
    let names: Vec<Package> = parse(
        r#"["telephony","eventSummary","routingManagement","unifiedComLog","user","userManagement","system","pbxManagement","agent","pilot","rsi","rti","acdstats","routing"]"#,
    );
    assert_eq!(names[2], Package::RoutingManagement);
    assert_eq!(names[12], Package::AcdStats);
    // The short names some code uses are not packages: kept, not mapped.
    assert_eq!(names[13], Package::Other("routing".into()));
}
