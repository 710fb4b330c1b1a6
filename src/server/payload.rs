//! The two payloads of the surge path, parsed apart from their handlers so that
//! the fuzzer (fuzz/) exercises exactly the code the API runs: the answer
//! (`{"option_id": uuid}`) and the submission (empty, or `{"prediction": n}`).
use crate::error::AppError;
use crate::i18n::t;
use uuid::Uuid;

#[derive(serde::Deserialize)]
struct AnswerBody {
    option_id: Uuid,
}

#[derive(serde::Deserialize, Default)]
struct SubmitBody {
    prediction: Option<i64>,
}

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

/// The prediction sent with a submission; an empty body means none.
pub fn submit_prediction(body: &[u8]) -> Result<Option<i64>, AppError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(SubmitBody::default().prediction);
    }
    json::<SubmitBody>(body, t().err_prediction).map(|b| b.prediction)
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
        assert_eq!(submit_prediction(b"  \n").unwrap(), None);
        assert_eq!(submit_prediction(b"{}").unwrap(), None);
        assert_eq!(submit_prediction(b"{\"prediction\": 12}").unwrap(), Some(12));
        assert_eq!(submit_prediction(b"{\"prediction\": \"12\"}").unwrap_err().code, ErrorCode::Validation);
        assert_eq!(submit_prediction(b"{\"prediction\": 1e400}").unwrap_err().code, ErrorCode::InvalidInput);
        assert_eq!(submit_prediction(b"[").unwrap_err().code, ErrorCode::InvalidInput);
    }
}
