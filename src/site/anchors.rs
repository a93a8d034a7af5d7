//! Step 4: every `#fragment` link written in content must name an element of its page.
//! [`broken_anchor`] words the problem, for this step and for `serum check` alike.

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use super::Site;
use super::bodies::{Bodies, Body};
use crate::error::{Diagnostic, Diagnostics, Reason};
use crate::markdown::SiteLink;

/// Checks the fragment of every link into the site against the ids of the page it leads to.
/// The links with a fragment are found on every core first: most sites have few, and a site
/// with none (at 100,000 articles, a tenth of a second of one core's work to look up) skips
/// the lookup.
pub(crate) fn check(site: &Site, bodies: &Bodies, diagnostics: &mut Diagnostics) {
    let config = &site.config;
    let lib = &site.library;
    let section_file = |s: &crate::content::Section| -> std::path::PathBuf {
        s.file
            .clone()
            .unwrap_or_else(|| Path::new("content").join(&s.dir))
    };
    let section_files: Vec<std::path::PathBuf> = lib.sections.iter().map(section_file).collect();
    // Each document's URL path, file and first line, and its rendered body.
    let documents: Vec<(&str, &Path, usize, &Body)> = lib
        .pages
        .iter()
        .zip(&bodies.pages)
        .map(|(p, b)| (p.path.as_str(), p.file.as_path(), p.body_line, b))
        .chain(
            lib.sections
                .iter()
                .zip(&section_files)
                .zip(&bodies.sections)
                .map(|((s, f), b)| (s.path.as_str(), f.as_path(), s.body_line, b)),
        )
        .chain(
            lib.authors
                .iter()
                .zip(&bodies.authors)
                .map(|(a, b)| (a.path.as_str(), a.file.as_path(), a.body_line, b)),
        )
        .collect();
    let with_fragment: Vec<(usize, &SiteLink)> = documents
        .par_iter()
        .enumerate()
        .flat_map_iter(|(d, (.., body))| {
            (body.rendered.links.iter())
                .filter(|link| link.url.contains('#'))
                .map(move |link| (d, link))
        })
        .collect();
    if with_fragment.is_empty() {
        return;
    }
    let urls: Vec<String> = documents
        .par_iter()
        .map(|(path, ..)| config.url_path(path))
        .collect();
    let by_url: HashMap<&str, usize> = urls
        .iter()
        .enumerate()
        .map(|(d, url)| (url.as_str(), d))
        .collect();
    let found: Vec<Diagnostic> = with_fragment
        .par_iter()
        .filter_map(|&(d, link)| {
            let (_, file, body_line, _) = documents[d];
            let (url, fragment) = link.url.split_once('#')?;
            let own_url = urls[d].as_str();
            let url = if url.is_empty() { own_url } else { url };
            let target = *by_url.get(url)?;
            let ids = &documents[target].3.rendered.ids;
            if lands(fragment, ids.iter().map(String::as_str)) {
                return None;
            }
            let target_file = (url != own_url).then_some(documents[target].1);
            Some(
                broken_anchor(file, &link.original, fragment, target_file, ids)
                    .at(body_line + link.line - 1, link.column),
            )
        })
        .collect();
    diagnostics.extend(found);
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
