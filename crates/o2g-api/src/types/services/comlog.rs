//! Communication log requests and answers (O2G reference, §4.7); the
//! records themselves are [`crate::types::comlog::ComRecord`].

use serde::{Deserialize, Serialize};

use crate::types::comlog::{ComRecord, Role};

/// The answer of `GET /comlog/records`.
///
/// Servers answer `comHistoryRecords`/`totalCount`; the Java SDK reads
/// `records`/`count`. Both are accepted; the first pair is written.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ComRecordPage {
    /// The offset of the first record.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub offset: Option<u32>,
    /// The page size asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// How many records match in all.
    #[serde(default, alias = "count", skip_serializing_if = "Option::is_none")]
    pub total_count: Option<u32>,
    /// The records of this page.
    #[serde(default, alias = "records")]
    pub com_history_records: Vec<ComRecord>,
}

impl ComRecordPage {
    /// A page.
    pub fn new(com_history_records: Vec<ComRecord>, total_count: Option<u32>) -> Self {
        Self {
            offset: None,
            limit: None,
            total_count,
            com_history_records,
        }
    }
}

/// The filter of `GET` and `DELETE /comlog/records` (query parameters;
/// every one optional).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ComlogFilter {
    /// Records after this ISO-8601 date (`afterDate`).
    pub after_date: Option<String>,
    /// Records before this ISO-8601 date (`beforeDate`).
    pub before_date: Option<String>,
    /// Only unanswered calls (`unanswered=true`).
    pub unanswered: bool,
    /// Only unacknowledged records (`unacknowledged=true`).
    pub unacknowledged: bool,
    /// The user's role in the call (`role`).
    pub role: Option<Role>,
    /// One call reference (`comRef`).
    pub com_ref: Option<String>,
    /// One remote party (`remotePartyId`).
    pub remote_party_id: Option<String>,
}

impl ComlogFilter {
    /// The query parameters, in the order above.
    pub fn query(&self) -> Vec<(&'static str, String)> {
        let mut q = Vec::new();
        if let Some(d) = &self.after_date {
            q.push(("afterDate", d.clone()));
        }
        if let Some(d) = &self.before_date {
            q.push(("beforeDate", d.clone()));
        }
        if self.unanswered {
            q.push(("unanswered", "true".to_owned()));
        }
        if self.unacknowledged {
            q.push(("unacknowledged", "true".to_owned()));
        }
        if let Some(r) = &self.role {
            q.push(("role", r.as_str().to_owned()));
        }
        if let Some(c) = &self.com_ref {
            q.push(("comRef", c.clone()));
        }
        if let Some(p) = &self.remote_party_id {
            q.push(("remotePartyId", p.clone()));
        }
        q
    }
}

/// The body of `PUT /comlog/records?acknowledge=…`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct RecordIdsRequest {
    /// The records.
    #[serde(default)]
    pub record_ids: Vec<i64>,
}

impl RecordIdsRequest {
    /// A body for these records.
    pub fn new(record_ids: Vec<i64>) -> Self {
        Self { record_ids }
    }
}
