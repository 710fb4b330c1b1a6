//! What everyone may compare: leaderboards, unit boards, charts, published results
//! and the projector board (JSON and server-sent events). A private contest's
//! boards are seen only by its audience and the staff whose scope covers it.
use super::doc::*;
use super::extract::*;
use super::sse;
use crate::error::AppError;
use crate::i18n::t;
use crate::model::*;
use crate::server::ranking::{self, BoardParams, SORTS};
use crate::server::{admin, service, state::AppState};
use crate::store::UserRecord;
use axum::extract::State;
use axum::response::sse::Event;
use axum::response::Response;
use axum::Json;
use serde::Deserialize;
use std::sync::Arc;
use std::time::Duration;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

pub fn routes() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(leaderboard))
        .routes(routes!(results))
        .routes(routes!(round_units))
        .routes(routes!(round_charts))
        .routes(routes!(round_live))
        .routes(routes!(round_events))
        .routes(routes!(contest_ranking))
        .routes(routes!(contest_units))
        .routes(routes!(contest_charts))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    /// How many rows (default 100).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<i64>,
    /// Only participants of this unit's subtree.
    unit: Option<Uuid>,
}

impl PeopleQuery {
    fn limit(&self) -> ApiResult<i64> {
        bounded(self.limit, 100, 1..=1_000)
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitsQuery {
    /// The unit whose children are compared (default: the top of the contest's audience).
    parent: Option<Uuid>,
    /// Every unit below `parent` whose name contains this, instead of its children.
    #[param(max_length = 100)]
    q: Option<String>,
    /// The column to sort by (default `rank`).
    #[param(pattern = "^(rank|name|headcount|participants|rate|attempts|average|perfect)$")]
    sort: Option<String>,
    /// `asc` or `desc` (default: the column's natural order).
    #[param(pattern = "^(asc|desc)$")]
    dir: Option<String>,
}

impl UnitsQuery {
    fn params(self) -> ApiResult<BoardParams> {
        let sort_ok = self.sort.as_deref().is_none_or(|s| SORTS.contains(&s));
        let dir_ok = self.dir.as_deref().is_none_or(|d| d == "asc" || d == "desc");
        let q_ok = self.q.as_deref().is_none_or(|q| q.chars().count() <= 100);
        if !(sort_ok && dir_ok && q_ok) {
            return Err(AppError::bad_request(t().err_bad_request).into());
        }
        Ok(BoardParams { parent: self.parent, q: self.q, sort: self.sort, dir: self.dir })
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChartQuery {
    /// One round of the contest (default: the whole contest).
    round: Option<Uuid>,
    /// Only this unit's subtree.
    unit: Option<Uuid>,
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundChartQuery {
    /// Only this unit's subtree.
    unit: Option<Uuid>,
}

/// The contest of a round the caller may see.
async fn visible_round(s: &AppState, user: Option<&UserRecord>, round_id: Uuid) -> ApiResult<Uuid> {
    Ok(service::check_round_visible(s, user, round_id).await?.contest_id)
}

/// A round's ranking of people (phone numbers masked; the caller's own row marked).
#[utoipa::path(get, path = "/api/v1/rounds/{round_id}/leaderboard", tag = "boards",
    params(("round_id" = Uuid, Path, description = "The round"), PeopleQuery),
    responses((status = 200, body = Leaderboard), BadRequest, NotFound))]
async fn leaderboard(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<PeopleQuery>,
) -> ApiResult<Json<Leaderboard>> {
    let limit = q.limit()?;
    visible_round(&s, user.as_ref(), id).await?;
    Ok(Json(ranking::leaderboard(&s, id, q.unit, limit, user.as_ref()).await?))
}

/// A round's published results (prizes and rankings frozen when published).
#[utoipa::path(get, path = "/api/v1/rounds/{round_id}/results", tag = "boards",
    params(("round_id" = Uuid, Path, description = "The round")),
    responses((status = 200, body = PublishedResults), BadRequest, NotFound))]
async fn results(State(s): State<AppState>, MaybeUser(user): MaybeUser, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<PublishedResults>> {
    visible_round(&s, user.as_ref(), id).await?;
    Ok(Json(admin::published(&s, id).await?))
}

/// A round's units compared: participation against headcount, scores.
#[utoipa::path(get, path = "/api/v1/rounds/{round_id}/units", tag = "boards",
    params(("round_id" = Uuid, Path, description = "The round"), UnitsQuery),
    responses((status = 200, body = UnitBoard), BadRequest, NotFound))]
async fn round_units(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<UnitsQuery>,
) -> ApiResult<Json<UnitBoard>> {
    let params = q.params()?;
    let contest_id = visible_round(&s, user.as_ref(), id).await?;
    Ok(Json(ranking::unit_board(&s, contest_id, Some(id), params).await?))
}

