#!/usr/bin/env python3
"""Generates synthetic serum sites and times `serum build` on them as whole processes.

    python3 bench/bench.py                      # N = 1, 1000, 10000 on /dev/shm, 5 runs each
    python3 bench/bench.py --sizes 100 1000 --runs 7 --dir /var/tmp/serum-bench
    python3 bench/bench.py --sizes 100000 --runs 3   # opt-in: needs about 5 GB of /dev/shm
    python3 bench/bench.py --sizes 10000 100000 --interleave   # each step's growth from 10k to 100k
    python3 bench/bench.py --sizes 10000 100000 --interleave --small-pages both   # 4 KiB pages too
    python3 bench/bench.py --sizes 1000 --rich both   # the same articles without, then with, rich content
    python3 bench/bench.py --sizes 10000 --languages 2   # N articles in one language, then N/2 in two

Each site has N articles of about 900 words (3-5 `##` sections with `###` subsections,
lists, a table, links to other articles), 5 authors, tags and two more taxonomies (skin
concerns and actives), split over 4 sections; listings are paginated 10 to a page and every
article gets 3 related articles (serum's defaults). Search is off (`search = false`) unless
--search is given: bench/search.py measures what the index costs.

For each size it times, as medians of --runs runs:
- a clean build (public/ and .serum-cache/ removed before each);
- a rebuild after one article's body was edited (a sentence added), with everything else
  kept from the build before: what a writer waits for after saving;
and prints wall time, CPU time (user + system), peak memory, the rebuild/clean ratio, and
with --timings the median of each step serum reports (`serum build --timings`).

With --interleave, the sizes' clean builds alternate, round after round, so that the machine
speeding up or slowing down during the run (this one wanders by 10% to a third within an hour)
falls on every size alike; it prints each step's median at each size and its growth from the
smallest size to the largest.

With --interleave --small-pages yes, serum runs in 4 KiB memory pages only, never in Linux's
transparent 2 MiB ones; `--small-pages both` alternates the two in each round and prints a
table for each and the ratio of their whole builds.

With --rich, each article also has three fenced code blocks (Rust with line numbers and a
marked line, Python, JavaScript; about 10 lines each) and two shortcodes (a YouTube video and
a `details` with a Markdown body). `--rich both` builds three sites of the same articles:
plain; the "twin", with the same text as the rich one but no highlighting or shortcode (the
blocks without a language, the video as a link, the details as paragraphs); and rich; and
times clean builds of each in alternating rounds. It prints what rich costs over each: over
the twin is what highlighting and shortcodes cost, over plain also counts the extra text.

With --languages L (2 to 4), the site of N articles in one language is compared with a site of
the same N files in L languages (English, then French, German, Spanish): N/L articles, each
written in every language (`article-7.md`, `article-7.fr.md`), with translated section
indexes; clean builds of both alternate, and it prints the median ratio of the rounds.
"""

import argparse
import os
import random
import re
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
CONCERNS = ["acne", "ageing", "pigmentation", "redness", "dryness", "scarring", "sensitivity", "pores",
            "dullness", "wrinkles", "dark-circles", "oiliness"]
ACTIVES = [f"active-{k}" for k in range(40)]
CONFIG = """title = "Bench"
base_url = "https://example.com/"
taxonomies = [{ name = "concerns" }, { name = "actives" }]
"""


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
        f"concerns = {rng.sample(CONCERNS, 2)!r}".replace("'", '"'),
        f"actives = {rng.sample(ACTIVES, 3)!r}".replace("'", '"'),
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


LANGUAGES = ["en", "fr", "de", "es"]


