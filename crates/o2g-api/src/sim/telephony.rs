//! `/api/rest/1.0/telephony/…`: the call-control requests, played on the
//! PBX model; the events they produce go to the subscriptions.

use std::sync::Arc;

use http::{Method, Response, StatusCode};

use crate::types::services::{
    BasicMakeCallRequest, BlindTransferRequest, CallList, DeviceIdRequest, HeldCallRequest,
    MakeCallRequest, RedirectRequest, SendDtmfRequest,
};
use crate::types::telephony::DeviceStateList;

use super::http::{
    Caller, Refusal, Req, acting_login, json, method_not_allowed, not_found, telephony_error,
};
use super::model::{self, OpError, Out};
use super::server::{Shared, SimBody, State};

/// Answers a telephony request (`rest` = the path after `/telephony`).
pub(crate) fn route(
    shared: &Arc<Shared>,
    st: &mut State,
    req: &Req,
    caller: &Caller,
    rest: &[&str],
) -> Response<SimBody> {
    let login = match acting_login(shared, req, caller) {
        Ok(l) => l,
        Err(r) => return *r,
    };
    let m = &req.method;
    let ringing_before = st.model.ringing_legs();
    let done = match (rest, m) {
        (["calls"], &Method::GET) => {
            return json(
                StatusCode::OK,
                &CallList {
                    calls: st.model.calls(&login),
                },
            );
        }
        (["calls"], &Method::POST) => match req.json::<MakeCallRequest>() {
            Ok(b) => st
                .model
                .make_call(&login, Some(&b.device_id), &b.callee)
                .map(|o| (o, StatusCode::NO_CONTENT)),
            Err(r) => return *r,
        },
        (["basicCall"], &Method::POST) => match req.json::<BasicMakeCallRequest>() {
            Ok(b) => st
                .model
                .make_call(&login, Some(&b.device_id), &b.callee)
                .map(|o| (o, StatusCode::CREATED)),
            Err(r) => return *r,
        },
        (["basicCall", "answer"], &Method::POST) => match st.model.ringing_call(&login) {
            Some(call_ref) => st
                .model
                .answer(&login, &call_ref)
                .map(|o| (o, StatusCode::NO_CONTENT)),
            None => Err(OpError::State("no ringing call")),
        },
        (["basicCall", "dropme"], &Method::POST) => {
            match st.model.calls(&login).first().map(|c| c.call_ref.clone()) {
                Some(call_ref) => st
                    .model
                    .release(&login, &call_ref)
                    .map(|o| (o, StatusCode::NO_CONTENT)),
                None => Err(OpError::State("no call")),
            }
        }
        (["calls", call_ref], &Method::GET) => {
            return match st.model.call(&login, call_ref) {
                Some(c) => json(StatusCode::OK, &c),
                None => op_error(&OpError::NoSuchCall),
            };
        }
        (["calls", call_ref], &Method::DELETE) | (["calls", call_ref, "dropme"], &Method::POST) => {
            st.model
                .release(&login, call_ref)
                .map(|o| (o, StatusCode::NO_CONTENT))
        }
        (["calls", call_ref, action], &Method::POST) => {
            match call_action(st, req, &login, call_ref, action) {
                Ok(r) => r.map(|o| (o, StatusCode::NO_CONTENT)),
                Err(resp) => return *resp,
            }
        }
        (["state"], &Method::GET) => {
            return json(StatusCode::OK, &st.model.telephonic_state(&login));
        }
        (["state", "snapshot"], &Method::POST) => {
            Ok((vec![st.model.snapshot(&login)], StatusCode::NO_CONTENT))
        }
        (["devices"], &Method::GET) => {
            return json(
                StatusCode::OK,
                &DeviceStateList::new(st.model.device_states(&login)),
            );
        }
        (["devices", device], &Method::GET) => {
            return match st
                .model
                .device_states(&login)
                .into_iter()
                .find(|d| d.device_id == *device)
            {
                Some(d) => json(StatusCode::OK, &d),
                None => telephony_error(
                    StatusCode::NOT_FOUND,
                    "BAD_PARAMETER_VALUE",
                    "INVALID_DEVICE",
                    "no such device",
                ),
            };
        }
        (["calls"] | ["state"] | ["devices"] | ["devices", _], _) => {
            return method_not_allowed("GET, POST");
        }
        (["calls", _], _) => return method_not_allowed("GET, DELETE"),
        (["calls", _, _] | ["basicCall"] | ["basicCall", _] | ["state", "snapshot"], _) => {
            return method_not_allowed("POST");
        }
        _ => return not_found("telephony resource not simulated"),
    };
    match done {
        Ok((events, status)) => {
            publish(shared, st, &events);
            for leg in st.model.ringing_legs() {
                if !ringing_before.contains(&leg) {
                    arm_no_answer(shared, leg);
                }
            }
            let mut r = Response::new(SimBody::empty());
            *r.status_mut() = status;
            r
        }
        Err(e) => op_error(&e),
    }
}

