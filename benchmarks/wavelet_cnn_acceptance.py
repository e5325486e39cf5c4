"""Issue 16 acceptance 3 for ``wavelet-cnn``: mean Q^AB/F on Lytro and PSNR against ground
truth on MF-VOC, each beside ``dwt`` (and ``cnn-patch`` with the trained-here weights, the
pixel-domain patch CNN, where asked).

    nice python benchmarks/wavelet_cnn_acceptance.py --data-dir ../shared/datasets \\
        --lytro 20 --mfvoc 10 [--methods wavelet-cnn,dwt]

Prints one Markdown table per dataset (mean over the first N pairs; per pair with -v).
"""

from __future__ import annotations

import argparse
import time

import numpy as np


def evaluate(dataset: str, n: int, names: list[str], data_dir: str, verbose: bool) -> dict:
    import metrics
    from bench.datasets import load_dataset
    from methods import get_method

    ds = load_dataset(dataset, data_dir=data_dir)
    pairs = ds.pairs[:n]
    cols = ["qabf"] + (["psnr-gt", "ssim-gt"] if dataset == "mf-voc" else [])
    out = {m: {c: [] for c in cols} | {"seconds": []} for m in names}
    for pair in pairs:
        a, b = pair.a, pair.b
        ref = pair.ground_truth if "psnr-gt" in cols else None
        for m in names:
            t = time.time()
            fused = get_method(m).fuse(a, b).image
            out[m]["seconds"].append(time.time() - t)
            for c in cols:
                out[m][c].append(float(metrics.compute(c, a, b, fused, reference=ref)))
            if verbose:
                print(pair.id, m, {c: round(out[m][c][-1], 4) for c in cols}, flush=True)
    print(f"\n{dataset}: first {len(pairs)} pairs")
    print("| method | " + " | ".join(cols) + " | s/pair |\n|---|" + "---|" * (len(cols) + 1))
    for m in names:
        print(f"| {m} | " + " | ".join(f"{np.mean(out[m][c]):.4f}" for c in cols)
              + f" | {np.mean(out[m]['seconds']):.1f} |")
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", default="../shared/datasets")
    p.add_argument("--lytro", type=int, default=20, help="first N Lytro pairs (0: skip)")
    p.add_argument("--mfvoc", type=int, default=10, help="first N MF-VOC pairs (0: skip)")
    p.add_argument("--methods", default="wavelet-cnn,dwt")
    p.add_argument("-v", "--verbose", action="store_true")
    args = p.parse_args()
    import torch

    torch.set_num_threads(2)
    names = args.methods.split(",")
    if args.lytro:
        evaluate("lytro", args.lytro, names, args.data_dir, args.verbose)
    if args.mfvoc:
        evaluate("mf-voc", args.mfvoc, names, args.data_dir, args.verbose)


if __name__ == "__main__":
    main()
