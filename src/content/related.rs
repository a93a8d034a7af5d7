//! Related pages: those that share the most taxonomy terms with a page, rarer terms weighing
//! more. Found through each term's page list, never by comparing every pair of pages.

use super::{Page, Taxonomy};

/// A term carried by more pages than this is walked newest first and only as far as needed:
/// a page sharing it with many others gains little from it.
const COMMON: usize = 128;

/// A term: its taxonomy and its index there.
type TermId = (usize, usize);

/// For each page, up to `limit` related pages, best first: scored by the terms they share
/// (a term carried by few pages weighs more than one carried by many), ties going to the
/// newer page (the earlier in `newest_first`). Pages that `eligible` refuses (drafts,
/// noindex pages) are never related, and a page is never related to itself.
pub(crate) fn related(
    pages: &[Page],
    taxonomies: &[Taxonomy],
    newest_first: &[usize],
    limit: usize,
    eligible: &dyn Fn(&Page) -> bool,
) -> Vec<Vec<usize>> {
    use rayon::prelude::*;
    if limit == 0 || pages.is_empty() {
        return vec![Vec::new(); pages.len()];
    }
    let index = Index::new(pages, taxonomies, newest_first, eligible);
    let ids: Vec<usize> = (0..pages.len()).collect();
    // One score buffer per chunk of pages, not per page.
    ids.par_chunks(256)
        .flat_map_iter(|chunk| {
            let mut scratch = Scratch::new(pages.len());
            chunk
                .iter()
                .map(|&p| index.best(p, limit, &mut scratch))
                .collect::<Vec<_>>()
        })
        .collect()
}

/// What ranking needs: each page's terms, each term's pages and weight, each page's age.
struct Index<'a> {
    taxonomies: &'a [Taxonomy],
    /// Each page's terms.
    terms: Vec<Vec<TermId>>,
    /// Each page's place in newest-first order: the tie-breaker.
    rank: Vec<usize>,
    allowed: Vec<bool>,
    total: f32,
}

/// A page's scores so far, and which pages have one.
struct Scratch {
    scores: Vec<f32>,
    touched: Vec<usize>,
}

