//! Step 4: every `#fragment` link written in content must name an element of its page.
//! [`broken_anchor`] words the problem, for this step and for `serum check` alike.

use std::collections::HashMap;
use std::path::Path;

use super::Site;
use super::bodies::Bodies;
use crate::error::{Diagnostic, Diagnostics, Reason};

/// Checks the fragment of every link into the site against the ids of the page it leads to.
pub(crate) fn check(site: &Site, bodies: &Bodies, diagnostics: &mut Diagnostics) {
    let config = &site.config;
    let lib = &site.library;
    let section_file = |s: &crate::content::Section| -> std::path::PathBuf {
        s.file
            .clone()
            .unwrap_or_else(|| Path::new("content").join(&s.dir))
    };
    let section_files: Vec<std::path::PathBuf> = lib.sections.iter().map(section_file).collect();
    // Each page's URL, file, first line and rendered body.
    let documents: Vec<(String, &Path, usize, &super::bodies::Body)> = lib
        .pages
        .iter()
        .zip(&bodies.pages)
        .map(|(p, b)| (config.url_path(&p.path), p.file.as_path(), p.body_line, b))
        .chain(
            lib.sections
                .iter()
                .zip(&section_files)
                .zip(&bodies.sections)
                .map(|((s, f), b)| (config.url_path(&s.path), f.as_path(), s.body_line, b)),
        )
        .chain(
            lib.authors
                .iter()
                .zip(&bodies.authors)
                .map(|(a, b)| (config.url_path(&a.path), a.file.as_path(), a.body_line, b)),
        )
        .collect();
    let by_url: HashMap<&str, (&Path, &[String])> = documents
        .iter()
        .map(|(url, file, _, body)| (url.as_str(), (*file, body.rendered.ids.as_slice())))
        .collect();
    for (own_url, file, body_line, body) in &documents {
        for link in &body.rendered.links {
            let Some((url, fragment)) = link.url.split_once('#') else {
                continue;
            };
            let url = if url.is_empty() { own_url } else { url };
            let Some((target_file, ids)) = by_url.get(url) else {
                continue;
            };
            if lands(fragment, ids.iter().map(String::as_str)) {
                continue;
            }
            let target = (url != own_url).then_some(*target_file);
            diagnostics.push(
                broken_anchor(file, &link.original, fragment, target, ids)
                    .at(body_line + link.line - 1, link.column),
            );
        }
    }
}

/// Whether a fragment lands on the page: empty and `#top` always do, in every browser.
pub(crate) fn lands<'a>(fragment: &str, mut ids: impl Iterator<Item = &'a str>) -> bool {
    fragment.is_empty() || fragment == "top" || ids.any(|id| id == fragment)
}

/// The problem of a link written in `file` whose `#fragment` names nothing on the page it
/// leads to: `target` is that page's file, `None` when it is the same page.
pub(crate) fn broken_anchor(
    file: &Path,
    written: &str,
    fragment: &str,
    target: Option<&Path>,
    ids: &[String],
) -> Diagnostic {
    let place = match target {
        None => "this page".to_string(),
        Some(target) => target.display().to_string(),
    };
    let mut known: Vec<&str> = Vec::new();
    for id in ids {
        if !known.contains(&id.as_str()) {
            known.push(id);
        }
    }
    let hint = if known.is_empty() {
        "there are no ids to link to there".to_string()
    } else {
        let more = known.len() > 12;
        known.truncate(12);
        if more {
            known.push("…");
        }
        format!("the ids there are: {}", known.join(", "))
    };
    Diagnostic::in_file(
        file,
        format!("broken link `{written}`: {place} has no element with the id `{fragment}`"),
    )
    .because(Reason::BrokenAnchor)
    .hint(hint)
}