def generate(root: Path, n: int, rich=False, languages=1, search=False):
    """A site of `n` article files: with `languages` above 1, n / languages articles, each in
    every language. Search is off unless asked for: the other tools compared have none, and
    bench/search.py measures what it costs."""
    if root.exists():
        shutil.rmtree(root)
    rng = random.Random(n)
    (root / "content" / "authors").mkdir(parents=True)
    config = ("" if search else "search = false\n") + CONFIG + "".join(f'\n[languages.{code}]\ntitle = "Bench {code}"\n' for code in LANGUAGES[1:languages])
    (root / "serum.toml").write_text(config)
    (root / "content" / "_index.md").write_text('+++\ntitle = "Bench"\n+++\n')
    for slug in AUTHORS:
        name = slug.replace("-", " ").title()
        (root / "content" / "authors" / f"{slug}.md").write_text(
            f'+++\nname = "{name}"\nrole = "Writer"\n+++\n{paragraph(rng, 2)}\n'
        )
    for section in SECTIONS:
        (root / "content" / section).mkdir()
        (root / "content" / section / "_index.md").write_text(f'+++\ntitle = "{section.title()}"\n+++\n')
        for code in LANGUAGES[1:languages]:
            (root / "content" / section / f"_index.{code}.md").write_text(
                f'+++\ntitle = "{section.title()} ({code})"\n+++\n')
    per_language = n // languages
    for i in range(per_language):
        section, text = article(rng, i, per_language, rich)
        (root / "content" / section / f"article-{i}.md").write_text(text)
        for code in LANGUAGES[1:languages]:
            # The same length of text, in "another language": the build does the same work.
            translated = text.replace('title = "Article', f'title = "({code}) Article', 1)
            (root / "content" / section / f"article-{i}.{code}.md").write_text(translated)


def read_author(content: Path, slug: str):
    """The name, role and bio of an author that generate() wrote under content/authors/."""
    _, front, bio = (content / "authors" / f"{slug}.md").read_text().split("+++\n", 2)
    name = re.search(r'^name = "([^"]+)"$', front, re.M).group(1)
    role = re.search(r'^role = "([^"]+)"$', front, re.M).group(1)
    return name, role, bio


def small_pages():
    """Runs in the child before serum starts: Linux then maps its memory in 4 KiB pages only,
    never in transparent 2 MiB ones (the flag survives `exec`)."""
    import ctypes
    PR_SET_THP_DISABLE = 41
    if ctypes.CDLL(None, use_errno=True).prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_THP_DISABLE) failed")


def run_once(binary: str, root: Path, timings=False, small=False):
    """Wall seconds, CPU seconds, peak RSS in MiB, the summary line and the step timings of
    one `serum build`; with `small`, in 4 KiB memory pages only."""
    command = [binary, "build", "--root", str(root)] + (["--timings"] if timings else [])
    start = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=small_pages if small else None)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    out = proc.stdout.read().decode()
    err = proc.stderr.read().decode()
    if status != 0:
        sys.exit(f"serum build failed on {root}:\n{out}\n{err}")
    steps, cpu = {}, {}
    for line in err.splitlines():
        name, colon, rest = line.partition(":")
        fields = [field.strip() for field in rest.split(",")]
        if colon and fields[0].endswith(" ms"):
            steps[name.strip()] = float(fields[0][:-3])
            # The CPU time of all threads in the step: serum's own (user) and the system's.
            for field in fields[1:]:
                for kind in ("user", "system"):
                    if field.endswith(f" ms {kind}"):
                        cpu[f"{name.strip()} ({kind})"] = float(field[:-len(f" ms {kind}")])
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, out.strip(), steps, cpu


def clean(root: Path):
    for leftover in ("public", ".serum-cache"):
        shutil.rmtree(root / leftover, ignore_errors=True)


def edit(root: Path, n: int, k: int):
    """Adds a sentence to the end of one article's body, a different one each time."""
    i = (k * 7919) % n
    path = root / "content" / SECTIONS[i % len(SECTIONS)] / f"article-{i}.md"
    with path.open("a") as f:
        f.write(f"\nEdited for the {k + 1}. time.\n")


def medians(runs):
    return (statistics.median(r[0] for r in runs) * 1000, statistics.median(r[1] for r in runs) * 1000,
            statistics.median(r[2] for r in runs))


