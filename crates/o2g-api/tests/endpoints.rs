//! The typed service endpoints (O2G reference, §4): requests are built as
//! the spec writes them (method, service, path and query, exact body), and
//! the answers of the spec decode.

use std::collections::{BTreeMap, HashSet};

use bytes::Bytes;
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use o2g_api::codec::endpoints::comlog::*;
use o2g_api::codec::endpoints::directory::*;
use o2g_api::codec::endpoints::eventsummary::*;
use o2g_api::codec::endpoints::maintenance::*;
use o2g_api::codec::endpoints::messaging::*;
use o2g_api::codec::endpoints::routing::*;
use o2g_api::codec::endpoints::telephony::*;
use o2g_api::codec::endpoints::users::*;
use o2g_api::codec::endpoints::{CORE_ENDPOINTS, Operation, catalogue};
use o2g_api::codec::{ApiError, ApiResponse, Endpoint, ServiceKey};
use o2g_api::types::comlog::Role;
use o2g_api::types::routing::{DestinationType, ForwardType, OverflowType};
use o2g_api::types::services::*;
use o2g_api::types::telephony::{MediaState, OperationalState, PilotStatus, UserState};
use o2g_api::types::user::{DeviceType, VoicemailType};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;

// ------------------------------------------------------------------ helpers

/// Checks the request of `ep` and that it fits its catalogue entry.
#[track_caller]
fn check<E: Endpoint + Operation>(
    ep: &E,
    method: Method,
    service: ServiceKey,
    path_and_query: &str,
    body: Option<&str>,
) {
    let req = ep.request();
    let name = E::INFO.name;
    assert_eq!(req.method, method, "{name}: method");
    assert_eq!(req.service, service, "{name}: service");
    assert_eq!(
        req.path_and_query(),
        path_and_query,
        "{name}: path and query"
    );
    let sent = req
        .body
        .as_ref()
        .map(|b| std::str::from_utf8(b).expect("UTF-8 body").to_owned());
    assert_eq!(sent.as_deref(), body, "{name}: body");
    assert_eq!(E::INFO.method, req.method, "{name}: catalogue method");
    assert_eq!(E::INFO.service, req.service, "{name}: catalogue service");
    assert!(
        E::INFO.matches(&req.path),
        "{name}: path {} does not fit template {}",
        req.path,
        E::INFO.path
    );
}

fn answer(status: u16, body: &str) -> ApiResponse {
    ApiResponse::new(
        StatusCode::from_u16(status).expect("status"),
        HeaderMap::new(),
        Bytes::from(body.to_owned()),
    )
}

