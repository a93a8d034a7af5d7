#!/usr/bin/env python3
"""Compares `serum build` with Hugo and Zola on the same synthetic sites, as whole processes.

    cargo build --release
    python3 bench/compare.py                                  # N = 1, 100, 1000, 10000; tmpfs and disk; 5 runs
    python3 bench/compare.py --sizes 1000 --runs 9 --storage tmpfs
    python3 bench/compare.py --sizes 1000 --storage tmpfs --rich   # with code blocks and shortcodes
    python3 bench/compare.py --sizes 1000 10000 --storage tmpfs --against zola --zola-unpaged-terms

Hugo is Debian's `hugo` package (`apt-get install -y hugo`). For each N, bench.py's generator
writes a serum site, and the same articles are written as a Hugo site: same Markdown bodies
(`@/section/article-i.md` links become `/section/article-i/`), same TOML front matter, the 5
authors in data/authors.toml and as term pages of an `authors` taxonomy, and a small layout
that renders what serum's default theme renders: each article's title, byline (author name,
role, date, reading time), table of contents and body, with its tags, an author card, links
to the previous and next article of its section and its 3 related articles (Hugo's
`.Related` over tags, concerns and actives; serum's related articles); a home page, section,
tag, concern, active and author pages listing their articles 10 to a page (title link,
byline, summary) with a pager; the home feed (20 items), author feeds, sitemap, robots.txt,
404 page and a fingerprinted stylesheet.

With `--against zola` (or `--against hugo zola`), the same articles are also written as a Zola
site (bench/zola_site.py says how, and where Zola is given less work), and Zola is timed in the
same rounds. Zola is not packaged for Debian: build it from its source with
`cargo build --release --locked` and pass `--zola PATH`.

Every output is checked before timing (N article pages, every article on the home page's
pages, and for one article: the byline names its author and role, the table of contents has its
`##` and `###` headings, its links to other articles resolve), so a build that renders less
cannot win. Then, on each storage (tmpfs: /dev/shm, disk: /var/tmp), after one warm-up
build each, the tools are run in turn (who goes first rotates), each a clean build: public/
(and serum's .serum-cache/, Hugo's resources/ and a fresh HUGO_CACHEDIR) removed and `sync`
called before the clock starts. Also measured: serum rebuilding the
1,000-article site with public/ kept and nothing changed.

Printed: the median wall time (time.perf_counter around the process), CPU time (user + system
from wait4's rusage) and peak RSS (ru_maxrss) of each, and x/serum: the median over rounds
of the ratio of the other tool's wall (and CPU) time to serum's, measured in the same round.

With --rich, each article also has bench.py's rich content: three fenced code blocks (one
with line numbers and a marked line) and two shortcodes (a YouTube video and a `details`
with a Markdown body). The Hugo site gets the same: its code highlighted by Chroma with CSS
classes (`noClasses = false`), `linenos` and `hl_lines` as Hugo writes them, and the two
shortcodes as Hugo shortcodes whose templates write the same HTML as serum's built-ins; both
outputs are checked for the highlighted code and the expanded shortcodes before timing.

Disk times depend on the file system's recent history: on ext4 mounted with `discard` (as on
the 2-core dev VM), each delete-and-rebuild cycle costs more system time than the one before,
so absolute disk figures drift; alternating the tools keeps their ratio fair.
"""

import argparse
import html.parser
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import AUTHORS, SECTIONS, generate, read_author  # noqa: E402
from zola_site import generate_zola  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
STORAGES = {"tmpfs": "/dev/shm/serum-compare", "disk": "/var/tmp/serum-compare"}
FEED_ITEMS = 20  # serum's feeds hold the 20 newest articles

# --------------------------------------------------------------------------- the Hugo site

HUGO_CONFIG = """\
baseURL = "https://example.com/"
title = "Bench"
languageCode = "en"
enableRobotsTXT = true
disableHugoGeneratorInject = true

paginate = 10

[taxonomies]
  tag = "tags"
  author = "authors"
  concern = "concerns"
  active = "actives"

# serum's related articles: shared terms of every taxonomy, the 3 best.
[related]
  includeNewer = true
  threshold = 1
  toLower = false
[[related.indices]]
  name = "tags"
  weight = 100
[[related.indices]]
  name = "concerns"
  weight = 100
[[related.indices]]
  name = "actives"
  weight = 100

# serum's feeds: atom.xml and rss.xml for the home page, atom.xml for each author (set in
# their _index.md); each with the 20 newest articles, summary and full content.
[mediaTypes."application/atom+xml"]
  suffixes = ["xml"]
[outputFormats.Atom]
  mediaType = "application/atom+xml"
  baseName = "atom"
  rel = "alternate"
[outputFormats.RSS]
  baseName = "rss"
[outputs]
  home = ["HTML", "RSS", "Atom"]
  section = ["HTML"]
  taxonomy = ["HTML"]
  term = ["HTML"]

[markup.highlight]
  noClasses = false
# serum passes raw HTML through, as the details shortcode's output is.
[markup.goldmark.renderer]
  unsafe = true

[markup.tableOfContents]
  startLevel = 2
  endLevel = 3
  ordered = true
"""

