//! Login limits as a contest hall meets them: 200 officials behind one address
//! activate and log in within minutes with the default settings, while guessing a
//! phone's password is still locked out and one address cannot try thousands of phones.
mod common;

use common::{client, spawn_app, Backend};
use reqwest::StatusCode;
use serde_json::json;
use thi24::server::state::Config;
use thi24::store::RosterUser;
use uuid::Uuid;

const HALL: usize = 200;

fn phone(i: usize) -> String {
    format!("0918{:06}", i)
}

async fn a_hall_behind_one_address(backend: Backend) {
    let Some(app) = spawn_app(backend, Config::default()).await else { return };
    let b = &app.base;
    let units = app.state.store.list_units().await.unwrap();
    let unit = units.iter().find(|u| u.parent_id.is_some()).unwrap().id;
    let roster: Vec<RosterUser> = (0..HALL)
        .map(|i| RosterUser {
            id: Uuid::new_v4(),
            full_name: format!("Cán bộ {i}"),
            phone: phone(i),
            position: "Chuyên viên".into(),
            unit_id: unit,
            activation_code: format!("MA{i:06}"),
        })
        .collect();
    app.state.store.insert_roster(&roster, app.state.now()).await.unwrap();

    // every official activates, then logs in again (a new phone, a reload): all from 127.0.0.1
    let c = client();
    let mut tasks = Vec::new();
    for i in 0..HALL {
        let (c, b) = (c.clone(), b.clone());
        tasks.push(tokio::spawn(async move {
            let body = json!({"phone": phone(i), "code": format!("MA{i:06}"), "password": "mat-khau-hoi-truong"});
            let activated = c.post(format!("{b}/api/v1/auth/activate")).json(&body).send().await.unwrap().status();
            let body = json!({"phone": phone(i), "password": "mat-khau-hoi-truong"});
            let logged_in = c.post(format!("{b}/api/v1/auth/login")).json(&body).send().await.unwrap().status();
            (activated, logged_in)
        }));
    }
    for (i, t) in tasks.into_iter().enumerate() {
        assert_eq!(t.await.unwrap(), (StatusCode::OK, StatusCode::OK), "official {i}");
    }

    // guessing one phone's password: locked after the limit, even with the right one
    let wrong = json!({"phone": phone(0), "password": "doan-mo-1234"});
    for _ in 0..Config::default().login_per_phone {
        assert_eq!(c.post(format!("{b}/api/v1/auth/login")).json(&wrong).send().await.unwrap().status(), StatusCode::UNAUTHORIZED);
    }
    let right = json!({"phone": phone(0), "password": "mat-khau-hoi-truong"});
    assert_eq!(c.post(format!("{b}/api/v1/auth/login")).json(&right).send().await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);

    // one address trying phone after phone: refused once its failures reach the limit
    let limit = Config::default().login_per_ip as usize;
    let mut refused_at = None;
    for i in 0..limit + 5 {
        let guess = json!({"phone": phone(HALL + i), "password": "doan-mo-1234"});
        let s = c.post(format!("{b}/api/v1/auth/login")).json(&guess).send().await.unwrap().status();
        if s == StatusCode::TOO_MANY_REQUESTS {
            refused_at = Some(i);
            break;
        }
        assert_eq!(s, StatusCode::UNAUTHORIZED);
    }
    // the earlier guesses on phone 0 count too
    assert_eq!(refused_at, Some(limit - Config::default().login_per_phone as usize), "refused after {refused_at:?} more phones");
    // … and that address is refused even for a phone it never tried
    let other = json!({"phone": phone(1), "password": "mat-khau-hoi-truong"});
    assert_eq!(c.post(format!("{b}/api/v1/auth/login")).json(&other).send().await.unwrap().status(), StatusCode::TOO_MANY_REQUESTS);
}

both_backends!(a_hall_behind_one_address);
