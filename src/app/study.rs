//! Study pages: the Directive explained section by section, each linking to practice.
use super::util::ErrorBox;
use crate::api;
use crate::error::AppError;
use crate::i18n::{source_title, t};
use crate::model::StudySection;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{components::A, hooks::use_params_map};

#[component]
pub fn StudyIndex() -> impl IntoView {
    let sections = Resource::new(|| (), |_| api::study_sections());
    view! {
        <Title text=format!("{} — {}", t().study_title, t().app_name) />
        <section class="hero">
            <h1>{t().study_title}</h1>
            <p>{t().study_intro}</p>
        </section>
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                match sections.await {
                    Ok(list) => view! {
                        <ol class="study-list">
                            {list.into_iter().map(|s| view! {
                                <li class="card">
                                    <h2><A href=format!("/hoc-tap/{}", s.slug)>{s.title.clone()}</A></h2>
                                    <p>{s.summary.clone()}</p>
                                    <p class="muted">{s.minutes}" "{t().study_minutes}</p>
                                    <div class="actions">
                                        <A href=format!("/hoc-tap/{}", s.slug) attr:class="btn btn-primary">{t().study_read}</A>
                                        <A href=format!("/luyen-tap?chu-de={}", s.slug) attr:class="btn">{t().study_practice}</A>
                                    </div>
                                </li>
                            }).collect_view()}
                        </ol>
                    }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn StudySectionPage() -> impl IntoView {
    let params = use_params_map();
    let sections = Resource::new(|| (), |_| api::study_sections());
    view! {
        <Suspense fallback=|| view! { <p class="card">{t().loading}</p> }>
            {move || Suspend::new(async move {
                let slug = params.read().get("slug").unwrap_or_default();
                match sections.await.map(|l| l.into_iter().find(|s| s.slug == slug)) {
                    Ok(Some(s)) => view! { <Section section=s /> }.into_any(),
                    Ok(None) => view! { <ErrorBox error=AppError::not_found(t().study_not_found) /> }.into_any(),
                    Err(error) => view! { <ErrorBox error /> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Section(section: StudySection) -> impl IntoView {
    let s = section;
    view! {
        <Title text=format!("{} — {}", s.title, t().app_name) />
        <article class="card study" aria-labelledby="study-h">
            <p class="eyebrow"><A href="/hoc-tap">{t().study_back}</A></p>
            <h1 id="study-h">{s.title.clone()}</h1>
            <p class="lead">{s.summary.clone()}</p>
            {s.blocks.into_iter().map(|b| {
                let cite = view! { <p class="cite">{t().study_source}": "{source_title(&b.source).to_string()}</p> };
                if b.kind == "list" {
                    view! {
                        <div class="block">
                            <ul>{b.items.into_iter().map(|i| view! { <li>{i}</li> }).collect_view()}</ul>
                            {cite}
                        </div>
                    }.into_any()
                } else {
                    view! { <div class="block"><p>{b.text}</p>{cite}</div> }.into_any()
                }
            }).collect_view()}
            <div class="actions">
                <A href=format!("/luyen-tap?chu-de={}", s.slug) attr:class="btn btn-primary">{t().study_practice}</A>
                <A href="/hoc-tap" attr:class="btn">{t().study_back}</A>
            </div>
        </article>
    }
}
