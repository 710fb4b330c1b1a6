//! Public statistics of a contest: units compared at any level of the tree (with
//! drill-down, sorting and search), the individual ranking within the unit shown,
//! and charts of participation per day and of scores. Everything is in the address
//! (`?vong=&cap=&q=&sap=&chieu=`), so every view can be linked, bookmarked and
//! used without JavaScript.
use super::util::{decimal, percent, ErrorBox};
use crate::api;
use crate::domain::time::{format_day, format_seconds};
use crate::i18n::t;
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::{use_params_map, use_query_map};
use uuid::Uuid;

/// What the address asks for.
#[derive(Debug, Clone, Default, PartialEq)]
struct StatsView {
    round: Option<Uuid>,
    parent: Option<Uuid>,
    q: String,
    sort: Option<String>,
    dir: Option<String>,
}

impl StatsView {
    /// The address of this view of the contest's statistics page.
    fn href(&self, contest: Uuid) -> String {
        let mut parts = Vec::new();
        if let Some(r) = self.round {
            parts.push(format!("vong={r}"));
        }
        if let Some(p) = self.parent {
            parts.push(format!("cap={p}"));
        }
        if !self.q.is_empty() {
            parts.push(format!("q={}", encode(&self.q)));
        }
        if let Some(s) = &self.sort {
            parts.push(format!("sap={s}"));
        }
        if let Some(d) = &self.dir {
            parts.push(format!("chieu={d}"));
        }
        if parts.is_empty() {
            format!("/thong-ke/{contest}")
        } else {
            format!("/thong-ke/{contest}?{}", parts.join("&"))
        }
    }
}

/// Percent-encodes a query value.
fn encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => out.push(b as char),
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

