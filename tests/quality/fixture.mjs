// A site that uses every feature a theme has to style: sections and a subsection, a page
// bundle with a cover, caption and inline image, authors with and without a company, avatar
// and links, tags and a taxonomy with a feed, a draft, Markdown with tables, footnotes,
// alerts, code, task lists, quotes and deep headings, every built-in shortcode and highlighted
// code in another article, and 60 more articles so that listings go over several pages and
// articles have neighbours and related articles. Long words, lines and tables test that
// nothing overflows a phone. An article of 8 photos of 3000 x 2000 (JPEGs made
// here) checks that a photo-heavy page stays fast on a phone.

import jpeg from 'jpeg-js';

const svg = (width, height, body) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">${body}</svg>\n`;

const cover = svg(
  1200,
  630,
  '<rect width="1200" height="630" fill="#f3e4e8"/><circle cx="600" cy="315" r="220" fill="#c9577c"/><rect x="120" y="470" width="960" height="40" rx="20" fill="#7a2945"/>',
);
const diagram = svg(
  800,
  400,
  '<rect width="800" height="400" fill="#e8eef5"/><path d="M40 360 C200 40 400 40 760 360" stroke="#1f5fae" stroke-width="12" fill="none"/>',
);
const avatar = svg(
  160,
  160,
  '<rect width="160" height="160" fill="#d9c7a3"/><circle cx="80" cy="62" r="34" fill="#6b4e2a"/><ellipse cx="80" cy="150" rx="58" ry="44" fill="#6b4e2a"/>',
);

const everything = `+++
title = "Everything a theme must style: a long title that wraps onto a second line on phones"
description = "One article with every element Markdown and serum produce, so a theme can be checked against all of them at once."
date = 2024-05-02
updated = 2024-06-10T09:30:00Z
authors = ["ann", "bo"]
tags = ["Skin Care", "SPF", "Routines"]
concerns = ["acne", "redness"]
cover = { src = "cover.svg", alt = "A rose-coloured sun over a dark horizon line.", caption = "Sunrise over the lab bench: the cover, with its caption." }
+++
The first paragraph is the summary. It links to [a plain article](../plain.md) and to a
[note in another section](@/notes/retinol.md#how-to-start), and has *emphasis*, **strong**
text, ~~struck~~ text, \`inline code\` and a footnote.[^first]

<!-- more -->

A second paragraph with a very long word that must wrap instead of widening the page:
Pneumonoultramicroscopicsilicovolcanoconiosispneumonoultramicroscopicsilicovolcanoconiosis,
and a long address: https://example.com/a/very/long/path/that/keeps/going/and/going/without/any/spaces/at/all.

## Before you start

An ordered list:

1. Cleanse the skin.
2. Apply the serum.
   - Nested, unordered.
   - Still nested, with \`code\`.
3. Wait ten minutes.

A task list:

- [x] Patch test done
- [ ] Sunscreen bought
- [ ] Dermatologist asked

### Tools of the trade

| Tool | Needle length | Sessions a month | Price | Where to buy | Notes |
| --- | ---: | ---: | ---: | --- | --- |
| Dermaroller | 0.25 mm | 8 | $20 | Pharmacy | For the absorption of serums only |
| Dermapen | 0.5 mm | 4 | $120 | Online | Adjustable depth, sterile cartridges |
| Clinic device | 1.5 mm | 1 | $300 | Clinic | Only in the hands of a professional |

#### A fourth-level heading

> A quotation from a dermatologist, set apart from the text so that it reads as a voice of
> its own.[^second]

> [!NOTE]
> A note: information worth knowing even when skimming.

> [!TIP]
> A tip: a better way to do something.

> [!IMPORTANT]
> Important: what a reader needs to know to succeed.

> [!WARNING]
> A warning: urgent information that needs attention.

> [!CAUTION]
> A caution: about the risks of an action.

## Code and images

\`\`\`rust
fn main() {
    let very_long_line = "a line of code far longer than any phone screen is wide, which must scroll inside its block";
    println!("{very_long_line}");
}
\`\`\`

![A blue curve rising and falling over a pale blue background.](diagram.svg)

---

Back to [the top of this section](#before-you-start).

[^first]: The first footnote, with a [link](https://example.com/).
[^second]: The second footnote.
`;

