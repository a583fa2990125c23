//! Users and logins (O2G reference, §4.1): 6 endpoints. Logins go to
//! [`ServiceKey::Logins`](crate::codec::ServiceKey::Logins), the others to
//! the users service.

use super::{EndpointInfo, Operation, operation, request};
use crate::codec::{ApiError, ApiRequest, ApiResponse, Endpoint, segment};
use crate::types::services::{ChangePasswordRequest, LoginList, Preferences, SupportedLanguages};
use crate::types::user::User;

/// The users endpoints.
pub fn catalogue() -> Vec<EndpointInfo> {
    vec![
        ListLogins::INFO,
        GetUser::INFO,
        GetUserByPhone::INFO,
        GetPreferences::INFO,
        GetSupportedLanguages::INFO,
        ChangePassword::INFO,
    ]
}

/// `GET /logins?nodeIds=1;2&onlyACD&onlyWithExtLogin`: the login names the
/// session may see.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ListLogins {
    /// Only users of these nodes (`nodeIds`, `;`-separated).
    pub node_ids: Vec<String>,
    /// Only CCD agents and supervisors (`onlyACD`).
    pub only_acd: bool,
    /// Only users with an external login (`onlyWithExtLogin`).
    pub only_with_ext_login: bool,
}

impl ListLogins {
    /// Every login.
    pub fn new() -> Self {
        Self::default()
    }

    /// Only users of these nodes.
    pub fn node_ids<I, S>(mut self, ids: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.node_ids = ids.into_iter().map(Into::into).collect();
        self
    }

    /// Only CCD agents and supervisors.
    pub fn only_acd(mut self, on: bool) -> Self {
        self.only_acd = on;
        self
    }

    /// Only users with an external login.
    pub fn only_with_ext_login(mut self, on: bool) -> Self {
        self.only_with_ext_login = on;
        self
    }
}

impl Endpoint for ListLogins {
    type Output = Vec<String>;

    fn request(&self) -> ApiRequest {
        let nodes = (!self.node_ids.is_empty()).then(|| self.node_ids.join(";"));
        request::<Self>("")
            .query_opt("nodeIds", nodes)
            .flag("onlyACD", self.only_acd)
            .flag("onlyWithExtLogin", self.only_with_ext_login)
    }

    fn decode(&self, response: ApiResponse) -> Result<Vec<String>, ApiError> {
        response
            .json::<LoginList>("login list")
            .map(|l| l.login_names)
    }
}
operation!(ListLogins, Logins, GET, "");

/// `GET /users/{loginName}`: one user.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetUser {
    /// The user's login name.
    pub login_name: String,
}

impl GetUser {
    /// The user `login_name`.
    pub fn new(login_name: impl Into<String>) -> Self {
        Self {
            login_name: login_name.into(),
        }
    }
}

impl Endpoint for GetUser {
    type Output = User;

    fn request(&self) -> ApiRequest {
        request::<Self>(format!("/{}", segment(&self.login_name)))
    }

    fn decode(&self, response: ApiResponse) -> Result<User, ApiError> {
        response.json("user")
    }
}
operation!(GetUser, Users, GET, "/{loginName}");

/// `GET /users?companyPhone=…`: the user with this phone number.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetUserByPhone {
    /// The company phone number.
    pub company_phone: String,
}

impl GetUserByPhone {
    /// The user whose company phone is `company_phone`.
    pub fn new(company_phone: impl Into<String>) -> Self {
        Self {
            company_phone: company_phone.into(),
        }
    }
}

impl Endpoint for GetUserByPhone {
    type Output = User;

    fn request(&self) -> ApiRequest {
        request::<Self>("").query("companyPhone", self.company_phone.as_str())
    }

    fn decode(&self, response: ApiResponse) -> Result<User, ApiError> {
        response.json("user")
    }
}
operation!(GetUserByPhone, Users, GET, "");

/// `GET /users/{loginName}/preferences`: the user's languages.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetPreferences {
    /// The user's login name.
    pub login_name: String,
}

impl GetPreferences {
    /// The preferences of `login_name`.
    pub fn new(login_name: impl Into<String>) -> Self {
        Self {
            login_name: login_name.into(),
        }
    }
}

impl Endpoint for GetPreferences {
    type Output = Preferences;

    fn request(&self) -> ApiRequest {
        request::<Self>(format!("/{}/preferences", segment(&self.login_name)))
    }

    fn decode(&self, response: ApiResponse) -> Result<Preferences, ApiError> {
        response.json("preferences")
    }
}
operation!(GetPreferences, Users, GET, "/{loginName}/preferences");

/// `GET /users/{loginName}/preferences/supportedLanguages`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct GetSupportedLanguages {
    /// The user's login name.
    pub login_name: String,
}

impl GetSupportedLanguages {
    /// The languages `login_name` may choose.
    pub fn new(login_name: impl Into<String>) -> Self {
        Self {
            login_name: login_name.into(),
        }
    }
}

impl Endpoint for GetSupportedLanguages {
    type Output = SupportedLanguages;

    fn request(&self) -> ApiRequest {
        request::<Self>(format!(
            "/{}/preferences/supportedLanguages",
            segment(&self.login_name)
        ))
    }

    fn decode(&self, response: ApiResponse) -> Result<SupportedLanguages, ApiError> {
        response.json("supported languages")
    }
}
operation!(
    GetSupportedLanguages,
    Users,
    GET,
    "/{loginName}/preferences/supportedLanguages"
);

/// `PUT /users/{loginName}/password`: changes the user's password (204).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct ChangePassword {
    /// The user's login name.
    pub login_name: String,
    /// The old and new passwords.
    pub body: ChangePasswordRequest,
}

impl ChangePassword {
    /// Changes `login_name`'s password from `old` to `new`.
    pub fn new(
        login_name: impl Into<String>,
        old_password: impl Into<String>,
        new_password: impl Into<String>,
    ) -> Self {
        Self {
            login_name: login_name.into(),
            body: ChangePasswordRequest::new(old_password, new_password),
        }
    }
}

impl Endpoint for ChangePassword {
    type Output = ();

    fn request(&self) -> ApiRequest {
        request::<Self>(format!("/{}/password", segment(&self.login_name))).json(&self.body)
    }

    fn decode(&self, response: ApiResponse) -> Result<(), ApiError> {
        response.empty()
    }
}
operation!(ChangePassword, Users, PUT, "/{loginName}/password");
