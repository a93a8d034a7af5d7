"""The Zola equivalent of a site written by bench.py's generator, for bench/compare.py.

Zola reads the same Markdown: serum took its internal links (`@/section/article-i.md`), its
shortcode syntax and its code block options from Zola, so bodies are copied as they are. The
front matter moves terms under `[taxonomies]` (with the author as a term of an `authors`
taxonomy, whose term pages are the author pages) and the author's slug under `[extra]`.
Authors' names, roles and bios go in config.toml's `[extra.authors]`. Sections are
transparent, so the home page lists every article, 10 to a page like serum's.

Where Zola has no equivalent, the Zola site is given the cheaper option, so that the ratio
never flatters serum:
- related articles: Zola has no such feature, and its template functions that list a term's
  pages serialize every page's content on each call. Each article's front matter names 3
  related articles (other articles that share its first active), which its template fetches
  with `get_page`; serum scores every article of the site that shares a term.
- the stylesheet is not fingerprinted: Zola's `get_url(cachebust = true)` hashes the file
  again on every page.
- with `paged_terms=False` (compare.py's `--zola-unpaged-terms`), each term page shows only
  its 10 newest articles, on one page. Zola renders every page of a paginated term with the
  whole term in its context, each article's content included, so paging a term of P articles
  costs it about P * P / 10 article copies: at 10,000 articles that is most of its time.

Zola does a little more in two places: each author gets an RSS feed beside the Atom one
(`feed_filenames` applies to every feed), and /authors/ is rendered (empty).
"""

import re
import shutil
from collections import defaultdict
from pathlib import Path

from bench import AUTHORS, SECTIONS, read_author

FEED_ITEMS = 20
PER_PAGE = 10

CONFIG = f"""\
base_url = "https://example.com/"
title = "Bench"
default_language = "en"
generate_feeds = true
feed_filenames = ["atom.xml", "rss.xml"]
feed_limit = {FEED_ITEMS}
build_search_index = false
taxonomies = [
  {{ name = "tags", paginate_by = {PER_PAGE} }},
  {{ name = "concerns", paginate_by = {PER_PAGE} }},
  {{ name = "actives", paginate_by = {PER_PAGE} }},
  {{ name = "authors", paginate_by = {PER_PAGE}, feed = true }},
]

[markdown]
insert_anchor_links = "right"
"""

RICH_CONFIG = """
[markdown.highlighting]
style = "class"
theme = "github-light"
"""

