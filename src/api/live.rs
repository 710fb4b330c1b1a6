//! Server functions of live sessions (the JSON API offers the same under /api/v1/live).
use crate::error::AppError;
use crate::model::*;
use leptos::prelude::*;
use uuid::Uuid;

/// Everything the participant's page needs at once (one round trip on a slow network):
/// the session, the caller's participant if joined, and to join, their account's name
/// or, for a guest, the units to choose from.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct LiveEntry {
    pub session: LiveLookup,
    pub me: Option<LiveMe>,
    pub account: Option<String>,
    pub units: Vec<UnitDto>,
}

#[server]
pub async fn enter_live_session(code: String) -> Result<LiveEntry, AppError> {
    use crate::api::ctx;
    let state = ctx::state()?;
    let session = crate::server::live::lookup(&state, &code).await?;
    let me = match crate::server::live::player(&state, &ctx::parts()?.headers, session.id).await? {
        Some(p) => Some(crate::server::live::me_of(&state, &p).await?),
        None => None,
    };
    let account = ctx::user(&state).await?.map(|u| u.full_name);
    let units = if me.is_none() && account.is_none() { crate::server::service::list_units(&state).await? } else { vec![] };
    Ok(LiveEntry { session, me, account, units })
}

/// The session's view; `host` asks for the host's (standings always).
#[server]
pub async fn get_live_view(id: Uuid, host: bool) -> Result<LiveView, AppError> {
    use crate::api::ctx;
    let state = ctx::state()?;
    if host {
        let user = ctx::require_user(&state).await?;
        crate::server::live::require_host(&user, &crate::server::live::session(&state, id).await?)?;
    }
    Ok((*crate::server::live::view(&state, id, host).await?.view).clone())
}

#[server]
pub async fn join_live(id: Uuid, name: Option<String>, unit_id: Option<Uuid>) -> Result<LiveMe, AppError> {
    use crate::api::ctx;
    let state = ctx::state()?;
    let user = ctx::user(&state).await?;
    let (me, token) = crate::server::live::join(&state, user.as_ref(), id, LiveJoinInput { name, unit_id }).await?;
    ctx::set_cookie(crate::server::live::cookie(&token, state.config.cookie_secure));
    Ok(me)
}

#[server]
pub async fn list_live_sessions() -> Result<Vec<LiveSummary>, AppError> {
    use crate::api::ctx;
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    crate::server::live::list(&state, &user).await
}

#[server]
pub async fn create_live_session(input: LiveCreateInput) -> Result<LiveSummary, AppError> {
    use crate::api::ctx;
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    crate::server::live::create(&state, &user, input).await
}

#[server]
pub async fn control_live_session(id: Uuid, action: String) -> Result<LiveView, AppError> {
    use crate::api::ctx;
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    crate::server::live::control(&state, &user, id, &action).await
}