#[component]
pub fn StatsPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let contest = move || params.read().get("id").and_then(|s| Uuid::parse_str(&s).ok());
    let view_of = move || {
        let q = query.read();
        StatsView {
            round: q.get("vong").and_then(|s| Uuid::parse_str(&s).ok()),
            parent: q.get("cap").and_then(|s| Uuid::parse_str(&s).ok()),
            q: q.get("q").unwrap_or_default(),
            sort: q.get("sap"),
            dir: q.get("chieu"),
        }
    };
    let board = Resource::new(
        move || (contest(), view_of()),
        |(contest, v)| async move {
            let Some(contest) = contest else { return Err(crate::error::AppError::not_found(t().err_contest_not_found)) };
            api::get_unit_board(contest, v.round, v.parent, Some(v.q), v.sort, v.dir).await
        },
    );
    let people = Resource::new(
        move || (contest(), view_of().round, view_of().parent),
        |(contest, round, parent)| async move {
            let Some(contest) = contest else { return Err(crate::error::AppError::not_found(t().err_contest_not_found)) };
            api::get_people(contest, round, parent).await
        },
    );
    let charts = Resource::new(
        move || (contest(), view_of().round, view_of().parent),
        |(contest, round, parent)| async move {
            let Some(contest) = contest else { return Err(crate::error::AppError::not_found(t().err_contest_not_found)) };
            api::get_charts(contest, round, parent).await
        },
    );
    view! {
        <Title text=format!("{} — {}", t().stats_title, t().app_name) />
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match board.await {
                    Ok(b) => view! { <UnitsSection board=b view=view_of() /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match people.await {
                    Ok(p) => view! { <PeopleSection people=p /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match charts.await {
                    Ok(c) => view! { <ChartsSection charts=c /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn UnitsSection(board: UnitBoard, view: StatsView) -> impl IntoView {
    let contest = board.contest_id;
    let scope_links = {
        let mut links = vec![(None, t().stats_whole_contest.to_string())];
        links.extend(board.rounds.iter().map(|r| (Some(r.id), r.title.clone())));
        links
            .into_iter()
            .map(|(round, title)| {
                let current = round == view.round;
                let href = StatsView { round, ..view.clone() }.href(contest);
                view! {
                    <li>
                        <a href=href class=if current { "tab current" } else { "tab" } aria-current=current.then_some("page")>
                            {title}
                        </a>
                    </li>
                }
            })
            .collect_view()
    };
    let crumbs = {
        let n = board.path.len();
        board
            .path
            .clone()
            .into_iter()
            .enumerate()
            .map(|(i, u)| {
                let href = StatsView { parent: Some(u.id), q: String::new(), ..view.clone() }.href(contest);
                let last = i + 1 == n && view.q.is_empty();
                view! {
                    <li>
                        {if last {
                            view! { <span aria-current="page">{u.name.clone()}</span> }.into_any()
                        } else {
                            view! { <A href=href>{u.name.clone()}</A> }.into_any()
                        }}
                    </li>
                }
            })
            .collect_view()
    };
    // column headers link to the same view sorted by them (again: the other direction)
    let header = |key: &'static str, label: &'static str| {
        let active = board.sort == key;
        let dir = if active && board.descending {
            "asc"
        } else if active {
            "desc"
        } else if key == "name" || key == "rank" {
            "asc"
        } else {
            "desc"
        };
        let href = StatsView { sort: Some(key.into()), dir: Some(dir.into()), ..view.clone() }.href(contest);
        let aria = active.then(|| if board.descending { "descending" } else { "ascending" });
        let mark = if !active {
            ""
        } else if board.descending {
            " ▼"
        } else {
            " ▲"
        };
        view! {
            <th scope="col" aria-sort=aria>
                <A href=href attr:class="sort">{label}{mark}</A>
            </th>
        }
    };
    let searching = !view.q.is_empty();
    let total = board.total.clone();
    let rows = board
        .units
        .clone()
        .into_iter()
        .map(|u| {
            let drill = StatsView { parent: Some(u.unit_id), q: String::new(), ..view.clone() }.href(contest);
            let name = if u.has_children {
                view! { <A href=drill attr:title=t().stats_drill>{u.unit_name.clone()}</A> }.into_any()
            } else {
                view! { <span>{u.unit_name.clone()}</span> }.into_any()
            };
            view! {
                <tr>
                    <td>{u.rank}</td>
                    <th scope="row">
                        {name}
                        {(!u.path.is_empty()).then(|| view! { <br /><span class="muted small">{u.path.clone()}</span> })}
                        {u.prize.clone().map(|p| view! { <br /><span class="badge">{p}</span> })}
                    </th>
                    <td>{u.headcount}</td>
                    <td>{u.participants}</td>
                    <td>{percent(u.participation_rate)}</td>
                    <td>{u.attempts}</td>
                    <td>{decimal(u.average_score, 2)}</td>
                    <td>{u.perfect_scores}</td>
                </tr>
            }
        })
        .collect_view();
    let empty = board.units.is_empty();
    let hidden_round = view.round.map(|r| view! { <input type="hidden" name="vong" value=r.to_string() /> });
    let hidden_parent = view.parent.map(|p| view! { <input type="hidden" name="cap" value=p.to_string() /> });
    let clear = StatsView { q: String::new(), ..view.clone() }.href(contest);
    view! {
        <section class="card" aria-labelledby="units-h">
            <p class="eyebrow">{board.contest_title.clone()}</p>
            <h1 id="units-h">{t().stats_title}</h1>
            <nav aria-label=t().stats_scope>
                <ul class="tabs">{scope_links}</ul>
            </nav>
            <nav aria-label=t().stats_levels>
                <ol class="crumbs">{crumbs}</ol>
            </nav>
            <form method="get" action=format!("/thong-ke/{contest}") class="search-row" role="search">
                {hidden_round}
                {hidden_parent}
                <label for="unit-q">{t().stats_search_label}</label>
                <input id="unit-q" name="q" type="search" value=view.q.clone() maxlength="100" />
                <button type="submit" class="btn">{t().stats_search_btn}</button>
                {searching.then(|| view! { <A href=clear.clone() attr:class="btn btn-quiet">{t().stats_clear_search}</A> })}
            </form>
            <p class="muted small">{t().stats_headcount_note}</p>
            <div class="table-wrap">
                <table id="units">
                    <thead>
                        <tr>
                            {header("rank", t().col_rank)}
                            {header("name", t().col_unit)}
                            {header("headcount", t().col_headcount)}
                            {header("participants", t().col_participants)}
                            {header("rate", t().col_rate)}
                            {header("attempts", t().col_attempts)}
                            {header("average", t().col_average)}
                            {header("perfect", t().col_perfect)}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                    <tfoot>
                        <tr>
                            <td></td>
                            <th scope="row">{t().stats_total}" — "{total.unit_name.clone()}</th>
                            <td>{total.headcount}</td>
                            <td>{total.participants}</td>
                            <td>{percent(total.participation_rate)}</td>
                            <td>{total.attempts}</td>
                            <td>{decimal(total.average_score, 2)}</td>
                            <td>{total.perfect_scores}</td>
                        </tr>
                    </tfoot>
                </table>
            </div>
            {empty.then(|| view! { <p>{t().stats_no_units}</p> })}
        </section>
    }
}

/// One row of an individual ranking, whichever kind.
struct PersonRow {
    rank: i64,
    name: String,
    phone: String,
    unit: String,
    score: String,
    time_ms: i64,
    prize: Option<String>,
    is_me: bool,
}

#[component]
fn PeopleSection(people: PeopleBoard) -> impl IntoView {
    let (unit, rows, me): (Option<UnitRef>, Vec<PersonRow>, Option<PersonRow>) = match people {
        PeopleBoard::Round(b) => {
            let row = |e: LeaderboardEntry| PersonRow {
                rank: e.rank,
                name: e.full_name,
                phone: e.phone_masked,
                unit: e.unit_name,
                score: format!("{}/{}", e.score, e.max_score),
                time_ms: e.time_used_ms,
                prize: e.prize,
                is_me: e.is_me,
            };
            (b.unit, b.entries.into_iter().map(row).collect(), b.me.map(row))
        }
        PeopleBoard::Contest(c) => {
            let row = |e: ContestEntry| PersonRow {
                rank: e.rank,
                name: e.full_name,
                phone: e.phone_masked,
                unit: e.unit_name,
                score: e.score.to_string(),
                time_ms: e.time_used_ms,
                prize: e.prize,
                is_me: e.is_me,
            };
            (None, c.entries.into_iter().map(row).collect(), c.me.map(row))
        }
    };
    let title = match &unit {
        Some(u) => format!("{} {}", t().board_people_in, u.name),
        None => t().board_people_title.to_string(),
    };
    let shown_me = rows.iter().any(|r| r.is_me);
    let me = me.filter(|_| !shown_me);
    let line = |r: PersonRow| {
        view! {
            <tr class=if r.is_me { "me" } else { "" }>
                <td>{r.rank}</td>
                <td>
                    {r.name}
                    {r.is_me.then(|| view! { " " <strong>{t().board_you}</strong> })}
                    <br />
                    <span class="muted">{r.phone}</span>
                </td>
                <td>{r.unit}</td>
                <td>{r.score}</td>
                <td>{format_seconds(r.time_ms)}</td>
                <td>{r.prize.unwrap_or_default()}</td>
            </tr>
        }
    };
    let empty = rows.is_empty();
    view! {
        <section class="card" aria-labelledby="people-h">
            <h2 id="people-h">{title}</h2>
            {if empty {
                view! { <p>{t().leaderboard_empty}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table id="people">
                            <thead>
                                <tr>
                                    <th scope="col">{t().col_rank}</th>
                                    <th scope="col">{t().col_name}</th>
                                    <th scope="col">{t().col_unit}</th>
                                    <th scope="col">{t().col_score}</th>
                                    <th scope="col">{t().col_time}</th>
                                    <th scope="col">{t().col_prize}</th>
                                </tr>
                            </thead>
                            <tbody>{rows.into_iter().map(line).collect_view()}</tbody>
                        </table>
                    </div>
                }
                    .into_any()
            }}
            {me.map(|m| view! {
                <p class="me-position">
                    <strong>{t().board_your_position}": "</strong>
                    {format!("#{} — {} ({})", m.rank, m.score, format_seconds(m.time_ms))}
                </p>
            })}
        </section>
    }
}

/// A horizontal bar chart: every bar labelled with its value, so it reads on a
/// phone and in a screen reader as a list.
#[component]
fn Bars(title: &'static str, id: &'static str, bars: Vec<(String, i64, String)>) -> impl IntoView {
    let max = bars.iter().map(|b| b.1).max().unwrap_or(0).max(1);
    let empty = bars.is_empty();
    view! {
        <figure class="chart" aria-labelledby=id>
            <figcaption id=id>{title}</figcaption>
            {if empty {
                view! { <p class="muted">{t().chart_empty}</p> }.into_any()
            } else {
                view! {
                    <ul class="bars">
                        {bars
                            .into_iter()
                            .map(|(label, value, text)| {
                                let width = format!("width: {:.1}%", value as f64 * 100.0 / max as f64);
                                view! {
                                    <li>
                                        <span class="bar-label">{label}</span>
                                        <span class="bar-track" aria-hidden="true">
                                            <span class="bar" style=width></span>
                                        </span>
                                        <span class="bar-value">{text}</span>
                                    </li>
                                }
                            })
                            .collect_view()}
                    </ul>
                }
                    .into_any()
            }}
        </figure>
    }
}

#[component]
fn ChartsSection(charts: Charts) -> impl IntoView {
    let days: Vec<(String, i64, String)> = charts
        .days
        .iter()
        .map(|d| {
            (format_day(d.day), d.attempts, format!("{} {} · {} {}", d.attempts, t().chart_attempts, d.new_participants, t().chart_new))
        })
        .collect();
    let scores: Vec<(String, i64, String)> = charts
        .scores
        .iter()
        .rev()
        .map(|s| (format!("{} {}", s.score, t().chart_points), s.count, format!("{} {}", s.count, t().chart_people)))
        .collect();
    view! {
        <section class="card charts">
            <Bars title=t().chart_days_title id="chart-days" bars=days />
            <Bars title=t().chart_scores_title id="chart-scores" bars=scores />
        </section>
    }
}