LAYOUTS = {
    "shortcodes/youtube.html": """\
{{- $label := .Get "title" | default "YouTube video" -}}
<figure class="embed" data-embed="https://www.youtube-nocookie.com/embed/{{ .Get "id" }}?autoplay=1">
<button type="button" class="embed-play" data-title="{{ $label }}">Play video: {{ $label }}</button>
<figcaption>Plays from youtube-nocookie.com once you press play, or <a href="https://www.youtube.com/watch?v={{ .Get "id" }}">watch it on YouTube</a>.</figcaption>
</figure>
{{- if eq .Ordinal 0 }}
<script>if(!window.serumEmbeds){window.serumEmbeds=1;document.addEventListener("click",function(e){var b=e.target.closest&&e.target.closest(".embed-play");if(!b)return;var f=document.createElement("iframe");f.src=b.parentNode.getAttribute("data-embed");f.title=b.getAttribute("data-title");f.allow="autoplay; encrypted-media; fullscreen; picture-in-picture";f.setAttribute("allowfullscreen","");b.replaceWith(f);f.focus()})}</script>
{{- end }}
""",
    "shortcodes/details.html": """\
<details class="details">
<summary>{{ .Get "summary" }}</summary>
<div class="details-body">
{{ .Inner }}
</div>
</details>
""",
    "_default/baseof.html": """\
<!DOCTYPE html>
<html lang="{{ site.LanguageCode }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ block "title" . }}{{ site.Title }}{{ end }}</title>
<meta name="description" content="{{ block "description" . }}{{ site.Params.description }}{{ end }}">
<link rel="canonical" href="{{ .Permalink }}">
<link rel="alternate" type="application/atom+xml" title="{{ site.Title }}" href="{{ "atom.xml" | relURL }}">
<link rel="alternate" type="application/rss+xml" title="{{ site.Title }} (RSS)" href="{{ "rss.xml" | relURL }}">
<meta name="color-scheme" content="light dark">
{{- $css := resources.Get "style.css" | fingerprint }}
<link rel="stylesheet" href="{{ $css.RelPermalink }}">
{{- block "head" . }}{{ end }}
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
<div class="site-header-inner">
<a class="site-title" href="{{ "/" | relURL }}">{{ site.Title }}</a>
<nav class="site-nav" aria-label="Sections">
<ul>
{{- $current := . }}
{{- range site.Sections.ByTitle }}
<li><a href="{{ .RelPermalink }}"{{ if eq $current . }} aria-current="page"{{ else if .IsAncestor $current }} aria-current="true"{{ end }}>{{ .Title }}</a></li>
{{- end }}
</ul>
</nav>
</div>
</header>
<main id="main" tabindex="-1">
{{- block "main" . }}{{ end }}
</main>
<footer class="site-footer">
<div class="site-footer-inner">
<p><a class="site-footer-title" href="{{ "/" | relURL }}">{{ site.Title }}</a></p>
<p class="site-footer-credit">Published with Hugo.</p>
</div>
</footer>
</body>
</html>
""",
    "_default/single.html": """\
{{ define "title" }}{{ .Title }} · {{ site.Title }}{{ end }}
{{ define "description" }}{{ .Description }}{{ end }}
{{ define "head" }}
{{- $author := index site.Data.authors .Params.author }}
<meta property="og:site_name" content="{{ site.Title }}">
<meta property="og:type" content="article">
<meta property="og:title" content="{{ .Title }}">
<meta property="og:description" content="{{ .Description }}">
<meta property="og:url" content="{{ .Permalink }}">
<meta property="article:published_time" content="{{ .Date.Format "2006-01-02" }}">
<meta property="article:author" content="{{ printf "authors/%s/" .Params.author | absURL }}">
{{- range .Params.tags }}
<meta property="article:tag" content="{{ . }}">
{{- end }}
<meta name="twitter:card" content="summary">
<meta name="twitter:title" content="{{ .Title }}">
<meta name="twitter:description" content="{{ .Description }}">
{{- $ld := dict "@context" "https://schema.org" "@type" "Article" "headline" .Title "description" .Description "datePublished" (.Date.Format "2006-01-02") "url" .Permalink "author" (slice (dict "@type" "Person" "name" $author.name "jobTitle" $author.role "url" (printf "authors/%s/" .Params.author | absURL))) }}
<script type="application/ld+json">{{ $ld | jsonify | safeJS }}</script>
{{ end }}
{{ define "main" }}
<article class="page has-toc">
<header class="page-header">
{{- with .CurrentSection }}
<p class="page-kicker"><a href="{{ .RelPermalink }}">{{ .Title }}</a></p>
{{- end }}
<h1 class="page-title">{{ .Title }}</h1>
{{- with .Description }}
<p class="page-description">{{ . }}</p>
{{- end }}
{{ partial "byline.html" . }}
</header>
<div class="page-body">
<nav class="toc" aria-label="Table of contents">
<details class="toc-details">
<summary class="toc-summary">Contents</summary>
{{ .TableOfContents }}
</details>
</nav>
<div class="page-content">{{ .Content }}</div>
</div>
<footer class="page-footer">
{{- if or .PrevInSection .NextInSection }}
<nav class="page-nav" aria-label="More in {{ .CurrentSection.Title }}">
{{- with .NextInSection }}<a class="page-nav-link page-nav-previous" href="{{ .RelPermalink }}" rel="prev"><span class="page-nav-label">Previous</span> <span class="page-nav-title">{{ .Title }}</span></a>{{ end }}
{{- with .PrevInSection }}<a class="page-nav-link page-nav-next" href="{{ .RelPermalink }}" rel="next"><span class="page-nav-label">Next</span> <span class="page-nav-title">{{ .Title }}</span></a>{{ end }}
</nav>
{{- end }}
{{- with first 3 (site.RegularPages.Related .) }}
<section class="related" aria-labelledby="related-title">
<h2 id="related-title" class="related-heading">Related articles</h2>
<ul class="related-list">
{{- range . }}
<li class="related-card"><h3 class="related-title"><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
<p class="related-meta">{{ (index site.Data.authors .Params.author).name }} · {{ .ReadingTime }} min read</p></li>
{{- end }}
</ul>
</section>
{{- end }}
{{- with .GetTerms "tags" }}
<ul class="tags" aria-label="Tags">
{{ range . }}<li><a href="{{ .RelPermalink }}" rel="tag">{{ .LinkTitle }}</a></li>
{{- end }}
</ul>
{{- end }}
{{- range .GetTerms "authors" }}
{{- $author := index site.Data.authors .Data.Term }}
<aside class="author-card" aria-label="About the author">
<div class="author-card-text">
<p class="author-card-label">Written by</p>
<p class="author-card-heading"><a class="author-card-name" href="{{ .RelPermalink }}">{{ $author.name }}</a></p>
<p class="author-card-role">{{ $author.role }}</p>
<div class="author-card-bio">{{ .Content }}</div>
</div>
</aside>
{{- end }}
</footer>
</article>
{{ end }}
""",
    "_default/list.html": """\
{{ define "title" }}{{ .Title }} · {{ site.Title }}{{ end }}
{{ define "main" }}
<div class="listing">
<header class="listing-header">
<h1 class="listing-title">{{ .Title }}</h1>
<div class="section-intro">{{ .Content }}</div>
</header>
{{- $pager := .Paginate .Pages }}
{{ partial "page-list.html" $pager.Pages }}
{{ partial "pager.html" $pager }}
</div>
{{ end }}
""",
    "_default/terms.html": """\
{{ define "title" }}{{ .Title }} · {{ site.Title }}{{ end }}
{{ define "main" }}
<div class="listing">
<h1 class="listing-title">{{ .Title }}</h1>
<ul class="tag-list">
{{- range .Data.Terms.Alphabetical }}
<li><a href="{{ .Page.RelPermalink }}">{{ .Page.LinkTitle }}</a> <span class="tag-count">{{ .Count }}</span></li>
{{- end }}
</ul>
</div>
{{ end }}
""",
    "_default/term.html": """\
{{ define "title" }}{{ .Title }} · {{ site.Title }}{{ end }}
{{ define "main" }}
<div class="listing">
<header class="listing-header">
<h1 class="listing-title">{{ .Title }}</h1>
</header>
{{- $pager := .Paginate .Pages }}
{{ partial "page-list.html" $pager.Pages }}
{{ partial "pager.html" $pager }}
</div>
{{ end }}
""",
    "authors/term.html": """\
{{ define "title" }}{{ .Title }} · {{ site.Title }}{{ end }}
{{ define "head" }}
<link rel="alternate" type="application/atom+xml" title="{{ site.Title }}: {{ .Title }}" href="{{ .RelPermalink }}atom.xml">
{{ end }}
{{ define "main" }}
{{- $author := index site.Data.authors .Data.Term }}
<div class="listing author-page">
<header class="author-header">
<div class="author-header-text">
<h1 class="author-name">{{ $author.name }}</h1>
<p class="author-job">{{ $author.role }}</p>
</div>
</header>
<div class="author-bio">{{ .Content }}</div>
<h2 class="author-articles-title">Articles by {{ $author.name }}</h2>
{{- $pager := .Paginate .Pages }}
{{ partial "page-list.html" $pager.Pages }}
{{ partial "pager.html" $pager }}
</div>
{{ end }}
""",
    "index.html": """\
{{ define "main" }}
<div class="listing">
<header class="listing-header">
<h1 class="listing-title">{{ site.Title }}</h1>
<div class="section-intro">{{ .Content }}</div>
</header>
<nav class="subsections" aria-labelledby="subsections-title">
<h2 id="subsections-title" class="subsections-title">Sections</h2>
<ul>
{{ range site.Sections.ByTitle }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>
{{- end }}
</ul>
</nav>
{{- $pager := .Paginate site.RegularPages }}
{{ partial "page-list.html" $pager.Pages }}
{{ partial "pager.html" $pager }}
</div>
{{ end }}
""",
    "404.html": """\
{{ define "title" }}Page not found · {{ site.Title }}{{ end }}
{{ define "main" }}
<div class="not-found">
<h1>Page not found</h1>
<p><a href="{{ "/" | relURL }}">Back to the home page</a></p>
</div>
{{ end }}
""",
    "_default/_markup/render-heading.html": """\
<h{{ .Level }} id="{{ .Anchor | safeURL }}">{{ .Text | safeHTML }} <a class="anchor" href="#{{ .Anchor | safeURL }}" aria-label="Link to this section: {{ .PlainText }}"></a></h{{ .Level }}>
""",
    "_default/list.atom.xml": """\
{{- $pages := .Pages }}{{ if .IsHome }}{{ $pages = site.RegularPages }}{{ end }}
{{- $pages = first FEED_ITEMS $pages -}}
{{ printf "<?xml version=\\"1.0\\"?>" | safeHTML }}
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{{ site.LanguageCode }}"><title>{{ site.Title }}{{ if not .IsHome }}: {{ .Title }}{{ end }}</title><id>{{ .Permalink }}</id>{{ with index $pages 0 }}<updated>{{ .Date.Format "2006-01-02T15:04:05-07:00" }}</updated>{{ end }}<link href="{{ .Permalink }}atom.xml" rel="self"/><link href="{{ .Permalink }}" rel="alternate"/>
{{- range $pages }}<entry><title>{{ .Title }}</title><id>{{ .Permalink }}</id><updated>{{ .Lastmod.Format "2006-01-02T15:04:05-07:00" }}</updated><author><name>{{ (index site.Data.authors .Params.author).name }}</name></author><link href="{{ .Permalink }}" rel="alternate"/><published>{{ .Date.Format "2006-01-02T15:04:05-07:00" }}</published><summary type="html">{{ .Summary | html }}</summary><content type="html">{{ .Content | html }}</content></entry>{{ end }}</feed>
""",
    "_default/rss.xml": """\
{{- $pages := first FEED_ITEMS site.RegularPages -}}
{{ printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\"?>" | safeHTML }}
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel>
    <title>{{ site.Title }}</title>
    <link>{{ .Permalink }}</link>
    <description></description>
    <language>{{ site.LanguageCode }}</language>
    {{- with index $pages 0 }}
    <lastBuildDate>{{ .Date.Format "Mon, 2 Jan 2006 15:04:05 -0700" }}</lastBuildDate>
    {{- end }}
    {{- range $pages }}
    <item>
      <title>{{ .Title }}</title>
      <link>{{ .Permalink }}</link>
      <description>{{ .Summary | html }}</description>
      <guid>{{ .Permalink }}</guid>
      <pubDate>{{ .Date.Format "Mon, 2 Jan 2006 15:04:05 -0700" }}</pubDate>
      <content:encoded>{{ .Content | html }}</content:encoded>
      <dc:creator>{{ (index site.Data.authors .Params.author).name }}</dc:creator>
    </item>
    {{- end }}
  </channel>
</rss>
""",
    "robots.txt": """\
User-agent: *
Allow: /

Sitemap: {{ "sitemap.xml" | absURL }}
""",
    "partials/byline.html": """\
{{- $author := index site.Data.authors .Params.author }}
<div class="byline">
<p class="byline-authors"><span class="byline-by">By</span> <span class="byline-person"><a class="byline-author" rel="author" href="{{ printf "/authors/%s/" .Params.author | relURL }}">{{ $author.name }}</a><span class="byline-sep">, </span><span class="byline-role">{{ $author.role }}</span></span></p>
<p class="byline-meta"><time class="byline-date" datetime="{{ .Date.Format "2006-01-02" }}">{{ .Date.Format "January 2, 2006" }}</time><span class="byline-dot" aria-hidden="true"> · </span><span class="byline-reading-time">{{ .ReadingTime }} min read</span></p>
</div>
""",
    "partials/pager.html": """\
{{- if gt .TotalPages 1 }}
<nav class="pager" aria-label="Pages of this list">
<ul>
{{- with .Prev }}<li class="pager-step"><a href="{{ .URL }}" rel="prev">← Previous<span class="visually-hidden"> page</span></a></li>{{ end }}
{{- $current := .PageNumber }}{{ $last := .TotalPages }}{{ $shown := 0 }}
{{- range .Pagers }}
{{- if or (eq .PageNumber 1) (eq .PageNumber $last) (and (ge .PageNumber (sub $current 2)) (le .PageNumber (add $current 2))) }}
{{- if and (gt .PageNumber (add $shown 1)) (gt $shown 0) }}<li class="pager-gap" aria-hidden="true">…</li>{{ end }}
<li><a href="{{ .URL }}"{{ if eq .PageNumber $current }} aria-current="page"{{ end }}><span class="visually-hidden">Page </span>{{ .PageNumber }}</a></li>
{{- $shown = .PageNumber }}
{{- end }}
{{- end }}
{{- with .Next }}<li class="pager-step"><a href="{{ .URL }}" rel="next">Next<span class="visually-hidden"> page</span> →</a></li>{{ end }}
</ul>
</nav>
{{- end }}
""",
    "partials/page-list.html": """\
{{- if . }}
<ul class="page-list">
{{- range . }}
<li class="page-item">
<div class="page-item-text">
<h2 class="page-item-title"><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>
{{- partial "byline.html" . }}
<div class="page-item-summary">{{ .Summary }}</div>
</div>
</li>
{{- end }}
</ul>
{{- else }}
<p class="page-list-empty">No articles yet.</p>
{{- end }}
""",
}

