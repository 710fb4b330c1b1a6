//! A round's public individual ranking (phone numbers masked).
use super::util::ErrorBox;
use crate::api;
use crate::domain::time::format_seconds;
use crate::error::AppError;
use crate::i18n::t;
use crate::model::Leaderboard;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

#[component]
pub fn LeaderboardPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.read().get("id").and_then(|s| Uuid::parse_str(&s).ok()),
        |id| async move {
            match id {
                Some(id) => api::get_leaderboard(id).await,
                None => Err(AppError::not_found(t().err_round_not_found)),
            }
        },
    );
    view! {
        <Title text=format!("{} — {}", t().leaderboard_title, t().app_name) />
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(board) => view! { <Board board /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Board(board: Leaderboard) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="board-h">
            <h1 id="board-h">{t().leaderboard_title}" — "{board.round_title.clone()}</h1>
            <p class="muted">{board.participants}" "{t().participants_count}</p>
            {if board.entries.is_empty() {
                view! { <p>{t().leaderboard_empty}</p> }.into_any()
            } else {
                view! { <EntriesTable entries=board.entries.clone() id="board" /> }.into_any()
            }}
            {board.me.clone().filter(|_| !board.entries.iter().any(|e| e.is_me)).map(|m| view! {
                <p class="me-position">
                    <strong>{t().board_your_position}": "</strong>
                    {format!("#{} — {}/{} ({})", m.rank, m.score, m.max_score, format_seconds(m.time_used_ms))}
                </p>
            })}
        </section>
    }
}

/// An individual ranking table (phone numbers masked), with prizes when awarded.
#[component]
pub fn EntriesTable(entries: Vec<crate::model::LeaderboardEntry>, id: &'static str) -> impl IntoView {
    let prizes = entries.iter().any(|e| e.prize.is_some());
    view! {
        <div class="table-wrap">
            <table id=id>
                <thead>
                    <tr>
                        <th scope="col">{t().col_rank}</th>
                        <th scope="col">{t().col_name}</th>
                        <th scope="col">{t().col_unit}</th>
                        <th scope="col">{t().col_score}</th>
                        <th scope="col">{t().col_time}</th>
                        {prizes.then(|| view! { <th scope="col">{t().col_prize}</th> })}
                    </tr>
                </thead>
                <tbody>
                    {entries.into_iter().map(|e| view! {
                        <tr class=if e.is_me { "me" } else { "" }>
                            <td>{e.rank}</td>
                            <td>
                                {e.full_name}
                                {e.is_me.then(|| view! { " " <strong>{t().board_you}</strong> })}
                                <br />
                                <span class="muted">{e.phone_masked}</span>
                            </td>
                            <td>{e.unit_name}</td>
                            <td>{e.score}"/"{e.max_score}</td>
                            <td>{format_seconds(e.time_used_ms)}</td>
                            {prizes.then(|| view! { <td>{e.prize.unwrap_or_default()}</td> })}
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