TEMPLATES = {
    "macros.html": """\
{% macro byline(p, authors) -%}
{%- set author = authors[p.extra.author] %}
<div class="byline">
<p class="byline-authors"><span class="byline-by">By</span> <span class="byline-person"><a class="byline-author" rel="author" href="/authors/{{ p.extra.author }}/">{{ author.name }}</a><span class="byline-sep">, </span><span class="byline-role">{{ author.role }}</span></span></p>
<p class="byline-meta"><time class="byline-date" datetime="{{ p.date | date(format='%Y-%m-%d') }}">{{ p.date | date(format='%B %-d, %Y') }}</time><span class="byline-dot" aria-hidden="true"> · </span><span class="byline-reading-time">{{ p.reading_time }} min read</span></p>
</div>
{%- endmacro byline %}

{% macro page_list(pages, authors) -%}
{%- if pages %}
<ul class="page-list">
{%- for p in pages %}
<li class="page-item">
<div class="page-item-text">
<h2 class="page-item-title"><a href="{{ p.permalink }}">{{ p.title }}</a></h2>
{{- self::byline(p=p, authors=authors) }}
<div class="page-item-summary">{{ p.summary | safe }}</div>
</div>
</li>
{%- endfor %}
</ul>
{%- else %}
<p class="page-list-empty">No articles yet.</p>
{%- endif %}
{%- endmacro page_list %}

{% macro term_pages(paginator, term, authors) -%}
{#- Paged terms list their page's articles; unpaged ones (--zola-unpaged-terms) their 10 newest. #}
{%- if paginator %}
{{ self::page_list(pages=paginator.pages, authors=authors) }}
{{ self::pager(paginator=paginator) }}
{%- else %}
{{ self::page_list(pages=term.pages | slice(end=10), authors=authors) }}
{%- endif %}
{%- endmacro term_pages %}

{% macro pager(paginator) -%}
{%- if paginator.number_pagers > 1 %}
{%- set current = paginator.current_index %}{% set last = paginator.number_pagers %}
<nav class="pager" aria-label="Pages of this list">
<ul>
{%- if paginator.previous %}<li class="pager-step"><a href="{{ paginator.previous }}" rel="prev">← Previous<span class="visually-hidden"> page</span></a></li>{% endif %}
{%- if current > 3 %}{% set low = current - 2 %}{% else %}{% set low = 1 %}{% endif %}
{%- if current + 2 < last %}{% set high = current + 2 %}{% else %}{% set high = last %}{% endif %}
{%- if low > 1 %}
<li><a href="{{ paginator.first }}"><span class="visually-hidden">Page </span>1</a></li>
{%- if low > 2 %}<li class="pager-gap" aria-hidden="true">…</li>{% endif %}
{%- endif %}
{%- for n in range(start=low, end=high + 1) %}
<li><a href="{% if n == 1 %}{{ paginator.first }}{% else %}{{ paginator.base_url }}{{ n }}/{% endif %}"{% if n == current %} aria-current="page"{% endif %}><span class="visually-hidden">Page </span>{{ n }}</a></li>
{%- endfor %}
{%- if high < last %}
{%- if high < last - 1 %}<li class="pager-gap" aria-hidden="true">…</li>{% endif %}
<li><a href="{{ paginator.last }}"><span class="visually-hidden">Page </span>{{ last }}</a></li>
{%- endif %}
{%- if paginator.next %}<li class="pager-step"><a href="{{ paginator.next }}" rel="next">Next<span class="visually-hidden"> page</span> →</a></li>{% endif %}
</ul>
</nav>
{%- endif %}
{%- endmacro pager %}
""",
    "base.html": """\
<!DOCTYPE html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{% block title %}{{ config.title }}{% endblock title %}</title>
<meta name="description" content="{% block description %}{% endblock description %}">
<link rel="canonical" href="{{ current_url | default(value=config.base_url) }}">
<link rel="alternate" type="application/atom+xml" title="{{ config.title }}" href="{{ get_url(path='atom.xml') }}">
<link rel="alternate" type="application/rss+xml" title="{{ config.title }} (RSS)" href="{{ get_url(path='rss.xml') }}">
<meta name="color-scheme" content="light dark">
<link rel="stylesheet" href="{{ get_url(path='style.css') }}">
{%- block head %}{% endblock head %}
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header">
<div class="site-header-inner">
<a class="site-title" href="{{ config.base_url }}">{{ config.title }}</a>
<nav class="site-nav" aria-label="Sections">
<ul>
{%- set root = get_section(path="_index.md", metadata_only=true) %}
{%- for path in root.subsections %}{% set s = get_section(path=path, metadata_only=true) %}
<li><a href="{{ s.permalink }}"{% if current_path and current_path == s.path %} aria-current="page"{% elif current_path and current_path is starting_with(s.path) %} aria-current="true"{% endif %}>{{ s.title }}</a></li>
{%- endfor %}
</ul>
</nav>
</div>
</header>
<main id="main" tabindex="-1">
{%- block main %}{% endblock main %}
</main>
<footer class="site-footer">
<div class="site-footer-inner">
<p><a class="site-footer-title" href="{{ config.base_url }}">{{ config.title }}</a></p>
<p class="site-footer-credit">Published with Zola.</p>
</div>
</footer>
</body>
</html>
""",
    "page.html": """\
{% extends "base.html" %}
{% import "macros.html" as m %}
{% block title %}{{ page.title }} · {{ config.title }}{% endblock title %}
{% block description %}{{ page.description }}{% endblock description %}
{% block head %}
{%- set author = config.extra.authors[page.extra.author] %}
<meta property="og:site_name" content="{{ config.title }}">
<meta property="og:type" content="article">
<meta property="og:title" content="{{ page.title }}">
<meta property="og:description" content="{{ page.description }}">
<meta property="og:url" content="{{ page.permalink }}">
<meta property="article:published_time" content="{{ page.date | date(format='%Y-%m-%d') }}">
<meta property="article:author" content="{{ config.base_url }}authors/{{ page.extra.author }}/">
{%- for tag in page.taxonomies.tags %}
<meta property="article:tag" content="{{ tag }}">
{%- endfor %}
<meta name="twitter:card" content="summary">
<meta name="twitter:title" content="{{ page.title }}">
<meta name="twitter:description" content="{{ page.description }}">
<script type="application/ld+json">{"@context":"https://schema.org","@type":"Article","headline":{{ page.title | json_encode | safe }},"description":{{ page.description | json_encode | safe }},"datePublished":"{{ page.date | date(format='%Y-%m-%d') }}","url":"{{ page.permalink }}","author":[{"@type":"Person","name":{{ author.name | json_encode | safe }},"jobTitle":{{ author.role | json_encode | safe }},"url":"{{ config.base_url }}authors/{{ page.extra.author }}/"}]}</script>
{% endblock head %}
{% block main %}
{%- set authors = config.extra.authors %}
{%- set author = authors[page.extra.author] %}
{#- With transparent sections, page.ancestors ends at the root: find the section by path. #}
{%- set top = page.components | first %}
{%- set section = get_section(path=top ~ "/_index.md", metadata_only=true) %}
<article class="page has-toc">
<header class="page-header">
<p class="page-kicker"><a href="{{ section.permalink }}">{{ section.title }}</a></p>
<h1 class="page-title">{{ page.title }}</h1>
{%- if page.description %}
<p class="page-description">{{ page.description }}</p>
{%- endif %}
{{ m::byline(p=page, authors=authors) }}
</header>
<div class="page-body">
<nav class="toc" aria-label="Table of contents">
<details class="toc-details">
<summary class="toc-summary">Contents</summary>
<ol>
{%- for h in page.toc %}
<li><a href="#{{ h.id }}">{{ h.title }}</a>
{%- if h.children %}<ol>{% for c in h.children %}<li><a href="#{{ c.id }}">{{ c.title }}</a></li>{% endfor %}</ol>{% endif %}</li>
{%- endfor %}
</ol>
</details>
</nav>
<div class="page-content">{{ page.content | safe }}</div>
</div>
<footer class="page-footer">
{%- if page.lower or page.higher %}
<nav class="page-nav" aria-label="More in {{ section.title }}">
{%- if page.lower %}<a class="page-nav-link page-nav-previous" href="{{ page.lower.permalink }}" rel="prev"><span class="page-nav-label">Previous</span> <span class="page-nav-title">{{ page.lower.title }}</span></a>{% endif %}
{%- if page.higher %}<a class="page-nav-link page-nav-next" href="{{ page.higher.permalink }}" rel="next"><span class="page-nav-label">Next</span> <span class="page-nav-title">{{ page.higher.title }}</span></a>{% endif %}
</nav>
{%- endif %}
{%- if page.extra.related %}
<section class="related" aria-labelledby="related-title">
<h2 id="related-title" class="related-heading">Related articles</h2>
<ul class="related-list">
{%- for path in page.extra.related %}{% set r = get_page(path=path) %}
<li class="related-card"><h3 class="related-title"><a href="{{ r.permalink }}">{{ r.title }}</a></h3>
<p class="related-meta">{{ authors[r.extra.author].name }} · {{ r.reading_time }} min read</p></li>
{%- endfor %}
</ul>
</section>
{%- endif %}
<ul class="tags" aria-label="Tags">
{%- for tag in page.taxonomies.tags %}
<li><a href="{{ get_taxonomy_url(kind='tags', name=tag) }}" rel="tag">{{ tag }}</a></li>
{%- endfor %}
</ul>
<aside class="author-card" aria-label="About the author">
<div class="author-card-text">
<p class="author-card-label">Written by</p>
<p class="author-card-heading"><a class="author-card-name" href="{{ config.base_url }}authors/{{ page.extra.author }}/">{{ author.name }}</a></p>
<p class="author-card-role">{{ author.role }}</p>
<div class="author-card-bio">{{ author.bio | markdown | safe }}</div>
</div>
</aside>
</footer>
</article>
{% endblock main %}
""",
    "index.html": """\
{% extends "base.html" %}
{% import "macros.html" as m %}
{% block main %}
<div class="listing">
<header class="listing-header">
<h1 class="listing-title">{{ config.title }}</h1>
<div class="section-intro">{{ section.content | safe }}</div>
</header>
<nav class="subsections" aria-labelledby="subsections-title">
<h2 id="subsections-title" class="subsections-title">Sections</h2>
<ul>
{%- for path in section.subsections %}{% set s = get_section(path=path, metadata_only=true) %}
<li><a href="{{ s.permalink }}">{{ s.title }}</a></li>
{%- endfor %}
</ul>
</nav>
{{ m::page_list(pages=paginator.pages, authors=config.extra.authors) }}
{{ m::pager(paginator=paginator) }}
</div>
{% endblock main %}
""",
    "section.html": """\
{% extends "base.html" %}
{% import "macros.html" as m %}
{% block title %}{{ section.title }} · {{ config.title }}{% endblock title %}
{% block main %}
<div class="listing">
<header class="listing-header">
<h1 class="listing-title">{{ section.title }}</h1>
<div class="section-intro">{{ section.content | safe }}</div>
</header>
{{ m::page_list(pages=paginator.pages, authors=config.extra.authors) }}
{{ m::pager(paginator=paginator) }}
</div>
{% endblock main %}
""",
    "taxonomy_list.html": """\
{% extends "base.html" %}
{% block title %}{{ taxonomy.name | capitalize }} · {{ config.title }}{% endblock title %}
{% block main %}
<div class="listing">
<h1 class="listing-title">{{ taxonomy.name | capitalize }}</h1>
<ul class="tag-list">
{%- for term in terms %}
<li><a href="{{ term.permalink }}">{{ term.name }}</a> <span class="tag-count">{{ term.page_count }}</span></li>
{%- endfor %}
</ul>
</div>
{% endblock main %}
""",
    "taxonomy_single.html": """\
{% extends "base.html" %}
{% import "macros.html" as m %}
{% block title %}{{ term.name }} · {{ config.title }}{% endblock title %}
{% block main %}
<div class="listing">
<header class="listing-header">
<h1 class="listing-title">{{ term.name }}</h1>
</header>
{{ m::term_pages(paginator=paginator | default(value=false), term=term, authors=config.extra.authors) }}
</div>
{% endblock main %}
""",
    "authors/list.html": """\
{% extends "base.html" %}
{% block main %}{% endblock main %}
""",
    "authors/single.html": """\
{% extends "base.html" %}
{% import "macros.html" as m %}
{% block title %}{{ config.extra.authors[term.name].name }} · {{ config.title }}{% endblock title %}
{% block head %}
<link rel="alternate" type="application/atom+xml" title="{{ config.title }}: {{ config.extra.authors[term.name].name }}" href="{{ term.permalink }}atom.xml">
{% endblock head %}
{% block main %}
{%- set author = config.extra.authors[term.name] %}
<div class="listing author-page">
<header class="author-header">
<div class="author-header-text">
<h1 class="author-name">{{ author.name }}</h1>
<p class="author-job">{{ author.role }}</p>
</div>
</header>
<div class="author-bio">{{ author.bio | markdown | safe }}</div>
<h2 class="author-articles-title">Articles by {{ author.name }}</h2>
{{ m::term_pages(paginator=paginator | default(value=false), term=term, authors=config.extra.authors) }}
</div>
{% endblock main %}
""",
    "404.html": """\
{% extends "base.html" %}
{% block title %}Page not found · {{ config.title }}{% endblock title %}
{% block main %}
<div class="not-found">
<h1>Page not found</h1>
<p><a href="{{ config.base_url }}">Back to the home page</a></p>
</div>
{% endblock main %}
""",
    "atom.xml": """\
<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="{{ lang }}"><title>{{ config.title }}{% if term %}: {{ config.extra.authors[term.name].name }}{% endif %}</title><id>{{ feed_url | safe }}</id>{% if last_updated is defined %}<updated>{{ last_updated | date(format="%+") }}</updated>{% endif %}<link href="{{ feed_url | safe }}" rel="self"/><link href="{% if term %}{{ term.permalink }}{% else %}{{ config.base_url }}{% endif %}" rel="alternate"/>
{%- for page in pages %}<entry><title>{{ page.title }}</title><id>{{ page.permalink | safe }}</id><updated>{{ page.updated | default(value=page.date) | date(format="%+") }}</updated><author><name>{{ config.extra.authors[page.extra.author].name }}</name></author><link href="{{ page.permalink | safe }}" rel="alternate"/><published>{{ page.date | date(format="%+") }}</published><summary type="html">{{ page.summary }}</summary><content type="html">{{ page.content }}</content></entry>{% endfor %}</feed>
""",
    "anchor-link.html": """\
 <a class="anchor" href="#{{ id }}" aria-label="Link to this section: {{ id }}"></a>""",
    "shortcodes/youtube.html": """\
{%- set label = title | default(value="YouTube video") -%}
<figure class="embed" data-embed="https://www.youtube-nocookie.com/embed/{{ id }}?autoplay=1">
<button type="button" class="embed-play" data-title="{{ label }}">Play video: {{ label }}</button>
<figcaption>Plays from youtube-nocookie.com once you press play, or <a href="https://www.youtube.com/watch?v={{ id }}">watch it on YouTube</a>.</figcaption>
</figure>
{%- if nth == 1 %}
<script>if(!window.serumEmbeds){window.serumEmbeds=1;document.addEventListener("click",function(e){var b=e.target.closest&&e.target.closest(".embed-play");if(!b)return;var f=document.createElement("iframe");f.src=b.parentNode.getAttribute("data-embed");f.title=b.getAttribute("data-title");f.allow="autoplay; encrypted-media; fullscreen; picture-in-picture";f.setAttribute("allowfullscreen","");b.replaceWith(f);f.focus()})}</script>
{%- endif %}
""",
    "shortcodes/details.html": """\
<details class="details">
<summary>{{ summary }}</summary>
<div class="details-body">
{{ body | markdown | safe }}
</div>
</details>
""",
}

