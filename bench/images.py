#!/usr/bin/env python3
"""Times serum's image processing against Hugo's on the same photos, as whole processes.

    cargo build --release
    pip install pillow                     # makes the photos
    python3 bench/images.py                # 100 articles x 4 photos of 3000x2000, 5 runs
    python3 bench/images.py --articles 20 --runs 3

Each article is a page bundle with 4 photos: 3000x2000 JPEGs (quality 90, a gradient under
photographic grain, about 2 MB each) carrying EXIF with a GPS position, as a phone writes
them. serum's site shows them as `![alt](photo-k.jpg)`; the Hugo site is the same Markdown
with a render-image hook that does what serum does for every photo: `.Resize` to 480, 960 and
1440 pixels wide as JPEG (quality 82) and as WebP (quality 80), with the Lanczos filter serum
uses, written as a <picture> with both srcsets, width and height.

Both outputs are checked before timing (every copy exists for both, 6 per photo). Then, after
one warm-up build each, the tools are run alternately (who goes first alternates too):
- cold: public/ and the image cache removed (serum: .serum-cache/, Hugo: resources/ and
  its cache dir), `sync`, then a build;
- cached: public/ removed, the image cache kept from the build before: what a build on a
  fresh checkout with a restored cache costs;
- serum's rebuild with public/ kept and nothing changed.

What cached images cost serum is measured against the same articles without their photos:
the cached build and the unchanged rebuild of both, the difference divided by the photos.

Printed: median wall and CPU time of each, and hugo/serum of the medians.
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

REPO = Path(__file__).resolve().parent.parent
WIDTHS = [480, 960, 1440]

HUGO_CONFIG = """\
baseURL = "https://example.com/"
title = "Bench"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT"]
# A page's images are made while it renders: a cold build of 4 photos can take longer than
# Hugo's default 30 s a page on 2 cores.
timeout = "3600s"
[imaging]
  resampleFilter = "Lanczos"
