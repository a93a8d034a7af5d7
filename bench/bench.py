#!/usr/bin/env python3
"""Generates synthetic serum sites and times `serum build` on them as whole processes.

    python3 bench/bench.py                      # N = 1, 1000, 10000 on /dev/shm, 5 runs each
    python3 bench/bench.py --sizes 100 1000 --runs 7 --dir /var/tmp/serum-bench
    python3 bench/bench.py --sizes 1000 --rich both   # the same articles without, then with, rich content

Each site has N articles of about 900 words (3-5 `##` sections with `###` subsections,
lists, a table, links to other articles), 5 authors and tags, split over 4 sections.
With --rich, each article also has three fenced code blocks (Rust with line numbers and a
marked line, Python, JavaScript; about 10 lines each) and two shortcodes (a YouTube video and
a `details` with a Markdown body). `--rich both` builds three sites of the same articles:
plain; the "twin", with the same text as the rich one but no highlighting or shortcode (the
blocks without a language, the video as a link, the details as paragraphs); and rich. It
prints what rich costs over each: over the twin is what highlighting and shortcodes cost,
over plain also counts the extra text.
Prints the median wall time, CPU time (user + system) and peak memory of each size.
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

WORDS = (
    "skin collagen serum needle roller session routine texture barrier moisture acid retinol "
    "peptide gentle layer cell repair glow tone scar redness calm dermatologist clinic home "
    "result week month daily evening morning sunscreen cleanse hydrate protect renew firm smooth "
    "the a and of to in is that it for with as on be by this are or from at an was have more can"
).split()
SECTIONS = ["treatments", "routines", "ingredients", "science"]
AUTHORS = ["ana-ruiz", "ben-okafor", "chloe-martin", "dev-patel", "eva-lind"]
TAGS = ["acne", "aging", "barrier", "collagen", "hydration", "retinoids", "spf", "tools"]


def sentence(rng, lo=8, hi=18):
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    return " ".join(words).capitalize() + "."


def paragraph(rng, sentences=4):
    return " ".join(sentence(rng) for _ in range(sentences))


RUST = """fn layers_for(skin: &Skin, week: u32) -> Vec<Layer> {{
    let mut layers = Vec::with_capacity(3);
    // {comment}
    if skin.is_sensitive() && week < {week} {{
        layers.push(Layer::new("serum", 0.{dose}));
    }}
    for day in 0..7 {{
        layers.push(Layer::rest(day * 24));
    }}
    layers
}}"""
PYTHON = """def minutes(layers: list[str], wait: int = {week}) -> int:
    \"\"\"{comment}\"\"\"
    total = 0
    for layer in layers:
        if layer.startswith("serum"):
            total += wait * 2
        else:
            total += {dose}
    return total"""
JS = """const routine = ["cleanse", "serum", "moisturize"];
// {comment}
function nextStep(done) {{
  const left = routine.filter((step) => !done.includes(step));
  return left.length > 0 ? left[0] : null;
}}
console.log(`next: ${{nextStep(["cleanse"])}} after {week} minutes`);"""
VIDEO_IDS = ["dQw4w9WgXcQ", "M7lc1UVf-VE", "aqz-KE-bpKQ", "ScMzIvxBSi4"]


def rich_blocks(rng, i, plain_twin=False):
    """Three code blocks and two shortcodes, as Markdown lines; or, for `plain_twin`, the same
    text without them: the blocks with no language, the video as a link, the details' summary
    and body as paragraphs."""
    fill = lambda t: t.format(comment=sentence(rng, 4, 8), week=rng.randint(2, 9), dose=rng.randint(1, 9))
    video, title = VIDEO_IDS[i % len(VIDEO_IDS)], sentence(rng, 3, 5)[:-1]
    rust, python = fill(RUST), fill(PYTHON)
    summary, answer = sentence(rng, 3, 6)[:-1], paragraph(rng, 2)
    js = fill(JS)
    if plain_twin:
        return [
            "```", rust, "```", "",
            f"[{title}](https://www.youtube.com/watch?v={video})", "",
            "```", python, "```", "",
            f"**{summary}?**", "", answer, "",
            "```", js, "```", "",
        ]
    return [
        "```rust,linenos,hl_lines=4", rust, "```", "",
        f'{{{{ youtube(id="{video}", title="{title}") }}}}', "",
        "```python", python, "```", "",
        f'{{% details(summary="{summary}?") %}}', answer, "{% end %}", "",
        "```js", js, "```", "",
    ]


def article(rng, i, n, rich=False):
    section = SECTIONS[i % len(SECTIONS)]
    author = AUTHORS[i % len(AUTHORS)]
    tags = rng.sample(TAGS, 2)
    lines = [
        "+++",
        f'title = "Article {i}: {sentence(rng, 3, 6)[:-1]}"',
        f'description = "{sentence(rng)}"',
        f"date = 20{10 + i % 15:02d}-{1 + i % 12:02d}-{1 + i % 28:02d}",
        f'author = "{author}"',
        f"tags = {tags!r}".replace("'", '"'),
        "+++",
        paragraph(rng, 3),
        "",
    ]
    words = 0
    for s in range(rng.randint(3, 5)):
        lines += [f"## Part {s + 1}: {sentence(rng, 2, 4)[:-1]}", "", paragraph(rng), ""]
        lines += [f"### Detail {s + 1}.1", "", paragraph(rng, 3), ""]
        if s == 0:
            lines += [f"- {sentence(rng, 4, 8)}" for _ in range(4)] + [""]
        if s == 1:
            lines += ["| Step | What | Time |", "|---|---|---|"]
            lines += [f"| {k} | {sentence(rng, 2, 4)} | {k * 5} min |" for k in range(1, 5)] + [""]
        if rich and s == 1:
            # A generator of its own, so the rest of the article is the plain one's.
            lines += rich_blocks(random.Random(n * 100_003 + i), i, plain_twin=rich == "twin")
        if n > 1:
            other = (i * 7 + s + 1) % n
            other_section = SECTIONS[other % len(SECTIONS)]
            lines += [f"See also [article {other}](@/{other_section}/article-{other}.md).", ""]
        lines += [paragraph(rng, 5), ""]
        words += 1
    return section, "\n".join(lines)


def generate(root: Path, n: int, rich=False):
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(n)
    (root / "content" / "authors").mkdir(parents=True)
    (root / "serum.toml").write_text('title = "Bench"\nbase_url = "https://example.com/"\n')
    (root / "content" / "_index.md").write_text('+++\ntitle = "Bench"\n+++\n')
    for slug in AUTHORS:
        name = slug.replace("-", " ").title()
        (root / "content" / "authors" / f"{slug}.md").write_text(
            f'+++\nname = "{name}"\nrole = "Writer"\n+++\n{paragraph(rng, 2)}\n'
        )
    for section in SECTIONS:
        (root / "content" / section).mkdir()
        (root / "content" / section / "_index.md").write_text(f'+++\ntitle = "{section.title()}"\n+++\n')
    for i in range(n):
        section, text = article(rng, i, n, rich)
        (root / "content" / section / f"article-{i}.md").write_text(text)


def run_once(binary: str, root: Path):
    """Wall seconds, CPU seconds and peak RSS in MiB of one `serum build`."""
    start = time.perf_counter()
    proc = subprocess.Popen([binary, "build", "--root", str(root)], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read().decode()
    err = proc.stderr.read().decode()
    if status != 0:
        sys.exit(f"serum build failed on {root}:\n{out}\n{err}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", default="/dev/shm/serum-bench")
    parser.add_argument("--binary", default=str(Path(__file__).resolve().parent.parent / "target/release/serum"))
    parser.add_argument("--rich", choices=["no", "yes", "both"], default="no",
                        help="add three code blocks and two shortcodes to each article (both: time with and without)")
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], check=True, cwd=Path(__file__).resolve().parent.parent)
    kinds = {"no": [False], "yes": [True], "both": [False, "twin", True]}[args.rich]
    print(f"{'articles':>9} {'content':>7} {'wall ms':>9} {'cpu ms':>9} {'peak MiB':>9}   (median of {args.runs} runs, {args.dir}; clean builds)")
    for n in args.sizes:
        roots = {}
        for rich in kinds:
            roots[rich] = Path(args.dir) / f"site-{n}{ {False: '', 'twin': '-twin', True: '-rich'}[rich] }"
            generate(roots[rich], n, rich)
            run_once(args.binary, roots[rich])  # warm the page cache and check the site builds
        runs = {rich: [] for rich in kinds}
        for k in range(args.runs):
            # With both kinds, they alternate, and which goes first too: the machine's load
            # drifts, and a ratio taken within one round is fairer than two medians.
            order = kinds[k % len(kinds):] + kinds[:k % len(kinds)]
            for rich in order:
                shutil.rmtree(roots[rich] / "public", ignore_errors=True)
                shutil.rmtree(roots[rich] / ".serum-cache", ignore_errors=True)
                runs[rich].append(run_once(args.binary, roots[rich]))
        for rich in kinds:
            wall = statistics.median(r[0] for r in runs[rich]) * 1000
            cpu = statistics.median(r[1] for r in runs[rich]) * 1000
            peak = statistics.median(r[2] for r in runs[rich])
            name = {False: "plain", "twin": "twin", True: "rich"}[rich]
            print(f"{n:>9} {name:>7} {wall:>9.1f} {cpu:>9.1f} {peak:>9.1f}   {runs[rich][-1][3]}")
        for base, what in (("twin", "highlighting and shortcodes add"), (False, "rich articles take, over plain ones,")):
            if base not in runs or True not in runs:
                continue
            wall = statistics.median(r[0] / p[0] for p, r in zip(runs[base], runs[True]))
            cpu = statistics.median(r[1] / p[1] for p, r in zip(runs[base], runs[True]))
            target = " (target < 30%)" if base == "twin" else ""
            print(f"{n:>9} {what} {100 * (wall - 1):.1f}% wall, {100 * (cpu - 1):.1f}% CPU"
                  f" (median of the {args.runs} rounds' ratios){target}")
        sys.stdout.flush()

if __name__ == "__main__":
    main()
