"""Which block sizes MFIFB's DWTDE run settled on: replay ``dwtde`` per Lytro pair.

    python benchmarks/explain_dwtde.py --explain-dwtde 6 [--pairs 20] [--start 1]
        [--data-dir ../shared/datasets]

For each pair, replays dwtde with every combination of the K best block sizes (by the
DE's fitness) per channel and prints the combination closest to the published file
(PSNR saved alike; ∞ = bit-identical) with each size's fitness rank. The agreement
figures themselves come from ``python benchmarks/agreement_mfifb.py --methods
dsift,dwtde`` or ``python -m bench validate --against mfifb-outputs --methods dsift,dwtde``.
Single-threaded BLAS.
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

def explain_dwtde(root, pair, k):
    """Best per-channel block sizes among the k fittest each: (psnr saved alike, sizes, ranks)."""
    import itertools

    import numpy as np

    from bench.io import read_image
    from bench.matlab import round_half_away
    from bench.validate.mfifb_outputs import psnr, save_like
    from methods import dwtde

    a, _ = read_image(root / "sources" / f"{pair}_A.jpg")
    b, _ = read_image(root / "sources" / f"{pair}_B.jpg")
    theirs_path = root / "fused" / "DWTDE" / f"{pair}_DWTDE.jpg"
    theirs, _ = read_image(theirs_path)
    cands, outs = [], []
    for c in range(3):
        la, lb = dwtde.lowpass_bands(a[..., c], b[..., c])
        cost = {(m, n): dwtde.fitness(la, lb, m, n) for m in range(4, 15) for n in range(4, 15)}
        top = sorted(cost, key=cost.get)[:k]
        cands.append(top)
        outs.append({s: dwtde.dwtde_gray(a[..., c], b[..., c], block_size=s)[0] for s in top})
    best = (-1.0, None)
    for combo in itertools.product(*cands):
        fused = np.stack([outs[c][s] for c, s in enumerate(combo)], axis=-1)
        value = psnr(save_like(np.clip(round_half_away(fused), 0, 255), theirs_path), theirs)
        if value > best[0]:
            best = (value, combo)
        if value == float("inf"):
            break
    return best[0], best[1], [cands[c].index(s) + 1 for c, s in enumerate(best[1])]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pairs", type=int, default=20)
    p.add_argument("--start", type=int, default=1, help="first Lytro pair (1..20)")
    p.add_argument("--explain-dwtde", type=int, default=6, metavar="K",
                   help="replay dwtde with the K fittest block sizes per channel (default 6)")
    p.add_argument("--data-dir", default=os.environ.get("FUSEBENCH_TEST_DATA",
                                                        str(REPO.parent / "shared" / "datasets")))
    args = p.parse_args(argv)

    from bench.validate import mfifb_outputs as mo

    root = mo.mfifb_root(args.data_dir)
    for pair in mo.PAIRS[args.start - 1: args.start - 1 + args.pairs]:
        t = time.perf_counter()
        value, sizes, ranks = explain_dwtde(root, pair, args.explain_dwtde)
        print(f"{pair}: psnr saved alike {value:.2f} with block sizes {sizes} "
              f"(fitness ranks {ranks}; {time.perf_counter() - t:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