#[track_caller]
fn decode<E: Endpoint>(ep: &E, body: &str) -> E::Output
where
    E::Output: std::fmt::Debug,
{
    match ep.decode(answer(200, body)) {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

// ---------------------------------------------------------------- catalogue

#[test]
fn catalogue_counts_the_core_profile_without_duplicates() {
    let all = catalogue();
    assert_eq!(all.len(), CORE_ENDPOINTS);
    assert!(all.len() >= 87, "96 core endpoints less 9 infrastructure");

    let mut seen = HashSet::new();
    for e in &all {
        assert!(
            seen.insert((e.method.clone(), e.spec_path())),
            "duplicate {} {}",
            e.method,
            e.spec_path()
        );
    }
    let mut names = HashSet::new();
    for e in &all {
        assert!(names.insert(e.name), "duplicate type name {}", e.name);
    }

    let mut per: BTreeMap<&str, usize> = BTreeMap::new();
    for e in &all {
        *per.entry(e.family()).or_default() += 1;
    }
    let expected: BTreeMap<&str, usize> = [
        ("users", 6),
        ("telephony", 52),
        ("routing", 13),
        ("eventsummary", 1),
        ("directory", 3),
        ("comlog", 5),
        ("messaging", 6),
        ("maintenance", 1),
    ]
    .into_iter()
    .collect();
    assert_eq!(per, expected);
}

#[test]
fn catalogue_paths_read_like_the_spec() {
    let all = catalogue();
    let has = |m: Method, p: &str| all.iter().any(|e| e.method == m && e.spec_path() == p);
    assert!(has(Method::POST, "/telephony/calls"));
    assert!(has(
        Method::POST,
        "/telephony/calls/{callRef}/blindtransfer"
    ));
    assert!(has(Method::POST, "/telephony/calls/{callRef}/recording"));
    assert!(has(
        Method::POST,
        "/telephony/pilots/{nodeId}/{pilotNumber}/transferInfo"
    ));
    assert!(has(Method::GET, "/logins"));
    assert!(has(Method::GET, "/users/{loginName}"));
    assert!(has(Method::GET, "/comlog/records"));
    assert!(has(Method::PUT, "/comlog/records"));
    assert!(has(
        Method::GET,
        "/messaging/mailboxes/{mailboxId}/voicemails"
    ));
    assert!(has(Method::GET, "/system/status"));
    assert!(has(Method::GET, "/eventsummary"));
    assert!(has(Method::DELETE, "/routing/overflowroute"));
    assert!(has(Method::DELETE, "/directory/search"));
}

// ------------------------------------------------------------- call control

const T: ServiceKey = ServiceKey::Telephony;
const R1: &str = "7c41a0e200010100";

#[test]
fn spec_triggers_of_the_fixtures() {
    // §7(a) and §7(b), byte for byte.
    check(
        &MakeCall::new("1001", "1002").login_name("oxe1001"),
        Method::POST,
        T,
        "/calls?loginName=oxe1001",
        Some(r#"{"deviceId":"1001","callee":"1002","autoAnswer":true}"#),
    );
    check(
        &AnswerCall::new("7c41a0e200020100", "1002").login_name("oxe1002"),
        Method::POST,
        T,
        "/calls/7c41a0e200020100/answer?loginName=oxe1002",
        Some(r#"{"deviceId":"1002"}"#),
    );
    check(
        &ReleaseCall::new(R1).login_name("oxe1001"),
        Method::DELETE,
        T,
        "/calls/7c41a0e200010100?loginName=oxe1001",
        None,
    );
    check(
        &BlindTransfer::new(R1, "1003").login_name("oxe1001"),
        Method::POST,
        T,
        "/calls/7c41a0e200010100/blindtransfer?loginName=oxe1001",
        Some(r#"{"transferTo":"1003","anonymous":false}"#),
    );
    check(
        &TransferCall::new("enq", "held-1002"),
        Method::POST,
        T,
        "/calls/enq/transfer",
        Some(r#"{"heldCallRef":"held-1002"}"#),
    );
}

#[test]
fn basic_call_requests() {
    check(
        &BasicMakeCall::new("1001", "1002").auto_answer(false),
        Method::POST,
        T,
        "/basicCall",
        Some(r#"{"deviceId":"1001","callee":"1002","autoAnswer":false}"#),
    );
    check(
        &BasicAnswerCall::new("1002"),
        Method::POST,
        T,
        "/basicCall/answer",
        Some(r#"{"deviceId":"1002"}"#),
    );
    check(
        &BasicDropMe::new().login_name("oxe1001"),
        Method::POST,
        T,
        "/basicCall/dropme?loginName=oxe1001",
        None,
    );
}

#[test]
fn make_call_optional_fields() {
    let ep = MakeCall::new("1001", "+33 1 23")
        .auto_answer(false)
        .inhibit_progress_tone(true)
        .associated_data("ctx")
        .calling_number("5000")
        .private("1234", "9999")
        .business_code("77")
        .acd_call(AcdCall::to_pilot(
            true,
            Some(CallSkills::new(vec![CallSkill::new(3, 2, true)])),
        ));
    check(
        &ep,
        Method::POST,
        T,
        "/calls",
        Some(concat!(
            r#"{"deviceId":"1001","callee":"+33 1 23","autoAnswer":false,"inhibitProgressTone":true,"#,
            r#""associatedData":"ctx","callingNumber":"5000","pin":"1234","secretCode":"9999","#,
            r#""businessCode":"77","acdCall":{"supervisedTransfer":true,"skills":{"skills":"#,
            r#"[{"skillNumber":3,"expertEvalLevel":2,"acrStatus":true}]}}}"#
        )),
    );
    check(
        &MakeCall::new("1001", "2000")
            .hexa_binary_associated_data("0a0b")
            .acd_call(AcdCall::to_supervisor()),
        Method::POST,
        T,
        "/calls",
        Some(concat!(
            r#"{"deviceId":"1001","callee":"2000","autoAnswer":true,"#,
            r#""hexaBinaryAssociatedData":"0a0b","acdCall":{"callToSupervisor":true}}"#
        )),
    );
}

#[test]
fn per_call_requests() {
    let l = "?loginName=oxe1001";
    let p = |tail: &str| format!("/calls/{R1}{tail}{l}");
    check(
        &GetCalls::new().login_name("oxe1001"),
        Method::GET,
        T,
        &format!("/calls{l}"),
        None,
    );
    check(
        &GetCall::new(R1).login_name("oxe1001"),
        Method::GET,
        T,
        &p(""),
        None,
    );
    check(
        &HoldCall::new(R1, "1001").login_name("oxe1001"),
        Method::POST,
        T,
        &p("/hold"),
        Some(r#"{"deviceId":"1001"}"#),
    );
    check(
        &RetrieveCall::new(R1, "1001").login_name("oxe1001"),
        Method::POST,
        T,
        &p("/retrieve"),
        Some(r#"{"deviceId":"1001"}"#),
    );
    check(
        &AlternateCall::new(R1, "1001").login_name("oxe1001"),
        Method::POST,
        T,
        &p("/alternate"),
        Some(r#"{"deviceId":"1001"}"#),
    );
    check(
        &ReconnectCall::new(R1, "1001", "enq2").login_name("oxe1001"),
        Method::POST,
        T,
        &p("/reconnect"),
        Some(r#"{"deviceId":"1001","enquiryCallRef":"enq2"}"#),
    );
    check(
        &MergeCall::new(R1, "held").login_name("oxe1001"),
        Method::POST,
        T,
        &p("/merge"),
        Some(r#"{"heldCallRef":"held"}"#),
    );
    check(
        &RedirectCall::new(R1, "1003")
            .anonymous(true)
            .login_name("oxe1001"),
        Method::POST,
        T,
        &p("/redirect"),
        Some(r#"{"redirectTo":"1003","anonymous":true}"#),
    );
    check(
        &ParkCall::new(R1).login_name("oxe1001"),
        Method::POST,
        T,
        &p("/park"),
        Some("{}"),
    );
    check(
        &ParkCall::new(R1).park_to("1005").login_name("oxe1001"),
        Method::POST,
        T,
        &p("/park"),
        Some(r#"{"parkTo":"1005"}"#),
    );
    check(
        &DropMe::new(R1).login_name("oxe1001"),
        Method::POST,
        T,
        &p("/dropme"),
        None,
    );
    check(
        &OverflowToVoiceMail::new(R1).login_name("oxe1001"),
        Method::POST,
        T,
        &p("/overflowToVoiceMail"),
        None,
    );
    check(
        &CallbackOnCall::new(R1).login_name("oxe1001"),
        Method::POST,
        T,
        &p("/callback"),
        None,
    );
    check(
        &SendDtmf::new(R1, "1001", "12#").login_name("oxe1001"),
        Method::POST,
        T,
        &p("/sendDtmf"),
        Some(r##"{"deviceId":"1001","number":"12#"}"##),
    );
    check(
        &SendAccountInfo::new(R1, "1001", "acc-7").login_name("oxe1001"),
        Method::POST,
        T,
        &p("/sendaccountinfo"),
        Some(r#"{"deviceId":"1001","accountInfo":"acc-7"}"#),
    );
    check(
        &AttachData::text(R1, "1001", "order 42").login_name("oxe1001"),
        Method::POST,
        T,
        &p("/attachdata"),
        Some(r#"{"deviceId":"1001","associatedData":"order 42"}"#),
    );
    check(
        &AttachData::hexa(R1, "1001", "00ff"),
        Method::POST,
        T,
        &format!("/calls/{R1}/attachdata"),
        Some(r#"{"deviceId":"1001","hexaBinaryAssociatedData":"00ff"}"#),
    );
    for (ep, action) in [
        (Recording::start(R1), "start"),
        (Recording::stop(R1), "stop"),
        (Recording::pause(R1), "pause"),
        (Recording::resume(R1), "resume"),
    ] {
        check(
            &ep.login_name("oxe1001"),
            Method::POST,
            T,
            &format!("/calls/{R1}/recording?action={action}&loginName=oxe1001"),
            None,
        );
    }
    check(
        &GetLegs::new(R1).login_name("oxe1001"),
        Method::GET,
        T,
        &p("/deviceLegs"),
        None,
    );
    check(
        &GetLeg::new(R1, "1001").login_name("oxe1001"),
        Method::GET,
        T,
        &p("/deviceLegs/1001"),
        None,
    );
    check(
        &GetParticipants::new(R1).login_name("oxe1001"),
        Method::GET,
        T,
        &p("/participants"),
        None,
    );
    check(
        &GetParticipant::new(R1, "1002").login_name("oxe1001"),
        Method::GET,
        T,
        &p("/participants/1002"),
        None,
    );
    check(
        &DropParticipant::new(R1, "1002").login_name("oxe1001"),
        Method::DELETE,
        T,
        &p("/participants/1002"),
        None,
    );
}

#[test]
fn path_segments_are_encoded() {
    check(
        &GetCall::new("a/b c").login_name("oxe 1001"),
        Method::GET,
        T,
        "/calls/a%2Fb%20c?loginName=oxe%201001",
        None,
    );
    check(
        &GetUser::new("jean.dupont@x"),
        Method::GET,
        ServiceKey::Users,
        "/jean.dupont%40x",
        None,
    );
}

#[test]
fn state_device_and_misc_telephony_requests() {
    check(&GetTelephonicState::new(), Method::GET, T, "/state", None);
    check(
        &RequestSnapshot::new().login_name("oxe1001"),
        Method::POST,
        T,
        "/state/snapshot?loginName=oxe1001",
        None,
    );
    check(&GetDeviceStates::new(), Method::GET, T, "/devices", None);
    check(
        &GetDeviceState::new("1001"),
        Method::GET,
        T,
        "/devices/1001",
        None,
    );
    check(
        &Pickup::new("1001", "ref9", "1002").auto_answer(true),
        Method::POST,
        T,
        "/devices/1001/pickup",
        Some(r#"{"otherCallRef":"ref9","otherPhoneNumber":"1002","autoAnswer":true}"#),
    );
    check(
        &Unpark::new("1001", "parked"),
        Method::POST,
        T,
        "/devices/1001/unpark",
        Some(r#"{"heldCallRef":"parked"}"#),
    );
    check(
        &Intrusion::new("1001"),
        Method::POST,
        T,
        "/devices/1001/intrusion",
        None,
    );
    check(
        &ToggleInterphony::new("1001"),
        Method::POST,
        T,
        "/devices/1001/ithmicro",
        None,
    );
    check(
        &DeskSharingLogOn::new("2001"),
        Method::POST,
        T,
        "/deskSharing",
        Some(r#"{"dssDeviceNumber":"2001"}"#),
    );
    check(
        &DeskSharingLogOff::new(),
        Method::DELETE,
        T,
        "/deskSharing",
        None,
    );
    check(
        &GetHuntingGroupStatus::new(),
        Method::GET,
        T,
        "/huntingGroupLogOn",
        None,
    );
    check(
        &HuntingGroupLogOn::new(),
        Method::POST,
        T,
        "/huntingGroupLogOn",
        None,
    );
    check(
        &HuntingGroupLogOff::new(),
        Method::DELETE,
        T,
        "/huntingGroupLogOn",
        None,
    );
    check(
        &JoinHuntingGroup::new("300"),
        Method::POST,
        T,
        "/huntingGroupMember/300",
        None,
    );
    check(
        &LeaveHuntingGroup::new("300"),
        Method::DELETE,
        T,
        "/huntingGroupMember/300",
        None,
    );
    check(
        &GetHuntingGroups::new(),
        Method::GET,
        T,
        "/huntingGroups",
        None,
    );
    check(
        &GetCallbacks::new(),
        Method::GET,
        T,
        "/incomingCallbacks",
        None,
    );
    check(
        &DeleteCallbacks::new(),
        Method::DELETE,
        T,
        "/incomingCallbacks",
        None,
    );
    check(
        &DeleteCallback::new("cb1"),
        Method::DELETE,
        T,
        "/incomingCallbacks/cb1",
        None,
    );
    check(
        &RequestCallback::new("1002"),
        Method::POST,
        T,
        "/outgoingCallbacks",
        Some(r#"{"callee":"1002"}"#),
    );
    check(
        &GetMiniMessage::new(),
        Method::GET,
        T,
        "/miniMessages",
        None,
    );
    check(
        &SendMiniMessage::new("1002", "call me"),
        Method::POST,
        T,
        "/miniMessages",
        Some(r#"{"recipient":"1002","message":"call me"}"#),
    );
    check(
        &GetPilotTransferInfo::new("1", "6000"),
        Method::POST,
        T,
        "/pilots/1/6000/transferInfo",
        None,
    );
    let mut body = TransferInfoRequest::default();
    body.agent_number = Some("4001".into());
    body.supervised_transfer = Some(false);
    check(
        &GetPilotTransferInfo::new("1", "6000")
            .body(body)
            .login_name("oxe1001"),
        Method::POST,
        T,
        "/pilots/1/6000/transferInfo?loginName=oxe1001",
        Some(r#"{"agentNumber":"4001","supervisedTransfer":false}"#),
    );
}

// ------------------------------------------------------------ other services

#[test]
fn users_requests() {
    check(
        &ListLogins::new(),
        Method::GET,
        ServiceKey::Logins,
        "",
        None,
    );
    check(
        &ListLogins::new()
            .node_ids(["1", "2"])
            .only_acd(true)
            .only_with_ext_login(true),
        Method::GET,
        ServiceKey::Logins,
        "?nodeIds=1;2&onlyACD&onlyWithExtLogin",
        None,
    );
    check(
        &GetUser::new("oxe1001"),
        Method::GET,
        ServiceKey::Users,
        "/oxe1001",
        None,
    );
    check(
        &GetUserByPhone::new("1001"),
        Method::GET,
        ServiceKey::Users,
        "?companyPhone=1001",
        None,
    );
    check(
        &GetPreferences::new("oxe1001"),
        Method::GET,
        ServiceKey::Users,
        "/oxe1001/preferences",
        None,
    );
    check(
        &GetSupportedLanguages::new("oxe1001"),
        Method::GET,
        ServiceKey::Users,
        "/oxe1001/preferences/supportedLanguages",
        None,
    );
    let change = ChangePassword::new("oxe1001", "old-pw", "new-pw");
    check(
        &change,
        Method::PUT,
        ServiceKey::Users,
        "/oxe1001/password",
        Some(r#"{"oldPassword":"old-pw","newPassword":"new-pw"}"#),
    );
    let shown = format!("{change:?}");
    assert!(
        !shown.contains("old-pw") && !shown.contains("new-pw"),
        "{shown}"
    );
}

#[test]
fn routing_requests() {
    let r = ServiceKey::Routing;
    check(
        &GetRoutingCapabilities::new(),
        Method::GET,
        r.clone(),
        "",
        None,
    );
    check(
        &SetRemoteExtension::new(true).login_name("oxe1001"),
        Method::POST,
        r.clone(),
        "?loginName=oxe1001",
        Some(r#"{"presentationRoutes":[{"destinations":[{"type":"MOBILE","selected":true}]}]}"#),
    );
    check(
        &GetRoutingState::new(),
        Method::GET,
        r.clone(),
        "/state",
        None,
    );
    check(
        &RequestRoutingSnapshot::new(),
        Method::POST,
        r.clone(),
        "/state/snapshot",
        None,
    );
    check(&GetDnd::new(), Method::GET, r.clone(), "/dnd", None);
    check(
        &SetDnd::new().login_name("oxe1001"),
        Method::POST,
        r.clone(),
        "/dnd?loginName=oxe1001",
        None,
    );
    check(&CancelDnd::new(), Method::DELETE, r.clone(), "/dnd", None);
    check(
        &GetForward::new(),
        Method::GET,
        r.clone(),
        "/forwardroute",
        None,
    );
    check(
        &SetForward::to_voicemail(None),
        Method::POST,
        r.clone(),
        "/forwardroute",
        Some(r#"{"forwardRoute":{"destinations":[{"type":"VOICEMAIL"}]}}"#),
    );
    check(
        &SetForward::to_number("1003", Some(ForwardType::BusyNoAnswer)).login_name("oxe1001"),
        Method::POST,
        r.clone(),
        "/forwardroute?loginName=oxe1001",
        Some(
            r#"{"forwardRoute":{"forwardType":"BUSY_NO_ANSWER","destinations":[{"type":"NUMBER","number":"1003"}]}}"#,
        ),
    );
    check(
        &CancelForward::new(),
        Method::DELETE,
        r.clone(),
        "/forwardroute",
        None,
    );
    check(
        &GetOverflow::new(),
        Method::GET,
        r.clone(),
        "/overflowroute",
        None,
    );
    check(
        &SetOverflow::to_voicemail(Some(OverflowType::BusyNoAnswer)),
        Method::POST,
        r.clone(),
        "/overflowroute",
        Some(
            r#"{"overflowRoutes":[{"overflowType":"BUSY_NO_ANSWER","destinations":[{"type":"VOICEMAIL"}]}]}"#,
        ),
    );
    check(
        &CancelOverflow::new(),
        Method::DELETE,
        r,
        "/overflowroute",
        None,
    );
}

#[test]
fn eventsummary_and_maintenance_requests() {
    check(
        &GetEventSummary::new().login_name("oxe1001"),
        Method::GET,
        ServiceKey::EventSummary,
        "?loginName=oxe1001",
        None,
    );
    check(
        &GetSystemStatus::new(),
        Method::GET,
        ServiceKey::Maintenance,
        "/status",
        None,
    );
}

#[test]
fn directory_requests() {
    let d = ServiceKey::Directory;
    let filter = Criteria::or(vec![
        Criteria::field(SearchField::LastName, SearchOperation::BeginWith, "Mar"),
        Criteria::and(vec![
            Criteria::field(
                SearchField::FirstName,
                SearchOperation::EqualIgnoreCase,
                "bruno",
            ),
            Criteria::field(SearchField::PhoneNumber, SearchOperation::EndWith, "02"),
        ]),
    ]);
    check(
        &DirectorySearch::new(filter).limit(20),
        Method::POST,
        d.clone(),
        "/search",
        Some(concat!(
            r#"{"limit":20,"filter":{"operation":"OR","operand":["#,
            r#"{"field":"lastName","operation":"BEGIN_WITH","operand":"Mar"},"#,
            r#"{"operation":"AND","operand":["#,
            r#"{"field":"firstName","operation":"EQUAL_IGNORE_CASE","operand":"bruno"},"#,
            r#"{"field":"id.phoneNumber","operation":"END_WITH","operand":"02"}]}]}}"#
        )),
    );
    check(
        &DirectorySearch::new(Criteria::field(
            SearchField::LoginName,
            SearchOperation::Contain,
            "oxe",
        )),
        Method::POST,
        d.clone(),
        "/search",
        Some(r#"{"filter":{"field":"id.loginName","operation":"CONTAIN","operand":"oxe"}}"#),
    );
    check(
        &GetSearchResults::new(),
        Method::GET,
        d.clone(),
        "/search",
        None,
    );
    check(&CancelSearch::new(), Method::DELETE, d, "/search", None);
}

#[test]
fn comlog_requests() {
    let c = ServiceKey::Comlog;
    check(&GetComRecords::new(), Method::GET, c.clone(), "", None);
    let mut f = ComlogFilter::default();
    f.after_date = Some("2025-01-15T09:00:00Z".into());
    f.unanswered = true;
    f.unacknowledged = true;
    f.role = Some(Role::Callee);
    f.remote_party_id = Some("oxe1002".into());
    check(
        &GetComRecords::new()
            .filter(f.clone())
            .page(10, 5)
            .optimized(true)
            .login_name("oxe1001"),
        Method::GET,
        c.clone(),
        concat!(
            "?afterDate=2025-01-15T09%3A00%3A00Z&unanswered=true&unacknowledged=true",
            "&role=CALLEE&remotePartyId=oxe1002&offset=10&limit=5&optimized=true&loginName=oxe1001"
        ),
        None,
    );
    check(&GetComRecord::new(42), Method::GET, c.clone(), "/42", None);
    check(
        &DeleteComRecord::new(42),
        Method::DELETE,
        c.clone(),
        "/42",
        None,
    );
    check(
        &DeleteComRecords::ids(vec![1, 2, 3]),
        Method::DELETE,
        c.clone(),
        "?recordIdList=1,2,3",
        None,
    );
    check(
        &DeleteComRecords::matching(f),
        Method::DELETE,
        c.clone(),
        concat!(
            "?afterDate=2025-01-15T09%3A00%3A00Z&unanswered=true&unacknowledged=true",
            "&role=CALLEE&remotePartyId=oxe1002"
        ),
        None,
    );
    check(
        &AcknowledgeComRecords::new(vec![7, 8]),
        Method::PUT,
        c.clone(),
        "?acknowledge=true",
        Some(r#"{"recordIds":[7,8]}"#),
    );
    check(
        &AcknowledgeComRecords::unacknowledge(vec![7]).login_name("oxe1001"),
        Method::PUT,
        c,
        "?acknowledge=false&loginName=oxe1001",
        Some(r#"{"recordIds":[7]}"#),
    );
}

#[test]
fn messaging_requests() {
    let m = ServiceKey::Messaging;
    check(&GetMailboxes::new(), Method::GET, m.clone(), "", None);
    let connect = ConnectMailbox::with_password("mb1", "s3cret");
    check(
        &connect,
        Method::POST,
        m.clone(),
        "/mb1",
        Some(r#"{"password":"s3cret"}"#),
    );
    assert!(!format!("{connect:?}").contains("s3cret"));
    check(
        &ConnectMailbox::with_user_password("mb1").login_name("oxe1001"),
        Method::POST,
        m.clone(),
        "/mb1?withUserPwd&loginName=oxe1001",
        None,
    );
    check(
        &GetVoiceMessages::new("mb1").new_only(true).page(0, 20),
        Method::GET,
        m.clone(),
        "/mb1/voicemails?newOnly=true&offset=0&limit=20",
        None,
    );
    check(
        &DownloadVoiceMessage::new("mb1", "vm7"),
        Method::GET,
        m.clone(),
        "/mb1/voicemails/vm7",
        None,
    );
    check(
        &DeleteVoiceMessages::new("mb1", ["a", "b"]),
        Method::DELETE,
        m.clone(),
        "/mb1/voicemails?msgIds=a;b",
        None,
    );
    check(
        &DeleteVoiceMessage::new("mb1", "vm7"),
        Method::DELETE,
        m,
        "/mb1/voicemails/vm7",
        None,
    );
}

// ------------------------------------------------------------------ answers

#[test]
fn commands_accept_any_2xx() {
    for status in [200, 201, 204] {
        assert_eq!(
            MakeCall::new("1001", "1002").decode(answer(status, "")),
            Ok(())
        );
        assert_eq!(
            BasicMakeCall::new("1001", "1002").decode(answer(status, "")),
            Ok(())
        );
        assert_eq!(SetDnd::new().decode(answer(status, "")), Ok(()));
    }
    assert_eq!(ReleaseCall::new(R1).decode(answer(204, "")), Ok(()));
}

#[test]
fn error_body_of_section_5_is_typed() {
    let body = r#"{
      "httpStatus": "BAD_REQUEST",
      "code": 400,
      "helpMessage": "Invalid call reference",
      "type": "TELEPHONY",
      "innerMessage": "inner",
      "canRetry": false,
      "telephony": { "errorType": "CALL_REFERENCE_NOT_FOUND", "errorCause": "INVALID_CALL_ID", "message": "no such call" },
      "routing":   { "errorType": "BAD_PARAMETER_VALUE", "errorCause": "BAD_PHONE_NUMBER_FORMAT", "message": "bad number" },
      "userPreferences": { "userPreferencesErrorTypeDTO": "WRONG_VALUE", "userPreferencesParameterDTO": "GUI_LANGUAGE" }
    }"#;
    let err = AnswerCall::new("bad", "1001")
        .decode(answer(400, body))
        .expect_err("400");
    assert_eq!(err.status(), Some(StatusCode::BAD_REQUEST));
    let ApiError::Status { error: Some(e), .. } = &err else {
        panic!("no error body: {err:?}");
    };
    assert_eq!(e.http_status.as_deref(), Some("BAD_REQUEST"));
    assert_eq!(e.code, Some(400));
    assert_eq!(e.help_message.as_deref(), Some("Invalid call reference"));
    assert_eq!(e.kind.as_deref(), Some("TELEPHONY"));
    assert_eq!(e.inner_message.as_deref(), Some("inner"));
    assert!(!e.can_retry);
    let t = e.telephony.as_ref().expect("telephony");
    assert_eq!(t.error_type.as_deref(), Some("CALL_REFERENCE_NOT_FOUND"));
    assert_eq!(t.error_cause.as_deref(), Some("INVALID_CALL_ID"));
    let r = e.routing.as_ref().expect("routing");
    assert_eq!(r.error_cause.as_deref(), Some("BAD_PHONE_NUMBER_FORMAT"));
    let u = e.user_preferences.as_ref().expect("userPreferences");
    assert_eq!(u.error_type.as_deref(), Some("WRONG_VALUE"));
    assert_eq!(u.parameter.as_deref(), Some("GUI_LANGUAGE"));
    assert!(
        err.to_string().contains("CALL_REFERENCE_NOT_FOUND"),
        "{err}"
    );
}

#[test]
fn error_bodies_that_are_empty_or_not_json_are_tolerated() {
    for body in ["", "<html>Service Unavailable</html>", "{not json"] {
        let err = GetCalls::new().decode(answer(503, body)).expect_err("503");
        assert_eq!(
            err,
            ApiError::Status {
                status: StatusCode::SERVICE_UNAVAILABLE,
                error: None
            }
        );
    }
    let err = GetUser::new("nobody")
        .decode(answer(404, ""))
        .expect_err("404");
    assert_eq!(err.status(), Some(StatusCode::NOT_FOUND));
    assert!(
        SetDnd::new()
            .decode(answer(401, ""))
            .expect_err("401")
            .is_auth()
    );
}

#[test]
fn a_bad_success_body_is_a_decode_error() {
    let err = GetCalls::new()
        .decode(answer(200, "[1,2]"))
        .expect_err("bad");
    assert!(
        matches!(
            err,
            ApiError::Decode {
                what: "call list",
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn logins_and_users_answers() {
    let logins = decode(
        &ListLogins::new(),
        r#"{"loginNames":["oxe1001","oxe1002"]}"#,
    );
    assert_eq!(logins, ["oxe1001", "oxe1002"]);

    let body = r#"{"companyPhone":"1001","firstName":"Alice","lastName":"Martin","loginName":"oxe1001",
        "voicemail":{"number":"8000","type":"VM_4635"},
        "devices":[{"type":"DESKPHONE","id":"1001","subType":"ALE-500"},{"type":"SOFTPHONE","id":"1101"}],
        "nodeId":"1","externalLogin":"alice","emailAddress":"alice@example.test"}"#;
    let user = decode(&GetUser::new("oxe1001"), body);
    assert_eq!(user.login_name, "oxe1001");
    assert_eq!(user.company_phone, "1001");
    assert_eq!(user.node_id, "1");
    assert_eq!(user.devices.len(), 2);
    assert_eq!(user.devices[0].kind, DeviceType::Deskphone);
    assert_eq!(user.devices[0].sub_type.as_deref(), Some("ALE-500"));
    let vm = user.voicemail.as_ref().expect("voicemail");
    assert_eq!(vm.kind, VoicemailType::Vm4635);
    assert_eq!(user.email_address.as_deref(), Some("alice@example.test"));
    assert_eq!(decode(&GetUserByPhone::new("1001"), body), user);

    let prefs = decode(
        &GetPreferences::new("oxe1001"),
        r#"{"guiLanguage":"en","oxeLanguage":"fr"}"#,
    );
    assert_eq!(prefs.gui_language.as_deref(), Some("en"));
    assert_eq!(prefs.oxe_language.as_deref(), Some("fr"));
    let langs = decode(
        &GetSupportedLanguages::new("oxe1001"),
        r#"{"supportedLanguages":["fr","en"],"supportedGuiLanguages":["en"]}"#,
    );
    assert_eq!(langs.supported_languages, ["fr", "en"]);
    assert_eq!(langs.supported_gui_languages, ["en"]);
}

#[test]
fn telephony_answers() {
    let call = r#"{"callRef":"7c41a0e200010100","callData":{"callUUID":"5d0b7f2a","state":"ACTIVE","tags":[],
        "capabilities":{"addMedias":[],"terminate":true,"transfer":true}},
        "legs":[{"deviceId":"1001","media":"AUDIO","state":"ACTIVE","capabilities":{"drop":true,"hold":true}}],
        "participants":[{"participantId":"1002","identity":{"id":{"loginName":"oxe1002","phoneNumber":"1002"},
          "firstName":"Bruno","lastName":"Petit","type":{"main":"USER"}}}]}"#;
    let calls = decode(&GetCalls::new(), &format!(r#"{{"calls":[{call}]}}"#));
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].call_ref, "7c41a0e200010100");
    assert_eq!(calls[0].call_data.state, MediaState::Active);
    assert_eq!(calls[0].legs[0].device_id, "1001");
    assert_eq!(calls[0].participants[0].participant_id, "1002");
    assert_eq!(decode(&GetCall::new(R1), call), calls[0]);
    assert!(decode(&GetCalls::new(), r#"{"calls":[]}"#).is_empty());

    let legs = decode(
        &GetLegs::new(R1),
        r#"{"legs":[{"deviceId":"1001","state":"HELD","capabilities":{"retrieve":true}}]}"#,
    );
    assert_eq!(legs[0].state, MediaState::Held);
    let leg = decode(
        &GetLeg::new(R1, "1001"),
        r#"{"deviceId":"1001","state":"RINGING_INCOMING"}"#,
    );
    assert_eq!(leg.state, MediaState::RingingIncoming);
    let parts = decode(
        &GetParticipants::new(R1),
        r#"{"participants":[{"participantId":"1002","identity":{"id":{"phoneNumber":"1002"}}}]}"#,
    );
    assert_eq!(parts[0].identity.id.phone_number.as_deref(), Some("1002"));
    let part = decode(
        &GetParticipant::new(R1, "1002"),
        r#"{"participantId":"1002","identity":{"id":{"phoneNumber":"1002"}}}"#,
    );
    assert_eq!(part, parts[0]);

    let state = decode(
        &GetTelephonicState::new(),
        &format!(
            r#"{{"calls":[{call}],"deviceCapabilities":[{{"deviceId":"1001","makeCall":true}}],
            "userState":"BUSY","deviceStates":{{"deviceStates":[{{"deviceId":"1001","state":"IN_SERVICE"}}]}}}}"#
        ),
    );
    assert_eq!(state.calls.len(), 1);
    assert_eq!(state.user_state, Some(UserState::Busy));
    let nested = state.device_states.as_ref().expect("deviceStates");
    assert_eq!(nested.device_states[0].state, OperationalState::InService);

    let devices = decode(
        &GetDeviceStates::new(),
        r#"{"deviceStates":[{"deviceId":"1001","state":"IN_SERVICE"},{"deviceId":"1101","state":"OUT_OF_SERVICE"}]}"#,
    );
    assert_eq!(devices.len(), 2);
    assert_eq!(devices[1].state, OperationalState::OutOfService);
    let device = decode(
        &GetDeviceState::new("1001"),
        r#"{"deviceId":"1001","state":"BROKEN"}"#,
    );
    assert_eq!(device.state, OperationalState::Other("BROKEN".into()));

    assert!(decode(&GetHuntingGroupStatus::new(), r#"{"logon":true}"#).logon);
    assert!(!decode(&GetHuntingGroupStatus::new(), "{}").logon);
    let hg = decode(
        &GetHuntingGroups::new(),
        r#"{"hgList":["300","301"],"currentHg":"300"}"#,
    );
    assert_eq!(hg.hg_list, ["300", "301"]);
    assert_eq!(hg.current_hg.as_deref(), Some("300"));

    let cbs = decode(
        &GetCallbacks::new(),
        r#"{"callbacks":[{"callbackId":"cb1","partyInfo":{"id":{"phoneNumber":"1002"},"lastName":"Petit"}}]}"#,
    );
    assert_eq!(cbs[0].callback_id, "cb1");
    let party = cbs[0].party_info.as_ref().expect("partyInfo");
    assert_eq!(party.last_name.as_deref(), Some("Petit"));

    let pilot = decode(
        &GetPilotTransferInfo::new("1", "6000"),
        r#"{"number":"6000","waitingTime":12,"saturation":false,"supervisedTransfer":true,
            "pilotTransferInfo":{"transferPossible":true,"pilotStatus":"OPEN"}}"#,
    );
    assert_eq!(pilot.number.as_deref(), Some("6000"));
    assert_eq!(pilot.waiting_time, Some(12));
    assert!(pilot.supervised_transfer && !pilot.saturation);
    let info = pilot
        .pilot_transfer_info
        .as_ref()
        .expect("pilotTransferInfo");
    assert!(info.transfer_possible);
    assert_eq!(info.pilot_status, Some(PilotStatus::Open));
}

#[test]
fn mini_message_accepts_both_date_keys() {
    let majority = decode(
        &GetMiniMessage::new(),
        r#"{"sender":"1002","dateTime":"2025-01-15T09:10:00Z","message":"call me"}"#,
    );
    let java = decode(
        &GetMiniMessage::new(),
        r#"{"sender":"1002","date":"2025-01-15T09:10:00Z","message":"call me"}"#,
    );
    assert_eq!(majority, java);
    assert_eq!(majority.date_time.as_deref(), Some("2025-01-15T09:10:00Z"));
    assert_eq!(
        serde_json::to_string(&majority).expect("json"),
        r#"{"sender":"1002","dateTime":"2025-01-15T09:10:00Z","message":"call me"}"#
    );
}

#[test]
fn attach_data_accepts_both_associated_data_keys() {
    let a: AttachDataRequest =
        serde_json::from_str(r#"{"deviceId":"1001","associateData":"x"}"#).expect("java key");
    let b: AttachDataRequest =
        serde_json::from_str(r#"{"deviceId":"1001","associatedData":"x"}"#).expect("majority");
    assert_eq!(a, b);
    assert_eq!(a.associated_data.as_deref(), Some("x"));
}

#[test]
fn routing_answers() {
    let state = decode(
        &GetRoutingState::new(),
        r#"{"presentationRoutes":[{"destinations":[{"type":"MOBILE","selected":true}]}],
            "forwardRoutes":[{"forwardType":"BUSY","destinations":[{"type":"NUMBER","number":"1003"}]}],
            "overflowRoutes":[{"overflowType":"NO_ANSWER","destinations":[{"type":"VOICEMAIL"}]}],
            "dndState":{"activate":true}}"#,
    );
    assert_eq!(
        state.presentation_routes[0].destinations[0].kind,
        DestinationType::Mobile
    );
    assert!(state.presentation_routes[0].destinations[0].selected);
    assert_eq!(
        state.forward_routes[0].forward_type,
        Some(ForwardType::Busy)
    );
    assert_eq!(
        state.forward_routes[0].destinations[0].number.as_deref(),
        Some("1003")
    );
    assert_eq!(
        state.overflow_routes[0].overflow_type,
        Some(OverflowType::NoAnswer)
    );
    assert!(state.dnd_state.as_ref().expect("dnd").activate);

    let caps = decode(
        &GetRoutingCapabilities::new(),
        r#"{"presentationRoute":true,"forwardRoute":true,"overflowRoute":false,"dnd":true}"#,
    );
    assert!(caps.presentation_route && caps.forward_route && caps.dnd && !caps.overflow_route);
    assert!(decode(&GetDnd::new(), r#"{"activate":true}"#).activate);
    let fwd = decode(
        &GetForward::new(),
        r#"{"destinations":[{"type":"VOICEMAIL"}]}"#,
    );
    assert_eq!(fwd.forward_type, None);
    assert_eq!(fwd.destinations[0].kind, DestinationType::Voicemail);
    let ovf = decode(
        &GetOverflow::new(),
        r#"{"overflowType":"BUSY_NO_ANSWER","destinations":[{"type":"ASSOCIATE"}]}"#,
    );
    assert_eq!(ovf.destinations[0].kind, DestinationType::Associate);
}

#[test]
fn event_summary_answer() {
    // The counters of §7(c).
    let s = decode(
        &GetEventSummary::new(),
        r#"{"missedCallsNb":2,"voiceMessagesNb":1,"callBackRequestsNb":0,"faxNb":0,"newTextNb":0,"oldTextNb":0,"eventWaiting":true}"#,
    );
    assert_eq!(s.missed_calls_nb, 2);
    assert_eq!(s.voice_messages_nb, 1);
    assert!(s.event_waiting);
    let empty = decode(&GetEventSummary::new(), "{}");
    assert_eq!(empty, EventSummary::default());
}

#[test]
fn directory_answers() {
    let r = decode(
        &GetSearchResults::new(),
        r#"{"resultCode":"OK","resultElements":[{"contacts":[
            {"id":{"loginName":"oxe1002","phoneNumber":"1002"},"firstName":"Bruno","lastName":"Petit"}]}]}"#,
    );
    assert_eq!(r.result_code, SearchResultCode::Ok);
    assert_eq!(
        r.result_elements[0].contacts[0].id.login_name.as_deref(),
        Some("oxe1002")
    );
    let done = decode(&GetSearchResults::new(), r#"{"resultCode":"FINISH"}"#);
    assert_eq!(done.result_code, SearchResultCode::Finish);
    assert!(done.result_elements.is_empty());
    assert_eq!(decode(&DirectorySearch::new(Criteria::and(vec![])), ""), ());
}

const RECORD: &str = r#"{"recordId":42,"comRef":"7c41a0e200010100","acknowledged":true,
    "participants":[{"role":"CALLER","answered":true,"identity":{"id":{"loginName":"oxe1001","phoneNumber":"1001"}}},
                    {"role":"CALLEE","identity":{"id":{"phoneNumber":"1002"}},"reason":"NORMAL"}],
    "beginDate":"2025-01-15T09:00:00Z","endDate":"2025-01-15T09:05:00Z"}"#;

#[test]
fn comlog_answers_in_both_variants() {
    let majority = decode(
        &GetComRecords::new(),
        &format!(r#"{{"offset":0,"limit":10,"totalCount":1,"comHistoryRecords":[{RECORD}]}}"#),
    );
    let java = decode(
        &GetComRecords::new(),
        &format!(r#"{{"offset":0,"limit":10,"count":1,"records":[{RECORD}]}}"#),
    );
    assert_eq!(majority, java);
    assert_eq!(majority.total_count, Some(1));
    let rec = &majority.com_history_records[0];
    assert_eq!(rec.record_id, 42);
    assert!(rec.acknowledged);
    assert_eq!(rec.participants.len(), 2);
    assert_eq!(rec.participants[0].role, Some(Role::Caller));
    assert_eq!(decode(&GetComRecord::new(42), RECORD), *rec);
    let written = serde_json::to_string(&majority).expect("json");
    assert!(written.contains(r#""totalCount":1"#) && written.contains("comHistoryRecords"));
    assert!(
        decode(&GetComRecords::new(), "{}")
            .com_history_records
            .is_empty()
    );
}

#[test]
fn messaging_answers() {
    let boxes = decode(
        &GetMailboxes::new(),
        r#"{"mailboxes":[{"id":"mb1","name":"Alice","capabilities":{"listMessages":true,"getMessages":true,
            "getRecord":true,"play":false,"pause":false,"hangup":false,"record":false,"resume":false,
            "cancel":false,"forward":false,"callback":true,"send":false,"events":true}}]}"#,
    );
    assert_eq!(boxes.len(), 1);
    assert_eq!(boxes[0].id, "mb1");
    let caps = boxes[0].capabilities.as_ref().expect("capabilities");
    assert!(caps.list_messages && caps.get_record && caps.callback && caps.events);
    assert!(!caps.play && !caps.send);

    let info = decode(
        &ConnectMailbox::with_user_password("mb1"),
        r#"{"totalVoiceMsg":3,"newVoiceMsg":1,"storageUsage":12.5}"#,
    );
    assert_eq!(info.total_voice_msg, 3);
    assert_eq!(info.new_voice_msg, 1);
    assert_eq!(info.storage_usage, Some(12.5));

    let vms = decode(
        &GetVoiceMessages::new("mb1"),
        r#"{"voicemails":[{"voicemailId":"vm7","from":{"id":{"phoneNumber":"1002"}},"duration":14,
            "date":"2025-01-15T09:00:00Z","unread":true,"highPriority":false}]}"#,
    );
    assert_eq!(vms[0].voicemail_id, "vm7");
    assert_eq!(vms[0].duration, 14);
    assert!(vms[0].unread && !vms[0].high_priority);

    let mut headers = HeaderMap::new();
    headers.insert(
        http::header::CONTENT_DISPOSITION,
        HeaderValue::from_static(r#"attachment; filename="vm7.wav""#),
    );
    let wav = Bytes::from_static(b"RIFF\0\0\0\0WAVE");
    let file = DownloadVoiceMessage::new("mb1", "vm7")
        .decode(ApiResponse::new(StatusCode::OK, headers, wav.clone()))
        .expect("file");
    assert_eq!(file.file_name.as_deref(), Some("vm7.wav"));
    assert_eq!(file.data, wav);
    let bare = DownloadVoiceMessage::new("mb1", "vm7")
        .decode(answer(200, "RIFF"))
        .expect("file");
    assert_eq!(bare.file_name, None);
}

#[test]
fn system_status_answer() {
    let s = decode(
        &GetSystemStatus::new(),
        r#"{"logicalAddress":{"fqdn":"o2g.example.test","ip":"10.1.1.10"},"startDate":"2025-01-15T08:00:00Z",
        "ha":false,"primary":"o2g.example.test","primaryVersion":"2.7.5",
        "primaryServicesStatus":{"services":[{"name":"o2g","status":"running","mode":"active"}],"globalIPAdress":"up","drbd":"ok"},
        "pbxs":[{"name":"OXE1","nodeId":1,"mainAddress":{"fqdn":"oxe1.example.test","ip":"10.1.1.20"},
                 "version":"M4.501","connected":true,"loaded":true,"ctiLinkState":"CONNECTED_MAIN",
                 "secured":false,"monitoredUserNumber":3},
                {"name":"OXE2","nodeId":"2","ctiLinkState":"RECONNECTING"}],
        "license":{"type":"LMS","context":"prod","currentServer":"lms.example.test","status":"OK",
                   "statusMessage":"fine","lics":[{"name":"TEL","total":100,"currentUsed":3,"expiration":"2026-01-01"}]},
        "configurationType":"FULL_SERVICES","applicationId":"app-1","subscriberFilter":"ALL"}"#,
    );
    let addr = s.logical_address.as_ref().expect("logicalAddress");
    assert_eq!(addr.ip.as_deref(), Some("10.1.1.10"));
    assert!(!s.ha);
    let services = s.primary_services_status.as_ref().expect("services");
    assert_eq!(services.services[0].status.as_deref(), Some("running"));
    assert_eq!(services.global_ip_address.as_deref(), Some("up"));
    assert_eq!(s.pbxs.len(), 2);
    assert_eq!(s.pbxs[0].node_id, "1");
    assert_eq!(s.pbxs[1].node_id, "2");
    assert!(s.pbxs[0].connected && s.pbxs[0].loaded);
    assert_eq!(s.pbxs[0].cti_link_state, Some(CtiLinkState::ConnectedMain));
    assert_eq!(
        s.pbxs[1].cti_link_state,
        Some(CtiLinkState::Other("RECONNECTING".into()))
    );
    assert_eq!(s.pbxs[0].monitored_user_number, 3);
    let lic = s.license.as_ref().expect("license");
    assert_eq!(lic.kind, Some(LicenseType::Lms));
    assert_eq!(lic.lics[0].current_used, 3);
    assert_eq!(s.configuration_type, Some(ConfigurationType::FullServices));
    assert_eq!(s.subscriber_filter, Some(SubscriberFilter::All));

    // Serialized and read back, it is the same status.
    let again: SystemStatus =
        serde_json::from_str(&serde_json::to_string(&s).expect("json")).expect("read back");
    assert_eq!(again, s);
}

// ------------------------------------------------------------ serde identity

#[track_caller]
fn identity<T>(v: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_string(v).expect("serialize");
    let back: T = serde_json::from_str(&json).expect("deserialize");
    assert_eq!(&back, v, "{json}");
}

fn text() -> impl Strategy<Value = String> {
    "[ -~]{0,12}|[\\PC]{0,6}"
}

fn opt_text() -> impl Strategy<Value = Option<String>> {
    proptest::option::of(text())
}

fn skills() -> impl Strategy<Value = Option<CallSkills>> {
    proptest::option::of(
        proptest::collection::vec(
            (any::<i32>(), any::<i32>(), any::<bool>())
                .prop_map(|(n, l, a)| CallSkill::new(n, l, a)),
            0..3,
        )
        .prop_map(CallSkills::new),
    )
}

fn criteria() -> impl Strategy<Value = Criteria> {
    let field = prop_oneof![
        Just(SearchField::LastName),
        Just(SearchField::FirstName),
        Just(SearchField::PhoneNumber),
        Just(SearchField::LoginName),
        "[a-z]{1,8}".prop_map(|s| SearchField::from_name(&s)),
    ];
    let op = prop_oneof![
        Just(SearchOperation::EqualIgnoreCase),
        Just(SearchOperation::BeginWith),
        Just(SearchOperation::Contain),
        Just(SearchOperation::EndWith),
    ];
    let leaf = (field, op, text()).prop_map(|(f, o, v)| Criteria::field(f, o, v));
    leaf.prop_recursive(3, 16, 4, |inner| {
        (any::<bool>(), proptest::collection::vec(inner, 0..4)).prop_map(|(and, ops)| {
            if and {
                Criteria::and(ops)
            } else {
                Criteria::or(ops)
            }
        })
    })
}

proptest! {
    #[test]
    fn make_call_body_round_trips(
        device in text(), callee in text(), auto in any::<bool>(),
        inhibit in proptest::option::of(any::<bool>()),
        data in opt_text(), hexa in opt_text(), calling in opt_text(),
        pin in opt_text(), secret in opt_text(), business in opt_text(),
        acd in proptest::option::of((proptest::option::of(any::<bool>()), proptest::option::of(any::<bool>()), skills())),
    ) {
        let mut b = MakeCallRequest::new(device, callee, auto);
        b.inhibit_progress_tone = inhibit;
        b.associated_data = data;
        b.hexa_binary_associated_data = hexa;
        b.calling_number = calling;
        b.pin = pin.map(cti_core::Secret::new);
        b.secret_code = secret.map(cti_core::Secret::new);
        b.business_code = business;
        b.acd_call = acd.map(|(sup, transfer, skills)| {
            let mut a = AcdCall::to_pilot(false, skills);
            a.call_to_supervisor = sup;
            a.supervised_transfer = transfer;
            a
        });
        identity(&b);
    }

    #[test]
    fn call_control_bodies_round_trip(
        a in text(), b in text(), c in text(), flag in any::<bool>(), o in opt_text(),
    ) {
        identity(&BasicMakeCallRequest::new(a.clone(), b.clone(), flag));
        identity(&DeviceIdRequest::new(a.clone()));
        identity(&ReconnectRequest::new(a.clone(), b.clone()));
        identity(&HeldCallRequest::new(a.clone()));
        identity(&BlindTransferRequest::new(a.clone(), flag));
        identity(&RedirectRequest::new(a.clone(), flag));
        identity(&ParkRequest::new(o.clone()));
        identity(&SendDtmfRequest::new(a.clone(), b.clone()));
        identity(&SendAccountInfoRequest::new(a.clone(), b.clone()));
        identity(&AttachDataRequest::text(a.clone(), b.clone()));
        identity(&AttachDataRequest::hexa(a.clone(), c.clone()));
        identity(&PickupRequest::new(a.clone(), b.clone(), flag));
        identity(&DeskSharingRequest::new(a.clone()));
        identity(&CallbackRequest::new(a.clone()));
        identity(&MiniMessageRequest::new(a.clone(), b.clone()));
        identity(&ChangePasswordRequest::new(a.clone(), b.clone()));
        identity(&MailboxConnectRequest::new(c.clone()));
        identity(&RecordIdsRequest::new(vec![1, -2, i64::MAX]));
        identity(&SetRoutesRequest::remote_extension(flag));
        identity(&SetForwardRequest::new(o2g_api::types::routing::Destination::number(b.clone()), flag.then_some(ForwardType::NoAnswer)));
        identity(&SetOverflowRequest::new(o2g_api::types::routing::Destination::voicemail(), flag.then_some(OverflowType::Busy)));
    }

    #[test]
    fn transfer_info_body_round_trips(
        agent in opt_text(), s in skills(),
        prio in proptest::option::of(any::<bool>()), sup in proptest::option::of(any::<bool>()),
    ) {
        let mut b = TransferInfoRequest::default();
        b.agent_number = agent;
        b.skills = s;
        b.priority_transfer = prio;
        b.supervised_transfer = sup;
        identity(&b);
    }

    #[test]
    fn search_body_round_trips(filter in criteria(), limit in proptest::option::of(any::<u32>())) {
        identity(&SearchRequest::new(filter, limit));
    }
}

#[test]
fn criteria_rejects_mixed_shapes() {
    assert!(
        serde_json::from_str::<Criteria>(r#"{"field":"lastName","operation":"AND","operand":[]}"#)
            .is_err()
    );
    assert!(serde_json::from_str::<Criteria>(r#"{"operation":"AND","operand":"x"}"#).is_err());
    let c: Criteria =
        serde_json::from_str(r#"{"operation":"XOR","operand":[]}"#).expect("unknown op kept");
    assert_eq!(
        c,
        Criteria::Logical {
            operation: LogicalOperation::Other("XOR".into()),
            operands: vec![]
        }
    );
}

/// A login name or call reference cannot change a request's path: dot
/// segments and path parameters are encoded.
#[test]
fn path_segments_cannot_escape_their_place() {
    use o2g_api::codec::segment;
    use o2g_api::endpoints::users::{ChangePassword, GetUser};
    assert_eq!(segment(".."), "%2E%2E");
    assert_eq!(segment("."), "%2E");
    assert_eq!(segment("a;jsessionid=x"), "a%3Bjsessionid%3Dx");
    assert_eq!(segment("a/b"), "a%2Fb");
    assert_eq!(segment("oxe.1001"), "oxe.1001");
    assert_eq!(GetUser::new("..").request().path, "/%2E%2E");
    assert_eq!(
        ChangePassword::new("..", "a", "b").request().path,
        "/%2E%2E/password"
    );
    assert_eq!(GetUser::new("x;y").request().path, "/x%3By");
}
