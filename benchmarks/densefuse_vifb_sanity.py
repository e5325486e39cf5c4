"""DenseFuse on VIFB pairs: Q^AB/F (VIFB convention) per strategy, beside VIFB's published
Q^AB/F of a few methods on the same pairs (DenseFuse is not in VIFB: a plausibility check,
not an agreement figure).

    python benchmarks/densefuse_vifb_sanity.py [--pairs carLight,kettle,...] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import csv
import time
from pathlib import Path

import numpy as np

PAIRS = ("carLight", "kettle", "manCall", "snow", "walking")
OTHERS = ("DLF", "ResNet", "IFCNN", "GFF")


def main() -> None:
    import torch

    import methods
    from bench.io import read_image
    from metrics.base import compute

    torch.set_num_threads(1)
    ap = argparse.ArgumentParser()
    ap.add_argument("--pairs", default=",".join(PAIRS))
    ap.add_argument("--data-dir", default=str(Path(__file__).resolve().parents[2] / "shared" / "datasets"))
    args = ap.parse_args()
    root = Path(args.data_dir) / "vifb"
    published = {}
    with open(root / "published_metrics" / "vifb_metrics_per_image.csv") as fh:
        for row in csv.DictReader(fh):
            if row["metric"] == "Qabf":
                published[(row["image"], row["method"])] = float(row["value"])
    m = methods.get_method("densefuse")
    variants = {"addition": {}, "l1": {"strategy": "l1"}, "rgb-addition": {"model": "rgb"}}
    rows = []
    for pair in args.pairs.split(","):
        ir, _ = read_image(root / "sources" / "IR" / f"{pair}.jpg")
        vi, _ = read_image(root / "sources" / "VI" / f"{pair}.jpg")
        row = {"pair": pair}
        for label, kw in variants.items():
            t = time.perf_counter()
            f = m.fuse(vi, ir, device="cpu", **kw).image
            row[label] = compute("qabf", vi, ir, np.rint(f), convention="vifb")
            row[label + "_s"] = time.perf_counter() - t
        for other in OTHERS:
            row[other] = published.get((pair, other), float("nan"))
        rows.append(row)
        print(" ".join(f"{k}={v:.4f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()),
              flush=True)
    print("mean Q^AB/F (vifb convention):")
    for key in (*variants, *OTHERS):
        print(f"  {key:14s} {np.mean([r[key] for r in rows]):.4f}")


if __name__ == "__main__":
    main()
