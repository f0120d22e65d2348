#!/usr/bin/env python3
"""Range search at Hamming distance 31 over 256-bit codes: our HammingIndex against
FAISS IndexBinaryFlat and IndexBinaryMultiHash, one photo's 8 variants per query.

    python3 bench/hamming_vs_faiss.py            # 1M and 10M codes (about 5 minutes)
    python3 bench/hamming_vs_faiss.py --sizes 1000000 --batches 10

Creates bench/.venv with faiss-cpu and numpy on first use and re-runs itself there.
Codes are random (seeded); each query batch is 8 random codes, as a photo's dihedral
variants are ~128 bits apart; a few codes near one variant of some batches are planted
so that both sides must find the same hits. FAISS's range_search radius is strict, so
d <= 31 is radius 32. Our side is timed inside a release build of
`search-index/examples/hamming_time.rs` on the same codes, in the same run.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
VENV = os.path.join(HERE, ".venv")
VENV_PYTHON = os.path.join(VENV, "bin", "python")
MAX_DISTANCE = 31
VARIANTS = 8


def ensure_venv():
    if os.path.realpath(sys.prefix) == os.path.realpath(VENV):
        return
    if not os.path.exists(VENV_PYTHON):
        print("creating", VENV, flush=True)
        subprocess.check_call([sys.executable, "-m", "venv", VENV])
        subprocess.check_call([VENV_PYTHON, "-m", "pip", "install", "-q", "faiss-cpu", "numpy"])
    os.execv(VENV_PYTHON, [VENV_PYTHON, os.path.abspath(__file__)] + sys.argv[1:])


def make_data(np, n, batches, seed):
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
    queries = rng.integers(0, 256, size=(batches * VARIANTS, 32), dtype=np.uint8)
    # Plant near-duplicates of one variant of every other batch: 0..40 flipped bits.
    bits = np.unpackbits(queries, axis=1)
    planted = 0
    for b in range(0, batches, 2):
        v = b * VARIANTS + int(rng.integers(0, VARIANTS))
        for _ in range(5):
            flipped = bits[v].copy()
            idx = rng.choice(256, size=int(rng.integers(0, 41)), replace=False)
            flipped[idx] ^= 1
            codes[int(rng.integers(0, n))] = np.packbits(flipped)
            planted += 1
    return codes, queries, planted


def time_faiss(faiss, index, queries, repeats):
    """Median seconds per 8-variant batch, and total hits of the first round."""
    times, hits = [], 0
    index.range_search(queries[:VARIANTS], MAX_DISTANCE + 1)  # warm up
    for r in range(repeats):
        for b in range(0, len(queries), VARIANTS):
            batch = queries[b : b + VARIANTS]
            t = time.perf_counter()
            lims, _, _ = index.range_search(batch, MAX_DISTANCE + 1)
            times.append(time.perf_counter() - t)
            if r == 0:
                hits += int(lims[-1])
    times.sort()
    return times[len(times) // 2], hits


def build_ours(dest):
    """Builds the release example and copies the binary to `dest` (so that other builds
    sharing the target directory cannot change it under us). Retries a failed build."""
    cmd = ["cargo", "build", "--release", "-p", "search-index", "--example", "hamming_time",
           "--message-format=json-render-diagnostics"]
    for attempt in range(3):
        proc = subprocess.run(cmd, cwd=ROOT, text=True, stdout=subprocess.PIPE)
        if proc.returncode == 0:
            for line in proc.stdout.splitlines():
                msg = json.loads(line)
                if msg.get("reason") == "compiler-artifact" and msg.get("executable"):
                    shutil.copy(msg["executable"], dest)
                    return dest
        print(f"build attempt {attempt + 1} failed, retrying", flush=True)
        time.sleep(5)
    sys.exit("could not build the hamming_time example")


def run_ours(binary, codes_path, queries_path, threads, repeats):
    cmd = [binary, codes_path, queries_path, "--max-distance", str(MAX_DISTANCE),
           "--repeats", str(repeats), "--threads", str(threads)]
    out = subprocess.check_output(cmd, text=True)
    return dict(re.findall(r"(\w+)=(\S+)", out))


def main():
    ensure_venv()
    import faiss
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--batches", type=int, default=10, help="8-variant queries per size")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--skip-mih-above", type=int, default=10_000_000,
                        help="skip FAISS MultiHash above this size (its build is slow)")
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="hamming_vs_faiss_")
    binary = build_ours(os.path.join(workdir, "hamming_time"))
    print(f"faiss {faiss.__version__}, numpy {np.__version__}, {os.cpu_count()} CPUs, "
          f"d <= {MAX_DISTANCE}, {args.batches} queries of {VARIANTS} variants per size")
    rows = []
    for n in args.sizes:
        codes, queries, planted = make_data(np, n, args.batches, args.seed)
        with tempfile.TemporaryDirectory() as tmp:
            codes_path = os.path.join(tmp, "codes.bin")
            queries_path = os.path.join(tmp, "queries.bin")
            codes.tofile(codes_path)
            queries.tofile(queries_path)
            ours = {t: run_ours(binary, codes_path, queries_path, t, repeats=5) for t in (1, 2)}

        faiss_results = {}
        flat = faiss.IndexBinaryFlat(256)
        flat.add(codes)
        indexes = [("Flat", flat, 0.0)]
        if n <= args.skip_mih_above:
            t = time.perf_counter()
            mih = faiss.IndexBinaryMultiHash(256, 16, 16)
            mih.nflip = 1  # exact at d <= 31: some 16-bit chunk is within 1 bit
            mih.add(codes)
            indexes.append(("MultiHash(16x16,nflip=1)", mih, time.perf_counter() - t))
        for name, index, build in indexes:
            for threads in (1, 2):
                faiss.omp_set_num_threads(threads)
                secs, hits = time_faiss(faiss, index, queries, repeats=1 if n > 2_000_000 else 2)
                faiss_results[(name, threads)] = (secs * 1e6, hits, build)
        del indexes, flat

        our_hits = {int(o["hits"]) for o in ours.values()}
        faiss_hits = {h for _, h, _ in faiss_results.values()}
        same = our_hits == faiss_hits and len(our_hits) == 1
        print(f"\n== {n:,} codes ({planted} planted near-duplicates); hits ours={our_hits} "
              f"faiss={faiss_hits}: {'same' if same else 'DIFFERENT'}")
        print(f"ours: build {ours[1]['build_ms']} ms, {ours[1]['bytes_per_entry']} bytes/entry, "
              f"kernel {ours[1]['kernel']}")
        for t, o in ours.items():
            print(f"  ours      {t} thread(s): {float(o['per_query_us_median']):10.0f} us per query")
        for (name, t), (us, _, build) in faiss_results.items():
            extra = f" (build {build:.1f} s)" if build else ""
            print(f"  faiss {name} {t} thread(s): {us:10.0f} us per query{extra}")
        best_faiss = min(us for us, _, _ in faiss_results.values())
        best_name = min(faiss_results.items(), key=lambda kv: kv[1][0])[0]
        for t, o in ours.items():
            ratio = best_faiss / float(o["per_query_us_median"])
            print(f"  ratio: FAISS best ({best_name[0]}, {best_name[1]} thr) / ours ({t} thr) "
                  f"= {ratio:.1f}x")
        rows.append((n, ours, faiss_results, same))
        if not same:
            sys.exit("hit counts differ between FAISS and our index")
    shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
