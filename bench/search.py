#!/usr/bin/env python3
"""What site search costs: serum with and without search, against Hugo + Pagefind's CLI.

    cargo build --release
    npm install --prefix /tmp/pagefind-cli pagefind@1.6.0      # the CLI serum's crate matches
    python3 bench/search.py --pagefind /tmp/pagefind-cli/node_modules/.bin/pagefind
    python3 bench/search.py --sizes 1000 --runs 3               # quicker; Hugo + Pagefind skipped
                                                                # when no pagefind CLI is found

For each N, bench.py's generator writes a serum site (about 900 words an article) and
compare.py writes the equivalent Hugo site. Then, on /dev/shm, after one warm-up each, these
clean builds run in turn, --runs times (public/ and caches removed, `sync`, before each):

- serum, search on (its default): the site, the search page and the Pagefind index;
- serum, `search = false` in serum.toml: the same site without them;
- `hugo && pagefind --site public`: Hugo's build, then Pagefind's CLI indexing its HTML.

Printed: median wall time, CPU time (user + system) and peak RSS; what search adds to serum's
build in wall and in CPU time (medians of the per-round ratios: CPU time is what a loaded
machine shows best); where the index's own time goes, from `--timings` (the records given to
Pagefind, Pagefind's files made and written; both run beside the other steps); Hugo + Pagefind
/ serum with search; the size of each
index (files and bytes under public/pagefind/); and what a reader of serum's search page
downloads to see the results of one query (the page with its stylesheets and scripts, then
Pagefind's script, WebAssembly, metadata, index chunks and the first results' fragments),
measured in headless Chromium by tests/quality's Playwright (`npm ci --prefix tests/quality`).

Other builds may share the machine: the load average is printed at the start and the end.
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import generate  # noqa: E402
from compare import Hugo, Serum, Tool, generate_hugo, remove, tree_size  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
BASE = Path("/dev/shm/serum-search-bench")
QUERY = "retinol"


class SerumTimed(Serum):
    """serum with `--timings`, whose step times are read back from its output."""

    def command(self):
        command, env = super().command()
        return command + ["--timings"], env

    def steps(self):
        """Each step's milliseconds, by name, from the last run."""
        found = {}
        for line in self.output.splitlines():
            name, colon, rest = line.partition(":")
            took = rest.split(",")[0].strip()
            if colon and took.endswith(" ms"):
                found[name.strip()] = float(took[:-3])
        return found


class SerumWithout(Serum):
    """serum on a copy of the site whose serum.toml says `search = false`."""

    def __init__(self, root, binary):
        super().__init__(root, binary)
        self.name = "serum, no search"


class HugoPagefind(Tool):
    """`hugo && pagefind --site public`, timed as one."""

    def __init__(self, hugo: Hugo, pagefind: str):
        super().__init__("hugo + pagefind", hugo.root)
        self.hugo, self.pagefind = hugo, pagefind

    def leftovers(self):
        return self.hugo.leftovers()

    def command(self):
        hugo, env = self.hugo.command()
        quoted = " ".join(f"'{part}'" for part in hugo)
        line = f"{quoted} && '{self.pagefind}' --site '{self.root / 'public'}' --silent"
        return ["sh", "-c", line], env

    def after(self):
        self.hugo.after()


def query_bytes(public: Path, query: str):
    """What a reader downloads for one query on serum's search page, by kind, from
    bench/query_bytes.mjs in headless Chromium; None when Playwright is not installed."""
    modules = REPO / "tests" / "quality" / "node_modules" / "playwright-core"
    if not modules.exists() or not shutil.which("node"):
        return None
    out = subprocess.run(["node", str(REPO / "bench" / "query_bytes.mjs"), str(public), query],
                         capture_output=True, text=True, timeout=300)
    if out.returncode != 0:
        sys.exit(f"bench/query_bytes.mjs failed:\n{out.stdout}\n{out.stderr}")
    return json.loads(out.stdout)