FRONT_KEY = re.compile(r'^(\w+) = (.*)$', re.M)


def toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def to_zola_article(text: str, related: list) -> str:
    """serum article -> Zola article: terms under [taxonomies], the author under [extra] and as
    a term, 3 related articles under [extra], a summary marker after the first paragraph
    (serum's summary is the first paragraph)."""
    _, front, body = text.split("+++\n", 2)
    keys = dict(FRONT_KEY.findall(front))
    top = [f"{k} = {keys[k]}" for k in ("title", "description", "date") if k in keys]
    terms = [f"{k} = {keys[k]}" for k in ("tags", "concerns", "actives") if k in keys]
    author = keys["author"]
    extra = [f"author = {author}", "related = [" + ", ".join(f'"{p}"' for p in related) + "]"]
    intro, rest = body.split("\n\n", 1)
    front = "\n".join(top + ["[taxonomies]", *terms, f"authors = [{author}]", "[extra]", *extra])
    return f"+++\n{front}\n+++\n{intro}\n\n<!-- more -->\n\n{rest}"


def related_articles(articles: dict) -> dict:
    """For each article (path -> text), 3 others that share its first active (the next ones
    in the site's order), or the next 3 of the site where fewer than 3 others share it."""
    first_active = {}
    for path, text in articles.items():
        found = re.search(r'^actives = \["([^"]+)"', text, re.M)
        first_active[path] = found.group(1) if found else ""
    sharing = defaultdict(list)
    for path, active in first_active.items():
        sharing[active].append(path)
    related = {}
    for peers in [list(articles)] + [p for p in sharing.values() if len(p) >= 4]:
        for at, path in enumerate(peers):
            related[path] = [peers[(at + k) % len(peers)] for k in range(1, 4)]
    return related


