//! Any text as `serum.toml`: a validated configuration or diagnostics, and URLs built under
//! any accepted `base_url` never hold `//` after the scheme.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;
use serum::config::{Config, Overrides};

fuzz_target!(|text: &str| {
    let parsed = Config::parse(
        Path::new("/site"),
        Path::new("serum.toml"),
        text,
        &Overrides::default(),
    );
    let config = match parsed {
        Ok(config) => config,
        Err(error) => {
            assert!(!error.problems().is_empty());
            let _ = error.to_string();
            return;
        }
    };
    assert!(config.base_url.ends_with('/'), "{}", config.base_url);
    assert!(config.base_path.starts_with('/') && config.base_path.ends_with('/'));
    for path in ["", "articles/x/", "/tags/", "atom.xml"] {
        let url = config.url_path(path);
        assert!(!url.starts_with("//"), "{url}");
        let permalink = config.permalink(path);
        let after_scheme = permalink.split_once("://").map_or("", |(_, rest)| rest);
        assert!(!after_scheme.contains("//"), "{permalink}");
        let _ = config.absolute_url(&url);
    }
});
