//! The server: configuration from the environment, the store, seeding, the
//! sweeper, and the HTTP application.
#[cfg(feature = "ssr")]
#[tokio::main]
async fn main() {
    use leptos::config::get_configuration;
    use thi24::server::{clock::SystemClock, router, seed, state::Config, sweeper, AppState};
    use thi24::store::AnyStore;

    // LOG_FORMAT=json: one JSON object per line, with the request id of the request it belongs to
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info,sqlx=warn".into());
    if std::env::var("LOG_FORMAT").is_ok_and(|f| f == "json") {
        tracing_subscriber::fmt().json().with_current_span(true).with_span_list(false).with_env_filter(filter).init();
    } else {
        tracing_subscriber::fmt().with_env_filter(filter).init();
    }

    let conf = get_configuration(None).expect("leptos configuration");
    let options = conf.leptos_options;
    let addr = options.site_addr;
    let url = std::env::var("DATABASE_URL").unwrap_or_else(|_| "sqlite:data/thi24.db".into());
    let store = AnyStore::connect(&url).await.unwrap_or_else(|e| {
        eprintln!("Không kết nối được cơ sở dữ liệu {url}: {e}");
        std::process::exit(1)
    });
    // `thi24 backup FILE`: an online copy of the SQLite database (the app may keep running).
    if std::env::args().nth(1).as_deref() == Some("backup") {
        let Some(dest) = std::env::args().nth(2) else {
            eprintln!("Cách dùng: thi24 backup ĐƯỜNG_DẪN_TỆP_SAO_LƯU");
            std::process::exit(2)
        };
        if std::path::Path::new(&dest).exists() {
            eprintln!("Tệp {dest} đã có: chọn một tên mới (bản sao lưu không ghi đè).");
            std::process::exit(2)
        }
        let started = std::time::Instant::now();
        match store.backup_to(&dest).await {
            Ok(()) => {
                println!("Đã sao lưu vào {dest} trong {:.1} giây.", started.elapsed().as_secs_f64());
                return;
            }
            Err(e) => {
                eprintln!("Không sao lưu được: {e}");
                std::process::exit(1)
            }
        }
    }
    // `thi24 recompute`: rebuild the leaderboards' aggregates from the attempts, then exit.
    if std::env::args().nth(1).as_deref() == Some("recompute") {
        use thi24::store::Store;
        let started = std::time::Instant::now();
        match store.recompute_aggregates().await {
            Ok(r) => {
                println!(
                    "Đã tính lại số liệu tổng hợp: {} dòng; {} lượt tham gia được sửa; {:.1} giây.",
                    r.rows_rebuilt,
                    r.participations_fixed,
                    started.elapsed().as_secs_f64()
                );
                return;
            }
            Err(e) => {
                eprintln!("Không tính lại được số liệu tổng hợp: {e}");
                std::process::exit(1)
            }
        }
    }
    {
        // a database from before the aggregates existed gets them built once
        use thi24::store::Store;
        if store.needs_backfill().await.unwrap_or(false) {
            tracing::info!("building leaderboard aggregates from attempts");
            if let Err(e) = store.recompute_aggregates().await {
                eprintln!("Không tính được số liệu tổng hợp: {e}");
                std::process::exit(1)
            }
        }
    }
    let state = AppState::new(store, SystemClock::shared(), options, Config::from_env());
    let seed_demo = std::env::var("SEED_DEMO").map(|v| v != "0").unwrap_or(true);
    if seed_demo {
        match seed::seed_if_empty(&state).await {
            Ok(Some(password)) => println!(
                "Tài khoản quản trị: {} / mật khẩu: {password}  (chỉ in một lần; đặt ADMIN_PASSWORD để tự chọn)",
                std::env::var("ADMIN_PHONE").unwrap_or_else(|_| "0900000000".into())
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