SERUM_LINK = re.compile(r"\]\(@/([^)]+?)\.md\)")


SERUM_VIDEO = re.compile(r'^\{\{ youtube\(id="([^"]+)", title="([^"]*)"\) \}\}$', re.M)
SERUM_DETAILS = re.compile(r'^\{% details\(summary="([^"]*)"\) %\}\n(.*?)\n\{% end %\}$', re.M | re.S)
SERUM_FENCE = re.compile(r"^```(\w+),linenos,hl_lines=(\d+)$", re.M)


def to_hugo_article(text: str) -> str:
    """serum article -> Hugo article: taxonomy key for the author, a summary divider after the
    first paragraph (serum's summary is the first paragraph), links as root-relative URLs,
    shortcodes and code block options in Hugo's syntax."""
    _, front, body = text.split("+++\n", 2)
    author = re.search(r'^author = "([^"]+)"$', front, re.M).group(1)
    front += f'authors = ["{author}"]\n'
    intro, rest = body.split("\n\n", 1)
    body = f"{intro}\n\n<!--more-->\n\n{rest}"
    body = SERUM_LINK.sub(lambda m: f"](/{m.group(1)}/)", body)
    body = SERUM_VIDEO.sub(lambda m: f'{{{{< youtube id="{m.group(1)}" title="{m.group(2)}" >}}}}', body)
    body = SERUM_DETAILS.sub(lambda m: f'{{{{% details summary="{m.group(1)}" %}}}}\n{m.group(2)}\n{{{{% /details %}}}}', body)
    body = SERUM_FENCE.sub(lambda m: f"```{m.group(1)} {{linenos=true,hl_lines=[{m.group(2)}]}}", body)
    return f"+++\n{front}+++\n{body}"


