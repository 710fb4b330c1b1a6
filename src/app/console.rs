//! The organizer console: contests and their rounds (weekly helper, close early,
//! publish, export, clone), the audit log; and the public published results.
//! The interactive pages are lazy islands: their code loads only on these pages.
use super::util::{action_error, ErrorBox};
use crate::api;
use crate::domain::time::{format_hanoi, parse_hanoi_local, to_hanoi_local, DAY, MINUTE};
use crate::domain::RoundStatus;
use crate::i18n::{round_status_label, t};
use crate::model::{AdminRound, ContestDto, ContestInput, RoundInput, UnitDto, WeeklyInput};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;
use uuid::Uuid;

#[component]
pub fn ContestsPage() -> impl IntoView {
    view! {
        <Title text=format!("{} — {}", t().contests_title, t().app_name) />
        <h1>{t().contests_title}</h1>
        <crate::app::organizer::Console part=crate::app::organizer::Part::Contests />
    }
}

#[component]
pub(crate) fn ContestsConsole() -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let data = Resource::new(
        move || refresh.get(),
        |_| async move { Ok::<_, crate::error::AppError>((api::admin_contests().await?, api::list_units().await?)) },
    );
    view! {
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((contests, units)) => view! { <ContestList contests /> <NewContest units refresh /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn ContestList(contests: Vec<ContestDto>) -> impl IntoView {
    if contests.is_empty() {
        return view! { <p class="muted">{t().contest_none}</p> }.into_any();
    }
    view! {
        <ul class="contest-list">
            {contests.into_iter().map(|c| view! {
                <li class="card">
                    <h2><a href=format!("/quan-tri/cuoc-thi/{}", c.id)>{c.title.clone()}</a></h2>
                    <p class="muted">{c.rounds.len()}" "{t().contest_rounds}</p>
                </li>
            }).collect_view()}
        </ul>
    }
    .into_any()
}

#[component]
fn NewContest(units: Vec<UnitDto>, refresh: RwSignal<u32>) -> impl IntoView {
    let title = RwSignal::new(String::new());
    let description = RwSignal::new(String::new());
    let rules = RwSignal::new(String::new());
    let audience = RwSignal::new(String::new());
    let visibility = RwSignal::new("public".to_string());
    let tiers = RwSignal::new(t().prizes_default.to_string());
    let collective = RwSignal::new("3".to_string());
    let collective_by = RwSignal::new("participation_rate".to_string());
    let save = Action::new(move |_: &()| {
        let prizes = crate::model::Prizes {
            individual: parse_tiers(&tiers.get_untracked()),
            collective: collective.get_untracked().trim().parse::<usize>().ok().filter(|n| *n > 0).map(|count| {
                crate::model::CollectivePrize { label: t().prize_collective.into(), count, by: collective_by.get_untracked() }
            }),
        };
        let input = ContestInput {
            title: title.get_untracked(),
            description: description.get_untracked(),
            rules: rules.get_untracked(),
            audience_unit_id: Uuid::parse_str(&audience.get_untracked()).ok(),
            visibility: visibility.get_untracked(),
            prizes,
        };
        async move {
            let r = api::admin_save_contest(None, input).await;
            if r.is_ok() {
                refresh.update(|n| *n += 1);
            }
            r
        }
    });
    view! {
        <section class="card" aria-labelledby="new-contest-h">
            <h2 id="new-contest-h">{t().contest_new}</h2>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
                <div class="field">
                    <label for="c-title">{t().contest_title_field}</label>
                    <input id="c-title" type="text" required maxlength="200" prop:value=move || title.get() on:input=move |ev| title.set(event_target_value(&ev)) />
                </div>
                <div class="field">
                    <label for="c-desc">{t().contest_description}</label>
                    <textarea id="c-desc" rows="2" prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
                </div>
                <div class="field">
                    <label for="c-rules">{t().contest_rules}</label>
                    <textarea id="c-rules" rows="3" prop:value=move || rules.get() on:input=move |ev| rules.set(event_target_value(&ev))></textarea>
                </div>
                <div class="row">
                    <div class="field">
                        <label for="c-audience">{t().contest_audience}</label>
                        <select id="c-audience" on:change=move |ev| audience.set(event_target_value(&ev))>
                            <option value="">{t().contest_audience_all}</option>
                            {units.into_iter().map(|u| view! { <option value=u.id.to_string()>{u.name}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="c-vis">{t().contest_visibility}</label>
                        <select id="c-vis" on:change=move |ev| visibility.set(event_target_value(&ev))>
                            <option value="public">{t().contest_public}</option>
                            <option value="private">{t().contest_private}</option>
                        </select>
                    </div>
                </div>
                <div class="field">
                    <label for="c-prizes">{t().prizes_individual}</label>
                    <textarea id="c-prizes" rows="4" aria-describedby="c-prizes-hint" prop:value=move || tiers.get() on:input=move |ev| tiers.set(event_target_value(&ev))></textarea>
                    <p class="hint" id="c-prizes-hint">{t().prizes_hint}</p>
                </div>
                <div class="row">
                    <div class="field">
                        <label for="c-coll">{t().prizes_collective_count}</label>
                        <input id="c-coll" type="number" min="0" prop:value=move || collective.get() on:input=move |ev| collective.set(event_target_value(&ev)) />
                    </div>
                    <div class="field">
                        <label for="c-coll-by">{t().prizes_collective_by}</label>
                        <select id="c-coll-by" on:change=move |ev| collective_by.set(event_target_value(&ev))>
                            <option value="participation_rate">{t().col_rate}</option>
                            <option value="attempts">{t().col_attempts}</option>
                        </select>
                    </div>
                </div>
                {action_error(move || save.value().get())}
                <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>{t().contest_create}</button>
            </form>
        </section>
    }
}

#[component]
pub fn ContestPage() -> impl IntoView {
    let params = use_params_map();
    let id = params.read_untracked().get("id").and_then(|s| Uuid::parse_str(&s).ok());
    view! {
        <Title text=format!("{} — {}", t().contests_title, t().app_name) />
        <p class="eyebrow"><a href="/quan-tri/cuoc-thi">{t().contests_title}</a></p>
        {match id {
            Some(id) => view! { <crate::app::organizer::Console part=crate::app::organizer::Part::Contest(id) /> }.into_any(),
            None => view! { <ErrorBox error=crate::error::AppError::not_found(t().err_contest_not_found) /> }.into_any(),
        }}
    }
}

#[component]
pub(crate) fn ContestConsole(id: Uuid) -> impl IntoView {
    let refresh = RwSignal::new(0u32);
    let data = Resource::new(move || refresh.get(), move |_| api::admin_contest(id));
    view! {
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(c) => view! { <Contest contest=c refresh /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Contest(contest: ContestDto, refresh: RwSignal<u32>) -> impl IntoView {
    let act = Action::new(move |(id, action): &(Uuid, String)| {
        let (id, action) = (*id, action.clone());
        async move {
            let r = api::admin_round_action(id, action).await;
            refresh.update(|n| *n += 1);
            r
        }
    });
    let id = contest.id;
    view! {
        <h1>{contest.title.clone()}</h1>
        {(!contest.description.is_empty()).then(|| view! { <p>{contest.description.clone()}</p> })}
        <section aria-labelledby="rounds-h">
            <h2 id="rounds-h">{t().contest_rounds}</h2>
            {move || act.value().get().map(|r| match r {
                Ok(()) => view! { <p class="ok" role="status">{t().done}</p> }.into_any(),
                Err(error) => view! { <ErrorBox error /> }.into_any(),
            })}
            {if contest.rounds.is_empty() {
                view! { <p class="muted">{t().contest_no_rounds}</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table>
                            <thead><tr>
                                <th scope="col">{t().col_round}</th>
                                <th scope="col">{t().round_window}</th>
                                <th scope="col">{t().col_status}</th>
                                <th scope="col"><span class="sr-only">{t().audit_action}</span></th>
                            </tr></thead>
                            <tbody>
                                {contest.rounds.into_iter().map(|r| view! { <RoundRow r act /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
        <p class="actions">
            <a class="btn" href=format!("/api/v1/admin/contests/{id}/export.xlsx") download="">{t().contest_export}</a>
        </p>
        <Weekly contest_id=id refresh />
    }
}

#[component]
fn RoundRow(r: AdminRound, act: Action<(Uuid, String), Result<(), crate::error::AppError>>) -> impl IntoView {
    let id = r.id;
    let label = format!("{} ({})", r.title, round_status_label(r.status));
    let published = r.published_at.is_some();
    view! {
        <tr>
            <td>{r.title.clone()}<br /><span class="muted">{r.input.question_count}" "{t().round_questions}", "{r.input.duration_ms / MINUTE}" "{t().round_duration}</span></td>
            <td>{format_hanoi(r.input.opens_at)}" – "{format_hanoi(r.input.closes_at)}</td>
            <td>{round_status_label(r.status)}{published.then(|| format!(" · {}", t().round_published))}</td>
            <td class="row-actions" aria-label=label>
                {(r.status == RoundStatus::Open).then(|| view! {
                    <button type="button" class="btn btn-small" on:click=move |_| {
                        if window().confirm_with_message(t().confirm_close).unwrap_or(false) {
                            act.dispatch((id, "close".into()));
                        }
                    }>{t().round_close}</button>
                })}
                {(r.status == RoundStatus::Closed && !published).then(|| view! {
                    <button type="button" class="btn btn-small btn-primary" on:click=move |_| { act.dispatch((id, "publish".into())); }>{t().round_publish}</button>
                })}
                {published.then(|| view! { <a href=format!("/ket-qua/{id}")>{t().round_results}</a> })}
                <a href=format!("/api/v1/admin/rounds/{id}/export.xlsx") download="">{t().round_export}</a>
                <button type="button" class="btn btn-small btn-quiet" on:click=move |_| { act.dispatch((id, "clone".into())); }>{t().round_clone}</button>
            </td>
        </tr>
        {(!published).then(|| view! {
            <tr class="edit-row">
                <td colspan="4">
                    <details>
                        <summary>{t().round_edit}" "{r.title.clone()}</summary>
                        <RoundEdit id input=r.input.clone() started=r.status != RoundStatus::Upcoming />
                    </details>
                </td>
            </tr>
        })}
    }
}

fn lines_map<K: std::str::FromStr + Ord>(text: &str) -> std::collections::BTreeMap<K, i64> {
    text.lines()
        .filter_map(|l| {
            let (k, v) = l.rsplit_once(':')?;
            Some((k.trim().parse::<K>().ok()?, v.trim().parse::<i64>().ok()?))
        })
        .collect()
}

fn map_lines<K: std::fmt::Display>(m: &std::collections::BTreeMap<K, i64>) -> String {
    m.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n")
}

/// Edits a round: everything before it opens; once open, only its close.
#[component]
fn RoundEdit(id: Uuid, input: RoundInput, started: bool) -> impl IntoView {
    let s = |v: String| RwSignal::new(v);
    let title = s(input.title.clone());
    let opens = s(to_hanoi_local(input.opens_at));
    let closes = s(to_hanoi_local(input.closes_at));
    let questions = s(input.question_count.to_string());
    let minutes = s((input.duration_ms / MINUTE).to_string());
    let attempts = s(input.max_attempts.to_string());
    let gap = s((input.min_gap_ms / MINUTE).to_string());
    let prediction = s(input.prediction_prompt.clone().unwrap_or_default());
    let kind = s(input.prediction_kind.clone());
    let counting = s(input.counting.as_str().to_string());
    let shuffle = RwSignal::new(input.shuffle_options);
    let topics = s(map_lines(&input.draw_rules.topics));
    let difficulty = s(map_lines(&input.draw_rules.difficulty));
    let save = Action::new(move |_: &()| {
        let num = |v: RwSignal<String>| v.get_untracked().trim().parse::<i64>().unwrap_or(-1);
        let body = RoundInput {
            title: title.get_untracked(),
            opens_at: parse_hanoi_local(&opens.get_untracked()).unwrap_or(0),
            closes_at: parse_hanoi_local(&closes.get_untracked()).unwrap_or(0),
            question_count: num(questions),
            duration_ms: num(minutes) * MINUTE,
            max_attempts: num(attempts),
            counting: crate::domain::CountingRule::parse(&counting.get_untracked()).unwrap_or_default(),
            prediction_prompt: Some(prediction.get_untracked()).filter(|p| !p.trim().is_empty()),
            prediction_kind: kind.get_untracked(),
            min_gap_ms: num(gap).max(0) * MINUTE,
            shuffle_options: shuffle.get_untracked(),
            draw_rules: crate::domain::draw::DrawRules {
                topics: lines_map(&topics.get_untracked()),
                difficulty: lines_map(&difficulty.get_untracked()),
            },
        };
        async move { api::admin_update_round(id, body).await }
    });
    let fid = move |name: &str| format!("r-{id}-{name}");
    let field = move |name: &'static str, label: &'static str, kind: &'static str, sig: RwSignal<String>, locked: bool| {
        let id = fid(name);
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <input id=id type=kind disabled=locked prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) />
            </div>
        }
    };
    let area = move |name: &'static str, label: &'static str, hint: &'static str, sig: RwSignal<String>| {
        let id = fid(name);
        view! {
            <div class="field">
                <label for=id.clone()>{label}</label>
                <textarea id=id rows="3" disabled=started placeholder=hint prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev))></textarea>
            </div>
        }
    };
    view! {
        <form class="form" on:submit=move |ev| { ev.prevent_default(); save.dispatch(()); }>
            {started.then(|| view! { <p class="muted">{t().err_round_started}</p> })}
            {field("title", t().contest_title_field, "text", title, started)}
            <div class="row">
                {field("opens", t().round_opens, "datetime-local", opens, started)}
                {field("closes", t().round_closes, "datetime-local", closes, false)}
            </div>
            <div class="row">
                {field("q", t().weekly_questions, "number", questions, started)}
                {field("min", t().weekly_minutes, "number", minutes, started)}
                {field("att", t().weekly_attempts, "number", attempts, started)}
                {field("gap", t().round_gap, "number", gap, started)}
            </div>
            <div class="row">
                <div class="field">
                    <label for=fid("counting")>{t().round_counting}</label>
                    <select id=fid("counting") disabled=started on:change=move |ev| counting.set(event_target_value(&ev))>
                        <option value="best" selected=move || counting.get() == "best">{t().counting_best}</option>
                        <option value="first" selected=move || counting.get() == "first">{t().counting_first}</option>
                        <option value="last" selected=move || counting.get() == "last">{t().counting_last}</option>
                    </select>
                </div>
                <div class="field">
                    <label for=fid("kind")>{t().round_prediction_kind}</label>
                    <select id=fid("kind") disabled=started on:change=move |ev| kind.set(event_target_value(&ev))>
                        <option value="perfect_scores" selected=move || kind.get() == "perfect_scores">{t().prediction_perfect}</option>
                        <option value="attempts" selected=move || kind.get() == "attempts">{t().prediction_attempts}</option>
                    </select>
                </div>
            </div>
            {field("pred", t().weekly_prediction, "text", prediction, started)}
            <div class="field checkbox">
                <input id=fid("shuffle") type="checkbox" disabled=started prop:checked=move || shuffle.get() on:change=move |ev| shuffle.set(event_target_checked(&ev)) />
                <label for=fid("shuffle")>{t().round_shuffle}</label>
            </div>
            <div class="row">
                {area("topics", t().round_topic_quotas, "phu-luc: 5", topics)}
                {area("diff", t().round_difficulty_mix, "1: 8", difficulty)}
            </div>
            {move || save.value().get().map(|r| match r {
                Ok(_) => view! { <p class="ok" role="status">{t().done}</p> }.into_any(),
                Err(error) => view! { <ErrorBox error /> }.into_any(),
            })}
            <button type="submit" class="btn btn-primary" disabled=move || save.pending().get()>{t().round_save}</button>
        </form>
    }
}

#[component]
fn Weekly(contest_id: Uuid, refresh: RwSignal<u32>) -> impl IntoView {
    let first = RwSignal::new(to_hanoi_local(super::util::client_now() + DAY - super::util::client_now().rem_euclid(MINUTE)));
    let weeks = RwSignal::new("4".to_string());
    let days = RwSignal::new("7".to_string());
    let questions = RwSignal::new("20".to_string());
    let minutes = RwSignal::new("15".to_string());
    let attempts = RwSignal::new("3".to_string());
    let prediction = RwSignal::new(String::new());
    let create = Action::new(move |_: &()| {
        let num = |s: RwSignal<String>| s.get_untracked().trim().parse::<i64>().unwrap_or(0);
        let opens = parse_hanoi_local(&first.get_untracked());
        let input = WeeklyInput {
            first_opens_at: opens.unwrap_or(0),
            weeks: num(weeks),
            days: num(days),
            title_prefix: "Tuần".into(),
            template: RoundInput {
                title: String::new(),
                opens_at: 0,
                closes_at: 1,
                question_count: num(questions),
                duration_ms: num(minutes) * MINUTE,
                max_attempts: num(attempts),
                counting: Default::default(),
                prediction_prompt: Some(prediction.get_untracked()).filter(|p| !p.trim().is_empty()),
                prediction_kind: "perfect_scores".into(),
                min_gap_ms: 0,
                shuffle_options: true,
                draw_rules: Default::default(),
            },
        };
        async move {
            if opens.is_none() {
                return Err(crate::error::AppError::validation(t().err_round_window));
            }
            let r = api::admin_weekly(contest_id, input).await;
            if r.is_ok() {
                refresh.update(|n| *n += 1);
            }
            r
        }
    });
    let field = |id: &'static str, label: &'static str, kind: &'static str, sig: RwSignal<String>| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input id=id type=kind required prop:value=move || sig.get() on:input=move |ev| sig.set(event_target_value(&ev)) />
            </div>
        }
    };
    view! {
        <section class="card" aria-labelledby="weekly-h">
            <h2 id="weekly-h">{t().weekly_title}</h2>
            <form class="form" on:submit=move |ev| { ev.prevent_default(); create.dispatch(()); }>
                {field("w-first", t().weekly_first, "datetime-local", first)}
                <div class="row">
                    {field("w-weeks", t().weekly_weeks, "number", weeks)}
                    {field("w-days", t().weekly_days, "number", days)}
                    {field("w-questions", t().weekly_questions, "number", questions)}
                </div>
                <div class="row">
                    {field("w-minutes", t().weekly_minutes, "number", minutes)}
                    {field("w-attempts", t().weekly_attempts, "number", attempts)}
                </div>
                <div class="field">
                    <label for="w-pred">{t().weekly_prediction}</label>
                    <input id="w-pred" type="text" prop:value=move || prediction.get() on:input=move |ev| prediction.set(event_target_value(&ev)) />
                </div>
                {action_error(move || create.value().get())}
                <button type="submit" class="btn btn-primary" disabled=move || create.pending().get()>{t().weekly_create}</button>
            </form>
        </section>
    }
}

#[component]
pub fn AuditPage() -> impl IntoView {
    let data = Resource::new(|| (), |_| api::admin_audit());
    view! {
        <Title text=format!("{} — {}", t().audit_title, t().app_name) />
        <h1>{t().audit_title}</h1>
        <p class="actions"><a class="btn" href="/api/v1/admin/audit.csv" download="">{t().audit_export}</a></p>
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(list) => view! {
                        <div class="table-wrap">
                            <table>
                                <thead><tr>
                                    <th scope="col">{t().audit_when}</th>
                                    <th scope="col">{t().audit_who}</th>
                                    <th scope="col">{t().audit_action}</th>
                                    <th scope="col">{t().audit_object}</th>
                                    <th scope="col">{t().audit_change}</th>
                                </tr></thead>
                                <tbody>
                                    {list.into_iter().map(|e| view! {
                                        <tr>
                                            <td>{format_hanoi(e.at)}</td>
                                            <td>{e.actor}</td>
                                            <td class="mono">{e.action}</td>
                                            <td class="mono">{e.entity}" "{e.entity_id}</td>
                                            <td class="mono small">{e.before.unwrap_or_default()}" → "{e.after.unwrap_or_default()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// Public, frozen results of a round (phone numbers masked).
#[component]
pub fn ResultsPage() -> impl IntoView {
    let params = use_params_map();
    let data = Resource::new(
        move || params.read().get("id").and_then(|s| Uuid::parse_str(&s).ok()),
        |id| async move {
            match id {
                Some(id) => api::get_results(id).await,
                None => Err(crate::error::AppError::not_found(t().err_not_published)),
            }
        },
    );
    view! {
        <Title text=format!("{} — {}", t().results_title, t().app_name) />
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(r) => view! {
                        <section class="card" aria-labelledby="results-h">
                            <h1 id="results-h">{t().results_title}" — "{r.leaderboard.round_title.clone()}</h1>
                            <p class="muted">{t().results_published_at}" "{format_hanoi(r.published_at)}" · "{r.leaderboard.participants}" "{t().participants_count}</p>
                            <super::leaderboard::EntriesTable entries=r.leaderboard.entries id="results" />
                        </section>
                    }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// "Giải Nhất: 1" per line → prize tiers (lines that do not parse are skipped).
fn parse_tiers(text: &str) -> Vec<crate::model::PrizeTier> {
    text.lines()
        .filter_map(|l| {
            let (label, count) = l.rsplit_once(':')?;
            let count = count.trim().parse::<usize>().ok()?;
            (!label.trim().is_empty() && count > 0).then(|| crate::model::PrizeTier { label: label.trim().to_string(), count })
        })
        .collect()
}