def compare_rich(args, n, kinds):
    """Clean builds of the plain, twin and rich sites of `n` articles in alternating rounds."""
    roots = {}
    for rich in kinds:
        roots[rich] = Path(args.dir) / f"site-{n}{ {False: '', 'twin': '-twin', True: '-rich'}[rich] }"
        generate(roots[rich], n, rich)
        run_once(args.binary, roots[rich])  # warm the page cache and check the site builds
    runs = {rich: [] for rich in kinds}
    for k in range(args.runs):
        # The kinds alternate, and which goes first too: the machine's load drifts, and a
        # ratio taken within one round is fairer than two medians.
        order = kinds[k % len(kinds):] + kinds[:k % len(kinds)]
        for rich in order:
            clean(roots[rich])
            runs[rich].append(run_once(args.binary, roots[rich]))
    for rich in kinds:
        wall, cpu, peak = medians(runs[rich])
        name = {False: "plain", "twin": "twin", True: "rich"}[rich]
        print(f"{n:>9} {name:>6} {wall:>9.1f} {cpu:>9.1f} {peak:>9.1f}   {runs[rich][-1][3]}")
    for base, what in (("twin", "highlighting and shortcodes add"), (False, "rich articles take, over plain ones,")):
        if base not in runs or True not in runs:
            continue
        wall = statistics.median(r[0] / p[0] for p, r in zip(runs[base], runs[True]))
        cpu = statistics.median(r[1] / p[1] for p, r in zip(runs[base], runs[True]))
        target = " (target < 30%)" if base == "twin" else ""
        print(f"{n:>9} {what} {100 * (wall - 1):.1f}% wall, {100 * (cpu - 1):.1f}% CPU"
              f" (median of the {args.runs} rounds' ratios){target}")


def compare_languages(args, n):
    """Clean builds of n articles in one language and of the same number of files in
    --languages languages, in alternating rounds."""
    kinds = [1, args.languages]
    roots = {}
    for languages in kinds:
        roots[languages] = Path(args.dir) / f"site-{n}-{languages}lang"
        generate(roots[languages], n, languages=languages)
        run_once(args.binary, roots[languages])  # warm the page cache and check the site builds
    runs = {languages: [] for languages in kinds}
    for k in range(args.runs):
        order = kinds if k % 2 == 0 else kinds[::-1]
        for languages in order:
            clean(roots[languages])
            runs[languages].append(run_once(args.binary, roots[languages]))
    for languages in kinds:
        wall, cpu, peak = medians(runs[languages])
        name = f"{languages} lang"
        print(f"{n:>9} {name:>6} {wall:>9.1f} {cpu:>9.1f} {peak:>9.1f}   {runs[languages][-1][3]}")
    wall = statistics.median(m[0] / o[0] for o, m in zip(runs[1], runs[args.languages]))
    cpu = statistics.median(m[1] / o[1] for o, m in zip(runs[1], runs[args.languages]))
    print(f"{n:>9} {args.languages} languages take {wall:.3f}x the wall time, {cpu:.3f}x the CPU time of one"
          f" (median of the {args.runs} rounds' ratios; target <= 1.15x); load average {os.getloadavg()[0]:.2f}")


def compare_sizes(args):
    """Clean builds of every size in alternating rounds, so that the machine's drift over the
    run falls on every size alike; prints each step's median at each size and the largest
    size's over the smallest's. With `--small-pages both`, each round builds every size in
    the kernel's usual pages and then in 4 KiB pages only, and a table is printed for each."""
    roots = []
    for n in args.sizes:
        root = Path(args.dir) / f"site-{n}"
        generate(root, n, search=args.search)
        clean(root)
        run_once(args.binary, root)  # warm the page cache and check the site builds
        roots.append(root)
    kinds = {"no": [False], "yes": [True], "both": [False, True]}[args.small_pages]
    runs = {(n, small): [] for n in args.sizes for small in kinds}
    for _ in range(args.runs):
        for n, root in zip(args.sizes, roots):
            for small in kinds:
                clean(root)
                runs[n, small].append(run_once(args.binary, root, True, small))
    for small in kinds:
        if len(kinds) > 1:
            print("in 4 KiB pages only" if small else "in the kernel's usual pages")
        print_growth(args.sizes, {n: runs[n, small] for n in args.sizes})
    if len(kinds) > 1:
        for n in args.sizes:
            ratio = statistics.median(r[0] for r in runs[n, True]) / statistics.median(r[0] for r in runs[n, False])
            print(f"{n} articles: whole build in 4 KiB pages / in usual pages: {ratio:.2f}")