def generate_hugo(serum_root: Path, root: Path):
    """Writes the Hugo equivalent of the serum site at serum_root."""
    if root.exists():
        shutil.rmtree(root)
    content = root / "content"
    (root / "data").mkdir(parents=True)
    (root / "assets").mkdir()
    (root / "static").mkdir()
    (root / "config.toml").write_text(HUGO_CONFIG)
    for name, text in LAYOUTS.items():
        path = root / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.replace("FEED_ITEMS", str(FEED_ITEMS)))
    theme_static = REPO / "themes" / "default" / "static"
    css = theme_static / "style.css"
    (root / "assets" / "style.css").write_text(css.read_text() if css.exists() else "body { margin: 0 auto; }\n")
    if (theme_static / "favicon.svg").exists():
        shutil.copy(theme_static / "favicon.svg", root / "static" / "favicon.svg")
    shutil.copytree(serum_root / "content", content, ignore=shutil.ignore_patterns("authors"))
    authors = []
    for slug in AUTHORS:
        name, role, bio = read_author(serum_root / "content", slug)
        authors.append(f'[{slug}]\nname = "{name}"\nrole = "{role}"\n')
        term = content / "authors" / slug
        term.mkdir(parents=True)
        (term / "_index.md").write_text(f'+++\ntitle = "{name}"\noutputs = ["HTML", "Atom"]\n+++\n{bio}')
    (root / "data" / "authors.toml").write_text("\n".join(authors))
    # serum has no /authors/ page listing the authors.
    (content / "authors" / "_index.md").write_text('+++\ntitle = "Authors"\n[_build]\nrender = "never"\n+++\n')
    for section in SECTIONS:
        for path in (content / section).glob("article-*.md"):
            path.write_text(to_hugo_article(path.read_text()))


