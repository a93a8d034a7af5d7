//! serum: a static site generator. Markdown content and a Tera theme in, a finished site out.
//!
//! The build is a pipeline: [`config`] -> [`content`] + [`theme`] -> [`site`] -> [`output`].

pub mod check;
pub mod cli;
pub mod config;
pub mod content;
pub mod error;
pub mod feed;
pub mod i18n;
pub mod images;
pub mod import;
pub mod markdown;
pub mod output;
pub mod serve;
pub mod site;
pub mod theme;
pub mod view;

/// The most items one parallel task takes on, in the steps that spread thousands of pages
/// over the cores. Left to itself, rayon cuts a list into a few large pieces (four to start
/// with, on 2 cores) and splits a piece again only when another thread steals it: at 100,000
/// articles the last piece of the Markdown step kept one core busy for 0.4 s while the other
/// waited, and the listings' for 0.2 s. A task of 64 pages takes a few milliseconds.
pub(crate) const TASK_ITEMS: usize = 64;

pub use config::Config;
pub use error::{Diagnostic, Error, Result};
pub use site::{BuildOptions, BuildReport, Site};
