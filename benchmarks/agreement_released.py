"""Agreement with the released example results (lossless triplets of the authors' own code).

    python benchmarks/agreement_released.py                       # every row below
    python benchmarks/agreement_released.py --only nsst-papcnn_s01
    python benchmarks/agreement_released.py --reference ../shared/reference

Each folder of ``<reference>/released-examples/`` holds A.tif, B.tif and the
fused.tif the method's repository ships (README.md there names the script and
settings). Our output is rounded as MATLAB's ``uint8()`` does (halves up,
saturated) and compared pixel by pixel: PSNR, largest absolute difference, the
share of equal pixels, and Q^AB/F of ours minus theirs. The sources are lossless,
so unlike the MFIFB/VIFB JPEG comparisons the figure is exact (pass: ≥ 40 dB).
Add a row to ``ROWS`` for another released example.
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

#: released example folder -> (our method, parameters that reproduce the repository's script)
ROWS = {
    # CSMCA-Fusion @ 6f6c3e79, Script.m: CSMCA_Fusion(img1, img2, Dc, Dt) with its defaults
    "csmca_source": ("csmca", {}),
    # NSST-PAPCNN-Fusion @ 04454e9c, Script_gray.m: fuse_NSST_PAPCNN(A, B), s01 CT + MR-T2
    "nsst-papcnn_s01": ("nsst-papcnn", {}),
}


def compare(folder: Path, method: str, params: dict) -> dict:
    import methods
    import metrics
    from bench.io import read_image

    a, b, theirs = (read_image(folder / f"{n}.tif")[0] for n in ("A", "B", "fused"))
    t0 = time.process_time()
    out = methods.get_method(method).fuse(a, b, **params).image
    cpu = time.process_time() - t0
    ours = np.clip(np.floor(out + 0.5), 0, 255)
    diff = ours - theirs
    mse = float(np.mean(diff ** 2))
    q_ours, q_theirs = metrics.compute("qabf", a, b, ours), metrics.compute("qabf", a, b, theirs)
    return {
        "example": folder.name, "method": method,
        "psnr": float("inf") if mse == 0 else round(10 * np.log10(255.0 ** 2 / mse), 2),
        "max_abs": int(np.abs(diff).max()), "equal": round(float(np.mean(diff == 0)), 5),
        "dq": round(q_ours - q_theirs, 5), "cpu_s": round(cpu, 1),
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--reference", default=str(REPO.parent / "shared" / "reference"))
    ap.add_argument("--only", default="", help="comma-separated example folders")
    args = ap.parse_args(argv)
    root = Path(args.reference) / "released-examples"
    os.environ.setdefault("FUSEBENCH_WEIGHTS", str(Path(args.reference).parent / "weights"))
    todo = [x for x in args.only.split(",") if x] or list(ROWS)
    print(f"{'example':18s} {'method':12s} {'PSNR dB':>8s} {'max|d|':>6s} {'equal':>8s} "
          f"{'dQabf':>8s} {'cpu s':>6s}")
    ok = True
    for name in todo:
        method, params = ROWS[name]
        r = compare(root / name, method, params)
        ok &= r["psnr"] >= 40.0
        print(f"{r['example']:18s} {r['method']:12s} {r['psnr']:8.2f} {r['max_abs']:6d} "
              f"{r['equal']:8.5f} {r['dq']:+8.5f} {r['cpu_s']:6.1f}", flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