/// `POST /telephony/calls/{ref}/{action}`.
fn call_action(
    st: &mut State,
    req: &Req,
    login: &str,
    call_ref: &str,
    action: &str,
) -> Result<Result<Vec<Out>, OpError>, Refusal> {
    let device = st.model.device_of(login).unwrap_or_default().to_owned();
    let check_device = |d: &str| -> Result<(), OpError> {
        if d.is_empty() || d == device {
            Ok(())
        } else {
            Err(OpError::Device)
        }
    };
    Ok(match action {
        "answer" => {
            let b: DeviceIdRequest = req.json()?;
            check_device(&b.device_id).and_then(|()| st.model.answer(login, call_ref))
        }
        "hold" => {
            let b: DeviceIdRequest = req.json()?;
            check_device(&b.device_id).and_then(|()| st.model.hold(login, call_ref))
        }
        "retrieve" => {
            let b: DeviceIdRequest = req.json()?;
            check_device(&b.device_id).and_then(|()| st.model.retrieve(login, call_ref))
        }
        "blindtransfer" | "blindTransfer" => {
            let b: BlindTransferRequest = req.json()?;
            st.model.blind_transfer(login, call_ref, &b.transfer_to)
        }
        "transfer" => {
            let b: HeldCallRequest = req.json()?;
            st.model.transfer(login, call_ref, &b.held_call_ref)
        }
        "merge" => {
            let b: HeldCallRequest = req.json()?;
            st.model.merge(login, call_ref, &b.held_call_ref)
        }
        "redirect" => {
            let b: RedirectRequest = req.json()?;
            st.model.redirect(login, call_ref, &b.redirect_to)
        }
        "sendDtmf" | "senddtmf" => {
            let b: SendDtmfRequest = req.json()?;
            if b.number.is_empty()
                || !b
                    .number
                    .chars()
                    .all(|c| c.is_ascii_digit() || matches!(c, '*' | '#'))
            {
                return Err(Box::new(telephony_error(
                    StatusCode::BAD_REQUEST,
                    "BAD_PARAMETER_VALUE",
                    "INVALID_DATA",
                    "DTMF digits are 0-9, * and #",
                )));
            }
            check_device(&b.device_id)
                .and_then(|()| st.model.check_active(login, call_ref))
                .map(|()| Vec::new())
        }
        _ => return Err(Box::new(not_found("call action not simulated"))),
    })
}

/// Clears a call whose leg `(login, call_ref)` still rings once
/// [`SimConfig::ring_no_answer`](super::SimConfig::ring_no_answer) has
/// passed (nothing when it is `None`).
fn arm_no_answer(shared: &Arc<Shared>, leg: (String, String)) {
    let Some(after) = shared.config.ring_no_answer else {
        return;
    };
    let shared = Arc::clone(shared);
    let mut shutdown = shared.shutdown_rx();
    tokio::spawn(async move {
        tokio::select! {
            () = tokio::time::sleep(after) => {}
            _ = shutdown.wait_for(|s| *s) => return,
        }
        let mut st = shared.state();
        let events = st.model.no_answer(&leg.0, &leg.1);
        if !events.is_empty() {
            tracing::debug!(login = %leg.0, "sim: ring-no-answer timeout cleared a call");
            publish(&shared, &mut st, &events);
        }
    });
}

/// Queues the events for the subscriptions that select them.
pub(crate) fn publish(shared: &Shared, st: &mut State, events: &[Out]) {
    for ev in events {
        if let Some(line) = model::line(ev) {
            st.dispatch(&ev.package(), ev.login(), &line, shared.config.event_queue);
        }
    }
}

/// The answer to a refused operation.
fn op_error(e: &OpError) -> Response<SimBody> {
    match e {
        OpError::NoSuchCall => telephony_error(
            StatusCode::NOT_FOUND,
            "CALL_REFERENCE_NOT_FOUND",
            "INVALID_CALL_ID",
            "unknown call reference",
        ),
        OpError::State(why) => telephony_error(
            StatusCode::CONFLICT,
            "INCOMPATIBLE_WITH_STATE",
            "INVALID_CONNECTION_STATE",
            why,
        ),
        OpError::Destination => telephony_error(
            StatusCode::BAD_REQUEST,
            "BAD_PARAMETER_VALUE",
            "INVALID_DESTINATION",
            "unknown or invalid destination",
        ),
        OpError::Device => telephony_error(
            StatusCode::BAD_REQUEST,
            "BAD_PARAMETER_VALUE",
            "INVALID_DEVICE",
            "not the user's device",
        ),
    }
}