def generate_zola(serum_root: Path, root: Path, rich=False, paged_terms=True):
    """Writes the Zola equivalent of the serum site at serum_root. Without paged_terms, each
    term page (tag, concern, active, author) shows its 10 newest articles on one page."""
    if root.exists():
        shutil.rmtree(root)
    content = root / "content"
    (root / "static").mkdir(parents=True)
    authors = []
    for slug in AUTHORS:
        name, role, bio = read_author(serum_root / "content", slug)
        authors.append(f'[extra.authors.{slug}]\nname = "{name}"\nrole = "{role}"\nbio = {toml_string(bio.strip())}\n')
    config = CONFIG if paged_terms else CONFIG.replace(f", paginate_by = {PER_PAGE}", "")
    (root / "config.toml").write_text(config + (RICH_CONFIG if rich else "") + "\n" + "\n".join(authors))
    for name, text in TEMPLATES.items():
        path = root / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    theme_static = Path(__file__).resolve().parent.parent / "themes" / "default" / "static"
    css = theme_static / "style.css"
    (root / "static" / "style.css").write_text(css.read_text() if css.exists() else "body { margin: 0 auto; }\n")
    if (theme_static / "favicon.svg").exists():
        shutil.copy(theme_static / "favicon.svg", root / "static" / "favicon.svg")
    content.mkdir()
    home = (serum_root / "content" / "_index.md").read_text().split("+++\n", 2)
    (content / "_index.md").write_text(f"+++\n{home[1]}sort_by = \"date\"\npaginate_by = {PER_PAGE}\n+++\n{home[2]}")
    articles = {}
    for section in SECTIONS:
        source = serum_root / "content" / section
        _, front, intro = (source / "_index.md").read_text().split("+++\n", 2)
        (content / section).mkdir()
        (content / section / "_index.md").write_text(
            f"+++\n{front}sort_by = \"date\"\npaginate_by = {PER_PAGE}\ntransparent = true\n+++\n{intro}")
        for path in source.glob("article-*.md"):
            articles[f"{section}/{path.name}"] = path.read_text()
    related = related_articles(articles)
    for path, text in articles.items():
        (content / path).write_text(to_zola_article(text, related[path]))
