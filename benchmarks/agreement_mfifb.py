"""Agreement with MFIFB's published outputs, per pair with timings (any method of the target).

    python benchmarks/agreement_mfifb.py --methods asr [--pairs 20] [--start 1] [--crop 128]
        [--param asr:step=2] [--all] [--data-dir ../shared/datasets]
    python benchmarks/agreement_mfifb.py --methods lp-sr,rp-sr,nsct-sr --crop 0
    python benchmarks/agreement_mfifb.py --methods csr --crop 0 --all --shard 1/2 --rows csr.jsonl
    python benchmarks/agreement_mfifb.py --summary csr.jsonl [more.jsonl ...]

The figures are ``bench/validate/mfifb_outputs.py``'s, computed by its
``compare_pair`` (one code path; ``--crop S``: the central S×S window, offsets
multiples of 16 so the JPEG block grid is MFIFB's; default: the target's
per-method default, whole pairs except ``asr``/``csr``), summarised by its
``summarize`` (median PSNR; pairs with |ΔQ^AB/F| ≤ 0.03). This script adds
what a validation run does not: a range of pairs (``--start``, ``--pairs``;
``--all``: every MFIFB pair the method has), parameter overrides
(``--param method:key=value``), the seconds per pair, and a row printed as soon
as it is computed (for long runs in the background).

Long runs (``asr``/``csr`` on all 105 whole pairs take CPU-hours): ``--rows FILE``
appends each row to FILE as a JSON line and skips the pairs FILE already holds for
that method and crop, so a killed run resumes where it stopped; ``--shard K/N``
runs the K-th of N shards of the chosen pairs, balanced by pixel count (one job per
core); ``--summary FILE ...`` computes nothing and prints the summaries of the rows
in the files (every row once per method, pair and crop; the last one wins), with
the 20 Lytro pairs summarised on their own as well.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def read_rows(paths) -> list[dict]:
    """The rows of JSON-lines files, one per (method, pair, crop), the last one winning."""
    rows: dict[tuple, dict] = {}
    for path in paths:
        for n, line in enumerate(Path(path).read_text().splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError:  # a line cut short by a killed run
                print(f"{path}:{n}: not a JSON row, ignored", file=sys.stderr)
                continue
            rows[(row["method"], row["pair"], row.get("crop", 0))] = row
    return list(rows.values())


def shard(pairs: list[str], k: int, n: int, size) -> list[str]:
    """The ``k``-th (1-based) of ``n`` shards of ``pairs``, balanced by ``size(pair)``.

    Greedy: largest pair first, each to the lightest shard; a shard keeps the
    pairs' order.

    >>> shard(["a", "b", "c", "d"], 1, 2, {"a": 4, "b": 3, "c": 2, "d": 1}.get)
    ['a', 'd']
    >>> shard(["a", "b", "c", "d"], 2, 2, {"a": 4, "b": 3, "c": 2, "d": 1}.get)
    ['b', 'c']
    """
    if not 1 <= k <= n:
        raise SystemExit(f"--shard {k}/{n}: K must be between 1 and N")
    load, owner = [0] * n, {}
    for pair in sorted(pairs, key=lambda q: (-size(q), q)):
        i = min(range(n), key=lambda j: (load[j], j))
        load[i] += size(pair)
        owner[pair] = i
    return [q for q in pairs if owner[q] == k - 1]


def pixels(root: Path, pair: str) -> int:
    """Pixels of ``pair``'s A source (header only)."""
    from PIL import Image

    with Image.open(next((root / "sources").glob(pair + "_A.*"))) as im:
        return im.size[0] * im.size[1]


def print_summaries(rows: list[dict]) -> None:
    from bench.validate import mfifb_outputs as mo

    for m in dict.fromkeys(r["method"] for r in rows):
        for crop in sorted({r.get("crop", 0) for r in rows if r["method"] == m}):
            mine = [r for r in rows if r["method"] == m and r.get("crop", 0) == crop]
            lytro = [r for r in mine if r["pair"] in mo.PAIRS]
            if lytro and len(lytro) < len(mine):
                print(mo.summarize(lytro, m, f"summary lytro ({len(lytro)} pairs)"), flush=True)
            print(mo.summarize(mine, m, f"summary ({len(mine)} pairs)"), flush=True)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--methods", default="asr")
    p.add_argument("--pairs", type=int, default=20, help="how many pairs from --start")
    p.add_argument("--start", type=int, default=1, help="first pair (1-based)")
    p.add_argument("--all", action="store_true", help="every MFIFB pair (methods MFIFB has on all)")
    p.add_argument("--crop", type=int, default=None,
                   help="central S×S window (0: whole pairs; default: the target's per method)")
    p.add_argument("--param", action="append", default=[], help="method:key=value")
    p.add_argument("--rows", help="append rows to this JSON-lines file; skip pairs it holds")
    p.add_argument("--shard", default="1/1", help="K/N: the K-th of N pixel-balanced shards")
    p.add_argument("--summary", nargs="+", metavar="FILE",
                   help="print the summaries of these row files and stop")
    p.add_argument("--data-dir", default=os.environ.get("FUSEBENCH_TEST_DATA",
                                                        str(REPO.parent / "shared" / "datasets")))
    args = p.parse_args(argv)
    if args.summary:
        print_summaries(read_rows(args.summary))
        return 0
    try:
        k, n = (int(v) for v in args.shard.split("/"))
    except ValueError:
        raise SystemExit(f"--shard {args.shard!r}: expected K/N, e.g. 1/2") from None
    os.environ.setdefault("FUSEBENCH_WEIGHTS", str(REPO.parent / "shared" / "weights"))
    try:
        import torch

        torch.set_num_threads(1)
    except ImportError:  # pragma: no cover
        pass

    import methods
    from bench.validate import mfifb_outputs as mo

    names = [m.strip() for m in args.methods.split(",") if m.strip()]
    params = {m: dict(mo.METHODS[m][1]) for m in names}
    for item in args.param:
        meth, kv = item.split(":", 1)
        key, val = kv.split("=", 1)
        default = getattr(methods.get_method(meth).Params(), key)
        params[meth][key] = type(default)(val)
    root = mo.mfifb_root(args.data_dir)
    held = []
    if args.rows and Path(args.rows).exists():
        held = read_rows([args.rows])
        text = Path(args.rows).read_bytes()
        if text and not text.endswith(b"\n"):  # a line cut short by a killed run: close it
            with open(args.rows, "ab") as f:
                f.write(b"\n")
    rows = []
    for m in names:
        crop = mo.DEFAULT_CROP.get(m, 0) if args.crop is None else args.crop
        pairs = mo.list_pairs(root) if args.all else mo.PAIRS
        pairs = pairs[args.start - 1: args.start - 1 + (len(pairs) if args.all else args.pairs)]
        pairs = shard(pairs, k, n, lambda q: pixels(root, q))
        done = {r["pair"]: r for r in held if r["method"] == m and r.get("crop", 0) == crop}
        for pair in pairs:
            if pair in done:
                rows.append(done[pair])
                continue
            t = time.perf_counter()
            row = mo.compare_pair(root, m, pair, crop=crop, params=params[m])
            row["seconds"] = round(time.perf_counter() - t, 1)
            rows.append(row)
            print(row, flush=True)
            if args.rows:
                with open(args.rows, "a") as f:
                    f.write(json.dumps(row) + "\n")
    print_summaries(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
