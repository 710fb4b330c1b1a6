//! The state every handler and server function shares.
use super::clock::SystemClock;
use crate::domain::units::Unit;
use crate::store::{AnyStore, ChoiceRecord, ContestRecord, ItemRecord, PoolEntry, RoundRecord, StoreResult, VersionText};
use leptos::config::LeptosOptions;
use moka::sync::Cache;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::RwLock;
use uuid::Uuid;

#[derive(Clone)]
pub struct AppState {
    pub store: AnyStore,
    pub clock: Arc<SystemClock>,
    pub leptos_options: LeptosOptions,
    pub config: Arc<Config>,
    /// The browser bundle's hashed file names.
    pub assets: Arc<crate::app::assets::Assets>,
    pool: Arc<RwLock<Option<(crate::domain::Millis, Arc<Vec<PoolEntry>>)>>>,
    units: Arc<RwLock<Option<(std::time::Instant, Arc<Vec<Unit>>)>>>,
    /// The round whose results changed (an attempt started or graded), for live boards.
    pub events: tokio::sync::broadcast::Sender<uuid::Uuid>,
    pub metrics: Arc<super::metrics::Metrics>,
    /// Set when the server begins a graceful shutdown: long-lived streams end.
    pub shutdown: tokio::sync::watch::Sender<bool>,
    /// Live in-person sessions: change announcements and shared views.
    pub hub: Arc<super::live::LiveHub>,
    /// The projector board of each round, computed at most every `LIVE_TTL`.
    live: Cache<Uuid, Arc<String>>,
    /// Rounds and contests as read at most `RULES_TTL` ago: every start and submit needs them.
    rounds: Cache<Uuid, RoundRecord>,
    contests: Cache<Uuid, ContestRecord>,
    /// Question versions as served (they never change once written).
    versions: Cache<Uuid, Arc<VersionText>>,
}

/// The record kept for `id`, or what `read` finds (kept when found).
async fn kept_or_read<T: Clone + Send + Sync + 'static>(
    cache: &Cache<Uuid, T>,
    id: Uuid,
    read: impl std::future::Future<Output = StoreResult<Option<T>>>,
) -> StoreResult<Option<T>> {
    if let Some(kept) = cache.get(&id) {
        return Ok(Some(kept));
    }
    let found = read.await?;
    if let Some(v) = &found {
        cache.insert(id, v.clone());
    }
    Ok(found)
}

/// A bounded cache whose entries expire `ttl` after they were written.
fn expiring<T: Clone + Send + Sync + 'static>(capacity: u64, ttl: Duration) -> Cache<Uuid, T> {
    Cache::builder().max_capacity(capacity).time_to_live(ttl).build()
}

/// What the running app needs of the configuration (`config::Settings`, read once at start).
#[derive(Debug, Clone)]
pub struct Config {
    /// Add `Secure` to cookies (behind HTTPS).
    pub cookie_secure: bool,
    /// Take the client address from `X-Forwarded-For` (behind a trusted reverse proxy).
    pub trust_proxy: bool,
    /// Failed logins in a row before a phone number is locked: for a minute, then
    /// twice as long at each further failure, up to an hour (a success ends it).
    pub login_per_phone: i64,
    /// Login attempts allowed per client address per 5 minutes (offices share addresses).
    pub login_per_ip: i64,
    /// Registrations allowed per client address per hour.
    pub register_per_ip: i64,
    /// When set, `/metrics` answers only `Authorization: Bearer <token>`.
    pub metrics_token: Option<String>,
    /// The administrator seeded into an empty database, and their password (generated when `None`).
    pub admin_phone: String,
    pub admin_password: Option<String>,
}

impl Default for Config {
    /// The defaults of `config::Settings` (README's table).
    fn default() -> Self {
        Self {
            cookie_secure: false,
            trust_proxy: false,
            login_per_phone: 5,
            login_per_ip: 300,
            register_per_ip: 200,
            metrics_token: None,
            admin_phone: "0900000000".into(),
            admin_password: None,
        }
    }
}

impl From<&super::config::Settings> for Config {
    fn from(s: &super::config::Settings) -> Self {
        Self {
            cookie_secure: s.cookie_secure,
            trust_proxy: s.trust_proxy,
            login_per_phone: s.login_limit_per_phone,
            login_per_ip: s.login_limit_per_ip,
            register_per_ip: s.register_limit_per_ip,
            metrics_token: s.metrics_token.clone().filter(|t| !t.is_empty()),
            admin_phone: s.admin_phone.clone(),
            admin_password: s.admin_password.clone(),
        }
    }
}

/// How long the unit tree is cached.
const UNITS_TTL: std::time::Duration = std::time::Duration::from_secs(5);
/// How often at most a round's projector board is recomputed.
pub const LIVE_TTL: std::time::Duration = std::time::Duration::from_millis(250);

/// How long a round's or contest's rules are reused: changes made through this
/// server show at once, another server's within this time.
const RULES_TTL: Duration = Duration::from_secs(1);

/// How long the drawable question pool is cached.
const POOL_TTL_MS: i64 = 30_000;

