//! Event summary (O2G reference, §4.3): 1 endpoint, the service URL itself
//! (`base/eventsummary`).

use super::{EndpointInfo, Operation, operation, per_user, request};
use crate::codec::{ApiError, ApiRequest, ApiResponse, Endpoint};
use crate::types::services::EventSummary;

/// The event summary endpoints.
pub fn catalogue() -> Vec<EndpointInfo> {
    vec![GetEventSummary::INFO]
}

per_user! {
    /// `GET /eventsummary`: missed calls, voice messages, callback
    /// requests, … counters.
    GetEventSummary {}
}

impl Endpoint for GetEventSummary {
    type Output = EventSummary;

    fn request(&self) -> ApiRequest {
        request::<Self>("").login(self.login_name.as_deref())
    }

    fn decode(&self, response: ApiResponse) -> Result<EventSummary, ApiError> {
        response.json("event summary")
    }
}
operation!(GetEventSummary, EventSummary, GET, "");