# --------------------------------------------------------------------------- output checks

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class Grab(html.parser.HTMLParser):
    """Text and link targets inside the first element that `wanted(tag, attrs)` matches."""

    def __init__(self, wanted):
        super().__init__(convert_charrefs=True)
        self.wanted, self.depth, self.done = wanted, 0, False
        self.text, self.links, self.link_texts = [], [], []
        self.in_link = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth == 0:
            if self.done or not self.wanted(tag, attrs):
                return
        if tag not in VOID:
            self.depth += 1
        if tag == "a":
            self.links.append(attrs.get("href") or "")
            self.in_link = []

    def handle_endtag(self, tag):
        if self.depth == 0 or tag in VOID:
            return
        if tag == "a" and self.in_link is not None:
            self.link_texts.append(" ".join("".join(self.in_link).split()))
            self.in_link = None
        self.depth -= 1
        if self.depth == 0:
            self.done = True

    def handle_data(self, data):
        if self.depth:
            self.text.append(data)
            if self.in_link is not None:
                self.in_link.append(data)


def grab(html_text, wanted):
    parser = Grab(wanted)
    parser.feed(html_text)
    return " ".join("".join(parser.text).split()), parser.links, parser.link_texts


def has_class(name):
    return lambda tag, attrs: name in (attrs.get("class") or "").split()


def is_toc(tag, attrs):
    return has_class("toc")(tag, attrs) or attrs.get("id") == "TableOfContents"


def url_path(href):
    return urllib.parse.urlsplit(href).path.strip("/")


def article_urls(public: Path):
    return sorted(p.parent.relative_to(public).as_posix() for s in SECTIONS for p in public.glob(f"{s}/article-*/index.html"))