/// A round's charts: scores, times, participation by day.
#[utoipa::path(get, path = "/api/v1/rounds/{round_id}/charts", tag = "boards",
    params(("round_id" = Uuid, Path, description = "The round"), RoundChartQuery),
    responses((status = 200, body = Charts), BadRequest, NotFound))]
async fn round_charts(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<RoundChartQuery>,
) -> ApiResult<Json<Charts>> {
    let contest_id = visible_round(&s, user.as_ref(), id).await?;
    Ok(Json(ranking::charts(&s, contest_id, Some(id), q.unit).await?))
}

/// The projector board of a round, shared by every screen showing it (recomputed at most every 250 ms).
#[utoipa::path(get, path = "/api/v1/rounds/{round_id}/live", tag = "boards",
    params(("round_id" = Uuid, Path, description = "The round")),
    responses((status = 200, body = LiveBoard), BadRequest, NotFound))]
async fn round_live(State(s): State<AppState>, MaybeUser(user): MaybeUser, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    visible_round(&s, user.as_ref(), id).await?;
    Ok(json_text(&s.live_json(id).await?))
}

/// How often a board looks for changes made by other servers.
const LIVE_POLL: Duration = Duration::from_secs(2);

/// A round's projector board as it changes.
struct Board {
    round: Uuid,
    last: Option<Arc<String>>,
}

impl sse::Feed for Board {
    async fn next(&mut self, s: &AppState) -> Option<Event> {
        let json = s.live_json(self.round).await.ok()?;
        if self.last.as_deref() == Some(&*json) {
            return None;
        }
        let event = Event::default().event("board").data(json.as_str());
        self.last = Some(json);
        Some(event)
    }

    fn wake_in(&self, _: &AppState) -> Duration {
        LIVE_POLL
    }
}

/// Server-sent events (`text/event-stream`): event `board`, whose data is the
/// `LiveBoard` JSON, at once and whenever an attempt of the round starts or is graded.
#[utoipa::path(get, path = "/api/v1/rounds/{round_id}/events", tag = "boards",
    params(("round_id" = Uuid, Path, description = "The round")),
    responses((status = 200, content_type = "text/event-stream", body = sse::EventSchema, description = "`event: board` with a `LiveBoard` as data"),
        BadRequest, NotFound))]
async fn round_events(State(s): State<AppState>, MaybeUser(user): MaybeUser, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    visible_round(&s, user.as_ref(), id).await?;
    s.live_json(id).await?;
    let changes = s.events.subscribe();
    Ok(sse::stream(s, changes, id, crate::server::state::LIVE_TTL, Board { round: id, last: None }))
}

async fn visible_contest(s: &AppState, user: Option<&UserRecord>, id: Uuid) -> ApiResult<()> {
    service::check_contest_id_visible(s, user, id).await?;
    Ok(())
}

/// A contest's ranking of people over its rounds (each round's counted attempt).
#[utoipa::path(get, path = "/api/v1/contests/{contest_id}/ranking", tag = "boards",
    params(("contest_id" = Uuid, Path, description = "The contest"), PeopleQuery),
    responses((status = 200, body = ContestRanking), BadRequest, NotFound))]
async fn contest_ranking(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<PeopleQuery>,
) -> ApiResult<Json<ContestRanking>> {
    let limit = q.limit()? as usize;
    visible_contest(&s, user.as_ref(), id).await?;
    Ok(Json(ranking::contest_ranking(&s, id, q.unit, limit, user.as_ref()).await?))
}

/// A contest's units compared over all its rounds.
#[utoipa::path(get, path = "/api/v1/contests/{contest_id}/units", tag = "boards",
    params(("contest_id" = Uuid, Path, description = "The contest"), UnitsQuery),
    responses((status = 200, body = UnitBoard), BadRequest, NotFound))]
async fn contest_units(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<UnitsQuery>,
) -> ApiResult<Json<UnitBoard>> {
    let params = q.params()?;
    visible_contest(&s, user.as_ref(), id).await?;
    Ok(Json(ranking::unit_board(&s, id, None, params).await?))
}

/// A contest's charts (or one round's).
#[utoipa::path(get, path = "/api/v1/contests/{contest_id}/charts", tag = "boards",
    params(("contest_id" = Uuid, Path, description = "The contest"), ChartQuery),
    responses((status = 200, body = Charts), BadRequest, NotFound))]
async fn contest_charts(
    State(s): State<AppState>,
    MaybeUser(user): MaybeUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ChartQuery>,
) -> ApiResult<Json<Charts>> {
    visible_contest(&s, user.as_ref(), id).await?;
    Ok(Json(ranking::charts(&s, id, q.round, q.unit).await?))
}
