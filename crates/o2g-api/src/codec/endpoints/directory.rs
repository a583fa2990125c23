//! Directory search (O2G reference, §4.5): 3 endpoints on `/search` of the
//! directory service (`base/directory`). Start a search, poll its results
//! until `FINISH` or `TIMEOUT`, or cancel it.

use super::{EndpointInfo, Operation, login_setter, operation, per_user, request};
use crate::codec::{ApiError, ApiRequest, ApiResponse, Endpoint};
use crate::types::services::{Criteria, SearchRequest, SearchResult};

/// The directory endpoints.
pub fn catalogue() -> Vec<EndpointInfo> {
    vec![
        DirectorySearch::INFO,
        GetSearchResults::INFO,
        CancelSearch::INFO,
    ]
}

/// `POST /directory/search`: starts a search.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DirectorySearch {
    /// The filter and limit.
    pub body: SearchRequest,
    /// The user to act for (`?loginName=`).
    pub login_name: Option<String>,
}

impl DirectorySearch {
    /// Searches for `filter`, without limit.
    pub fn new(filter: Criteria) -> Self {
        Self {
            body: SearchRequest::new(filter, None),
            login_name: None,
        }
    }

    /// Returns at most `limit` results.
    pub fn limit(mut self, limit: u32) -> Self {
        self.body.limit = Some(limit);
        self
    }
}
login_setter!(DirectorySearch);

impl Endpoint for DirectorySearch {
    type Output = ();

    fn request(&self) -> ApiRequest {
        request::<Self>("/search")
            .login(self.login_name.as_deref())
            .json(&self.body)
    }

    fn decode(&self, response: ApiResponse) -> Result<(), ApiError> {
        response.empty()
    }
}
operation!(DirectorySearch, Directory, POST, "/search");

per_user! {
    /// `GET /directory/search`: polls the results of the search.
    GetSearchResults {}
}

impl Endpoint for GetSearchResults {
    type Output = SearchResult;

    fn request(&self) -> ApiRequest {
        request::<Self>("/search").login(self.login_name.as_deref())
    }

    fn decode(&self, response: ApiResponse) -> Result<SearchResult, ApiError> {
        response.json("search result")
    }
}
operation!(GetSearchResults, Directory, GET, "/search");

per_user! {
    /// `DELETE /directory/search`: cancels the search.
    CancelSearch {}
}

impl Endpoint for CancelSearch {
    type Output = ();

    fn request(&self) -> ApiRequest {
        request::<Self>("/search").login(self.login_name.as_deref())
    }

    fn decode(&self, response: ApiResponse) -> Result<(), ApiError> {
        response.empty()
    }
}
operation!(CancelSearch, Directory, DELETE, "/search");