def check_rich(tool, text: str, where: str):
    """The rich content of one article: three highlighted blocks, a marked line, the video's
    play button and the details with its Markdown body."""
    problems = []
    blocks = text.count("<pre")
    if blocks < 3:
        problems.append(f"{where}: {blocks} code blocks, expected 3")
    # serum marks tokens with hl-* classes; Chroma with its short classes (kd, s, c, nf, ...);
    # Zola's giallo with TextMate scopes (z-keyword, ...).
    tokens = len(re.findall(r'<span class="((hl-[a-z]|k[a-z]?|s[a-z0-9]?|c[a-z0-9]?|n[a-z]?|m[a-z]?)"|z-[a-z])', text))
    if tokens < 30:
        problems.append(f"{where}: only {tokens} highlighted tokens")
    if not re.search(r'class="(line hl|hl|giallo-l z-hl)"', text):
        problems.append(f"{where}: no marked line")
    if "embed-play" not in text or "youtube-nocookie.com/embed/" not in text:
        problems.append(f"{where}: no video play button")
    if not re.search(r"<details class=\"details\">\s*<summary>[^<]+\?</summary>\s*<div class=\"details-body\">\s*<p>", text):
        problems.append(f"{where}: no details with a Markdown body")
    if "{{" in text or "{%" in text:
        problems.append(f"{where}: shortcode syntax left in the page")
    return problems


def check_output(tool, public: Path, serum_content: Path, n: int, rich=False):
    """Aborts unless `public` has every article page, a home page listing all of them, and one
    article with its byline (author name and role) and table of contents (its headings)."""
    problems = []
    urls = article_urls(public)
    if len(urls) != n:
        problems.append(f"{len(urls)} article pages (public/<section>/article-<i>/index.html), expected {n}")
    home = public / "index.html"
    if not home.exists():
        problems.append("no index.html (home page)")
    else:
        listed, pages = set(), [home] + sorted((public / "page").glob("*/index.html"))
        for page in pages:
            _, links, _ = grab(page.read_text(), has_class("page-list"))
            links = [href for href in links if "/article-" in href]
            if len(links) > 10:
                problems.append(f"{page.relative_to(public)} lists {len(links)} articles, more than 10 to a page")
            listed |= {url_path(href) for href in links}
        missing = [u for u in urls if u not in listed]
        if missing or len(urls) == 0:
            problems.append(f"the home page's {len(pages)} pages do not list {len(missing)} of the {len(urls)} articles (e.g. {missing[:3]})")
    i = n // 2
    section = SECTIONS[i % len(SECTIONS)]
    source = (serum_content / section / f"article-{i}.md").read_text()
    page = public / section / f"article-{i}" / "index.html"
    if not page.exists():
        problems.append(f"no page {page.relative_to(public)}")
    else:
        text = page.read_text()
        author_slug = re.search(r'^author = "([^"]+)"$', source, re.M).group(1)
        name, role, _ = read_author(serum_content, author_slug)
        byline, _, _ = grab(text, has_class("byline"))
        for want in (name, role, "min read"):
            if want not in byline:
                problems.append(f"{section}/article-{i}: byline {byline!r} lacks {want!r}")
        _, _, toc = grab(text, is_toc)
        headings = [line.lstrip("#").strip() for line in source.splitlines() if line.startswith(("## ", "### "))]
        absent = [h for h in headings if h not in toc]
        if not headings or absent:
            problems.append(f"{section}/article-{i}: table of contents {toc!r} lacks {absent}")
        body, links, _ = grab(text, has_class("page-content"))
        last_words = source.rstrip().rsplit(".", 2)[-2].strip()
        if last_words not in body:
            problems.append(f"{section}/article-{i}: body lacks its last sentence {last_words!r}")
        for href in links:
            if "article-" in href:
                target = public / url_path(href) / "index.html"
                if not target.exists():
                    problems.append(f"{section}/article-{i}: link {href} does not resolve")
        related, _, _ = grab(text, has_class("related"))
        if related.count("min read") != 3:
            problems.append(f"{section}/article-{i}: {related.count('min read')} related articles, expected 3")
        _, nav, _ = grab(text, has_class("page-nav"))
        if not nav:
            problems.append(f"{section}/article-{i}: no links to the previous and next articles")
        if rich:
            problems += check_rich(tool, text, f"{section}/article-{i}")
    if problems:
        sys.exit(f"{tool}'s output in {public} is incomplete, not timing it:\n  " + "\n  ".join(problems))


def tree_size(path: Path):
    files = size = 0
    for dirpath, _, names in os.walk(path):
        for name in names:
            files += 1
            size += os.lstat(os.path.join(dirpath, name)).st_size
    return files, size


def mtimes(path: Path):
    out = {}
    for dirpath, _, names in os.walk(path):
        for name in names:
            full = os.path.join(dirpath, name)
            out[full] = os.stat(full).st_mtime_ns
    return out


# --------------------------------------------------------------------------- timing


def remove(path: Path):
    if path.is_dir():
        shutil.rmtree(path)
    elif path.exists():
        path.unlink()


class Tool:
    def __init__(self, name, root: Path):
        self.name, self.root = name, root

    def prepare(self, clean=True):
        """Outside the clock: makes the next build a clean one, and flushes earlier writes."""
        if clean:
            for leftover in self.leftovers():
                remove(leftover)
        os.sync()

    def run(self, clean=True):
        """Wall seconds, CPU seconds and peak RSS in MiB of one whole-process build."""
        self.prepare(clean)
        command, env = self.command()
        with tempfile.TemporaryFile() as log:
            start = time.perf_counter()
            proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=self.root)
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            proc.returncode = os.waitstatus_to_exitcode(status)
            log.seek(0)
            out = log.read().decode(errors="replace")
        self.output = out
        self.after()
        if status != 0:
            sys.exit(f"{self.name} build failed (exit {proc.returncode}) on {self.root}:\n$ {' '.join(command)}\n{out}")
        return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024

    def after(self):
        pass


