#!/usr/bin/env python3
"""PDQ, file to hash: Meta's reference (PyPI `pdqhash`, the C++ wrapped) against ours.

Usage (from anywhere):  python3 bench/pdq_vs_reference.py [--runs N] [FILES...]

Without FILES it takes the five largest photos of ../shared/data/photos/products/.
It creates (or reuses) bench/.venv with pdqhash, pillow and numpy from PyPI, times the
reference as an application would use it (PIL open + convert("RGB") + numpy array +
pdqhash.compute), builds and runs our `pdq_time` example in release mode (which times
read + decode + all 8 dihedral hashes inside the process, excluding process start), and
prints per-file medians and the ratio. ($CARGO_TARGET_DIR, default /work/target-si, is
where the example is built.) The machine is shared and noisy: compare ratios
from one run, not absolute milliseconds across runs.
"""

import os
import statistics
import subprocess
import sys
import time
import venv

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
VENV = os.path.join(BENCH, ".venv")
PHOTOS = os.path.normpath(os.path.join(REPO, "..", "shared", "data", "photos", "products"))
PACKAGES = ["pdqhash", "pillow", "numpy"]


def venv_python():
    return os.path.join(VENV, "bin", "python")


def ensure_venv():
    if not os.path.exists(venv_python()):
        venv.EnvBuilder(with_pip=True).create(VENV)
    probe = subprocess.run(
        [venv_python(), "-c", "import pdqhash, PIL, numpy"], capture_output=True
    )
    if probe.returncode != 0:
        subprocess.run([venv_python(), "-m", "pip", "install", "-q", *PACKAGES], check=True)


REFERENCE = r"""
import sys, time, statistics
import numpy as np, pdqhash
from PIL import Image
runs = int(sys.argv[1])
for path in sys.argv[2:]:
    times = []
    for i in range(runs + 1):
        t = time.perf_counter()
        img = Image.open(path).convert("RGB")
        h, q = pdqhash.compute(np.asarray(img))
        ms = (time.perf_counter() - t) * 1000
        if i:
            times.append(ms)
    bits = "".join("1" if b else "0" for b in h)
    print(f"{statistics.median(times):.2f}\t{q}\t{int(bits, 2):064x}\t{path}")
"""


def run_reference(files, runs):
    out = subprocess.run(
        [venv_python(), "-c", REFERENCE, str(runs), *files],
        check=True, capture_output=True, text=True,
    ).stdout
    return parse(out)


def target_dir():
    return os.environ.get("CARGO_TARGET_DIR", "/work/target-si")


def build_ours():
    """`cargo build --release --example pdq_time`, once, before anything is timed."""
    env = dict(os.environ, CARGO_TARGET_DIR=target_dir())
    cmd = ["cargo", "build", "--release", "-q", "-p", "search-index", "--example", "pdq_time"]
    built = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True)
    if built.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{built.stderr}")
    return os.path.join(target_dir(), "release", "examples", "pdq_time")


def run_ours(binary, files, runs):
    # The binary built above, run directly: equivalent to `cargo run --release ...` without
    # a second build (other people share the target directory).
    done = subprocess.run([binary, "--runs", str(runs), *files], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"pdq_time failed:\n{done.stderr}")
    return parse(done.stdout)


def parse(text):
    rows = {}
    for line in text.strip().splitlines():
        ms, quality, hexhash, path = line.split("\t", 3)
        rows[path] = (float(ms), int(quality), hexhash)
    return rows


def main():
    args = sys.argv[1:]
    runs = 5
    if args[:1] == ["--runs"]:
        runs, args = int(args[1]), args[2:]
    files = args or sorted(
        (os.path.join(PHOTOS, f) for f in os.listdir(PHOTOS)),
        key=os.path.getsize, reverse=True,
    )[:5]
    ensure_venv()
    # Build first so that compilation is not timed or interleaved with the reference.
    binary = build_ours()
    # Two rounds, alternating, so that a burst of load on the shared machine hits both.
    ref_rounds, our_rounds = [], []
    for _ in range(2):
        ref_rounds.append(run_reference(files, runs))
        our_rounds.append(run_ours(binary, files, runs))
    print(f"{'file':32} {'size':>9} {'reference ms':>12} {'ours ms':>8} {'ratio':>6} {'bits':>4}")
    ratios = []
    for f in files:
        ref_ms = min(r[f][0] for r in ref_rounds)
        our_ms = min(r[f][0] for r in our_rounds)
        dist = bin(int(ref_rounds[0][f][2], 16) ^ int(our_rounds[0][f][2], 16)).count("1")
        ratios.append(ref_ms / our_ms)
        size = os.path.getsize(f)
        print(f"{os.path.basename(f):32} {size:9d} {ref_ms:12.1f} {our_ms:8.1f} "
              f"{ref_ms / our_ms:6.1f} {dist:4d}")
    print(f"ratio: median {statistics.median(ratios):.1f}x, min {min(ratios):.1f}x "
          f"(per file: min over 2 rounds of the median of {runs} runs; bits = Hamming "
          f"distance between the two hashes)")


if __name__ == "__main__":
    main()
