//! Server functions: the UI's door to the service layer. Each one parses,
//! checks who is asking, calls a service function and maps the error.
use crate::error::AppError;
use crate::model::*;
use leptos::prelude::*;
use uuid::Uuid;

#[cfg(feature = "ssr")]
pub(crate) mod ctx {
    use crate::error::{AppError, AppResult};
    use crate::server::{auth, AppState};
    use crate::store::UserRecord;
    use leptos::prelude::*;

    pub fn state() -> AppResult<AppState> {
        use_context::<AppState>().ok_or_else(AppError::internal)
    }

    pub fn parts() -> AppResult<http::request::Parts> {
        use_context::<http::request::Parts>().ok_or_else(AppError::internal)
    }

    /// The requester's account, looked up once per request (a page asks in several places).
    #[derive(Clone, Default)]
    pub struct RequestUser(std::sync::Arc<tokio::sync::OnceCell<Option<UserRecord>>>);

    pub async fn user(state: &AppState) -> AppResult<Option<UserRecord>> {
        let headers = parts()?.headers;
        match use_context::<RequestUser>() {
            Some(cell) => cell.0.get_or_try_init(|| auth::current_user(state, &headers)).await.cloned(),
            None => auth::current_user(state, &headers).await,
        }
    }

    pub async fn require_user(state: &AppState) -> AppResult<UserRecord> {
        user(state).await?.ok_or_else(AppError::unauthorized)
    }

    pub fn client_ip(state: &AppState) -> AppResult<String> {
        let p = parts()?;
        let peer = p.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0);
        Ok(auth::client_ip(&p.headers, peer, state.config.trust_proxy))
    }

    /// The uploaded file of a multipart form (field `file`): its name and bytes.
    pub async fn read_upload(data: leptos::server_fn::codec::MultipartData) -> AppResult<(String, Vec<u8>)> {
        let mut data = data.into_inner().ok_or_else(AppError::internal)?;
        let mut file: Option<(String, Vec<u8>)> = None;
        while let Ok(Some(mut field)) = data.next_field().await {
            if field.name() != Some("file") {
                continue;
            }
            let name = field.file_name().unwrap_or("tep.csv").to_string();
            let mut bytes = Vec::new();
            while let Ok(Some(chunk)) = field.chunk().await {
                bytes.extend_from_slice(&chunk);
                if bytes.len() > crate::model::UPLOAD_LIMIT {
                    return Err(AppError::validation(crate::i18n::t().err_file_missing));
                }
            }
            file = Some((name, bytes));
        }
        file.filter(|(_, b)| !b.is_empty()).ok_or_else(|| AppError::validation(crate::i18n::t().err_file_missing))
    }

    /// Tells the browser to drop what this site kept (the service worker's pages,
    /// an outbox): nothing of a person stays on a shared phone after logout.
    pub fn clear_site_data() {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            res.insert_header(
                http::HeaderName::from_static("clear-site-data"),
                http::HeaderValue::from_static(crate::server::auth::CLEAR_SITE_DATA),
            );
        }
    }

    pub fn set_cookie(value: String) {
        if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
            if let Ok(v) = http::HeaderValue::from_str(&value) {
                res.append_header(http::header::SET_COOKIE, v);
            }
        }
    }
}

#[server]
pub async fn get_me() -> Result<Option<Me>, AppError> {
    let state = ctx::state()?;
    Ok(ctx::user(&state).await?.as_ref().map(crate::server::service::me))
}

#[server]
pub async fn list_units() -> Result<Vec<UnitDto>, AppError> {
    crate::server::service::list_units(&ctx::state()?).await
}

#[server]
pub async fn register(full_name: String, phone: String, unit_id: String, password: String) -> Result<(), AppError> {
    use crate::server::{auth, service};
    let state = ctx::state()?;
    let unit_id = Uuid::parse_str(unit_id.trim()).map_err(|_| AppError::validation(crate::i18n::t().err_unit_unknown))?;
    let ip = ctx::client_ip(&state)?;
    let (_, token) = service::register(&state, RegisterInput { full_name, phone, unit_id, password }, &ip).await?;
    ctx::set_cookie(auth::session_cookie(&token, state.config.cookie_secure));
    leptos_axum::redirect("/");
    Ok(())
}

