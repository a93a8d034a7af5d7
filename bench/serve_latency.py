#!/usr/bin/env python3
"""Measures `serum serve`'s reload latency: from the moment an edited article is written to
the moment open tabs are told to reload (the `reload` event on the live reload stream).

    python3 bench/serve_latency.py                    # 1,000 and 10,000 articles, 21 edits each
    python3 bench/serve_latency.py --sizes 1000 --edits 51
"""

import argparse
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench import generate, SECTIONS  # noqa: E402


class Events:
    """A minimal reader of the server-sent events stream."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.sendall(b"GET /__serum/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
        self.buffer = b""

    def next_event(self, timeout=30):
        self.sock.settimeout(timeout)
        while True:
            while b"\n" in self.buffer:
                line, self.buffer = self.buffer.split(b"\n", 1)
                line = line.strip()
                if line.startswith(b"event: "):
                    return line[7:].decode()
            chunk = self.sock.recv(65536)
            if not chunk:
                raise RuntimeError("event stream closed")
            self.buffer += chunk


def measure(binary, root, edits):
    server = subprocess.Popen([binary, "serve", "--port", "0", "--root", str(root)], stdout=subprocess.PIPE, text=True)
    try:
        first = server.stdout.readline()
        port = int(first.strip().rsplit(":", 1)[1].rstrip("/"))
        events = Events(port)
        assert events.next_event() == "hello"
        article = root / "content" / SECTIONS[0] / "article-0.md"
        original = article.read_text()
        times = []
        for k in range(edits):
            text = original + f"\nEdit number {k}.\n"
            started = time.perf_counter()
            article.write_text(text)
            name = events.next_event()
            elapsed = time.perf_counter() - started
            if name != "reload":
                sys.exit(f"expected a reload event, got {name}")
            times.append(elapsed * 1000)
            time.sleep(0.15)  # let the tab's reload finish, as a writer's next save would
        article.write_text(original)
        return times
    finally:
        server.terminate()
        server.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--edits", type=int, default=21)
    parser.add_argument("--dir", default="/dev/shm/serum-bench")
    parser.add_argument("--binary", default=str(Path(__file__).resolve().parent.parent / "target/release/serum"))
    args = parser.parse_args()
    subprocess.run(["cargo", "build", "--release", "--quiet"], check=True, cwd=Path(__file__).resolve().parent.parent)
    print(f"{'articles':>9} {'median ms':>10} {'p90 ms':>8} {'max ms':>8}   (write -> reload event, {args.edits} edits)")
    for n in args.sizes:
        root = Path(args.dir) / f"serve-{n}"
        generate(root, n)
        times = sorted(measure(args.binary, root, args.edits))
        p90 = times[int(len(times) * 0.9) - 1]
        print(f"{n:>9} {statistics.median(times):>10.1f} {p90:>8.1f} {times[-1]:>8.1f}")


if __name__ == "__main__":
    main()
