//! The server: `thi24 [serve]`, `thi24 recompute`, `thi24 backup FILE`. The
//! configuration is read once (`server::config`); a bad value stops here.
#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() {
    use thi24::server::config::{Cli, Command, LogFormat};
    use thi24::store::{AnyStore, Options};

    let cli = Cli::read();
    let settings = cli.settings.clone();
    let filter = tracing_subscriber::EnvFilter::new(&settings.log_filter);
    match settings.log_format {
        LogFormat::Json => tracing_subscriber::fmt().json().with_current_span(true).with_span_list(false).with_env_filter(filter).init(),
        LogFormat::Text => tracing_subscriber::fmt().with_env_filter(filter).init(),
    }
    let fail = |what: &str, e: &dyn std::fmt::Display| -> ! {
        eprintln!("{what}: {e}");
        std::process::exit(1)
    };
    let command = cli.command.unwrap_or(Command::Serve);
    let opts = Options {
        max_connections: settings.database_max_connections,
        // a backup copies the database as it is
        migrate: !matches!(command, Command::Backup { .. }),
    };
    let store = AnyStore::open(&settings.database_url, &opts).await.unwrap_or_else(|e| fail("Không kết nối được cơ sở dữ liệu", &e));

    match command {
        // An online copy of the SQLite database (the app may keep running).
        Command::Backup { to } => {
            if to.exists() {
                eprintln!("Tệp {} đã có: chọn một tên mới (bản sao lưu không ghi đè).", to.display());
                std::process::exit(2)
            }
            let started = std::time::Instant::now();
            match store.backup_to(&to.to_string_lossy()).await {
                Ok(()) => println!("Đã sao lưu vào {} trong {:.1} giây.", to.display(), started.elapsed().as_secs_f64()),
                Err(e) => fail("Không sao lưu được", &e),
            }
        }
        // Rebuild the leaderboards' aggregates from the attempts, then exit.
        Command::Recompute => {
            let started = std::time::Instant::now();
            match store.recompute_aggregates().await {
                Ok(r) => println!(
                    "Đã tính lại số liệu tổng hợp: {} dòng; {} lượt tham gia được sửa; {:.1} giây.",
                    r.rows_rebuilt,
                    r.participations_fixed,
                    started.elapsed().as_secs_f64()
                ),
                Err(e) => fail("Không tính lại được số liệu tổng hợp", &e),
            }
        }
        Command::Serve => serve(settings, store).await,
    }
}

#[cfg(feature = "ssr")]
async fn serve(settings: thi24::server::config::Settings, store: thi24::store::AnyStore) {
    use leptos::config::get_configuration;
    use thi24::server::{clock::SystemClock, router, seed, state::Config, sweeper, AppState};

    // a database from before the aggregates existed gets them built once
    if store.needs_backfill().await.unwrap_or(false) {
        tracing::info!("building leaderboard aggregates from attempts");
        if let Err(e) = store.recompute_aggregates().await {
            eprintln!("Không tính được số liệu tổng hợp: {e}");
            std::process::exit(1)
        }
    }
    let mut options = get_configuration(None).expect("leptos configuration").leptos_options;
    options.site_addr = settings.site_addr;
    let addr = settings.site_addr;
    let state = AppState::new(store, SystemClock::shared(), options, Config::from(&settings));
    if settings.seed_demo {
        match seed::seed_if_empty(&state).await {
            Ok(Some(password)) => println!(
                "Tài khoản quản trị: {} / mật khẩu: {password}  (chỉ in một lần; đặt ADMIN_PASSWORD để tự chọn)",
                settings.admin_phone
            ),
            Ok(None) => {}
            Err(e) => {
                eprintln!("Lỗi khởi tạo dữ liệu mẫu: {e}");
                std::process::exit(1)
            }
        }
        if let Err(e) = seed::keep_demo_round_open(&state).await {
            eprintln!("{e}");
        }
    }
    sweeper::spawn(state.clone());
    thi24::server::live::spawn(&state);
    let shutdown = state.shutdown.clone();
    let app = router::build(state);
    let listener = tokio::net::TcpListener::bind(&addr).await.unwrap_or_else(|e| {
        eprintln!("Không mở được cổng {addr}: {e}");
        std::process::exit(1)
    });
    tracing::info!("listening on http://{addr}");
    axum::serve(listener, app.into_make_service_with_connect_info::<std::net::SocketAddr>())
        .with_graceful_shutdown(async move {
            let ctrl_c = async { tokio::signal::ctrl_c().await.ok() };
            let term = async { tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("signal").recv().await };
            tokio::select! { _ = ctrl_c => {}, _ = term => {} }
            tracing::info!("shutting down: finishing requests in flight");
            // long-lived event streams end so that the drain can finish
            let _ = shutdown.send(true);
        })
        .await
        .expect("server");
}

#[cfg(not(feature = "ssr"))]
pub fn main() {}
