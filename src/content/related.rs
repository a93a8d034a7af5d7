//! Related pages: those that share the most taxonomy terms with a page, rarer terms weighing
//! more. Found through each term's page list, never by comparing every pair of pages.
//!
//! The candidates of a page are every page that shares a rare term with it (one carried by at
//! most [`COMMON`] pages), and the [`WINDOW`] newest pages of each of its common terms; each
//! candidate is then scored on every term it shares. A common term weighs little and ties go
//! to the newer page, so its older pages rarely rank; bounding how many are looked at keeps the
//! work per page the same however large the site grows.

use super::{Page, Taxonomy};

/// A term carried by more pages than this is common.
const COMMON: usize = 128;

/// How many of a common term's newest pages are candidates.
const WINDOW: usize = 64;

/// For each page, up to `limit` related pages, best first: scored by the terms they share
/// (a term carried by few pages weighs more than one carried by many), ties going to the
/// newer page (the earlier in `newest_first`). Pages that `eligible` refuses (drafts,
/// noindex pages) are never related, and a page is never related to itself.
///
/// The answer depends only on those inputs, so `remembered` keeps it with their key: a
/// rebuild after an edit that changed no terms, dates or drafts takes it from there.
pub(crate) fn related(
    pages: &[Page],
    taxonomies: &[Taxonomy],
    newest_first: &[usize],
    limit: usize,
    eligible: &dyn Fn(&Page) -> bool,
    remembered: &mut Remembered,
) -> Vec<Vec<usize>> {
    if limit == 0 || pages.is_empty() {
        return vec![Vec::new(); pages.len()];
    }
    let index = Index::new(pages, taxonomies, newest_first, eligible);
    let key = index.key(limit);
    if remembered.key == key && remembered.related.len() == pages.len() {
        return remembered.related.clone();
    }
    let related = index.all(limit);
    *remembered = Remembered {
        key,
        related: related.clone(),
    };
    related
}

/// The related pages a build found, and the key of what it found them from.
#[derive(Debug, Default, Clone, serde::Serialize, serde::Deserialize)]
pub(crate) struct Remembered {
    key: crate::site::Key,
    related: Vec<Vec<usize>>,
}

impl Index<'_> {
    /// The key of everything ranking reads: each term's pages in order, each page's place by
    /// date and whether it may be related, and the limit.
    fn key(&self, limit: usize) -> crate::site::Key {
        crate::site::KeyHasher::new()
            .number(limit as u64)
            .value(&self.term_pages)
            .value(&self.rank)
            .value(&self.allowed)
            .finish()
    }

    /// The related pages of every page, in parallel.
    fn all(&self, limit: usize) -> Vec<Vec<usize>> {
        use rayon::prelude::*;
        let pages = self.rank.len();
        // One marker buffer (a word per page of the site) and one table of weights (one per
        // term) per piece of work rayon hands a thread, and pieces of at least 4,096 pages: a
        // buffer per 256 pages made the step grow with the square of the site (390 buffers of
        // 800 kB at 100,000 pages).
        (0..pages)
            .into_par_iter()
            .with_min_len(4096)
            .map_init(
                || (vec![usize::MAX; pages], vec![0.0; self.weights.len()]),
                |(seen, mine), p| self.best(p, limit, seen, mine),
            )
            .collect()
    }
}

/// What ranking needs: each page's terms, each term's pages and weight, each page's age.
struct Index<'a> {
    /// Each term's pages, newest first, by term number.
    term_pages: Vec<&'a [usize]>,
    /// Each term's weight, by term number.
    weights: Vec<f32>,
    /// Each page's term numbers, in order.
    terms: Vec<Vec<u32>>,
    /// Each page's place in newest-first order: the tie-breaker.
    rank: Vec<usize>,
    allowed: Vec<bool>,
}

impl<'a> Index<'a> {
    fn new(
        pages: &[Page],
        taxonomies: &'a [Taxonomy],
        newest_first: &[usize],
        eligible: &dyn Fn(&Page) -> bool,
    ) -> Self {
        let mut rank = vec![0usize; pages.len()];
        for (r, &p) in newest_first.iter().enumerate() {
            rank[p] = r;
        }
        let total = pages.len() as f32;
        let term_pages: Vec<&[usize]> = taxonomies
            .iter()
            .flat_map(|t| t.terms.iter().map(|term| term.pages.as_slice()))
            .collect();
        let weights = term_pages
            .iter()
            .map(|pages| (1.0 + total / pages.len() as f32).ln())
            .collect();
        let mut terms = vec![Vec::new(); pages.len()];
        for (number, pages) in term_pages.iter().enumerate() {
            for &p in pages.iter() {
                terms[p].push(number as u32);
            }
        }
        Index {
            term_pages,
            weights,
            terms,
            rank,
            allowed: pages.iter().map(eligible).collect(),
        }
    }

    /// The weight of the terms page `q` shares with the page whose terms' weights `mine`
    /// holds (0 for every other term): a lookup per term of `q`. Merging the two pages' sorted
    /// term lists, a comparison and a branch per step, took three quarters of the step; with
    /// the lookups the whole step takes a fifth of the time it took. A page's terms are sorted
    /// and never repeat, so the shared weights are added in the order the merge added them,
    /// and the zeros between change no sum: every score is the same to the bit.
    fn shared(&self, mine: &[f32], q: usize) -> f32 {
        self.terms[q].iter().map(|&t| mine[t as usize]).sum()
    }

