"""Agreement with MFIFB's published outputs, per pair with timings (any method of the target).

    python benchmarks/agreement_mfifb.py --methods asr [--pairs 20] [--start 1] [--crop 128]
        [--param asr:step=2] [--all] [--data-dir ../shared/datasets]
    python benchmarks/agreement_mfifb.py --methods lp-sr,rp-sr,nsct-sr --crop 0

The figures are ``bench/validate/mfifb_outputs.py``'s, computed by its
``compare_pair`` (one code path; ``--crop S``: the central S×S window, offsets
multiples of 16 so the JPEG block grid is MFIFB's; default: the target's
per-method default, whole pairs except ``asr``/``csr``), summarised by its
``summarize`` (median PSNR; pairs with |ΔQ^AB/F| ≤ 0.03). This script adds
what a validation run does not: a range of pairs (``--start``, ``--pairs``;
``--all``: every MFIFB pair the method has), parameter overrides
(``--param method:key=value``), the seconds per pair, and a row printed as soon
as it is computed (for long runs in the background).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--methods", default="asr")
    p.add_argument("--pairs", type=int, default=20, help="how many pairs from --start")
    p.add_argument("--start", type=int, default=1, help="first pair (1-based)")
    p.add_argument("--all", action="store_true", help="every MFIFB pair (methods MFIFB has on all)")
    p.add_argument("--crop", type=int, default=None,
                   help="central S×S window (0: whole pairs; default: the target's per method)")
    p.add_argument("--param", action="append", default=[], help="method:key=value")
    p.add_argument("--data-dir", default=os.environ.get("FUSEBENCH_TEST_DATA",
                                                        str(REPO.parent / "shared" / "datasets")))
    args = p.parse_args(argv)
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
    rows = []
    for m in names:
        crop = mo.DEFAULT_CROP.get(m, 0) if args.crop is None else args.crop
        pairs = mo.list_pairs(root) if args.all else mo.PAIRS
        for pair in pairs[args.start - 1: args.start - 1 + (len(pairs) if args.all else args.pairs)]:
            t = time.perf_counter()
            row = mo.compare_pair(root, m, pair, crop=crop, params=params[m])
            row["seconds"] = round(time.perf_counter() - t, 1)
            rows.append(row)
            print(row, flush=True)
    for m in names:
        print(mo.summarize(rows, m), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
