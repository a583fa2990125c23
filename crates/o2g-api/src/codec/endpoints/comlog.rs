//! Communication log (O2G reference, §4.7): 5 endpoints relative to the
//! comlog service URL (`base/comlog/records`).

use super::{EndpointInfo, Operation, login_setter, operation, request};
use crate::codec::{ApiError, ApiRequest, ApiResponse, Endpoint};
use crate::types::comlog::ComRecord;
use crate::types::services::{ComRecordPage, ComlogFilter, RecordIdsRequest};

/// The communication log endpoints.
pub fn catalogue() -> Vec<EndpointInfo> {
    vec![
        GetComRecords::INFO,
        GetComRecord::INFO,
        DeleteComRecord::INFO,
        DeleteComRecords::INFO,
        AcknowledgeComRecords::INFO,
    ]
}

/// Adds the filter's parameters to a request.
fn with_filter(mut req: ApiRequest, filter: &ComlogFilter) -> ApiRequest {
    for (name, value) in filter.query() {
        req = req.query(name, value);
    }
    req
}

/// `GET /comlog/records?…`: a page of records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetComRecords {
    /// Which records.
    pub filter: ComlogFilter,
    /// The first record (`offset`).
    pub offset: Option<u32>,
    /// The page size (`limit`).
    pub limit: Option<u32>,
    /// Identities reduced to their ids (`optimized=true`).
    pub optimized: bool,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl GetComRecords {
    /// Every record, in one page.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only records matching `filter`.
    pub fn filter(mut self, filter: ComlogFilter) -> Self {
        self.filter = filter;
        self
    }

    /// The page starting at `offset`, of at most `limit` records.
    pub fn page(mut self, offset: u32, limit: u32) -> Self {
        self.offset = Some(offset);
        self.limit = Some(limit);
        self
    }

    /// Identities reduced to their ids.
    pub fn optimized(mut self, on: bool) -> Self {
        self.optimized = on;
        self
    }
}
login_setter!(GetComRecords);

impl Endpoint for GetComRecords {
    type Output = ComRecordPage;

    fn request(&self) -> ApiRequest {
        let mut req = with_filter(request::<Self>(""), &self.filter)
            .query_opt("offset", self.offset.map(|o| o.to_string()))
            .query_opt("limit", self.limit.map(|l| l.to_string()));
        if self.optimized {
            req = req.query("optimized", "true");
        }
        req.login(self.login_name.as_deref())
    }

    fn decode(&self, response: ApiResponse) -> Result<ComRecordPage, ApiError> {
        response.json("communication records")
    }
}
operation!(GetComRecords, Comlog, GET, "");

/// `GET /comlog/records/{recordId}`: one record.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetComRecord {
    /// The record.
    pub record_id: i64,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl GetComRecord {
    /// The record `record_id`.
    pub fn new(record_id: i64) -> Self {
        Self {
            record_id,
            login_name: None,
        }
    }
}
login_setter!(GetComRecord);

impl Endpoint for GetComRecord {
    type Output = ComRecord;

    fn request(&self) -> ApiRequest {
        request::<Self>(format!("/{}", self.record_id)).login(self.login_name.as_deref())
    }

    fn decode(&self, response: ApiResponse) -> Result<ComRecord, ApiError> {
        response.json("communication record")
    }
}
operation!(GetComRecord, Comlog, GET, "/{recordId}");

/// `DELETE /comlog/records/{recordId}`: deletes one record.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteComRecord {
    /// The record.
    pub record_id: i64,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl DeleteComRecord {
    /// Deletes `record_id`.
    pub fn new(record_id: i64) -> Self {
        Self {
            record_id,
            login_name: None,
        }
    }
}
login_setter!(DeleteComRecord);

impl Endpoint for DeleteComRecord {
    type Output = ();

    fn request(&self) -> ApiRequest {
        request::<Self>(format!("/{}", self.record_id)).login(self.login_name.as_deref())
    }

    fn decode(&self, response: ApiResponse) -> Result<(), ApiError> {
        response.empty()
    }
}
operation!(DeleteComRecord, Comlog, DELETE, "/{recordId}");

/// Which records [`DeleteComRecords`] deletes.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecordSelection {
    /// These records (`recordIdList=1,2,3`).
    Ids(Vec<i64>),
    /// The records matching a filter (an empty filter: every record).
    Matching(ComlogFilter),
}

/// `DELETE /comlog/records?…`: deletes records by id or by filter.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteComRecords {
    /// Which records.
    pub selection: RecordSelection,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl DeleteComRecords {
    /// Deletes these records.
    pub fn ids(record_ids: Vec<i64>) -> Self {
        Self {
            selection: RecordSelection::Ids(record_ids),
            login_name: None,
        }
    }

    /// Deletes the records matching `filter`.
    pub fn matching(filter: ComlogFilter) -> Self {
        Self {
            selection: RecordSelection::Matching(filter),
            login_name: None,
        }
    }
}
login_setter!(DeleteComRecords);

impl Endpoint for DeleteComRecords {
    type Output = ();

    fn request(&self) -> ApiRequest {
        let req = request::<Self>("");
        let req = match &self.selection {
            RecordSelection::Ids(ids) => {
                let list: Vec<String> = ids.iter().map(i64::to_string).collect();
                req.query("recordIdList", list.join(","))
            }
            RecordSelection::Matching(filter) => with_filter(req, filter),
        };
        req.login(self.login_name.as_deref())
    }

    fn decode(&self, response: ApiResponse) -> Result<(), ApiError> {
        response.empty()
    }
}
operation!(DeleteComRecords, Comlog, DELETE, "");

/// `PUT /comlog/records?acknowledge=true|false`: acknowledges (or
/// unacknowledges) records.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct AcknowledgeComRecords {
    /// The records.
    pub body: RecordIdsRequest,
    /// `true`: acknowledge; `false`: unacknowledge.
    pub acknowledge: bool,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl AcknowledgeComRecords {
    /// Acknowledges these records.
    pub fn new(record_ids: Vec<i64>) -> Self {
        Self {
            body: RecordIdsRequest::new(record_ids),
            acknowledge: true,
            login_name: None,
        }
    }

    /// Unacknowledges these records.
    pub fn unacknowledge(record_ids: Vec<i64>) -> Self {
        Self {
            acknowledge: false,
            ..Self::new(record_ids)
        }
    }
}
login_setter!(AcknowledgeComRecords);

impl Endpoint for AcknowledgeComRecords {
    type Output = ();

    fn request(&self) -> ApiRequest {
        request::<Self>("")
            .query(
                "acknowledge",
                if self.acknowledge { "true" } else { "false" },
            )
            .login(self.login_name.as_deref())
            .json(&self.body)
    }

    fn decode(&self, response: ApiResponse) -> Result<(), ApiError> {
        response.empty()
    }
}
operation!(AcknowledgeComRecords, Comlog, PUT, "");
