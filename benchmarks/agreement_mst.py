"""Agreement of the MST-SR methods with the authors' outputs shipped by MFIFB (20 Lytro pairs).

    python benchmarks/agreement_mst.py                        # lp-sr, rp-sr, nsct-sr, all 20 pairs
    python benchmarks/agreement_mst.py --methods rp-sr --pairs lytro_01,lytro_08
    python benchmarks/agreement_mst.py --data-dir ../shared/datasets
    python benchmarks/agreement_mst.py --crop --methods nsct-sr   # a 160×160 crop of pair 01

``--crop``: one colour channel of a 160×160 crop of Lytro pair 01 (offset 160,
even, so the patch grid matches), compared with the same region of their
output 40 px inside the crop edges (the transforms' support); for methods too
slow to run on 20 full pairs here (``nsct-sr`` codes every pixel's patch).

Uses :mod:`bench.validate.mfifb_outputs` unchanged (``compare_pair``,
``summarize``: PSNR of our 8-bit output against their JPEG, Q^AB/F of ours
saved as MATLAB saves vs theirs); the rows below are added to its method table
at run time only. Prints one row per pair and, per method, the median PSNR and
the number of pairs with |ΔQ^AB/F| ≤ 0.03 (rule: median PSNR ≥ 35 dB, or
|ΔQ^AB/F| ≤ 0.03 on ≥ 16/20 pairs).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

#: our method -> (MFIFB folder, parameters, criterion), the rows to fold into mfifb_outputs.METHODS
ROWS = {
    "lp-sr": ("MST_SR", {}, "qabf"),
    "rp-sr": ("RP_SR", {}, "qabf"),
    # MFIFB / VIFB ran NSCT_SR with nlevels = [2] (one pyramid level, 4 directions; VIFB's
    # methods/NSCT_SR/run_NSCT_SR.m), not the toolbox demo's [2,3,3,4]
    "nsct-sr": ("NSCT_SR", {"directions": "2"}, "qabf"),
}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--methods", default=",".join(ROWS))
    p.add_argument("--pairs", default="all", help="'all' or a comma list such as lytro_01,lytro_08")
    p.add_argument("--data-dir", default=os.environ.get("FUSEBENCH_TEST_DATA",
                                                        str(REPO.parent / "shared" / "datasets")))
    p.add_argument("--crop", action="store_true", help="the quick crop check (see above)")
    args = p.parse_args(argv)

    from bench.validate import mfifb_outputs as mo

    if args.crop:
        return crop_check(mo, args)

    for name, row in ROWS.items():
        mo.METHODS.setdefault(name, row)
    root = mo.mfifb_root(args.data_dir)
    pairs = mo.PAIRS if args.pairs == "all" else [s.strip() for s in args.pairs.split(",")]
    names = [m.strip() for m in args.methods.split(",") if m.strip()]
    rows = []
    print(f"{'method':<8} {'pair':<9} {'psnr':>7} {'psnr_sv':>8} {'q_ours':>7} {'q_theirs':>8} {'dq':>8}")
    for m in names:
        for pair in pairs:
            r = mo.compare_pair(root, m, pair)
            rows.append(r)
            print(f"{m:<8} {pair:<9} {r['psnr']:>7.2f} {r['psnr_saved']:>8.2f} {r['qabf_ours']:>7.4f} "
                  f"{r['qabf_theirs']:>8.4f} {r['dq']:>8.4f}", flush=True)
    for m in names:
        s = mo.summarize(rows, m)
        print(f"{m}: median psnr {s['psnr']:.2f} dB (saved alike {s['psnr_saved']:.2f}); {s['verdict']}")
    return 0


def crop_check(mo, args) -> int:
    import numpy as np

    import methods
    from bench.io import read_image

    root = mo.mfifb_root(args.data_dir)
    a, _ = read_image(root / "sources" / "lytro_01_A.jpg")
    b, _ = read_image(root / "sources" / "lytro_01_B.jpg")
    y0, n, m = 160, 160, 40
    win = (slice(y0, y0 + n), slice(y0, y0 + n), 1)
    inner = (slice(y0 + m, y0 + n - m), slice(y0 + m, y0 + n - m), 1)
    for name in [s.strip() for s in args.methods.split(",") if s.strip()]:
        folder, params, _ = ROWS[name]
        theirs, _ = read_image(root / "fused" / folder / f"lytro_01_{folder}.jpg")
        f = np.rint(methods.get_method(name).fuse(a[win], b[win], **params).image)[m:-m, m:-m]
        print(f"{name} {params}: PSNR of the crop interior vs {folder}: "
              f"{mo.psnr(f, theirs[inner]):.2f} dB", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