#[server]
pub async fn login(phone: String, password: String) -> Result<(), AppError> {
    use crate::server::{auth, service};
    let state = ctx::state()?;
    let ip = ctx::client_ip(&state)?;
    let (_, token) = service::login(&state, LoginInput { phone, password }, &ip).await?;
    ctx::set_cookie(auth::session_cookie(&token, state.config.cookie_secure));
    leptos_axum::redirect("/");
    Ok(())
}

#[server]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::{auth, service};
    let state = ctx::state()?;
    service::logout(&state, auth::token_from(&ctx::parts()?.headers)).await?;
    ctx::set_cookie(auth::clear_cookie(state.config.cookie_secure));
    ctx::clear_site_data();
    leptos_axum::redirect("/");
    Ok(())
}

/// What the home page shows: the rounds, the caller's figures and attempts, and the server's clock.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct HomeView {
    pub me: Option<Me>,
    pub rounds: Vec<RoundSummary>,
    pub attempts: Vec<MyAttempt>,
    pub server_now: i64,
}

#[server]
pub async fn home_data() -> Result<HomeView, AppError> {
    use crate::server::service;
    let state = ctx::state()?;
    let user = ctx::user(&state).await?;
    let rounds = service::list_rounds(&state, user.as_ref(), None).await?;
    let attempts = match &user {
        Some(u) => service::my_attempts(&state, u).await?,
        None => vec![],
    };
    Ok(HomeView { me: user.as_ref().map(service::me), rounds, attempts, server_now: state.now() })
}

#[server]
pub async fn start_attempt(round_id: Uuid) -> Result<Uuid, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    let view = crate::server::service::start_attempt(&state, &user, round_id).await?;
    leptos_axum::redirect(&format!("/bai-thi/{}", view.id));
    Ok(view.id)
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn get_attempt(id: Uuid) -> Result<AttemptView, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    crate::server::service::attempt_view(&state, &user, id).await
}

#[server]
pub async fn get_leaderboard(round_id: Uuid) -> Result<Leaderboard, AppError> {
    let state = ctx::state()?;
    let user = ctx::user(&state).await?;
    crate::server::service::check_round_visible(&state, user.as_ref(), round_id).await?;
    crate::server::ranking::leaderboard(&state, round_id, None, 100, user.as_ref()).await
}

/// The contest a statistics page shows, checked visible to whoever asks.
#[cfg(feature = "ssr")]
async fn visible_contest(state: &crate::server::AppState, contest_id: Uuid) -> Result<Option<crate::store::UserRecord>, AppError> {
    let user = ctx::user(state).await?;
    crate::server::service::check_contest_id_visible(state, user.as_ref(), contest_id).await?;
    Ok(user)
}

