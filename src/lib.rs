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

pub use config::Config;
pub use error::{Diagnostic, Error, Result};
pub use site::{BuildOptions, BuildReport, Site};