class Serum(Tool):
    def __init__(self, root, binary):
        super().__init__("serum", root)
        self.binary = binary

    def leftovers(self):
        return [self.root / "public", self.root / ".serum-cache"]

    def command(self):
        return [self.binary, "build", "--root", str(self.root)], None


class Hugo(Tool):
    def __init__(self, root, binary):
        super().__init__("hugo", root)
        self.binary = binary
        self.cache = root.parent / f"{root.name}-hugo-cache"

    def leftovers(self):
        return [self.root / "public", self.root / "resources", self.root / ".hugo_build.lock", self.cache]

    def command(self):
        env = dict(os.environ, HUGO_CACHEDIR=str(self.cache))
        return [self.binary, "--quiet", "--source", str(self.root), "--destination", str(self.root / "public")], env

    def after(self):
        remove(self.cache)


class Zola(Tool):
    def __init__(self, root, binary):
        super().__init__("zola", root)
        self.binary = binary

    def leftovers(self):
        return [self.root / "public"]

    def command(self):
        return [self.binary, "--root", str(self.root), "build"], None


def med(values):
    return statistics.median(values)


def summarise(runs):
    return med(r[0] for r in runs) * 1000, med(r[1] for r in runs) * 1000, med(r[2] for r in runs)


def find_tool(name, path, install):
    found = shutil.which(path)
    if not found:
        sys.exit(f"`{path}` is not installed. {install}\n(or pass --{name} PATH, or leave {name} out of --against).")
    return found


