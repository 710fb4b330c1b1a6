//! Study notes and practice: untimed questions by topic or mixed, with instant
//! feedback. Practice is recorded per participant (for the weak-topics summary)
//! and never counts in any contest.
use super::service::internal;
use super::state::AppState;
use crate::error::{AppError, AppResult};
use crate::i18n::t;
use crate::model::*;
use crate::store::UserRecord;
use uuid::Uuid;

const STUDY: &str = include_str!("../../content/study.toml");

#[derive(serde::Deserialize)]
struct StudyFile {
    section: Vec<SectionRow>,
}

#[derive(serde::Deserialize)]
struct SectionRow {
    slug: String,
    title: String,
    summary: String,
    minutes: i64,
    block: Vec<StudyBlock>,
}

/// The study notes shipped in content/study.toml.
pub fn study_sections() -> Result<Vec<StudySection>, String> {
    let f: StudyFile = toml::from_str(STUDY).map_err(|e| format!("content/study.toml: {e}"))?;
    Ok(f.section
        .into_iter()
        .map(|s| StudySection { slug: s.slug, title: s.title, summary: s.summary, minutes: s.minutes, blocks: s.block })
        .collect())
}

/// A random active question, of `topic` when given, avoiding the ones just seen.
pub async fn next(state: &AppState, topic: Option<String>, recent: Vec<Uuid>) -> AppResult<PracticeQuestion> {
    use rand::seq::IteratorRandom;
    let topic = topic.filter(|t| !t.is_empty());
    let pool = state.question_pool().await.map_err(internal)?;
    let in_topic: Vec<_> = pool.iter().filter(|p| topic.as_deref().is_none_or(|t| p.topic == t)).collect();
    if in_topic.is_empty() {
        return Err(AppError::not_found(t().err_no_practice));
    }
    let fresh: Vec<_> = in_topic.iter().filter(|p| !recent.contains(&p.version_id)).collect();
    let pick = {
        let mut rng = rand::thread_rng();
        if fresh.is_empty() {
            in_topic.iter().choose(&mut rng)
        } else {
            fresh.into_iter().choose(&mut rng)
        }
    };
    let pick = pick.ok_or_else(|| AppError::not_found(t().err_no_practice))?.version_id;
    question(state, pick).await
}

/// A question version as practice shows it (options shuffled, no answer).
pub async fn question(state: &AppState, version_id: Uuid) -> AppResult<PracticeQuestion> {
    use rand::seq::SliceRandom;
    let v =
        state.store.question_version(version_id).await.map_err(internal)?.ok_or_else(|| AppError::not_found(t().err_question_not_found))?;
    let topics = state.store.list_topics().await.map_err(internal)?;
    let mut options: Vec<OptionView> = v.options.into_iter().map(|(id, text, _)| OptionView { id, text }).collect();
    options.shuffle(&mut rand::thread_rng());
    Ok(PracticeQuestion {
        question_id: v.version_id,
        topic_name: topics.iter().find(|t| t.slug == v.topic).map(|t| t.name.clone()).unwrap_or_default(),
        topic: v.topic,
        stem: v.stem,
        options,
    })
}

/// Grades one practice answer at once; remembered for logged-in participants.
pub async fn answer(state: &AppState, user: Option<&UserRecord>, question_id: Uuid, option_id: Uuid) -> AppResult<PracticeFeedback> {
    let v = state
        .store
        .question_version(question_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| AppError::not_found(t().err_question_not_found))?;
    if !v.options.iter().any(|(id, _, _)| *id == option_id) {
        return Err(AppError::validation(t().err_option_not_in_question));
    }
    let correct_option_id = v.options.iter().find(|(_, _, c)| *c).map(|(id, _, _)| *id).ok_or_else(AppError::internal)?;
    let correct = option_id == correct_option_id;
    if let Some(u) = user {
        state.store.record_practice(u.id, question_id, &v.topic, correct, state.now()).await.map_err(internal)?;
    }
    Ok(PracticeFeedback { correct, correct_option_id, explanation: v.explanation, source: v.source, passage: v.passage })
}

/// Per topic: how much the participant practised and how well, weakest first.
pub async fn summary(state: &AppState, user: &UserRecord) -> AppResult<Vec<TopicStat>> {
    let topics = state.store.list_topics().await.map_err(internal)?;
    let stats = state.store.practice_summary(user.id).await.map_err(internal)?;
    let mut out: Vec<TopicStat> = topics
        .into_iter()
        .map(|t| {
            let s = stats.iter().find(|s| s.topic == t.slug);
            TopicStat {
                slug: t.slug,
                name: t.name,
                answered: s.map(|s| s.answered).unwrap_or(0),
                correct: s.map(|s| s.correct).unwrap_or(0),
            }
        })
        .collect();
    out.sort_by(|a, b| rate(a).partial_cmp(&rate(b)).unwrap_or(std::cmp::Ordering::Equal).then(a.answered.cmp(&b.answered)));
    Ok(out)
}

/// Share of correct answers; topics never practised count as weakest.
pub fn rate(s: &TopicStat) -> f64 {
    if s.answered == 0 {
        -1.0
    } else {
        s.correct as f64 / s.answered as f64
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn study_notes_cover_every_topic() {
        let sections = super::study_sections().unwrap();
        let topics = crate::server::seed::shipped_topics().unwrap();
        assert_eq!(
            sections.iter().map(|s| s.slug.as_str()).collect::<Vec<_>>(),
            topics.iter().map(|t| t.slug.as_str()).collect::<Vec<_>>()
        );
        for s in &sections {
            assert!((4..=10).contains(&s.blocks.len()), "{}", s.slug);
            for b in &s.blocks {
                assert!(b.source.starts_with("src-"), "{}: a block without its source", s.slug);
                assert!(b.kind == "p" && !b.text.is_empty() || b.kind == "list" && b.items.len() >= 2, "{}", s.slug);
            }
        }
    }
}