const concerns = ['acne', 'ageing', 'pigmentation', 'redness', 'dryness'];

/** Sixty short articles in `library/`, one a day, each with a concern and a tag. */
const library = Object.fromEntries(
  Array.from({ length: 60 }, (_, i) => {
    const day = new Date(Date.UTC(2023, 0, 1 + i)).toISOString().slice(0, 10);
    const concern = concerns[i % concerns.length];
    const text = `+++
title = "Library article ${i + 1}: a routine for ${concern}"
description = "Short article number ${i + 1} of the library, about ${concern}."
date = ${day}
author = "${i % 2 ? 'ann' : 'bo'}"
tags = ["${i % 3 ? 'Routines' : 'SPF'}"]
concerns = ["${concern}"]
+++
Article ${i + 1} of the library: what to do about ${concern}, in a few steps.

## Steps

Cleanse, treat, protect.
`;
    return [`content/library/article-${String(i + 1).padStart(2, '0')}.md`, text];
  }),
);

const photo = svg(
  960,
  540,
  '<rect width="960" height="540" fill="#efe3d3"/><circle cx="330" cy="270" r="150" fill="#b86b4b"/><rect x="520" y="140" width="300" height="260" rx="30" fill="#5d7f6e"/>',
);

// Every built-in shortcode and three highlighted languages, with line numbers and marked lines.
const rich = `+++
title = "A routine, on video and in code"
description = "Every built-in shortcode and highlighted code in three languages, for the theme checks."
date = 2024-05-20
author = "ann"
tags = ["Routines"]
+++
This article uses every shortcode serum ships: a figure, two videos that load nothing until
they are played, questions that fold, numbered steps, and code in three languages.

{{ figure(src="photo.svg", alt="A terracotta circle beside a sage green square on cream.", caption="The two colours of the routine.", credit="Illustration: Ann Lee") }}

## Watch it done

{{ youtube(id="dQw4w9WgXcQ", start=12, title="Rolling the serum in") }}

{{ vimeo(id="76979871", title="A slower take") }}

## Questions

{% details(summary="Does it hurt?", faq=true) %}
A little, like a light **scratch**, and only for the first minute.
{% end %}

{% details(summary="How often?", faq=true) %}
Once a week at most, and never on irritated skin.
{% end %}

## The evening routine

{% steps(name="Evening routine") %}
1. Cleanse with lukewarm water.
2. Apply the serum in thin layers.
3. Wait ten minutes, then moisturize.
{% end %}

## The timer, in code

\`\`\`rust,linenos,hl_lines=2
fn minutes(layers: u32) -> u32 {
    layers * 3 + 1 // one minute to dry
}
\`\`\`

\`\`\`python
def minutes(layers: int) -> int:
    """Three minutes a layer, one to dry."""
    return layers * 3 + 1
\`\`\`

\`\`\`js
const minutes = (layers) => layers * 3 + 1;
console.log(\`\${minutes(2)} minutes\`);
\`\`\`

To show a shortcode call as it is, write \`{{/* youtube(id="…") */}}\`: {{/* youtube(id="…") */}}.
`;

