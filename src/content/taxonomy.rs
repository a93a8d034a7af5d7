//! Taxonomies: ways of sorting pages by terms (tags, skin concerns, ingredients), each term
//! with the pages that carry it.

use std::collections::{BTreeMap, HashMap};

use super::{DateOrder, Page};
use crate::config::TaxonomyConfig;
use crate::markdown::{UniqueIds, slugify};

/// A taxonomy and its terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taxonomy {
    /// Its name (`tags`, `concerns`).
    pub name: String,
    /// Its index page's path in the built site (`concerns/`, `fr/concerns/`).
    pub path: String,
    /// Its place in the configuration's list of taxonomies.
    pub config: usize,
    /// The language of its pages: an index into the configuration's languages.
    pub lang: usize,
    /// Its terms, by name.
    pub terms: Vec<Term>,
    /// Each term's index, by its name folded to lowercase.
    by_name: HashMap<String, usize>,
}

/// One term of a taxonomy and the pages that carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Term {
    /// The term as first written, in content file order.
    pub name: String,
    /// Its URL-safe name, unique in its taxonomy.
    pub slug: String,
    /// Its page's path in the built site (`concerns/acne/`).
    pub path: String,
    /// Its pages, newest first.
    pub pages: Vec<usize>,
}

impl Taxonomy {
    /// Groups the pages `ids` (those of language `lang`) by the terms they list for the taxonomy at `index`
    /// of the configuration; `prefix` is where that language's pages are published. Terms
    /// equal but for case are one; different terms whose slugs collide get `-1`, `-2`, in name
    /// order, so slugs are stable and unique.
    pub(crate) fn collect(
        config: &TaxonomyConfig,
        index: usize,
        pages: &[Page],
        ids: &[usize],
        date_order: &DateOrder,
        (lang, prefix): (usize, &str),
    ) -> Taxonomy {
        let mut by_folded: BTreeMap<String, (String, Vec<usize>)> = BTreeMap::new();
        for (i, page) in ids.iter().map(|&i| (i, &pages[i])) {
            for name in page.terms(index) {
                let name = name.trim();
                if name.is_empty() {
                    continue;
                }
                let entry = by_folded
                    .entry(name.to_lowercase())
                    .or_insert_with(|| (name.to_string(), Vec::new()));
                if entry.1.last() != Some(&i) {
                    entry.1.push(i);
                }
            }
        }
        let mut used = UniqueIds::new();
        let mut by_name = HashMap::new();
        let terms = by_folded
            .into_iter()
            .enumerate()
            .map(|(t, (folded, (name, mut ids)))| {
                date_order.sort(&mut ids);
                let slug = used.unique(&slugify(&name));
                by_name.insert(folded, t);
                Term {
                    path: format!("{prefix}{}{slug}/", config.path),
                    name,
                    slug,
                    pages: ids,
                }
            })
            .collect();
        Taxonomy {
            name: config.name.clone(),
            path: format!("{prefix}{}", config.path),
            config: index,
            lang,
            terms,
            by_name,
        }
    }

    /// The term a page names, as written.
    pub fn term(&self, name: &str) -> Option<&Term> {
        self.term_index(name).map(|t| &self.terms[t])
    }

    /// The index of the term a page names, as written.
    pub fn term_index(&self, name: &str) -> Option<usize> {
        self.by_name.get(&name.trim().to_lowercase()).copied()
    }
}
