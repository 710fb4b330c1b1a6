//! The answer and submit payloads exactly as the API parses them, plus the phone
//! numbers every login and registration parses: never a panic, and an error is
//! always one a client can be shown (400 or 422).
#![no_main]
use libfuzzer_sys::fuzz_target;
use thi24::error::ErrorCode;
use thi24::server::payload::{answer_option, submission};

fuzz_target!(|data: &[u8]| {
    for result in [answer_option(data).map(|_| ()), submission(data).map(|_| ())] {
        if let Err(e) = result {
            assert!(matches!(e.code, ErrorCode::InvalidInput | ErrorCode::Validation), "{e:?}");
        }
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = thi24::domain::phone::PhoneNumber::parse(s);
        let _ = thi24::domain::text::fold(s);
    }
});
