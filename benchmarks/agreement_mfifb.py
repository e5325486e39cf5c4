"""Agreement of the sparse methods with MFIFB's published outputs (Lytro pairs).

    python benchmarks/agreement_mfifb.py --methods asr [--pairs 20] [--crop 128]
        [--start 1] [--param asr:step=2] [--data-dir ../shared/datasets]

Uses the figures of ``bench/validate/mfifb_outputs.py`` (PSNR against the
published JPEG, Q^AB/F of ours saved as MATLAB saves it vs theirs) without
editing it: the rows it prints are ``compare_pair``'s, and the summary is
``summarize``'s (median PSNR; pairs with |ΔQ^AB/F| ≤ 0.03). The methods here
join its ``METHODS`` table for this process only, with the row the lead adds
at merge (MFIFB folder, parameters, criterion).

``--crop S`` compares the central S×S window (S and its offset multiples of
16, so the JPEG block grid is the published one) — for methods too slow to
run on whole 520×520 pairs in a check (``asr`` at the released step 1).
``--param method:key=value`` overrides a parameter (e.g. ``asr:step=2``).
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

#: our method -> (MFIFB folder, parameters, criterion): the rows to add to mfifb_outputs.METHODS
ROWS = {
    "asr": ("ASR", {}, "qabf"),
    "csr": ("CSR", {}, "qabf"),
}


def compare_crop(root, method, pair, crop, params):
    """``mfifb_outputs.compare_pair`` on the central crop×crop window (16-aligned)."""
    import numpy as np

    import methods
    import metrics
    from bench.io import read_image
    from bench.validate.mfifb_outputs import psnr, save_like_matlab_jpeg

    folder = ROWS[method][0]
    a, _ = read_image(root / "sources" / f"{pair}_A.jpg")
    b, _ = read_image(root / "sources" / f"{pair}_B.jpg")
    theirs, _ = read_image(root / "fused" / folder / f"{pair}_{folder}.jpg")
    y0 = (a.shape[0] - crop) // 2 // 16 * 16
    x0 = (a.shape[1] - crop) // 2 // 16 * 16
    win = (slice(y0, y0 + crop), slice(x0, x0 + crop))
    a, b, theirs = a[win], b[win], theirs[win]
    ours = np.rint(methods.get_method(method).fuse(a, b, **params).image)
    saved = save_like_matlab_jpeg(ours)
    q_ours = metrics.compute("qabf", a, b, saved)
    q_theirs = metrics.compute("qabf", a, b, theirs)
    q_raw = metrics.compute("qabf", a, b, ours)
    return {
        "method": method, "pair": pair,
        "psnr": round(psnr(ours, theirs), 2), "psnr_saved": round(psnr(saved, theirs), 2),
        "qabf_ours": round(q_ours, 4), "qabf_theirs": round(q_theirs, 4),
        "dq": round(q_ours - q_theirs, 4), "dq_raw": round(q_raw - q_theirs, 4),
    }


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--methods", default="asr")
    p.add_argument("--pairs", type=int, default=20)
    p.add_argument("--start", type=int, default=1, help="first Lytro pair (1..20)")
    p.add_argument("--crop", type=int, default=0, help="central S×S window (0: whole pair)")
    p.add_argument("--param", action="append", default=[], help="method:key=value")
    p.add_argument("--data-dir", default=os.environ.get("FUSEBENCH_TEST_DATA",
                                                        str(REPO.parent / "shared" / "datasets")))
    args = p.parse_args(argv)

    from bench.validate import mfifb_outputs as mo

    names = [m.strip() for m in args.methods.split(",") if m.strip()]
    overrides: dict[str, dict] = {m: {} for m in names}
    for item in args.param:
        meth, kv = item.split(":", 1)
        key, val = kv.split("=", 1)
        overrides[meth][key] = type(getattr(_params(meth), key))(val)
    for m in names:  # this process only: the file itself is not edited
        folder, params, crit = ROWS[m]
        mo.METHODS[m] = (folder, {**params, **overrides[m]}, crit)
    root = mo.mfifb_root(args.data_dir)
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


def _params(method):
    import methods

    return methods.get_method(method).Params()


if __name__ == "__main__":
    raise SystemExit(main())
