//! Users and logins (O2G reference, §4.1).

use cti_core::Secret;
use serde::{Deserialize, Serialize};

use super::expose_secret;

/// The answer of `GET /logins`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct LoginList {
    /// The login names.
    #[serde(default)]
    pub login_names: Vec<String>,
}

impl LoginList {
    /// A list of login names.
    pub fn new(login_names: Vec<String>) -> Self {
        Self { login_names }
    }
}

/// The answer of `GET /users/{loginName}/preferences`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct Preferences {
    /// The language of the user's applications, e.g. `en`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gui_language: Option<String>,
    /// The language of the user's phone set, e.g. `fr`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oxe_language: Option<String>,
}

impl Preferences {
    /// Preferences with these languages.
    pub fn new(gui_language: Option<String>, oxe_language: Option<String>) -> Self {
        Self {
            gui_language,
            oxe_language,
        }
    }
}

/// The answer of `GET /users/{loginName}/preferences/supportedLanguages`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SupportedLanguages {
    /// Languages of the phone set.
    #[serde(default)]
    pub supported_languages: Vec<String>,
    /// Languages of the applications.
    #[serde(default)]
    pub supported_gui_languages: Vec<String>,
}

impl SupportedLanguages {
    /// The supported languages.
    pub fn new(supported_languages: Vec<String>, supported_gui_languages: Vec<String>) -> Self {
        Self {
            supported_languages,
            supported_gui_languages,
        }
    }
}

/// The body of `PUT /users/{loginName}/password`. Both passwords are
/// secrets: `Debug` never shows them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct ChangePasswordRequest {
    /// The current password.
    #[serde(serialize_with = "expose_secret")]
    pub old_password: Secret<String>,
    /// The new password.
    #[serde(serialize_with = "expose_secret")]
    pub new_password: Secret<String>,
}

impl ChangePasswordRequest {
    /// A password change.
    pub fn new(old_password: impl Into<String>, new_password: impl Into<String>) -> Self {
        Self {
            old_password: Secret::new(old_password.into()),
            new_password: Secret::new(new_password.into()),
        }
    }
}
