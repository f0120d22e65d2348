#!/usr/bin/env python3
"""Bulk import benchmark (issue 4): the 250,000 Open Food Facts records of
shared/data/products/off-2019-compact.jsonl.gz, imported into a fresh SQLite database
with the search indexer running; reports rows per second, the time until search has
caught up, and the ratio to a plain-INSERT baseline run in the same process.

Each record becomes one product: reference = barcode, brand "Open Food Facts", name =
product name (or "Product <barcode>" when it has none), the barcode as GTIN when its
check digit is valid, and the ingredients as the description. Published on import.

    python3 bench/import_250k.py            # all 250,000 rows
    python3 bench/import_250k.py --rows 20000
"""
import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SOURCE = os.path.join(ROOT, "..", "shared", "data", "products", "off-2019-compact.jsonl.gz")


def gtin_ok(code):
    if not code.isdigit() or len(code) not in (8, 12, 13, 14):
        return False
    digits = [int(c) for c in code]
    body, check = digits[:-1], digits[-1]
    total = sum(d * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return (10 - total % 10) % 10 == check


def convert(rows, out):
    seen = set()
    written = 0
    with gzip.open(SOURCE, "rt", encoding="utf-8") as source:
        for line in source:
            if written >= rows:
                break
            record = json.loads(line)
            code = str(record.get("barcode_id") or "").strip()
            if not code or code in seen:
                continue
            seen.add(code)
            name = (record.get("product_name") or "").strip()[:200] or f"Product {code}"
            product = {"reference": code[:100], "brand": "Open Food Facts", "name": name}
            if gtin_ok(code):
                product["codes"] = {"gtins": [code]}
            ingredients = (record.get("ingredients") or "").strip()[:4000]
            if ingredients:
                product["sections"] = {"description": {"text": {"en": ingredients}}}
            out.write(json.dumps(product, ensure_ascii=False) + "\n")
            written += 1
    return written


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=250_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "products.jsonl")
        with open(path, "w", encoding="utf-8") as out:
            written = convert(args.rows, out)
        print(f"prepared {written} rows", file=sys.stderr)
        subprocess.run(
            ["cargo", "build", "--release", "-p", "touchstone", "--example", "import_bench"],
            cwd=ROOT, check=True)
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))
        binary = os.path.join(target, "release", "examples", "import_bench")
        subprocess.run([binary, path], cwd=ROOT, check=True,
                       env={**os.environ, "RUST_LOG": os.environ.get("RUST_LOG", "warn")})


if __name__ == "__main__":
    main()