INSTALL = {
    "hugo": "Install Debian's package first:\n    sudo apt-get update && sudo apt-get install -y hugo",
    "zola": "Build it from its source (it is not packaged for Debian):\n"
            "    git clone https://github.com/getzola/zola && cd zola && cargo build --release --locked",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 100, 1000, 10000], help="numbers of articles")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each tool per size and storage (after 1 warm-up)")
    parser.add_argument("--storage", choices=["tmpfs", "disk", "both"], default="both")
    parser.add_argument("--binary", default=str(REPO / "target" / "release" / "serum"), help="the serum binary")
    parser.add_argument("--against", nargs="+", choices=["hugo", "zola"], default=["hugo"],
                        help="the generators to time against serum (default: hugo)")
    parser.add_argument("--hugo", default="hugo", help="the hugo binary")
    parser.add_argument("--zola", default="zola", help="the zola binary")
    parser.add_argument("--zola-unpaged-terms", action="store_true",
                        help="Zola's term pages show their 10 newest articles on one page, not every article 10 "
                             "to a page: Zola renders each page of a paginated term with all of the term's "
                             "articles, content included, so paging costs it the square of the term's size")
    parser.add_argument("--rebuild-sizes", type=int, nargs="*", default=[1000],
                        help="sizes at which to also time serum rebuilding with public/ kept (default 1000)")
    parser.add_argument("--keep", action="store_true", help="keep the generated sites (under /dev/shm and /var/tmp)")
    parser.add_argument("--rich", action="store_true",
                        help="articles with three code blocks and two shortcodes each (bench.py --rich)")
    args = parser.parse_args()
    began = time.perf_counter()

    others = list(dict.fromkeys(args.against))
    binaries = {name: find_tool(name, getattr(args, name), INSTALL[name]) for name in others}
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"no serum binary at {args.binary}: run `cargo build --release` first (or pass --binary PATH).")
    versions = {name: subprocess.run([binary, "--version" if name == "zola" else "version"], capture_output=True,
                                     text=True).stdout.strip() for name, binary in binaries.items()}
    serum_version = subprocess.run([args.binary, "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], capture_output=True, text=True, cwd=REPO).stdout.strip()
    storages = ["tmpfs", "disk"] if args.storage == "both" else [args.storage]
    names = " and ".join(["serum", *others])

    print(f"serum: {args.binary} ({serum_version or '?'}, {commit or 'no git'})")
    for name, binary in binaries.items():
        print(f"{name + ':':<6} {binary} ({versions[name]})")
    print(f"host:  {platform.node()}, {os.cpu_count()} CPUs, Linux {platform.release()}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())} (other processes share the CPUs)")
    print(f"storage: {', '.join(f'{s} = {STORAGES[s]}' for s in storages)}")
    if args.rich:
        print("Rich content: each article has 3 highlighted code blocks (one with line numbers and a marked")
        print("line) and 2 shortcodes (a YouTube video, a details with a Markdown body), in every site.")
    print("Each builds the same pages: articles (title, byline, TOC, body, tags, author card, previous")
    print("and next, 3 related), home, section, tag, concern, active and author listings 10 to a page")
    print(f"with a pager, home and author feeds ({FEED_ITEMS} items), sitemap, robots.txt, 404, CSS.")
    if "hugo" in others:
        print("Hugo's taxonomies, RSS and sitemap stand for serum's taxonomies, authors, feeds and sitemap.")
    if "zola" in others:
        print("Zola's related articles are named in each article's front matter (Zola has no such feature),")
        print("and its stylesheet is not fingerprinted: both spare Zola work that serum does.")
        if args.zola_unpaged_terms:
            print("Zola's tag, concern, active and author pages show their 10 newest articles on one page,")
            print("not every article 10 to a page: serum renders many more pages than Zola here.")
    print(f"Clean builds; {args.runs} timed runs each after 1 warm-up, {names} taking turns to go first;")
    print("medians. x/serum = median of the per-round ratios (the other's time / serum's in the same round).")
    print()
    sys.stdout.flush()

    results = {}  # (n, storage, tool) -> (wall ms, cpu ms, MiB, ratio or None)
    header = f"{'N':>6} {'storage':>7} {'tool':<14} {'wall ms':>9} {'cpu ms':>9} {'peak MiB':>9} {'x/serum wall':>13} {'cpu':>6}"
    rows = []
    for n in args.sizes:
        for storage in storages:
            base = Path(STORAGES[storage])
            base.mkdir(parents=True, exist_ok=True)
            serum_root = base / f"serum-{n}"
            roots = {name: base / f"{name}-{n}" for name in others}
            t = time.perf_counter()
            generate(serum_root, n, args.rich)
            if "hugo" in roots:
                generate_hugo(serum_root, roots["hugo"])
            if "zola" in roots:
                generate_zola(serum_root, roots["zola"], args.rich, paged_terms=not args.zola_unpaged_terms)
            gen_s = time.perf_counter() - t
            serum = Serum(serum_root, args.binary)
            kinds = {"hugo": Hugo, "zola": Zola}
            tools = [serum] + [kinds[name](roots[name], binaries[name]) for name in others]
            # Warm-up builds (also warm the page cache), then the checks.
            written = []
            for tool in tools:
                tool.run()
                check_output(tool.name, tool.root / "public", serum_root / "content", n, args.rich)
                files, size = tree_size(tool.root / "public")
                written.append(f"{tool.name} {files} files / {size / 1e6:.1f} MB")
            print(f"N={n} on {storage}: generated in {gen_s:.1f} s; outputs checked; wrote " + ", ".join(written))
            sys.stdout.flush()

            runs = {tool.name: [] for tool in tools}
            ratios = {name: [] for name in others}
            for k in range(args.runs):
                turn = k % len(tools)
                for tool in tools[turn:] + tools[:turn]:
                    runs[tool.name].append(tool.run())
                s = runs["serum"][-1]
                for name in others:
                    o = runs[name][-1]
                    ratios[name].append((o[0] / s[0], o[1] / s[1]))
            results[(n, storage, "serum")] = (*summarise(runs["serum"]), None)
            rows.append((n, storage, "serum", results[(n, storage, "serum")]))
            for name in others:
                ratio = (med(r[0] for r in ratios[name]), med(r[1] for r in ratios[name]))
                results[(n, storage, name)] = (*summarise(runs[name]), ratio)
                rows.append((n, storage, name, results[(n, storage, name)]))

            if n in args.rebuild_sizes:
                serum.run()  # a fresh clean build, then rebuilds over it
                before = mtimes(serum_root / "public")
                serum.run(clean=False)  # warm-up
                rebuild_runs = [serum.run(clean=False) for _ in range(args.runs)]
                after = mtimes(serum_root / "public")
                rewritten = sum(1 for path, m in after.items() if before.get(path) != m)
                rebuild = summarise(rebuild_runs)
                results[(n, storage, "serum rebuild")] = (*rebuild, None)
                rows.append((n, storage, "serum rebuild", results[(n, storage, "serum rebuild")]))
                print(f"N={n} on {storage}: serum rebuild with nothing changed = "
                      f"{rebuild[0] / results[(n, storage, 'serum')][0]:.2f} of the clean build's wall time; "
                      f"{rewritten} of {len(after)} output files got a new mtime over {args.runs + 1} rebuilds")

            wall, cpu, mib, _ = results[(n, storage, "serum")]
            line = [f"serum {wall:.1f} ms, {mib:.1f} MiB"]
            for name in others:
                ow, _, om, r = results[(n, storage, name)]
                line.append(f"{name} {ow:.1f} ms, {om:.1f} MiB: {name}/serum {r[0]:.2f}x wall, {r[1]:.2f}x CPU")
            print(f"N={n} on {storage}: " + "; ".join(line))
            print()
            sys.stdout.flush()
            if not args.keep:
                for tool in tools:
                    remove(tool.root)

    print(header)
    for n, storage, tool, (wall, cpu, mib, ratio) in rows:
        shown = f"{ratio[0]:>12.2f}x {ratio[1]:>5.2f}x" if ratio is not None else ""
        print(f"{n:>6} {storage:>7} {tool:<14} {wall:>9.1f} {cpu:>9.1f} {mib:>9.1f} {shown}".rstrip())
    print()
    for storage in storages:
        for tool in ("serum", *others):
            small, large = results.get((1000, storage, tool)), results.get((10000, storage, tool))
            if small and large:
                target = " (target <= 11x)" if tool == "serum" else ""
                print(f"{tool} 10,000 / 1,000 articles wall time on {storage}: {large[0] / small[0]:.1f}x{target}")
        clean, rebuild = results.get((1000, storage, "serum")), results.get((1000, storage, "serum rebuild"))
        if clean and rebuild:
            print(f"serum rebuild / clean build, 1,000 articles on {storage}: {rebuild[0] / clean[0]:.2f} (target < 0.25)")
    print(f"\nload average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"total time: {time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