impl AppState {
    pub fn new(store: AnyStore, clock: Arc<SystemClock>, leptos_options: LeptosOptions, config: Config) -> Self {
        let assets = crate::app::assets::Assets::find(&leptos_options.site_root, &leptos_options.site_pkg_dir, &leptos_options.output_name);
        Self {
            store,
            clock,
            assets: Arc::new(assets),
            leptos_options,
            config: Arc::new(config),
            pool: Default::default(),
            units: Default::default(),
            events: tokio::sync::broadcast::channel(1024).0,
            metrics: Default::default(),
            shutdown: tokio::sync::watch::channel(false).0,
            live: expiring(1_000, LIVE_TTL),
            hub: Default::default(),
            rounds: expiring(10_000, RULES_TTL),
            contests: expiring(10_000, RULES_TTL),
            versions: Cache::builder().max_capacity(100_000).time_to_idle(Duration::from_secs(24 * 3600)).build(),
        }
    }

    /// A round as read at most `RULES_TTL` ago.
    pub async fn round(&self, id: Uuid) -> StoreResult<Option<RoundRecord>> {
        kept_or_read(&self.rounds, id, self.store.get_round(id)).await
    }

    /// A contest as read at most `RULES_TTL` ago.
    pub async fn contest(&self, id: Uuid) -> StoreResult<Option<ContestRecord>> {
        kept_or_read(&self.contests, id, self.store.contest(id)).await
    }

    /// Forgets the rounds and contests read (after an organizer changes one).
    pub fn invalidate_rounds(&self) {
        self.rounds.invalidate_all();
        self.contests.invalidate_all();
    }

    /// The questions of an attempt with their texts, from memory where served before.
    pub async fn items(&self, choices: &[ChoiceRecord]) -> StoreResult<Vec<ItemRecord>> {
        let mut texts: HashMap<Uuid, Arc<VersionText>> =
            choices.iter().filter_map(|c| self.versions.get(&c.version_id).map(|v| (c.version_id, v))).collect();
        let missing: Vec<Uuid> = choices.iter().map(|c| c.version_id).filter(|v| !texts.contains_key(v)).collect();
        if !missing.is_empty() {
            let loaded = self.store.version_texts(&missing).await?;
            for t in loaded {
                let t = Arc::new(t);
                self.versions.insert(t.version_id, t.clone());
                texts.insert(t.version_id, t);
            }
        }
        Ok(choices.iter().filter_map(|c| texts.get(&c.version_id).map(|v| v.item(c))).collect())
    }

    /// Tells live boards that a round's results changed.
    pub fn graded(&self, round_id: uuid::Uuid) {
        let _ = self.events.send(round_id);
        self.hub.round_changed(round_id);
    }

    /// The units in use, cached briefly (every board reads the whole tree). Changes
    /// made through this server show at once; another server's within `UNITS_TTL`.
    pub async fn units(&self) -> StoreResult<Arc<Vec<Unit>>> {
        if let Some((at, units)) = self.units.read().await.as_ref() {
            if at.elapsed() < UNITS_TTL {
                return Ok(units.clone());
            }
        }
        let units = Arc::new(self.store.list_units().await?);
        *self.units.write().await = Some((std::time::Instant::now(), units.clone()));
        Ok(units)
    }

    /// Forgets the cached units (after they change).
    pub async fn invalidate_units(&self) {
        *self.units.write().await = None;
    }

    /// The projector board of a round as JSON, shared by every screen showing it.
    pub async fn live_json(&self, round_id: uuid::Uuid) -> crate::error::AppResult<Arc<String>> {
        if let Some(json) = self.live.get(&round_id) {
            return Ok(json);
        }
        let board = super::ranking::live_board(self, round_id).await?;
        let json = Arc::new(serde_json::to_string(&board).map_err(super::service::internal)?);
        self.live.insert(round_id, json.clone());
        Ok(json)
    }

    pub fn now(&self) -> crate::domain::Millis {
        use super::clock::Clock;
        self.clock.now()
    }

    /// A user's name for display (empty when unknown).
    pub async fn store_user_name(&self, id: uuid::Uuid) -> String {
        self.store.user_by_id(id).await.ok().flatten().map(|u| u.full_name).unwrap_or_default()
    }

    /// Forgets the cached pool (after the bank changes).
    pub async fn invalidate_question_pool(&self) {
        *self.pool.write().await = None;
    }

    /// The active questions rounds draw from, cached briefly (it is read at every start).
    pub async fn question_pool(&self) -> StoreResult<Arc<Vec<PoolEntry>>> {
        let now = self.now();
        if let Some((at, pool)) = self.pool.read().await.as_ref() {
            if now - at < POOL_TTL_MS {
                return Ok(pool.clone());
            }
        }
        let pool = Arc::new(self.store.question_pool().await?);
        *self.pool.write().await = Some((now, pool.clone()));
        Ok(pool)
    }
}

impl axum::extract::FromRef<AppState> for LeptosOptions {
    fn from_ref(s: &AppState) -> Self {
        s.leptos_options.clone()
    }
}
