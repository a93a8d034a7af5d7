#!/usr/bin/env python3
"""Generates synthetic serum sites and times `serum build` on them as whole processes.

    python3 bench/bench.py                      # N = 1, 1000, 10000 on /dev/shm, 5 runs each
    python3 bench/bench.py --sizes 100 1000 --runs 7 --dir /var/tmp/serum-bench
    python3 bench/bench.py --sizes 1000 --rich both   # the same articles without, then with, rich content

Each site has N articles of about 900 words (3-5 `##` sections with `###` subsections,
lists, a table, links to other articles), 5 authors and tags, split over 4 sections.
With --rich, each article also has three fenced code blocks (Rust with line numbers and a
marked line, Python, JavaScript; about 10 lines each) and two shortcodes (a YouTube video and
a `details` with a Markdown body); `--rich both` times the plain and the rich site alike and
prints what rich content adds.
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


def rich_blocks(rng, i):
    """Three code blocks and two shortcodes, as Markdown lines."""
    fill = lambda t: t.format(comment=sentence(rng, 4, 8), week=rng.randint(2, 9), dose=rng.randint(1, 9))
    return [
        "```rust,linenos,hl_lines=4", fill(RUST), "```", "",
        f'{{{{ youtube(id="{VIDEO_IDS[i % len(VIDEO_IDS)]}", title="{sentence(rng, 3, 5)[:-1]}") }}}}', "",
        "```python", fill(PYTHON), "```", "",
        f'{{% details(summary="{sentence(rng, 3, 6)[:-1]}?") %}}', paragraph(rng, 2), "{% end %}", "",
        "```js", fill(JS), "```", "",
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
            lines += rich_blocks(random.Random(n * 100_003 + i), i)
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
    kinds = {"no": [False], "yes": [True], "both": [False, True]}[args.rich]
    print(f"{'articles':>9} {'content':>7} {'wall ms':>9} {'cpu ms':>9} {'peak MiB':>9}   (median of {args.runs} runs, {args.dir}; clean builds)")
    for n in args.sizes:
        walls = {}
        for rich in kinds:
            root = Path(args.dir) / f"site-{n}{'-rich' if rich else ''}"
            generate(root, n, rich)
            run_once(args.binary, root)  # warm the page cache and check the site builds
            runs = []
            for _ in range(args.runs):
                shutil.rmtree(root / "public", ignore_errors=True)
                shutil.rmtree(root / ".serum-cache", ignore_errors=True)
                runs.append(run_once(args.binary, root))
            wall = statistics.median(r[0] for r in runs) * 1000
            cpu = statistics.median(r[1] for r in runs) * 1000
            peak = statistics.median(r[2] for r in runs)
            walls[rich] = (wall, cpu)
            print(f"{n:>9} {'rich' if rich else 'plain':>7} {wall:>9.1f} {cpu:>9.1f} {peak:>9.1f}   {runs[-1][3]}")
            sys.stdout.flush()
        if len(walls) == 2:
            (pw, pc), (rw, rc) = walls[False], walls[True]
            print(f"{n:>9} rich content adds {100 * (rw / pw - 1):.1f}% wall, {100 * (rc / pc - 1):.1f}% CPU (target < 30%)")


if __name__ == "__main__":
    main()
