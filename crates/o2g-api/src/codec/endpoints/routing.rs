//! Routing (O2G reference, §4.4): 13 endpoints relative to the routing
//! service URL (`base/routing`).

use super::{EndpointInfo, Operation, login_setter, operation, per_user, request};
use crate::codec::{ApiError, ApiRequest, ApiResponse, Endpoint};
use crate::types::routing::{
    Destination, DndState, ForwardRoute, ForwardType, OverflowRoute, OverflowType,
    RoutingCapabilities, RoutingState,
};
use crate::types::services::{SetForwardRequest, SetOverflowRequest, SetRoutesRequest};

/// The routing endpoints.
pub fn catalogue() -> Vec<EndpointInfo> {
    vec![
        GetRoutingCapabilities::INFO,
        SetRemoteExtension::INFO,
        GetRoutingState::INFO,
        RequestRoutingSnapshot::INFO,
        GetDnd::INFO,
        SetDnd::INFO,
        CancelDnd::INFO,
        GetForward::INFO,
        SetForward::INFO,
        CancelForward::INFO,
        GetOverflow::INFO,
        SetOverflow::INFO,
        CancelOverflow::INFO,
    ]
}

/// Implements [`Endpoint`] for a per-user routing operation.
macro_rules! routing_op {
    ($ty:ident, $path:literal, command) => {
        impl Endpoint for $ty {
            type Output = ();

            fn request(&self) -> ApiRequest {
                request::<Self>($path).login(self.login_name.as_deref())
            }

            fn decode(&self, response: ApiResponse) -> Result<(), ApiError> {
                response.empty()
            }
        }
    };
    ($ty:ident, $path:literal, body) => {
        impl Endpoint for $ty {
            type Output = ();

            fn request(&self) -> ApiRequest {
                request::<Self>($path)
                    .login(self.login_name.as_deref())
                    .json(&self.body)
            }

            fn decode(&self, response: ApiResponse) -> Result<(), ApiError> {
                response.empty()
            }
        }
    };
    ($ty:ident, $path:literal, read $out:ty, $what:literal) => {
        impl Endpoint for $ty {
            type Output = $out;

            fn request(&self) -> ApiRequest {
                request::<Self>($path).login(self.login_name.as_deref())
            }

            fn decode(&self, response: ApiResponse) -> Result<$out, ApiError> {
                response.json($what)
            }
        }
    };
}

per_user! {
    /// `GET /routing`: which routes the user may change.
    GetRoutingCapabilities {}
}
routing_op!(GetRoutingCapabilities, "", read RoutingCapabilities, "routing capabilities");
operation!(GetRoutingCapabilities, Routing, GET, "");

/// `POST /routing`: switches the remote extension (mobile) on or off
/// through the presentation route.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SetRemoteExtension {
    /// The presentation routes.
    pub body: SetRoutesRequest,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl SetRemoteExtension {
    /// Activates (`true`) or deactivates the remote extension.
    pub fn new(active: bool) -> Self {
        Self::with_body(SetRoutesRequest::remote_extension(active))
    }

    /// Sends these presentation routes.
    pub fn with_body(body: SetRoutesRequest) -> Self {
        Self {
            body,
            login_name: None,
        }
    }
}
login_setter!(SetRemoteExtension);
routing_op!(SetRemoteExtension, "", body);
operation!(SetRemoteExtension, Routing, POST, "");

per_user! {
    /// `GET /routing/state`: presentation, forward and overflow routes and
    /// DND.
    GetRoutingState {}
}
routing_op!(GetRoutingState, "/state", read RoutingState, "routing state");
operation!(GetRoutingState, Routing, GET, "/state");

per_user! {
    /// `POST /routing/state/snapshot`: asks for an `OnRoutingStateChanged`
    /// event on the channel.
    RequestRoutingSnapshot {}
}
routing_op!(RequestRoutingSnapshot, "/state/snapshot", command);
operation!(RequestRoutingSnapshot, Routing, POST, "/state/snapshot");

per_user! {
    /// `GET /routing/dnd`: the do-not-disturb state.
    GetDnd {}
}
routing_op!(GetDnd, "/dnd", read DndState, "DND state");
operation!(GetDnd, Routing, GET, "/dnd");

per_user! {
    /// `POST /routing/dnd`: activates do-not-disturb.
    SetDnd {}
}
routing_op!(SetDnd, "/dnd", command);
operation!(SetDnd, Routing, POST, "/dnd");

per_user! {
    /// `DELETE /routing/dnd`: cancels do-not-disturb.
    CancelDnd {}
}
routing_op!(CancelDnd, "/dnd", command);
operation!(CancelDnd, Routing, DELETE, "/dnd");

per_user! {
    /// `GET /routing/forwardroute`: the forward route.
    GetForward {}
}
routing_op!(GetForward, "/forwardroute", read ForwardRoute, "forward route");
operation!(GetForward, Routing, GET, "/forwardroute");

/// `POST /routing/forwardroute`: forwards calls to a number or the voice
/// mail, immediately or on busy / no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SetForward {
    /// The forward route.
    pub body: SetForwardRequest,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl SetForward {
    /// Forwards to `destination` on `condition` (`None`: immediately).
    pub fn new(destination: Destination, condition: Option<ForwardType>) -> Self {
        Self {
            body: SetForwardRequest::new(destination, condition),
            login_name: None,
        }
    }

    /// Forwards to the voice mail.
    pub fn to_voicemail(condition: Option<ForwardType>) -> Self {
        Self::new(Destination::voicemail(), condition)
    }

    /// Forwards to `number`.
    pub fn to_number(number: impl Into<String>, condition: Option<ForwardType>) -> Self {
        Self::new(Destination::number(number), condition)
    }
}
login_setter!(SetForward);
routing_op!(SetForward, "/forwardroute", body);
operation!(SetForward, Routing, POST, "/forwardroute");

per_user! {
    /// `DELETE /routing/forwardroute`: cancels forwarding.
    CancelForward {}
}
routing_op!(CancelForward, "/forwardroute", command);
operation!(CancelForward, Routing, DELETE, "/forwardroute");

per_user! {
    /// `GET /routing/overflowroute`: the overflow route.
    GetOverflow {}
}
routing_op!(GetOverflow, "/overflowroute", read OverflowRoute, "overflow route");
operation!(GetOverflow, Routing, GET, "/overflowroute");

/// `POST /routing/overflowroute`: overflows calls to the voice mail or the
/// associate on busy / no answer.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SetOverflow {
    /// The overflow routes.
    pub body: SetOverflowRequest,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl SetOverflow {
    /// Overflows to `destination` on `condition`.
    pub fn new(destination: Destination, condition: Option<OverflowType>) -> Self {
        Self {
            body: SetOverflowRequest::new(destination, condition),
            login_name: None,
        }
    }

    /// Overflows to the voice mail.
    pub fn to_voicemail(condition: Option<OverflowType>) -> Self {
        Self::new(Destination::voicemail(), condition)
    }
}
login_setter!(SetOverflow);
routing_op!(SetOverflow, "/overflowroute", body);
operation!(SetOverflow, Routing, POST, "/overflowroute");

per_user! {
    /// `DELETE /routing/overflowroute`: cancels overflow.
    CancelOverflow {}
}
routing_op!(CancelOverflow, "/overflowroute", command);
operation!(CancelOverflow, Routing, DELETE, "/overflowroute");