    /// Whether `a` ranks before `b`: a higher score, else newer.
    fn before(&self, a: (f32, usize), b: (f32, usize)) -> bool {
        a.0 > b.0 || (a.0 == b.0 && self.rank[a.1] < self.rank[b.1])
    }

    /// The related pages of `p`. `seen` marks the candidates met already, by `p`; `mine`,
    /// all 0 between calls, holds the weight of each of `p`'s terms while it runs.
    fn best(&self, p: usize, limit: usize, seen: &mut [usize], mine: &mut [f32]) -> Vec<usize> {
        for &term in &self.terms[p] {
            mine[term as usize] = self.weights[term as usize];
        }
        let mut best: Vec<(f32, usize)> = Vec::with_capacity(limit + 1);
        for &term in &self.terms[p] {
            let pages = self.term_pages[term as usize];
            let candidates = if pages.len() > COMMON {
                &pages[..WINDOW]
            } else {
                pages
            };
            for &q in candidates {
                if q == p || !self.allowed[q] || seen[q] == p {
                    continue;
                }
                seen[q] = p;
                let candidate = (self.shared(mine, q), q);
                if best.len() == limit && !self.before(candidate, best[limit - 1]) {
                    continue;
                }
                let at = best
                    .iter()
                    .position(|&b| self.before(candidate, b))
                    .unwrap_or(best.len());
                best.insert(at, candidate);
                best.truncate(limit);
            }
        }
        for &term in &self.terms[p] {
            mine[term as usize] = 0.0;
        }
        best.into_iter().map(|(_, q)| q).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::TaxonomyConfig;

    fn page(title: &str, date: &str, tags: &[&str]) -> Page {
        let text = format!(
            "+++\ntitle = \"{title}\"\ndate = {date}\ntags = {tags:?}\n+++\n",
            tags = tags
        );
        let source = crate::content::page::PageSource::at_top(title);
        let tags = TaxonomyConfig {
            name: "tags".into(),
            path: "tags/".into(),
            paginate_by: None,
            feed: false,
        };
        Page::parse(source, text, &[tags], &mut Vec::new()).unwrap()
    }

    /// Related pages by title, computed by the index and by comparing every pair.
    fn both_ways(pages: &[Page], limit: usize) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
        let config = TaxonomyConfig {
            name: "tags".into(),
            path: "tags/".into(),
            paginate_by: None,
            feed: false,
        };
        let date_order = crate::content::DateOrder::new(pages);
        let taxonomies = vec![Taxonomy::collect(
            &config,
            0,
            pages,
            &(0..pages.len()).collect::<Vec<_>>(),
            &date_order,
            (0, ""),
        )];
        let newest = &date_order.newest;
        let fast = related(
            pages,
            &taxonomies,
            newest,
            limit,
            &|_| true,
            &mut Remembered::default(),
        );
        let index = Index::new(pages, &taxonomies, newest, &|_| true);
        // Every pair, scored on the terms they share; a page reached only through a common
        // term's older pages is no candidate.
        let candidate = |p: usize, q: usize| {
            index.terms[p].iter().any(|&t| {
                let pages = index.term_pages[t as usize];
                let window = if pages.len() > COMMON {
                    &pages[..WINDOW]
                } else {
                    pages
                };
                window.contains(&q)
            })
        };
        let slow: Vec<Vec<usize>> = (0..pages.len())
            .map(|p| {
                let mut all: Vec<(f32, usize)> = (0..pages.len())
                    .filter(|&q| q != p && candidate(p, q))
                    .map(|q| {
                        let shared = index.terms[p]
                            .iter()
                            .filter(|t| index.terms[q].contains(t))
                            .map(|&t| index.weights[t as usize])
                            .sum::<f32>();
                        (shared, q)
                    })
                    .filter(|(score, _)| *score > 0.0)
                    .collect();
                all.sort_by(|a, b| {
                    b.0.total_cmp(&a.0)
                        .then(index.rank[a.1].cmp(&index.rank[b.1]))
                });
                all.into_iter().take(limit).map(|(_, q)| q).collect()
            })
            .collect();
        let titles = |lists: Vec<Vec<usize>>| {
            lists
                .into_iter()
                .map(|l| l.into_iter().map(|q| pages[q].title.clone()).collect())
                .collect()
        };
        (titles(fast), titles(slow))
    }

    #[test]
    fn rare_terms_weigh_more_and_ties_go_to_the_newer_page() {
        let pages = vec![
            page("a", "2024-01-01", &["rare", "common"]),
            page("b", "2020-01-01", &["rare"]),
            page("c", "2024-02-01", &["common"]),
            page("d", "2024-03-01", &["common"]),
            page("e", "2019-03-01", &["common"]),
            page("f", "2019-04-01", &[]),
        ];
        let (fast, slow) = both_ways(&pages, 2);
        assert_eq!(fast[0], ["b", "d"]);
        assert_eq!(fast, slow);
    }

    #[test]
    fn with_common_terms_the_candidates_are_their_newest_pages() {
        // Enough pages that every tag is common, with overlapping sets of two or three tags.
        let tags = ["a", "b", "c", "d", "e"];
        let pages: Vec<Page> = (0..700)
            .map(|i| {
                let mine: Vec<&str> = (0..5)
                    .filter(|t| (i * 7 + t * 3) % 5 < 2 + i % 2)
                    .map(|t| tags[t])
                    .collect();
                page(
                    &format!("p{i}"),
                    &format!("20{:02}-01-{:02}", 10 + i % 15, 1 + i % 28),
                    &mine,
                )
            })
            .collect();
        let (fast, slow) = both_ways(&pages, 3);
        assert_eq!(fast, slow);
    }
}