impl Scratch {
    fn new(pages: usize) -> Self {
        Scratch {
            scores: vec![0.0; pages],
            touched: Vec::new(),
        }
    }
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
        let mut terms = vec![Vec::new(); pages.len()];
        for (t, taxonomy) in taxonomies.iter().enumerate() {
            for (k, term) in taxonomy.terms.iter().enumerate() {
                for &p in &term.pages {
                    terms[p].push((t, k));
                }
            }
        }
        Index {
            taxonomies,
            terms,
            rank,
            allowed: pages.iter().map(eligible).collect(),
            total: pages.len() as f32,
        }
    }

    fn pages_of(&self, (t, k): TermId) -> &[usize] {
        &self.taxonomies[t].terms[k].pages
    }

    /// The weight of a term: higher the fewer pages carry it.
    fn weight(&self, term: TermId) -> f32 {
        (1.0 + self.total / self.pages_of(term).len() as f32).ln()
    }

    /// The score `q` gets from the common terms of `p`.
    fn common_score(&self, q: usize, common: &[(TermId, f32)]) -> f32 {
        common
            .iter()
            .filter(|(term, _)| self.terms[q].contains(term))
            .map(|(_, w)| w)
            .sum()
    }

    /// Whether `a` ranks before `b`: a higher score, else newer.
    fn before(&self, a: (f32, usize), b: (f32, usize)) -> bool {
        a.0 > b.0 || (a.0 == b.0 && self.rank[a.1] < self.rank[b.1])
    }

    /// Keeps `candidate` in `best` (at most `limit`, best first) if it ranks there.
    fn offer(&self, best: &mut Vec<(f32, usize)>, limit: usize, candidate: (f32, usize)) {
        if best.len() == limit && !self.before(candidate, best[limit - 1]) {
            return;
        }
        let at = best
            .iter()
            .position(|&b| self.before(candidate, b))
            .unwrap_or(best.len());
        best.insert(at, candidate);
        best.truncate(limit);
    }

    /// The related pages of `p`. Rare terms are counted page by page; pages that share only
    /// common terms are visited newest first, until no page left can rank.
    fn best(&self, p: usize, limit: usize, scratch: &mut Scratch) -> Vec<usize> {
        let (mut rare, mut common) = (Vec::new(), Vec::new());
        for &term in &self.terms[p] {
            let weighed = (term, self.weight(term));
            if self.pages_of(term).len() > COMMON {
                common.push(weighed);
            } else {
                rare.push(weighed);
            }
        }
        for &(term, w) in &rare {
            for &q in self.pages_of(term) {
                if q != p && self.allowed[q] {
                    if scratch.scores[q] == 0.0 {
                        scratch.touched.push(q);
                    }
                    scratch.scores[q] += w;
                }
            }
        }
        let mut best: Vec<(f32, usize)> = Vec::with_capacity(limit + 1);
        for &q in &scratch.touched {
            let score = scratch.scores[q] + self.common_score(q, &common);
            self.offer(&mut best, limit, (score, q));
        }
        if !common.is_empty() {
            let most: f32 = common.iter().map(|(_, w)| w).sum();
            self.walk_common(p, &common, most, limit, scratch, &mut best);
        }
        for &q in &scratch.touched {
            scratch.scores[q] = 0.0;
        }
        scratch.touched.clear();
        best.into_iter().map(|(_, q)| q).collect()
    }

    /// Visits the pages of `p`'s common terms, newest first, that rare terms did not reach.
    /// None of them scores more than `most`, and an older page loses a tie: once the last
    /// of `best` scores `most`, the walk stops.
    fn walk_common(
        &self,
        p: usize,
        common: &[(TermId, f32)],
        most: f32,
        limit: usize,
        scratch: &Scratch,
        best: &mut Vec<(f32, usize)>,
    ) {
        let lists: Vec<&[usize]> = common.iter().map(|&(t, _)| self.pages_of(t)).collect();
        let mut at = vec![0usize; lists.len()];
        let mut last = None;
        loop {
            if best.len() == limit && best[limit - 1].0 >= most {
                return;
            }
            // The newest page not yet visited in any of the lists (each is newest first).
            let next = (0..lists.len())
                .filter(|&l| at[l] < lists[l].len())
                .min_by_key(|&l| self.rank[lists[l][at[l]]]);
            let Some(l) = next else { return };
            let q = lists[l][at[l]];
            at[l] += 1;
            if last == Some(q) || q == p || !self.allowed[q] || scratch.scores[q] != 0.0 {
                continue;
            }
            last = Some(q);
            self.offer(best, limit, (self.common_score(q, common), q));
        }
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
        let source = crate::content::page::PageSource {
            file: format!("content/{title}.md").into(),
            content_path: format!("{title}.md"),
            section: String::new(),
            section_path: String::new(),
            stem: title.to_string(),
            is_bundle: false,
        };
        let tags = TaxonomyConfig {
            name: "tags".into(),
            path: "tags/".into(),
            paginate_by: None,
            feed: false,
        };
        Page::parse(source, &text, &[tags], &mut Vec::new()).unwrap()
    }

    /// Related pages by title, computed by the index and by comparing every pair.
    fn both_ways(pages: &[Page], limit: usize) -> (Vec<Vec<String>>, Vec<Vec<String>>) {
        let config = TaxonomyConfig {
            name: "tags".into(),
            path: "tags/".into(),
            paginate_by: None,
            feed: false,
        };
        let taxonomies = vec![Taxonomy::collect(&config, 0, pages)];
        let mut newest: Vec<usize> = (0..pages.len()).collect();
        crate::content::sort_pages(pages, &mut newest, crate::content::SortBy::Date);
        let fast = related(pages, &taxonomies, &newest, limit, &|_| true);
        let index = Index::new(pages, &taxonomies, &newest, &|_| true);
        let slow: Vec<Vec<usize>> = (0..pages.len())
            .map(|p| {
                let mut all: Vec<(f32, usize)> = (0..pages.len())
                    .filter(|&q| q != p)
                    .map(|q| {
                        let shared = index.terms[p]
                            .iter()
                            .filter(|t| index.terms[q].contains(t))
                            .map(|&t| index.weight(t))
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
    fn the_walk_over_common_terms_finds_what_comparing_every_pair_finds() {
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