/// Units compared at one level of the tree, for a round or the whole contest.
#[server(input = leptos::server_fn::codec::Json)]
pub async fn get_unit_board(
    contest_id: Uuid,
    round_id: Option<Uuid>,
    parent: Option<Uuid>,
    q: Option<String>,
    sort: Option<String>,
    dir: Option<String>,
) -> Result<UnitBoard, AppError> {
    let state = ctx::state()?;
    visible_contest(&state, contest_id).await?;
    let params = crate::server::ranking::BoardParams { parent, q, sort, dir };
    crate::server::ranking::unit_board(&state, contest_id, round_id, params).await
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn get_charts(contest_id: Uuid, round_id: Option<Uuid>, unit: Option<Uuid>) -> Result<Charts, AppError> {
    let state = ctx::state()?;
    visible_contest(&state, contest_id).await?;
    crate::server::ranking::charts(&state, contest_id, round_id, unit).await
}

/// The individual ranking of a round (or of the whole contest), within a unit.
#[server(input = leptos::server_fn::codec::Json)]
pub async fn get_people(contest_id: Uuid, round_id: Option<Uuid>, unit: Option<Uuid>) -> Result<PeopleBoard, AppError> {
    let state = ctx::state()?;
    let user = visible_contest(&state, contest_id).await?;
    let people = match round_id {
        Some(id) => PeopleBoard::Round(crate::server::ranking::leaderboard(&state, id, unit, 20, user.as_ref()).await?),
        None => PeopleBoard::Contest(crate::server::ranking::contest_ranking(&state, contest_id, unit, 20, user.as_ref()).await?),
    };
    Ok(people)
}

#[server]
pub async fn get_live_board(round_id: Uuid) -> Result<LiveBoard, AppError> {
    let state = ctx::state()?;
    crate::server::service::check_round_visible(&state, ctx::user(&state).await?.as_ref(), round_id).await?;
    crate::server::ranking::live_board(&state, round_id).await
}

#[server]
pub async fn study_sections() -> Result<Vec<StudySection>, AppError> {
    crate::server::practice::study_sections().map_err(crate::server::service::internal)
}

#[server]
pub async fn list_topics() -> Result<Vec<TopicDto>, AppError> {
    crate::server::bank::topics(&ctx::state()?).await
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn practice_next(topic: Option<String>, recent: Vec<Uuid>) -> Result<PracticeQuestion, AppError> {
    crate::server::practice::next(&ctx::state()?, topic, recent.into_iter().take(50).collect()).await
}

/// A practice answer checked without JavaScript (a plain GET form): the question
/// again, with its feedback.
#[server(input = leptos::server_fn::codec::Json)]
pub async fn practice_checked(question_id: Uuid, option_id: Uuid) -> Result<(PracticeQuestion, PracticeFeedback), AppError> {
    let state = ctx::state()?;
    let user = ctx::user(&state).await?;
    let feedback = crate::server::practice::answer(&state, user.as_ref(), question_id, option_id).await?;
    Ok((crate::server::practice::question(&state, question_id).await?, feedback))
}

#[server]
pub async fn practice_summary() -> Result<Option<Vec<TopicStat>>, AppError> {
    let state = ctx::state()?;
    match ctx::user(&state).await? {
        Some(u) => Ok(Some(crate::server::practice::summary(&state, &u).await?)),
        None => Ok(None),
    }
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn bank_list(filter: BankFilter) -> Result<BankPage, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    crate::server::bank::list(&state, &user, filter).await
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn bank_get(id: Uuid) -> Result<BankItem, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    crate::server::bank::get(&state, &user, id).await
}

/// Creates (no `id`) or edits a question. Options are sent as `options[0]`…; `correct` is 0-based.
#[server(input = leptos::server_fn::codec::Json)]
pub async fn bank_save(id: Option<Uuid>, draft: crate::domain::question::QuestionDraft) -> Result<Uuid, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    let id = crate::server::bank::save(&state, &user, id, draft).await?;
    state.invalidate_question_pool().await;
    Ok(id)
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn bank_set_status(id: Uuid, retired: bool) -> Result<(), AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    crate::server::bank::set_status(&state, &user, id, retired).await?;
    state.invalidate_question_pool().await;
    Ok(())
}

#[server]
pub async fn add_topic(slug: String, name: String) -> Result<(), AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    crate::server::bank::add_topic(&state, &user, slug, name).await
}

/// Uploads a bank file (field `file`) and returns what importing it would do.
#[server(prefix = "/api/upload", input = leptos::server_fn::codec::MultipartFormData)]
pub async fn bank_preview_import(data: leptos::server_fn::codec::MultipartData) -> Result<ImportPreview, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    crate::server::service::require_organizer(&user)?;
    let (name, bytes) = ctx::read_upload(data).await?;
    crate::server::bank::preview_import(&state, &user, &name, &bytes).await
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn bank_commit_import(import_id: Uuid) -> Result<ImportDone, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    crate::server::bank::commit_import(&state, &user, import_id).await
}

#[server]
pub async fn admin_contests() -> Result<Vec<ContestDto>, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    crate::server::admin::list_contests(&state, &user).await
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn admin_contest(id: Uuid) -> Result<ContestDto, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    crate::server::admin::get_contest(&state, &user, id).await
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn admin_save_contest(id: Option<Uuid>, input: ContestInput) -> Result<ContestDto, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    crate::server::admin::save_contest(&state, &user, id, input).await
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn admin_weekly(contest_id: Uuid, input: WeeklyInput) -> Result<Vec<AdminRound>, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    crate::server::admin::create_weekly(&state, &user, contest_id, input).await
}

/// "close", "publish" or "clone" a round.
#[server(input = leptos::server_fn::codec::Json)]
pub async fn admin_round_action(id: Uuid, action: String) -> Result<(), AppError> {
    use crate::server::admin;
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    match action.as_str() {
        "close" => admin::close_round(&state, &user, id).await.map(|_| ()),
        "publish" => admin::publish_round(&state, &user, id).await.map(|_| ()),
        "clone" => admin::clone_round(&state, &user, id).await.map(|_| ()),
        _ => Err(AppError::bad_request(crate::i18n::t().err_bad_request)),
    }
}