def print_growth(sizes, runs):
    """Each step's median at each size, and the largest size's over the smallest's."""
    first, last = sizes[0], sizes[-1]
    print(f"{'step':>32}" + "".join(f"{n:>14}" for n in sizes) + f"{f'{last}/{first}':>14}")
    rows = [(step, lambda r, step=step: r[4].get(step, 0.0), "ms") for step in runs[first][0][4]]
    rows += [("whole build", lambda r: r[0] * 1000, "ms"), ("CPU", lambda r: r[1] * 1000, "ms"),
             ("peak memory", lambda r: r[2], "MiB")]
    # Then each step's CPU time: user is serum's own work, system the kernel's for it.
    rows += [(step, lambda r, step=step: r[5].get(step, 0.0), "ms") for step in runs[first][0][5]]
    for name, value, unit in rows:
        if name == next(iter(runs[first][0][5]), None):
            print(f"{'CPU time by step':>32}")
        medians_ = [statistics.median(value(r) for r in runs[n]) for n in sizes]
        ratio = f"{medians_[-1] / medians_[0]:.1f}x" if medians_[0] > 0 else "-"
        print(f"{name:>32}" + "".join(f"{m:>10.1f} {unit:<3}" for m in medians_) + f"{ratio:>14}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 1000, 10000])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", default="/dev/shm/serum-bench")
    parser.add_argument("--binary", default=str(Path(__file__).resolve().parent.parent / "target/release/serum"))
    parser.add_argument("--timings", action="store_true", help="also print the median of each build step")
    parser.add_argument("--search", action="store_true",
                        help="keep search on (serum's default): the site also gets its search index")
    parser.add_argument("--no-edit", action="store_true", help="time clean builds only")
    parser.add_argument("--interleave", action="store_true",
                        help="clean builds only, the sizes in alternating rounds; prints each step's growth")
    parser.add_argument("--rich", choices=["no", "yes", "both"], default="no",
                        help="add three code blocks and two shortcodes to each article (both: compare with and without)")
    parser.add_argument("--small-pages", choices=["no", "yes", "both"], default="no",
                        help="with --interleave: build in 4 KiB memory pages only (Linux; both: also in the usual pages, alternating)")
    parser.add_argument("--languages", type=int, default=1, choices=[1, 2, 3, 4],
                        help="compare N articles in one language with the same number of files in this many languages")
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], check=True, cwd=Path(__file__).resolve().parent.parent)
    if args.interleave:
        print(f"median of {args.runs} alternating rounds of clean builds in {args.dir}")
        compare_sizes(args)
        return
    print(f"median of {args.runs} runs in {args.dir}; clean: public/ and .serum-cache/ removed; "
          f"edit: one article changed, then rebuilt")
    print(f"{'articles':>9} {'build':>6} {'wall ms':>9} {'cpu ms':>9} {'peak MiB':>9} {'edit/clean':>10}")
    for n in args.sizes:
        if args.languages > 1:
            compare_languages(args, n)
            sys.stdout.flush()
            continue
        if args.rich != "no":
            compare_rich(args, n, {"yes": [True], "both": [False, "twin", True]}[args.rich])
            sys.stdout.flush()
            continue
        root = Path(args.dir) / f"site-{n}"
        generate(root, n, search=args.search)
        clean(root)
        run_once(args.binary, root)  # warm the page cache and check the site builds
        runs = []
        for _ in range(args.runs):
            clean(root)
            runs.append(run_once(args.binary, root, args.timings))
        wall, cpu, peak = medians(runs)
        print(f"{n:>9} {'clean':>6} {wall:>9.1f} {cpu:>9.1f} {peak:>9.1f}")
        if args.timings:
            for step in runs[0][4]:
                took = statistics.median(r[4].get(step, 0.0) for r in runs)
                print(f"{'':>17}{step:>20}: {took:>9.1f} ms")
        if not args.no_edit and n > 1:
            edits = []
            for k in range(args.runs):
                edit(root, n, k)
                edits.append(run_once(args.binary, root, args.timings))
            ewall, ecpu, epeak = medians(edits)
            print(f"{n:>9} {'edit':>6} {ewall:>9.1f} {ecpu:>9.1f} {epeak:>9.1f} {ewall / wall:>10.2f}   {edits[-1][3]}")
            if args.timings:
                for step in edits[0][4]:
                    took = statistics.median(r[4].get(step, 0.0) for r in edits)
                    print(f"{'':>17}{step:>20}: {took:>9.1f} ms")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
