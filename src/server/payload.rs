//! The two payloads of the surge path, parsed apart from their handlers so that
//! the fuzzer (fuzz/) exercises exactly the code the API runs: the answer
//! (`{"option_id": uuid}`) and the submission (empty, or `{"prediction": n,
//! "answers": [{"question_id", "option_id"}…]}`: answers a dropped network held back).
use crate::error::AppError;
use crate::i18n::t;
use uuid::Uuid;

/// An answer: the chosen option.
#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct AnswerBody {
    option_id: Uuid,
}

/// A submission's body.
#[derive(serde::Deserialize, Default, utoipa::ToSchema)]
pub struct SubmitBody {
    /// The answer to the prediction question (fixed by the first submitted attempt).
    #[schema(minimum = 0, maximum = 10_000_000)]
    prediction: Option<i64>,
    /// Answers the browser could not send before (at most 200).
    #[serde(default)]
    #[schema(max_items = 200)]
    answers: Vec<AnswerPair>,
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
pub struct AnswerPair {
    question_id: Uuid,
    option_id: Uuid,
}

/// The most answers one submission may carry (an attempt has at most 100 questions).
pub const MAX_SUBMITTED_ANSWERS: usize = 200;

/// Malformed JSON → 400; well-formed but the wrong shape → 422 with `wrong`.
fn json<T: serde::de::DeserializeOwned>(body: &[u8], wrong: &str) -> Result<T, AppError> {
    serde_json::from_slice(body).map_err(|e| match e.classify() {
        serde_json::error::Category::Data => AppError::validation(wrong),
        _ => AppError::bad_request(t().err_bad_request),
    })
}

/// The option chosen in an answer.
pub fn answer_option(body: &[u8]) -> Result<Uuid, AppError> {
    json::<AnswerBody>(body, t().err_bad_request).map(|b| b.option_id)
}

/// The prediction and the held-back answers sent with a submission; an empty body
/// means neither.
pub fn submission(body: &[u8]) -> Result<(Option<i64>, Vec<(Uuid, Uuid)>), AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok((None, vec![]));
    }
    let b = json::<SubmitBody>(body, t().err_prediction)?;
    if b.answers.len() > MAX_SUBMITTED_ANSWERS {
        return Err(AppError::validation(t().err_bad_request));
    }
    Ok((b.prediction, b.answers.into_iter().map(|a| (a.question_id, a.option_id)).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorCode;

    #[test]
    fn payloads() {
        let id = Uuid::new_v4();
        assert_eq!(answer_option(format!("{{\"option_id\": \"{id}\"}}").as_bytes()).unwrap(), id);
        assert_eq!(answer_option(b"{\"option_id\": 5}").unwrap_err().code, ErrorCode::Validation);
        assert_eq!(answer_option(b"{\"option_id\": ").unwrap_err().code, ErrorCode::InvalidInput);
        assert_eq!(answer_option(b"").unwrap_err().code, ErrorCode::InvalidInput);
        assert_eq!(submission(b"  \n").unwrap(), (None, vec![]));
        assert_eq!(submission(b"{}").unwrap(), (None, vec![]));
        assert_eq!(submission(b"{\"prediction\": 12}").unwrap(), (Some(12), vec![]));
        let q = Uuid::new_v4();
        let held = format!("{{\"answers\": [{{\"question_id\": \"{q}\", \"option_id\": \"{id}\"}}]}}");
        assert_eq!(submission(held.as_bytes()).unwrap(), (None, vec![(q, id)]));
        assert_eq!(submission(b"{\"answers\": [{\"question_id\": 1}]}").unwrap_err().code, ErrorCode::Validation);
        assert_eq!(submission(b"{\"prediction\": \"12\"}").unwrap_err().code, ErrorCode::Validation);
        assert_eq!(submission(b"{\"prediction\": 1e400}").unwrap_err().code, ErrorCode::InvalidInput);
        assert_eq!(submission(b"[").unwrap_err().code, ErrorCode::InvalidInput);
    }
}
