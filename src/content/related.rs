//! Related pages: those that share the most taxonomy terms with a page, rarer terms weighing
//! more. Found through each term's page list, never by comparing every pair of pages.

use super::{Page, Taxonomy};

/// For each page, up to `limit` related pages, best first: scored by the terms they share
/// (a term carried by few pages weighs more than one carried by many), ties going to the
/// newer page, then to the earlier in `newest_first`. Pages that `eligible` refuses (drafts,
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
    // Where each page stands in newest-first order: the tie-breaker.
    let mut rank = vec![0usize; pages.len()];
    for (r, &p) in newest_first.iter().enumerate() {
        rank[p] = r;
    }
    let total = pages.len() as f32;
    // Each page's terms, as (taxonomy, term) with the term's weight.
    let weight = |count: usize| (1.0 + total / count as f32).ln();
    let page_terms: Vec<Vec<(usize, usize)>> = {
        let mut terms = vec![Vec::new(); pages.len()];
        for (t, taxonomy) in taxonomies.iter().enumerate() {
            for (k, term) in taxonomy.terms.iter().enumerate() {
                for &p in &term.pages {
                    terms[p].push((t, k));
                }
            }
        }
        terms
    };
    let allowed: Vec<bool> = pages.iter().map(eligible).collect();
    (0..pages.len())
        .into_par_iter()
        .map_init(
            || (vec![0f32; pages.len()], Vec::new()),
            |(scores, touched): &mut (Vec<f32>, Vec<usize>), p| {
                for &(t, k) in &page_terms[p] {
                    let term = &taxonomies[t].terms[k];
                    let w = weight(term.pages.len());
                    for &q in &term.pages {
                        if q != p && allowed[q] {
                            if scores[q] == 0.0 {
                                touched.push(q);
                            }
                            scores[q] += w;
                        }
                    }
                }
                let mut best: Vec<(f32, usize)> = touched.iter().map(|&q| (scores[q], q)).collect();
                for &q in touched.iter() {
                    scores[q] = 0.0;
                }
                touched.clear();
                let order = |a: &(f32, usize), b: &(f32, usize)| {
                    b.0.total_cmp(&a.0).then(rank[a.1].cmp(&rank[b.1]))
                };
                if best.len() > limit {
                    best.select_nth_unstable_by(limit - 1, order);
                    best.truncate(limit);
                }
                best.sort_by(order);
                best.into_iter().map(|(_, q)| q).collect()
            },
        )
        .collect()
}
