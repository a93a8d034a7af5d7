//! Any bytes as a content file: read as text, split at the fences, parsed as a page's front
//! matter. Every input must end in a value or a diagnostic, never a panic or a hang.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use serde::Deserialize;
use serum::content::front_matter::{Date, UnknownKeys, normalize_text, parse, split};

/// The shape of a page's front matter, as `content::page` reads it.
#[derive(Debug, Deserialize)]
#[allow(dead_code)]
struct Meta {
    title: Option<String>,
    description: Option<String>,
    date: Option<Date>,
    updated: Option<Date>,
    author: Option<String>,
    authors: Option<Vec<String>>,
    #[serde(default)]
    tags: Vec<String>,
    cover: Option<Cover>,
    #[serde(default)]
    draft: bool,
    #[serde(default)]
    noindex: bool,
    slug: Option<String>,
    template: Option<String>,
    weight: Option<i64>,
    #[serde(default)]
    extra: serde_json::Map<String, serde_json::Value>,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(flatten)]
    unknown: UnknownKeys,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct Cover {
    src: String,
    alt: Option<String>,
    caption: Option<String>,
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = normalize_text(data.to_vec()) else {
        return;
    };
    let split = match split(&text) {
        Ok(split) => split,
        Err(problem) => {
            assert!(problem.line.is_some(), "{problem:?}");
            return;
        }
    };
    assert!(text.ends_with(split.body));
    assert!(split.body_line >= 2);
    let shown = Path::new("content/x.md");
    match parse::<Meta>(&split, shown) {
        Ok(meta) => {
            let _ = meta.unknown.warnings(shown, &split, &["title"]);
            for date in [meta.date, meta.updated].into_iter().flatten() {
                let _ = (date.to_rfc3339(), date.to_rfc2822(), date.sort_key());
                let _ = date.to_string();
            }
            if let Some(slug) = &meta.slug {
                let _ = serum::markdown::slugify(slug);
            }
            for alias in &meta.aliases {
                let _ = serum::feed::alias_file(alias);
            }
        }
        Err(problem) => {
            assert!(!problem.message.is_empty());
            let lines = text.lines().count().max(1);
            let line = problem.line.unwrap_or_else(|| panic!("no line: {problem}"));
            assert!(
                (1..=lines).contains(&line),
                "line {line} of {lines}: {problem}"
            );
            let _ = problem.to_string();
        }
    }
});
