//! Routing request bodies (O2G reference, §4.4); the routes themselves are
//! in [`crate::types::routing`].

use serde::{Deserialize, Serialize};

use crate::types::routing::{
    Destination, DestinationType, ForwardRoute, ForwardType, OverflowRoute, OverflowType,
    PresentationRoute,
};

/// The body of `POST /routing`: presentation routes, used to switch the
/// remote extension (mobile) on or off.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SetRoutesRequest {
    /// The presentation routes.
    #[serde(default)]
    pub presentation_routes: Vec<PresentationRoute>,
}

impl SetRoutesRequest {
    /// `{"presentationRoutes":[{"destinations":[{"type":"MOBILE","selected":…}]}]}`.
    pub fn remote_extension(active: bool) -> Self {
        let mut mobile = Destination::new(DestinationType::Mobile);
        mobile.selected = active;
        Self {
            presentation_routes: vec![PresentationRoute::new(vec![mobile])],
        }
    }
}

/// The body of `POST /routing/forwardroute`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SetForwardRequest {
    /// The forward route.
    #[serde(default)]
    pub forward_route: ForwardRoute,
}

impl SetForwardRequest {
    /// Forward to `destination` on `condition` (absent: immediately).
    pub fn new(destination: Destination, condition: Option<ForwardType>) -> Self {
        Self {
            forward_route: ForwardRoute::new(condition, vec![destination]),
        }
    }
}

/// The body of `POST /routing/overflowroute`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SetOverflowRequest {
    /// The overflow routes.
    #[serde(default)]
    pub overflow_routes: Vec<OverflowRoute>,
}

impl SetOverflowRequest {
    /// Overflow to `destination` (voice mail or associate) on `condition`.
    pub fn new(destination: Destination, condition: Option<OverflowType>) -> Self {
        Self {
            overflow_routes: vec![OverflowRoute::new(condition, vec![destination])],
        }
    }
}
