//! Maintenance (O2G reference, §4.9): 1 endpoint under the maintenance
//! service URL (`base/system`).

use super::{EndpointInfo, Operation, operation, request};
use crate::codec::{ApiError, ApiRequest, ApiResponse, Endpoint};
use crate::types::services::SystemStatus;

/// The maintenance endpoints.
pub fn catalogue() -> Vec<EndpointInfo> {
    vec![GetSystemStatus::INFO]
}

/// `GET /system/status`: the server, its nodes and its licenses.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetSystemStatus {}

impl GetSystemStatus {
    /// The request.
    pub fn new() -> Self {
        Self {}
    }
}

impl Endpoint for GetSystemStatus {
    type Output = SystemStatus;

    fn request(&self) -> ApiRequest {
        request::<Self>("/status")
    }

    fn decode(&self, response: ApiResponse) -> Result<SystemStatus, ApiError> {
        response.json("system status")
    }
}
operation!(GetSystemStatus, Maintenance, GET, "/status");