"""

HUGO_SINGLE = """\
<!DOCTYPE html><html lang="en"><head><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1>{{ .Content }}</body></html>
"""

HUGO_LIST = """\
<!DOCTYPE html><html lang="en"><head><title>{{ .Title }}</title></head>
<body><ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul></body></html>
"""

# What serum writes for a photo: WebP and JPEG copies at 480/960/1440, the size, lazy loading.
HUGO_IMAGE = """\
{{- $img := .Page.Resources.GetMatch .Destination -}}
{{- $jpg := slice -}}{{- $webp := slice -}}
{{- range slice 480 960 1440 -}}
  {{- if lt . $img.Width -}}
    {{- $j := $img.Resize (printf "%dx q82" .) -}}
    {{- $w := $img.Resize (printf "%dx webp q80" .) -}}
    {{- $jpg = $jpg | append (printf "%s %dw" $j.RelPermalink $j.Width) -}}
    {{- $webp = $webp | append (printf "%s %dw" $w.RelPermalink $w.Width) -}}
  {{- end -}}
{{- end -}}
<picture><source type="image/webp" srcset="{{ delimit $webp ", " }}" sizes="100vw">
<img src="{{ $img.RelPermalink }}" srcset="{{ delimit $jpg ", " }}, {{ $img.RelPermalink }} {{ $img.Width }}w" sizes="100vw" width="{{ $img.Width }}" height="{{ $img.Height }}" alt="{{ .Text }}" loading="lazy" decoding="async"></picture>
"""


def photo(path, seed, width, height):
    """A phone-like photo: a gradient under grain, with EXIF naming the camera and place."""
    from PIL import Image

    rng = random.Random(seed)
    base = Image.linear_gradient("L").resize((width, height))
    colour = Image.merge(
        "RGB",
        [
            base,
            base.rotate(rng.choice([90, 180, 270]), expand=False).resize((width, height)),
            Image.new("L", (width, height), rng.randrange(60, 200)),
        ],
    )
    grain = Image.effect_noise((width, height), 24).convert("RGB")
    picture = Image.blend(colour, grain, 0.25)
    exif = Image.Exif()
    exif[0x010F] = "BenchPhone"
    exif[0x0110] = f"Model {seed}"
    gps = {1: "N", 2: (48.0, 51.0, 24.18), 3: "E", 4: (2.0, 17.0, 40.0)}
    exif[0x8825] = gps
    picture.save(path, "JPEG", quality=90, exif=exif.tobytes())


def generate(root, articles, photos):
    """The serum site and the Hugo site, sharing the same photo files (hard links)."""
    serum, hugo, plain = root / "serum", root / "hugo", root / "serum-plain"
    for site in (serum, hugo, plain):
        if site.exists():
            shutil.rmtree(site)
    (serum / "content/posts").mkdir(parents=True)
    for site in (serum, plain):
        (site / "content/posts").mkdir(parents=True, exist_ok=True)
        (site / "serum.toml").write_text('title = "Bench"\nbase_url = "https://example.com/"\n')
    (hugo / "content/posts").mkdir(parents=True)
    (hugo / "hugo.toml").write_text(HUGO_CONFIG)
    layouts = hugo / "layouts/_default"
    (layouts / "_markup").mkdir(parents=True)
    (layouts / "single.html").write_text(HUGO_SINGLE)
    (layouts / "list.html").write_text(HUGO_LIST)
    (layouts / "_markup/render-image.html").write_text(HUGO_IMAGE)
    (hugo / "layouts/index.html").write_text(HUGO_LIST)
    store = root / "photos"
    store.mkdir(exist_ok=True)
    for i in range(articles):
        body = "\n\n".join(
            f"Paragraph {k} of article {i}.\n\n![Photo {k} of article {i}](photo-{k}.jpg)"
            for k in range(photos)
        )
        text = f'+++\ntitle = "Article {i}"\ndate = 2024-01-{i % 28 + 1:02d}\n+++\n{body}\n'
        bundle = plain / f"content/posts/article-{i}"
        bundle.mkdir(parents=True)
        (bundle / "index.md").write_text(re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text))
        for site in (serum, hugo):
            bundle = site / f"content/posts/article-{i}"
            bundle.mkdir(parents=True)
            (bundle / "index.md").write_text(text)
            for k in range(photos):
                made = store / f"{i}-{k}.jpg"
                if not made.exists():
                    photo(made, i * 100 + k, 3000, 2000)
                os.link(made, bundle / f"photo-{k}.jpg")
    return serum, hugo, plain


def run(command, cwd):
    """Wall and CPU (user + system) seconds of one run."""
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command} failed:\n{process.stderr.read().decode()}")
    return wall, usage.ru_utime + usage.ru_stime


def clean(site, cache):
    shutil.rmtree(site / "public", ignore_errors=True)
    if cache:
        for folder in (".serum-cache", "resources", "hugo-cache"):
            shutil.rmtree(site / folder, ignore_errors=True)
    subprocess.run(["sync"], check=True)


def check(serum, hugo, articles, photos):
    wanted = articles * photos * len(WIDTHS)
    for site in (serum, hugo):
        made = sum(1 for p in (site / "public/posts").rglob("*.webp"))
        if made < wanted:
            raise SystemExit(f"{site.name} made {made} WebP copies, not {wanted}")
    page = (serum / "public/posts/article-0/index.html").read_text()
    if "photo-0-1440w.webp 1440w" not in page:
        raise SystemExit("serum's page lacks its srcset")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100)
    parser.add_argument("--photos", type=int, default=4)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--dir", default="/var/tmp/serum-images-bench")
    parser.add_argument("--serum", default=str(REPO / "target/release/serum"))
    args = parser.parse_args()
    hugo_bin = shutil.which("hugo")
    if not hugo_bin:
        raise SystemExit("needs Hugo extended: apt-get install -y hugo")
    root = Path(args.dir)
    root.mkdir(parents=True, exist_ok=True)
    print(f"generating {args.articles} articles x {args.photos} photos in {root}", flush=True)
    serum, hugo, plain = generate(root, args.articles, args.photos)
    tools = {
        "serum": ([args.serum, "build", "--force"], serum),
        "hugo": ([hugo_bin, "--quiet", "--cacheDir", str(hugo / "hugo-cache")], hugo),
    }
    version = subprocess.run([hugo_bin, "version"], capture_output=True, text=True).stdout.strip()
    print(f"{version}; {os.cpu_count()} cores", flush=True)
    for name, (command, cwd) in tools.items():
        clean(cwd, cache=True)
        run(command, cwd)
    check(serum, hugo, args.articles, args.photos)
    results = {(tool, kind): [] for tool in tools for kind in ("cold", "cached")}
    for r in range(args.runs):
        order = list(tools) if r % 2 == 0 else list(reversed(list(tools)))
        for kind in ("cold", "cached"):
            for name in order:
                command, cwd = tools[name]
                clean(cwd, cache=(kind == "cold"))
                results[(name, kind)].append(run(command, cwd))
        print(f"round {r + 1}/{args.runs} done", flush=True)
    images = args.articles * args.photos
    # What cached photos cost: the same builds of the same articles without them.
    overhead = {}
    for kind in ("cached", "unchanged"):
        times = {}
        for site in (serum, plain):
            command = [args.serum, "build", "--force"]
            run(command, site)
            samples = []
            for _ in range(args.runs):
                if kind == "cached":
                    clean(site, cache=False)
                samples.append(run(command, site)[0])
            times[site] = statistics.median(samples)
        overhead[kind] = (times[serum], times[plain])
    print(f"\n{images} photos of 3000x2000, medians of {args.runs} runs (wall s / cpu s):")
    for kind in ("cold", "cached"):
        walls = {}
        for name in tools:
            wall = statistics.median(w for w, _ in results[(name, kind)])
            cpu = statistics.median(c for _, c in results[(name, kind)])
            walls[name] = wall
            print(f"  {kind:6} {name:5}  {wall:7.2f} / {cpu:7.2f}   {wall / images * 1000:6.2f} ms per photo")
        print(f"  {kind:6} hugo/serum  {walls['hugo'] / walls['serum']:.2f}")
    for kind, (with_photos, without) in overhead.items():
        extra = (with_photos - without) / images * 1000
        print(f"  serum {kind:9} build: {with_photos:.3f} s with the photos, {without:.3f} s without: {extra:.3f} ms per photo")


if __name__ == "__main__":
    sys.exit(main())