/** The fixture site's files, by path. */
export const fixtureFiles = {
  'serum.toml': `title = "Theme Fixture"
base_url = "https://example.org/"
description = "A site that exercises every part of a theme."
language = "en"
paginate_by = 10
taxonomies = [{ name = "concerns", feed = true }]
`,
  ...library,
  'content/library/_index.md': `+++
title = "Library"
description = "Sixty short articles, newest first, ten to a page."
feed = true
+++
`,
  'content/_index.md': `+++
title = "Theme Fixture"
description = "Every kind of page a theme renders."
+++
This home page lists every article, newest first, and has an intro with a [link](@/posts/plain.md).
`,
  'content/posts/_index.md': `+++
title = "Posts"
description = "Long articles, newest first."
sort_by = "date"
+++
Long articles about skincare.
`,
  'content/posts/everything/index.md': everything,
  'content/posts/everything/cover.svg': cover,
  'content/posts/everything/diagram.svg': diagram,
  'content/posts/rich/index.md': rich,
  'content/posts/rich/photo.svg': photo,
  'content/posts/plain.md': `+++
title = "Plain"
description = "An article with no cover, no author, no tags and no headings."
date = 2024-03-01
+++
Just one paragraph of text, and nothing else.
`,
  'content/posts/wip.md': `+++
title = "Work in progress"
date = 2024-07-01
author = "bo"
draft = true
+++
Not finished yet.

## A heading in a draft
`,
  'content/posts/archive/_index.md': `+++
title = "Archive"
description = "Older posts."
+++
`,
  'content/posts/archive/old.md': `+++
title = "An old post"
date = 2019-01-01
author = "ann"
tags = ["routines"]
+++
From the archive.
`,
  'content/notes/_index.md': `+++
title = "Notes"
description = "Short notes, by title."
sort_by = "title"
+++
`,
  'content/notes/retinol.md': `+++
title = "Retinol, briefly"
date = 2024-02-01
author = "bo"
tags = ["Retinol"]
+++
Start slowly.

## How to start

Twice a week at first.
`,
  'content/authors/ann.md': `+++
name = "Ann Lee"
role = "Editor"
company = "Glow Co"
avatar = "ann.svg"
links = [{ name = "Website", url = "https://example.com/ann" }, { name = "Mastodon", url = "https://example.com/@ann" }]
+++
Ann edits the articles and checks every claim with a dermatologist.
`,
  'content/authors/ann.svg': avatar,
  'content/authors/bo.md': `+++
name = "Bo Ek"
role = "Writer"
+++
Bo writes about routines.
`,
};

/** The paths of the fixture's pages that each theme must get right. */
/** A photo-like JPEG, different for each seed: soft gradients under a fine grain. */
export function photoJpeg(seed, width = 3000, height = 2000) {
  const data = Buffer.alloc(width * height * 4);
  let state = (seed * 2654435761) >>> 0 || 1;
  const grain = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) / 4294967296 - 0.5) * 12;
  };
  const clamp = (v) => Math.max(0, Math.min(255, Math.round(v)));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const wave = 40 * Math.sin((x + y * 0.6 + seed * 400) / 260);
      data[i] = clamp(150 + 70 * (x / width) + wave + grain());
      data[i + 1] = clamp(110 + 60 * (y / height) - wave / 2 + grain());
      data[i + 2] = clamp(120 + 40 * Math.cos((x - seed * 300) / 400) + grain());
      data[i + 3] = 255;
    }
  }
  return jpeg.encode({ data, width, height }, 88).data;
}

/** The article of 8 photos, and the photos. */
export function photoFiles() {
  const captions = ['Serum on the back of a hand', 'A dropper over an open jar', 'Skin before the routine',
    'Skin after four weeks', 'A roller on a towel', 'Three bottles in a row', 'A close-up of a pore', 'The bathroom shelf'];
  const body = captions
    .map((caption, i) => (i % 2 === 0
      ? `![${caption}.](photo-${i + 1}.jpg "${caption}, photographed in daylight.")`
      : `Paragraph ${i + 1}: the routine goes on with a product applied to clean skin, then left to settle for a minute before the next one.\n\n![${caption}.](photo-${i + 1}.jpg)`))
    .join('\n\n');
  const files = {
    'content/posts/photos/index.md': `+++
title = "A routine in eight photos"
description = "Eight full-size photos from a phone: the page must stay light and fast on one."
date = 2024-05-03
author = "ann"
tags = ["Routines"]
+++
${body}
`,
  };
  captions.forEach((_, i) => {
    files[`content/posts/photos/photo-${i + 1}.jpg`] = photoJpeg(i + 1);
  });
  return files;
}

export const fixturePages = {
  home: '/',
  search: '/search/?q=retinol',
  section: '/posts/',
  article: '/posts/everything/',
  'rich article': '/posts/rich/',
  photos: '/posts/photos/',
  'plain article': '/posts/plain/',
  draft: '/posts/wip/',
  author: '/authors/ann/',
  'author without company': '/authors/bo/',
  tags: '/tags/',
  tag: '/tags/skin-care/',
  'home, page 2': '/page/2/',
  'section, last page': '/library/page/6/',
  'library article': '/library/article-30/',
  taxonomy: '/concerns/',
  term: '/concerns/acne/',
  'term, page 2': '/concerns/acne/page/2/',
  404: '/no-such-page/',
};
