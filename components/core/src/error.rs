//! Errors: [`ToolError`] is what a tool call answers; [`CoreError`] is the
//! internal error of the admin paths.

use serde_json::Value;

use crate::store::StoreError;

/// Failure classes, named after MemClaw's error codes so agent prompts that
/// branch on them keep working.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    InvalidArguments,
    BatchTooLarge,
    InvalidBatchItem,
    AgentNotApproved,
    PermissionDenied,
    Forbidden,
    NotFound,
    Conflict,
    PayloadTooLarge,
    NotImplemented,
    Unavailable,
    InternalError,
}

impl ErrorCode {
    /// The wire spelling, e.g. `INVALID_ARGUMENTS`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InvalidArguments => "INVALID_ARGUMENTS",
            Self::BatchTooLarge => "BATCH_TOO_LARGE",
            Self::InvalidBatchItem => "INVALID_BATCH_ITEM",
            Self::AgentNotApproved => "AGENT_NOT_APPROVED",
            Self::PermissionDenied => "PERMISSION_DENIED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::Conflict => "CONFLICT",
            Self::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            Self::NotImplemented => "NOT_IMPLEMENTED",
            Self::Unavailable => "UNAVAILABLE",
            Self::InternalError => "INTERNAL_ERROR",
        }
    }

    /// Every code, in declaration order (used to map to and from WIT).
    pub const ALL: [ErrorCode; 12] = [
        Self::InvalidArguments,
        Self::BatchTooLarge,
        Self::InvalidBatchItem,
        Self::AgentNotApproved,
        Self::PermissionDenied,
        Self::Forbidden,
        Self::NotFound,
        Self::Conflict,
        Self::PayloadTooLarge,
        Self::NotImplemented,
        Self::Unavailable,
        Self::InternalError,
    ];
}

/// A tool that ran and failed. Its message names the offending field and
/// never echoes stored or submitted content.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{}: {message}", code.as_str())]
pub struct ToolError {
    pub code: ErrorCode,
    pub message: String,
    pub details: Option<Value>,
}

impl ToolError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            details: None,
        }
    }

    pub fn with_details(mut self, details: Value) -> Self {
        self.details = Some(details);
        self
    }

    /// An argument problem; `field` is named in the message and the details.
    pub fn invalid(field: &str, problem: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::InvalidArguments, format!("{field}: {problem}"))
            .with_details(serde_json::json!({ "field": field }))
    }

    pub fn not_found(what: impl Into<String>) -> Self {
        Self::new(ErrorCode::NotFound, what)
    }

    pub fn not_implemented(tool: &str) -> Self {
        Self::new(
            ErrorCode::NotImplemented,
            format!("{tool} is not implemented in this release"),
        )
    }
}

impl From<StoreError> for ToolError {
    fn from(err: StoreError) -> Self {
        Self::new(ErrorCode::Unavailable, err.to_string())
    }
}

/// Errors of the admin operations (tenants, keys).
#[derive(Debug, thiserror::Error)]
pub enum CoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("invalid {field}: {problem}")]
    Invalid {
        field: &'static str,
        problem: String,
    },
    #[error("{0} not found")]
    NotFound(String),
    #[error("{0} already exists")]
    AlreadyExists(String),
}
