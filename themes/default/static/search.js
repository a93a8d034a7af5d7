// The search page: queries the site's Pagefind index as the reader types, and shows the
// results and filters in the theme's own markup (the <template>s of search.html). Loaded on
// the search page only, so other pages carry no script.
const root = document.querySelector('[data-index]');
const form = root.querySelector('.search-form');
const input = root.querySelector('input[name=q]');
const status = root.querySelector('.search-status');
const list = root.querySelector('.search-results');
const filterBox = root.querySelector('.search-filters');
const filterGroups = root.querySelector('.search-filter-groups');
const moreRow = root.querySelector('.search-more-row');
const PAGE = 10;
/** The page's plural rules (cheap: unlike date and number formats, they load no locale data). */
const plurals = new Intl.PluralRules(document.documentElement.lang || undefined);
/** The page's words, from the theme's strings in its language (data-* of the root). */
const words = root.dataset;

let pagefind;
/** The results of the last search, and how many of them are shown. */
let found = [];
let shown = 0;
/** Counts searches: only the last one asked for may show its results. */
let asked = 0;
/** Settles once the filter controls are in place: results wait for it, so that the filters
 * appearing above them never move them. */
let filtersShown = Promise.resolve();

/** Lets the browser handle input before the next piece of work: a phone's main thread is
 * never held long in one go. */
const pause = () => new Promise((resolve) => setTimeout(resolve));
/** Lets the browser lay out and paint what was just shown before the next piece of work. */
const afterPaint = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve)));
/** How many results are shown before the browser is let paint them: those of the first
 * screen come first, alone. */
const FIRST = 3;

/** The part of a template marked data-slot=name. */
const slot = (node, name) => node.querySelector(`[data-slot="${name}"]`);

/** A text with each {name} replaced by the value of that name. */
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (all, name) => values[name] ?? all);

/** "12 results" in the page's language: the form the page gives for a number of the same
 * plural category (data-results-0, -1, -2, -3, -5, -21), with that number replaced (in plain
 * digits, as serum writes every count the theme's strings show). */
function resultCount(count) {
  const samples = Object.keys(words)
    .map((key) => /^results-(\d+)$/.exec(key)?.[1])
    .filter(Boolean)
    .map(Number);
  const sample = samples.find((n) => plurals.select(n) === plurals.select(count)) ?? samples.at(-1);
  const text = words[`results-${sample}`];
  return text.replace(new RegExp(`(^|\\D)${sample}(?!\\d)`), (all, before) => `${before}${count}`);
}

/** The filters checked, as Pagefind takes them. */
function chosenFilters() {
  const chosen = {};
  for (const box of filterGroups.querySelectorAll('input:checked')) {
    (chosen[box.name] ??= { any: [] }).any.push(box.value);
  }
  return chosen;
}

/** One result, from the result template. */
function resultItem(data) {
  const item = document.getElementById('search-result').content.firstElementChild.cloneNode(true);
  const link = slot(item, 'url');
  link.href = data.url;
  link.textContent = data.meta.title || data.url;
  const parts = { author: data.meta.author, section: data.meta.section };
  for (const [name, value] of Object.entries(parts)) {
    if (value) slot(item, name).textContent = value;
    else slot(item, name).remove();
  }
  // The date as the site's bylines write it, from the index: formatting it here would load
  // the browser's date formats, a long task on a phone.
  const date = slot(item, 'date');
  if (data.meta.date) {
    const time = document.createElement('time');
    time.dateTime = data.meta.date;
    time.textContent = data.meta.date_text || data.meta.date;
    date.replaceChildren(time);
  } else {
    date.remove();
  }
  // A separator stays only between two things.
  for (const dot of item.querySelectorAll('.byline-dot')) {
    const before = dot.previousElementSibling;
    const after = dot.nextElementSibling;
    if (!before || before.classList.contains('byline-dot') || !after) dot.remove();
  }
  const meta = item.querySelector('.byline-meta');
  if (meta && !meta.firstElementChild) meta.closest('.byline').remove();
  // The index holds the text as HTML text: the excerpt is safe HTML, with <mark> around
  // the words found.
  slot(item, 'excerpt').innerHTML = data.excerpt;
  const image = slot(item, 'image');
  if (data.meta.image) {
    image.src = data.meta.image;
    image.alt = data.meta.image_alt || '';
    item.classList.add('has-cover');
  } else {
    image.remove();
  }
  return item;
}