def med(values):
    return statistics.median(values)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000], help="numbers of articles")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each build per size (after 1 warm-up)")
    parser.add_argument("--binary", default=str(REPO / "target" / "release" / "serum"), help="the serum binary")
    parser.add_argument("--hugo", default="hugo", help="the hugo binary")
    parser.add_argument("--pagefind", default="pagefind", help="Pagefind's CLI (npm's or PyPI's `pagefind`)")
    parser.add_argument("--query", default=QUERY, help=f"the word searched for (default {QUERY!r})")
    parser.add_argument("--keep", action="store_true", help=f"keep the generated sites under {BASE}")
    args = parser.parse_args()

    if not os.access(args.binary, os.X_OK):
        sys.exit(f"no serum binary at {args.binary}: run `cargo build --release` first (or pass --binary PATH).")
    hugo = shutil.which(args.hugo)
    pagefind = shutil.which(args.pagefind)
    serum_version = subprocess.run([args.binary, "--version"], capture_output=True, text=True).stdout.strip()
    print(f"serum:    {args.binary} ({serum_version})")
    if hugo:
        print(f"hugo:     {subprocess.run([hugo, 'version'], capture_output=True, text=True).stdout.strip()}")
    else:
        print("hugo:     not installed (apt-get install -y hugo): Hugo + Pagefind skipped")
    if pagefind:
        version = subprocess.run([pagefind, "--version"], capture_output=True, text=True).stdout.strip()
        print(f"pagefind: {pagefind} ({version})")
    else:
        print(f"pagefind: `{args.pagefind}` not found (npm install pagefind, or pip install 'pagefind[bin]'; "
              "then pass --pagefind PATH): Hugo + Pagefind skipped")
    print(f"host:     {platform.node()}, {os.cpu_count()} CPUs; load average at start: "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"Clean builds on {BASE}, {args.runs} timed runs each after 1 warm-up, in turn; medians.")
    print()
    sys.stdout.flush()

    rows = []
    for n in args.sizes:
        BASE.mkdir(parents=True, exist_ok=True)
        with_root, without_root, hugo_root = BASE / f"serum-{n}", BASE / f"serum-nosearch-{n}", BASE / f"hugo-{n}"
        generate(with_root, n, search=True)
        remove(without_root)
        shutil.copytree(with_root, without_root)
        config = without_root / "serum.toml"
        config.write_text(config.read_text() + "search = false\n")
        timed = SerumTimed(with_root, args.binary)
        tools = [timed, SerumWithout(without_root, args.binary)]
        if hugo and pagefind:
            generate_hugo(with_root, hugo_root)
            tools.append(HugoPagefind(Hugo(hugo_root, hugo), pagefind))
        for tool in tools:
            tool.run()  # warm-up
        runs = {tool.name: [] for tool in tools}
        steps = []
        for k in range(args.runs):
            order = tools if k % 2 == 0 else list(reversed(tools))
            for tool in order:
                runs[tool.name].append(tool.run())
                if tool is timed:
                    steps.append(timed.steps())
        index = {tool.name: tree_size(tool.root / "public" / "pagefind") for tool in tools}
        download = query_bytes(with_root / "public", args.query)
        with_search, without = runs["serum"], runs["serum, no search"]
        added = med(w[0] / wo[0] for w, wo in zip(with_search, without)) - 1
        added_cpu = med(w[1] / wo[1] for w, wo in zip(with_search, without)) - 1
        line = (f"N={n}: search adds {added * 100:.0f}% to serum's clean build in wall time, "
                f"{added_cpu * 100:.0f}% in CPU time")
        if "hugo + pagefind" in runs:
            ratio = med(h[0] / s[0] for h, s in zip(runs["hugo + pagefind"], with_search))
            line += f"; hugo + pagefind / serum with search = {ratio:.2f}x"
        print(line)
        parts = ["search index", "index records", "index files"]
        print(f"N={n}: the index (--timings, medians): " + ", ".join(
            f"{part} {med(s.get(part, 0) for s in steps):.0f} ms" for part in parts)
            + " (the last two ran beside the other steps; the first is what was left after them)")
        for tool in tools:
            r = runs[tool.name]
            files, size = index[tool.name]
            shown = f"{files} files, {size / 1e6:.2f} MB" if files else "none"
            rows.append((n, tool.name, med(x[0] for x in r) * 1000, med(x[1] for x in r) * 1000,
                         med(x[2] for x in r), shown))
        if download:
            total = sum(download["bytes"].values())
            parts = ", ".join(f"{kind} {size / 1e3:.1f} kB" for kind, size in download["bytes"].items())
            print(f"N={n}: one query (“{args.query}”, {download['results']} results, the first "
                  f"{download['shown']} shown) downloads {total / 1e3:.1f} kB in {download['requests']} requests: {parts}")
        else:
            print(f"N={n}: query download not measured (needs node and `npm ci --prefix tests/quality`)")
        print()
        sys.stdout.flush()
        if not args.keep:
            for root in (with_root, without_root, hugo_root):
                remove(root)

    print(f"{'N':>6} {'build':<18} {'wall ms':>9} {'cpu ms':>9} {'peak MiB':>9}  index")
    for n, name, wall, cpu, mib, shown in rows:
        print(f"{n:>6} {name:<18} {wall:>9.1f} {cpu:>9.1f} {mib:>9.1f}  {shown}")
    print(f"load average at the end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
