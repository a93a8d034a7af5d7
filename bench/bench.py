#!/usr/bin/env python3
"""Generates synthetic serum sites and times `serum build` on them as whole processes.

    python3 bench/bench.py                      # N = 1, 1000, 10000 on /dev/shm, 5 runs each
    python3 bench/bench.py --sizes 100 1000 --runs 7 --dir /var/tmp/serum-bench

Each site has N articles of about 900 words (3-5 `##` sections with `###` subsections,
lists, a table, links to other articles), 5 authors and tags, split over 4 sections.
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


def article(rng, i, n):
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
        if n > 1:
            other = (i * 7 + s + 1) % n
            other_section = SECTIONS[other % len(SECTIONS)]
            lines += [f"See also [article {other}](@/{other_section}/article-{other}.md).", ""]
        lines += [paragraph(rng, 5), ""]
        words += 1
    return section, "\n".join(lines)


def generate(root: Path, n: int):
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
        section, text = article(rng, i, n)
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
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], check=True, cwd=Path(__file__).resolve().parent.parent)
    print(f"{'articles':>9} {'wall ms':>9} {'cpu ms':>9} {'peak MiB':>9}   (median of {args.runs} runs, {args.dir})")
    for n in args.sizes:
        root = Path(args.dir) / f"site-{n}"
        generate(root, n)
        run_once(args.binary, root)  # warm the page cache and check the site builds
        runs = [run_once(args.binary, root) for _ in range(args.runs)]
        wall = statistics.median(r[0] for r in runs) * 1000
        cpu = statistics.median(r[1] for r in runs) * 1000
        peak = statistics.median(r[2] for r in runs)
        print(f"{n:>9} {wall:>9.1f} {cpu:>9.1f} {peak:>9.1f}   {runs[-1][3]}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
