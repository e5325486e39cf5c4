"""Agreement of cnn-irvis, latlrr, gtf and ifevip with VIFB's published outputs (21 pairs).

    python benchmarks/agreement_vifb_d.py                          # every method, all 21 pairs
    python benchmarks/agreement_vifb_d.py --methods latlrr --pairs kettle,snow
    python benchmarks/agreement_vifb_d.py --data-dir ../shared/datasets

Sources from ``load_dataset("vifb")`` (A = visible, B = infrared), VIFB's file
``vifb/fused/<pair>_<NAME>.jpg``. Per pair: PSNR of our 8-bit output against
theirs (as the ``mfifb-outputs`` target: :func:`bench.validate.mfifb_outputs.psnr`),
PSNR once ours is saved with their JPEG tables (:func:`save_like`), and Q^AB/F of
ours-saved minus Q^AB/F of theirs. Per method: the median PSNR and the number of
pairs with |ΔQ^AB/F| ≤ 0.03 (pass: median ≥ 35 dB or ≥ 18/21 pairs).
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

#: our method -> (VIFB name, parameters): the rows for the vifb-outputs target
ROWS: dict[str, tuple[str, dict]] = {
    "cnn-irvis": ("CNN", {}),
    "latlrr": ("LatLRR", {}),
    "gtf": ("GTF", {}),
    "ifevip": ("IFEVIP", {}),
}


def compare(root: Path, pair, method: str, vifb_name: str, params: dict) -> dict:
    import methods
    import metrics
    from bench.io import read_image
    from bench.validate.mfifb_outputs import psnr, save_like

    a, b = pair.a, pair.b
    theirs_path = root / pair.meta["published_fused"][vifb_name]
    theirs, _ = read_image(theirs_path)
    t0 = time.perf_counter()
    ours = np.rint(methods.get_method(method).fuse(a, b, **params).image)
    secs = time.perf_counter() - t0
    if ours.ndim == 2 and theirs.ndim == 3:
        ours = np.repeat(ours[..., None], 3, axis=2)
    saved = save_like(ours, theirs_path)
    q_ours = metrics.compute("qabf", a, b, saved)
    q_theirs = metrics.compute("qabf", a, b, theirs)
    return {"pair": pair.id, "psnr": psnr(ours, theirs), "psnr_saved": psnr(saved, theirs),
            "q_ours": q_ours, "q_theirs": q_theirs, "dq": q_ours - q_theirs, "secs": secs}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--methods", default=",".join(ROWS))
    p.add_argument("--pairs", default="all", help="'all' or a comma list such as kettle,snow")
    p.add_argument("--data-dir", default=os.environ.get("FUSEBENCH_TEST_DATA",
                                                        str(REPO.parent / "shared" / "datasets")))
    args = p.parse_args(argv)
    os.environ.setdefault("FUSEBENCH_WEIGHTS", str(Path(args.data_dir).parent / "weights"))
    import torch

    torch.set_num_threads(1)
    from bench.datasets import load_dataset

    ds = load_dataset("vifb", data_dir=args.data_dir)
    root = Path(args.data_dir) / "vifb"
    pairs = list(ds) if args.pairs == "all" else [ds[n] for n in args.pairs.split(",")]
    ok_all = True
    for method in args.methods.split(","):
        vifb_name, params = ROWS[method]
        rows = []
        for pair in pairs:
            r = compare(root, pair, method, vifb_name, params)
            rows.append(r)
            print(f"{method:10s} {r['pair']:13s} psnr {r['psnr']:6.2f}  saved {r['psnr_saved']:6.2f}  "
                  f"Qabf ours {r['q_ours']:.4f} theirs {r['q_theirs']:.4f} dq {r['dq']:+.4f}  "
                  f"{r['secs']:.1f}s", flush=True)
        med = float(np.median([r["psnr"] for r in rows]))
        n_ok = sum(abs(r["dq"]) <= 0.03 for r in rows)
        need = int(np.ceil(18 / 21 * len(rows) - 1e-9))  # the brief: 18 of 21 pairs
        ok = med >= 35.0 or n_ok >= need
        ok_all &= ok
        print(f"== {method} vs VIFB {vifb_name}: median PSNR {med:.2f} dB, |dQabf| <= 0.03 on "
              f"{n_ok}/{len(rows)} (need {need}) -> {'PASS' if ok else 'FAIL'}", flush=True)
    return 0 if ok_all else 1


if __name__ == "__main__":
    raise SystemExit(main())
