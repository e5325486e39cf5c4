"""Agreement of gfce, hmsd-gf, hybrid-msd and vsmwls with VIFB's published outputs (21 pairs).

    python benchmarks/agreement_vifb_c.py                          # all four methods, 21 pairs
    python benchmarks/agreement_vifb_c.py --methods vsmwls --pairs carLight,fight
    python benchmarks/agreement_vifb_c.py --data-dir ../shared/datasets

VIFB's files are ``vifb/fused/<pair>_<NAME>.jpg`` (sources ``vifb/sources/{VI,IR}/<pair>.jpg``;
A = visible, B = infrared). Per pair: PSNR of our 8-bit output against their JPEG, and
Q^AB/F of ours saved as theirs was (their file's quantisation tables and subsampling,
:func:`bench.validate.mfifb_outputs.save_like`) minus Q^AB/F of theirs. Per method: the
median PSNR and the number of pairs with |ΔQ^AB/F| ≤ 0.03 (pass: median ≥ 35 dB or ≥ 18/21).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

#: our method -> (VIFB name, parameters): the rows for the vifb-outputs target
ROWS = {
    "gfce": ("GFCE", {}),
    "hmsd-gf": ("HMSD_GF", {}),
    "hybrid-msd": ("Hybrid_MSD", {}),
    "vsmwls": ("VSMWLS", {}),
}


def compare(root: Path, method: str, pair: str) -> dict:
    import methods
    import metrics
    from bench.io import read_image
    from bench.validate.mfifb_outputs import psnr, save_like

    folder, params = ROWS[method]
    theirs_path = root / "fused" / f"{pair}_{folder}.jpg"
    a, _ = read_image(root / "sources" / "VI" / f"{pair}.jpg")
    b, _ = read_image(root / "sources" / "IR" / f"{pair}.jpg")
    theirs, _ = read_image(theirs_path)
    ours = np.rint(methods.get_method(method).fuse(a, b, **params).image)
    saved = save_like(ours, theirs_path)
    q_ours = metrics.compute("qabf", a, b, saved)
    q_theirs = metrics.compute("qabf", a, b, theirs)
    return {"method": method, "pair": pair, "psnr": psnr(ours, theirs),
            "psnr_saved": psnr(saved, theirs), "dq": q_ours - q_theirs,
            "qabf_theirs": q_theirs}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--methods", default=",".join(ROWS))
    ap.add_argument("--pairs", default="")
    ap.add_argument("--data-dir", default=str(REPO.parent / "shared" / "datasets"))
    args = ap.parse_args(argv)
    root = Path(args.data_dir) / "vifb"
    pairs = args.pairs.split(",") if args.pairs else sorted(
        p.stem for p in (root / "sources" / "VI").glob("*.jpg"))
    ok = True
    for m in args.methods.split(","):
        rows = []
        for p in pairs:
            r = compare(root, m, p)
            rows.append(r)
            print(f"{m:11s} {p:13s} psnr {r['psnr']:6.2f}  saved {r['psnr_saved']:6.2f}  "
                  f"dq {r['dq']:+.4f} (theirs {r['qabf_theirs']:.4f})", flush=True)
        med = float(np.median([r["psnr"] for r in rows]))
        n_ok = sum(abs(r["dq"]) <= 0.03 for r in rows)
        need = int(np.ceil(0.9 * len(rows) - 1e-9))
        verdict = "PASS" if med >= 35 or n_ok >= need else "FAIL"
        ok &= verdict == "PASS"
        print(f"== {m}: median psnr {med:.2f} dB, |dq| <= 0.03 on {n_ok}/{len(rows)} -> {verdict}",
              flush=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
