//! Directory search (O2G reference, §4.5).

use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::types::telephony::PartyInfo;

wire_enum! {
    /// The field a search criterion tests.
    SearchField {
        /// Last name.
        LastName = "lastName",
        /// First name.
        FirstName = "firstName",
        /// Phone number.
        PhoneNumber = "id.phoneNumber",
        /// Login name.
        LoginName = "id.loginName",
    }
}

wire_enum! {
    /// How a search criterion tests its field.
    SearchOperation {
        /// Equal, ignoring case.
        EqualIgnoreCase = "EQUAL_IGNORE_CASE",
        /// Starts with.
        BeginWith = "BEGIN_WITH",
        /// Contains.
        Contain = "CONTAIN",
        /// Ends with.
        EndWith = "END_WITH",
    }
}

wire_enum! {
    /// How a compound criterion joins its operands.
    LogicalOperation {
        /// Every operand matches.
        And = "AND",
        /// One operand matches.
        Or = "OR",
    }
}

/// A search filter: a test on one field, or operands joined by `AND`/`OR`.
///
/// On the wire both are `{"operation", "operand"}` objects; a field test
/// also has `field` and a string operand, a compound one an array of
/// criteria.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Criteria {
    /// `{"field":…, "operation":…, "operand":"…"}`.
    Field {
        /// The field tested.
        field: SearchField,
        /// How it is tested.
        operation: SearchOperation,
        /// The value tested against.
        operand: String,
    },
    /// `{"operation":"AND"|"OR", "operand":[…]}`.
    Logical {
        /// How the operands are joined.
        operation: LogicalOperation,
        /// The operands.
        operands: Vec<Self>,
    },
}

impl Criteria {
    /// A test on one field.
    pub fn field(
        field: SearchField,
        operation: SearchOperation,
        operand: impl Into<String>,
    ) -> Self {
        Self::Field {
            field,
            operation,
            operand: operand.into(),
        }
    }

    /// Every operand matches.
    pub fn and(operands: Vec<Self>) -> Self {
        Self::Logical {
            operation: LogicalOperation::And,
            operands,
        }
    }

    /// One operand matches.
    pub fn or(operands: Vec<Self>) -> Self {
        Self::Logical {
            operation: LogicalOperation::Or,
            operands,
        }
    }
}

/// The wire shape of [`Criteria`].
#[derive(Serialize, Deserialize)]
struct RawCriteria {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    field: Option<SearchField>,
    operation: String,
    operand: RawOperand,
}

#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum RawOperand {
    Text(String),
    List(Vec<Criteria>),
}

impl Serialize for Criteria {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let raw = match self {
            Self::Field {
                field,
                operation,
                operand,
            } => RawCriteria {
                field: Some(field.clone()),
                operation: operation.as_str().to_owned(),
                operand: RawOperand::Text(operand.clone()),
            },
            Self::Logical {
                operation,
                operands,
            } => RawCriteria {
                field: None,
                operation: operation.as_str().to_owned(),
                operand: RawOperand::List(operands.clone()),
            },
        };
        raw.serialize(s)
    }
}

impl<'de> Deserialize<'de> for Criteria {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw = RawCriteria::deserialize(d)?;
        match (raw.field, raw.operand) {
            (Some(field), RawOperand::Text(operand)) => Ok(Self::Field {
                field,
                operation: SearchOperation::from_name(&raw.operation),
                operand,
            }),
            (None, RawOperand::List(operands)) => Ok(Self::Logical {
                operation: LogicalOperation::from_name(&raw.operation),
                operands,
            }),
            (Some(_), RawOperand::List(_)) => Err(D::Error::custom(
                "a criterion on a field needs a string operand",
            )),
            (None, RawOperand::Text(_)) => Err(D::Error::custom(
                "a criterion without field needs a list of operands",
            )),
        }
    }
}

/// The body of `POST /directory/search`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SearchRequest {
    /// The most results to return.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// What to look for.
    pub filter: Criteria,
}

impl SearchRequest {
    /// A search for `filter`.
    pub fn new(filter: Criteria, limit: Option<u32>) -> Self {
        Self { limit, filter }
    }
}

wire_enum! {
    /// `resultCode` of a search poll.
    SearchResultCode {
        /// Results are in this answer; poll again for more.
        Ok = "OK",
        /// No results yet; poll again.
        Nok = "NOK",
        /// The search is over.
        Finish = "FINISH",
        /// The search timed out.
        Timeout = "TIMEOUT",
    }
}

/// The answer of `GET /directory/search`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[non_exhaustive]
pub struct SearchResult {
    /// Where the search is.
    pub result_code: SearchResultCode,
    /// The results of this poll.
    #[serde(default)]
    pub result_elements: Vec<SearchResultElement>,
}

impl SearchResult {
    /// A poll answer.
    pub fn new(result_code: SearchResultCode, result_elements: Vec<SearchResultElement>) -> Self {
        Self {
            result_code,
            result_elements,
        }
    }
}

/// One element of [`SearchResult`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct SearchResultElement {
    /// The contacts found.
    #[serde(default)]
    pub contacts: Vec<PartyInfo>,
}

impl SearchResultElement {
    /// An element.
    pub fn new(contacts: Vec<PartyInfo>) -> Self {
        Self { contacts }
    }
}
