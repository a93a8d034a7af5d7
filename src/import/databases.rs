//! Notion databases: `Name <id>_all.csv` (every property of every row) beside the folder
//! `Name <id>/` that holds one page per row.
//!
//! A database becomes a section and its rows its pages: from their page files, or from the
//! row alone when the export has no page for it. Databases inside a database's folder become
//! sections inside its section, as the export nests them.

use std::collections::HashSet;

use unicode_normalization::UnicodeNormalization;

use super::export::Export;
use super::notion::{Property, SourcePage, parent_dir, split_id};
use crate::content::front_matter::normalize_text;
use crate::error::{Diagnostic, Result};

/// One database of the export.
#[derive(Debug)]
pub(super) struct Database {
    /// Its `_all.csv`, or its `.csv` when there is no `_all`.
    pub csv_path: String,
    /// The folder holding one page per row: `Blog <id>`.
    pub folder: String,
    /// Its name, from the folder's: `Blog`.
    pub title: String,
    /// Notion's id for it, in lowercase, when its name carries one.
    pub id: Option<String>,
    /// The property names, the title's first.
    pub headers: Vec<String>,
    /// Each row with the line it starts on.
    pub rows: Vec<(usize, Vec<String>)>,
    /// The database whose folder holds this one.
    pub parent: Option<usize>,
}

/// Reads each database's `_all.csv`, or its `.csv` when there is no `_all`.
pub(super) fn read_databases(export: &Export) -> Result<Vec<Database>> {
    let csvs: Vec<&str> = export
        .paths()
        .filter(|p| p.ends_with(".csv"))
        .filter(|p| {
            p.ends_with("_all.csv") || !export.contains(&format!("{}_all.csv", &p[..p.len() - 4]))
        })
        .collect();
    let mut databases = Vec::new();
    for csv_path in csvs {
        databases.push(read_database(export, csv_path)?);
    }
    for n in 0..databases.len() {
        databases[n].parent = innermost(&databases, &databases[n].folder);
    }
    Ok(databases)
}

fn read_database(export: &Export, csv_path: &str) -> Result<Database> {
    let folder = csv_path
        .strip_suffix("_all.csv")
        .or_else(|| csv_path.strip_suffix(".csv"))
        .unwrap_or(csv_path);
    let name = folder.rsplit('/').next().unwrap_or(folder);
    let (title, id) = split_id(name);
    let bytes = export.read(csv_path)?;
    let text = normalize_text(bytes).map_err(|e| Diagnostic {
        path: Some(csv_path.into()),
        ..e
    })?;
    let text: String = text.nfc().collect();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let csv_problem = |e: csv::Error| {
        let line = e.position().map_or(1, |p| p.line() as usize);
        Diagnostic::in_file(csv_path, format!("cannot read this database: {e}"))
            .at_line(line)
            .hint("export the database again from Notion with \"Markdown & CSV\"")
    };
    let headers = reader
        .headers()
        .map_err(csv_problem)?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let mut rows = Vec::new();
    for record in reader.records() {
        let record = record.map_err(csv_problem)?;
        let line = record.position().map_or(0, |p| p.line() as usize);
        rows.push((line, record.iter().map(|v| v.trim().to_string()).collect()));
    }
    Ok(Database {
        csv_path: csv_path.to_string(),
        folder: folder.to_string(),
        title: title.trim().to_string(),
        id: id.map(str::to_lowercase),
        headers,
        rows,
        parent: None,
    })
}

/// The database whose folder holds `path` most closely.
pub(super) fn innermost(databases: &[Database], path: &str) -> Option<usize> {
    databases
        .iter()
        .enumerate()
        .filter(|(_, d)| {
            path.strip_prefix(d.folder.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
        })
        .max_by_key(|(_, d)| d.folder.len())
        .map(|(n, _)| n)
}

/// Places each page in the database whose folder holds it, gives each row's page (matched by
/// title in the database's folder) the row's properties, which win over the page's own
/// property lines, and makes a page of every row the export has no page for.
pub(super) fn merge_rows(databases: &[Database], pages: &mut Vec<SourcePage>) {
    for page in pages.iter_mut() {
        page.database = innermost(databases, &page.path);
    }
    let mut matched = HashSet::new();
    for (d, database) in databases.iter().enumerate() {
        for (line, row) in &database.rows {
            let title = row.first().map_or("", String::as_str);
            let properties: Vec<Property> = database
                .headers
                .iter()
                .zip(row)
                .skip(1)
                .filter(|(_, value)| !value.is_empty())
                .map(|(name, value)| Property {
                    name: name.clone(),
                    value: value.clone(),
                    file: database.csv_path.clone(),
                    line: Some(*line),
                })
                .collect();
            let row_page = (0..pages.len()).find(|&n| {
                !matched.contains(&n)
                    && parent_dir(&pages[n].path) == database.folder
                    && pages[n].title == title
            });
            let Some(n) = row_page else {
                pages.push(SourcePage {
                    path: database.csv_path.clone(),
                    id: None,
                    title: title.to_string(),
                    properties,
                    body: String::new(),
                    body_line: 1,
                    database: Some(d),
                });
                matched.insert(pages.len() - 1);
                continue;
            };
            matched.insert(n);
            let own = &mut pages[n].properties;
            for property in properties {
                match own.iter_mut().find(|p| p.name == property.name) {
                    Some(existing) => *existing = property,
                    None => own.push(property),
                }
            }
        }
    }
}

/// The one database every page belongs to, when the export is that database and nothing
/// else: it then is the section the import goes into, rather than a section inside it.
pub(super) fn only_database(databases: &[Database], pages: &[SourcePage]) -> Option<usize> {
    let mut tops = databases
        .iter()
        .enumerate()
        .filter(|(_, d)| d.parent.is_none());
    let (top, _) = tops.next()?;
    let alone = tops.next().is_none() && pages.iter().all(|p| p.database.is_some());
    alone.then_some(top)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn database(folder: &str) -> Database {
        Database {
            csv_path: format!("{folder}_all.csv"),
            folder: folder.into(),
            title: String::new(),
            id: None,
            headers: Vec::new(),
            rows: Vec::new(),
            parent: None,
        }
    }

    #[test]
    fn the_closest_folder_holds_a_page() {
        let databases = [
            database("Blog"),
            database("Blog/Post/Notes"),
            database("Blogroll"),
        ];
        assert_eq!(innermost(&databases, "Blog/Post.md"), Some(0));
        assert_eq!(innermost(&databases, "Blog/Post/Notes/N.md"), Some(1));
        assert_eq!(innermost(&databases, "Blogroll.md"), None);
        assert_eq!(innermost(&databases, "Blog"), None);
    }
}
