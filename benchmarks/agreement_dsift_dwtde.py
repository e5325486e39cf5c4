"""Agreement of ``dsift`` and ``dwtde`` with MFIFB's published outputs (20 Lytro pairs).

    python benchmarks/agreement_dsift_dwtde.py --methods dsift,dwtde [--pairs 20] [--start 1]
        [--crop 128] [--param dwtde:seed=3] [--data-dir ../shared/datasets]

Rows and summary are those of ``bench/validate/mfifb_outputs.py`` (``compare_pair``:
PSNR of our 8-bit output against the published JPEG, Q^AB/F of ours saved with their
file's JPEG tables vs theirs; ``summarize``: median PSNR, pairs with |ΔQ^AB/F| ≤ 0.03).
The two methods join its ``METHODS`` table for this process only, with the rows the
lead adds at merge (``ROWS`` below). ``--crop S`` compares the central S×S window
(16-aligned, so on the published JPEG block grid) instead of the whole pair.

``--explain-dwtde K``: for each pair, replays dwtde with every combination of the K best
block sizes (by the DE's fitness) per channel and prints the combination closest to the
published file (PSNR saved alike; ∞ = bit-identical) with each size's fitness rank:
which sizes the published run's DE settled on.
Single-threaded BLAS; prints seconds per pair.
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

#: our method -> (MFIFB folder, parameters, pairs): the rows to add to mfifb_outputs.METHODS
ROWS = {
    "dsift": ("DSIFT", {}, "lytro"),
    "dwtde": ("DWTDE", {}, "lytro"),
}


def compare_crop(root, method, pair, crop, params):
    """``mfifb_outputs.compare_pair`` on the central crop×crop window (16-aligned)."""
    import numpy as np

    import methods
    import metrics
    from bench.io import read_image
    from bench.validate.mfifb_outputs import psnr, save_like

    folder = ROWS[method][0]
    theirs_path = root / "fused" / folder / f"{pair}_{folder}.jpg"
    a, _ = read_image(root / "sources" / f"{pair}_A.jpg")
    b, _ = read_image(root / "sources" / f"{pair}_B.jpg")
    theirs, _ = read_image(theirs_path)
    y0 = (a.shape[0] - crop) // 2 // 16 * 16
    x0 = (a.shape[1] - crop) // 2 // 16 * 16
    win = (slice(y0, y0 + crop), slice(x0, x0 + crop))
    a, b, theirs = a[win], b[win], theirs[win]
    ours = np.rint(methods.get_method(method).fuse(a, b, **params).image)
    saved = save_like(ours, theirs_path)
    q_ours = metrics.compute("qabf", a, b, saved)
    q_theirs = metrics.compute("qabf", a, b, theirs)
    q_raw = metrics.compute("qabf", a, b, ours)
    return {
        "method": method, "pair": pair,
        "psnr": round(psnr(ours, theirs), 2), "psnr_saved": round(psnr(saved, theirs), 2),
        "qabf_ours": round(q_ours, 4), "qabf_theirs": round(q_theirs, 4),
        "dq": round(q_ours - q_theirs, 4), "dq_raw": round(q_raw - q_theirs, 4),
    }


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
    p.add_argument("--methods", default="dsift,dwtde")
    p.add_argument("--pairs", type=int, default=20)
    p.add_argument("--start", type=int, default=1, help="first Lytro pair (1..20)")
    p.add_argument("--crop", type=int, default=0, help="central S×S window (0: whole pair)")
    p.add_argument("--param", action="append", default=[], help="method:key=value")
    p.add_argument("--explain-dwtde", type=int, default=0, metavar="K",
                   help="replay dwtde with the K fittest block sizes per channel")
    p.add_argument("--data-dir", default=os.environ.get("FUSEBENCH_TEST_DATA",
                                                        str(REPO.parent / "shared" / "datasets")))
    args = p.parse_args(argv)

    import methods
    from bench.validate import mfifb_outputs as mo

    names = [m.strip() for m in args.methods.split(",") if m.strip()]
    overrides: dict[str, dict] = {m: {} for m in names}
    for item in args.param:
        meth, kv = item.split(":", 1)
        key, val = kv.split("=", 1)
        overrides[meth][key] = val
    for m in names:  # this process only: the file itself is not edited
        folder, params, which = ROWS[m]
        cls = methods.get_method(m)
        mo.METHODS[m] = (folder, {**params, **vars(cls.make_params(**overrides[m]))}, which)
    root = mo.mfifb_root(args.data_dir)
    if args.explain_dwtde:
        for pair in mo.PAIRS[args.start - 1: args.start - 1 + args.pairs]:
            value, sizes, ranks = explain_dwtde(root, pair, args.explain_dwtde)
            print(f"{pair}: psnr saved alike {value:.2f} with block sizes {sizes} "
                  f"(fitness ranks {ranks})", flush=True)
        return 0
    rows = []
    for m in names:
        for pair in mo.PAIRS[args.start - 1: args.start - 1 + args.pairs]:
            t = time.perf_counter()
            if args.crop:
                row = compare_crop(root, m, pair, args.crop, mo.METHODS[m][1])
            else:
                row = mo.compare_pair(root, m, pair)
            row["seconds"] = round(time.perf_counter() - t, 1)
            rows.append(row)
            print(row, flush=True)
    for m in names:
        print(mo.summarize(rows, m), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
