//! The question bank as organizers see it: questions, filters, imports.
use crate::domain::Millis;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// A question of the bank as organizers see and edit it.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankItem {
    pub id: Uuid,
    pub key: Option<String>,
    pub topic: String,
    pub status: String,
    pub version: i64,
    pub difficulty: i64,
    pub stem: String,
    pub options: Vec<String>,
    /// 0-based index of the correct option (organizers only).
    pub correct: usize,
    pub explanation: String,
    pub source: String,
    pub passage: String,
    /// Questions of one group are never drawn together (empty: none).
    #[serde(default)]
    pub group: String,
    pub updated_at: Millis,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema, utoipa::IntoParams))]
#[cfg_attr(feature = "ssr", into_params(parameter_in = Query))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
pub struct BankFilter {
    pub q: Option<String>,
    pub topic: Option<String>,
    pub difficulty: Option<i64>,
    pub status: Option<String>,
    pub page: Option<usize>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BankPage {
    pub items: Vec<BankItem>,
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub topics: Vec<TopicDto>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopicDto {
    pub slug: String,
    pub name: String,
    pub description: String,
}

/// What an import would do, before it is committed.
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportPreview {
    /// Present when the file is valid: confirm with it.
    pub import_id: Option<Uuid>,
    pub file_name: String,
    pub rows: usize,
    pub creates: usize,
    pub updates: usize,
    pub unchanged: usize,
    pub file_error: Option<String>,
    pub row_errors: Vec<RowProblem>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RowProblem {
    pub row: usize,
    pub reasons: Vec<String>,
}

#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportDone {
    pub creates: usize,
    pub updates: usize,
    pub unchanged: usize,
}
