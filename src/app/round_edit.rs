//! Editing a round in the organizer console, and creating a contest's weekly rounds at once.
use super::util::{action_error, ErrorBox};
use crate::api;
use crate::domain::time::{parse_hanoi_local, to_hanoi_local, DAY, MINUTE};
use crate::i18n::t;
use crate::model::{RoundInput, WeeklyInput};
use leptos::prelude::*;
use uuid::Uuid;

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
pub(super) fn RoundEdit(id: Uuid, input: RoundInput, started: bool) -> impl IntoView {
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
pub(super) fn Weekly(contest_id: Uuid, refresh: RwSignal<u32>) -> impl IntoView {
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