/** Shows the next results, up to a page more. */
async function showMore() {
  const results = found;
  const next = results.slice(shown, shown + PAGE);
  const data = await Promise.all(next.map((result) => result.data()));
  await filtersShown;
  if (results !== found) return; // a newer search replaced these
  shown += next.length;
  list.append(...data.slice(0, FIRST).map(resultItem));
  if (data.length > FIRST) {
    await afterPaint();
    if (results !== found) return;
    list.append(...data.slice(FIRST).map(resultItem));
  }
  moreRow.hidden = shown >= found.length;
}

/** Runs the search the form and the filters describe, and shows what it finds. */
async function run(immediately = false) {
  const mine = ++asked;
  const term = input.value.trim();
  const filters = chosenFilters();
  const filtered = Object.keys(filters).length > 0;
  const url = new URL(location.href);
  if (term) url.searchParams.set('q', term);
  else url.searchParams.delete('q');
  history.replaceState(null, '', url);
  if (!term && !filtered) {
    found = [];
    list.replaceChildren();
    moreRow.hidden = true;
    status.textContent = '';
    return;
  }
  const search = immediately
    ? await pagefind.search(term || null, { filters })
    : await pagefind.debouncedSearch(term || null, { filters }, 150);
  if (search === null || mine !== asked) return; // a newer search is under way
  found = search.results;
  shown = 0;
  list.replaceChildren();
  await showMore();
  const count = found.length;
  if (count === 0) {
    status.textContent = term ? fill(words.noResults, { query: term }) : words.nothing;
  } else {
    const results = resultCount(count);
    status.textContent = term ? fill(words.found, { results, query: term }) : `${results}.`;
  }
}

/** The filter controls: one group of checkboxes per filter, each value with its count, for the
 * filters that have two values or more. */
function buildFilters(filters) {
  const template = document.getElementById('search-filter').content.firstElementChild;
  for (const [name, values] of filters) {
    const entries = Object.entries(values).sort(([a], [b]) => a.localeCompare(b));
    const group = template.cloneNode(true);
    slot(group, 'legend').textContent = root.dataset[`label${name[0].toUpperCase()}${name.slice(1)}`] || name;
    const options = slot(group, 'options');
    for (const [value, count] of entries) {
      const item = document.createElement('li');
      const label = document.createElement('label');
      const box = document.createElement('input');
      box.type = 'checkbox';
      box.name = name;
      box.value = value;
      box.addEventListener('change', () => run(true));
      const text = document.createElement('span');
      text.textContent = `${value} (${count})`;
      label.append(box, text);
      item.append(label);
      options.append(item);
    }
    filterGroups.append(group);
  }
}

/** Shows the filters box, open on a wide screen. On a phone it starts closed, and its
 * checkboxes are made when it is first opened: sorting their values by the page's language
 * loads the browser's collation data, a long task while the results are arriving. */
async function showFilters() {
  const all = await pagefind.filters();
  const filters = Object.entries(all).filter(([, values]) => Object.keys(values).length > 1);
  if (filters.length === 0) return;
  filterBox.hidden = false;
  if (matchMedia('(min-width: 48rem)').matches) {
    buildFilters(filters);
    filterBox.open = true;
  } else {
    filterBox.addEventListener('toggle', () => buildFilters(filters), { once: true });
  }
}

async function start() {
  try {
    pagefind = await import(`${root.dataset.index}pagefind.js`);
    await pause();
    // Record URLs already carry the site's path.
    await pagefind.options({ baseUrl: '/' });
    await pagefind.init();
  } catch (error) {
    status.textContent = words.unavailable;
    return;
  }
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    run(true);
  });
  input.addEventListener('input', () => run());
  moreRow.querySelector('button').addEventListener('click', showMore);
  const query = new URLSearchParams(location.search).get('q');
  if (query) input.value = query;
  // Results without filters rather than none, should the filters fail.
  filtersShown = showFilters().catch(() => {}).then(pause);
  await Promise.all([filtersShown, query ? run(true) : null]);
}

start();