/// The item analysis of a closed round (`contest` false) or of a contest's closed rounds.
#[server]
pub async fn admin_items(id: Uuid, contest: bool) -> Result<crate::model::ItemAnalysis, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    if contest {
        crate::server::analysis::contest_items(&state, &user, id).await
    } else {
        crate::server::analysis::round_items(&state, &user, id).await
    }
}

#[server]
pub async fn admin_audit() -> Result<Vec<crate::model::AuditView>, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    let entries = crate::server::admin::audit_log(&state, &user, 500).await?;
    let mut out = Vec::with_capacity(entries.len());
    for e in entries {
        let actor = match e.actor_id {
            Some(id) => state.store_user_name(id).await,
            None => String::new(),
        };
        out.push(crate::model::AuditView {
            at: e.at,
            actor,
            action: e.action,
            entity: e.entity,
            entity_id: e.entity_id,
            before: e.before,
            after: e.after,
        });
    }
    Ok(out)
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn get_results(round_id: Uuid) -> Result<PublishedResults, AppError> {
    let state = ctx::state()?;
    crate::server::service::check_round_visible(&state, ctx::user(&state).await?.as_ref(), round_id).await?;
    crate::server::admin::published(&state, round_id).await
}

#[server]
pub async fn activate(phone: String, code: String, password: String) -> Result<(), AppError> {
    use crate::server::auth;
    let state = ctx::state()?;
    let ip = ctx::client_ip(&state)?;
    let (_, token) = crate::server::units::activate(&state, &phone, &code, password, &ip).await?;
    ctx::set_cookie(auth::session_cookie(&token, state.config.cookie_secure));
    leptos_axum::redirect("/");
    Ok(())
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn admin_save_unit(id: Option<Uuid>, input: UnitInput) -> Result<UnitDto, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    match id {
        Some(id) => crate::server::units::update_unit(&state, &user, id, input).await,
        None => crate::server::units::create_unit(&state, &user, input).await,
    }
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn admin_merge_units(source: Uuid, target: Uuid) -> Result<UnitDto, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    crate::server::units::merge_units(&state, &user, source, target).await
}

/// Uploads a roster file (field `file`): accounts with activation codes, or every bad row.
#[server(prefix = "/api/upload", input = leptos::server_fn::codec::MultipartFormData)]
pub async fn admin_import_roster(data: leptos::server_fn::codec::MultipartData) -> Result<RosterImport, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    let (name, bytes) = ctx::read_upload(data).await?;
    crate::server::units::import_roster(&state, &user, &name, &bytes).await
}

/// A unit's members and their activation codes, for printing.
#[server(input = leptos::server_fn::codec::Json)]
pub async fn admin_roster(unit_id: Uuid) -> Result<(String, Vec<(String, String, String, Option<String>)>), AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    let (name, rows) = crate::server::units::roster(&state, &user, unit_id).await?;
    Ok((name, rows.into_iter().map(|r| (r.full_name, r.phone, r.position, r.activation_code)).collect()))
}

#[server(input = leptos::server_fn::codec::Json)]
pub async fn admin_update_round(id: Uuid, input: RoundInput) -> Result<AdminRound, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    crate::server::admin::update_round(&state, &user, id, input).await
}

/// Gives a role to the account with this phone number (administrators only).
#[server(input = leptos::server_fn::codec::Json)]
pub async fn admin_set_role(phone: String, input: RoleInput) -> Result<(), AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    let phone = crate::server::service::parse_phone(&phone)?;
    let target = state
        .store
        .user_by_phone(phone.as_str())
        .await
        .map_err(crate::server::service::internal)?
        .ok_or_else(|| AppError::not_found(crate::i18n::t().err_user_not_found))?;
    crate::server::admin::set_role(&state, &user, target.id, input).await
}

/// Uploads a units file (field `file`): units created or updated, or every bad row.
#[server(prefix = "/api/upload", input = leptos::server_fn::codec::MultipartFormData)]
pub async fn admin_import_units(data: leptos::server_fn::codec::MultipartData) -> Result<RosterImport, AppError> {
    let state = ctx::state()?;
    let user = ctx::require_user(&state).await?;
    let (name, bytes) = ctx::read_upload(data).await?;
    crate::server::units::import_units(&state, &user, &name, &bytes).await
}

pub mod live;
