"""Benchmarks and acceptance checks for ``cnn-patch`` (issue 6).

    python benchmarks/bench_cnn_patch.py speed  [--size 520] [--repeat 2] [--threads 2]
    python benchmarks/bench_cnn_patch.py lytro  [--data-dir DIR] [--montage PATH]
    python benchmarks/bench_cnn_patch.py mfvoc  [--data-dir DIR] [--every 1]

``speed``: wall time of one fusion of a 520×520 colour pair (Lytro 01), split
into the network (score map) and the rest; the model is loaded before timing.
``lytro``: mean Q^AB/F (default convention) on the 20 Lytro pairs of our fusion
and of the original implementation's outputs (``mfifb/fused/CNN``).
``mfvoc``: agreement of the decision map (D > 0.5) with the MF-VOC focus map
derived from the ground truth, ignoring a 5-pixel band around the mask edges.
All accept ``--weights PATH`` (default: the packaged checkpoint).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]


def _data_dir(arg: str | None) -> str:
    if arg:
        return arg
    if os.environ.get("FUSEBENCH_DATA"):
        return os.environ["FUSEBENCH_DATA"]
    return str(REPO.parent / "shared" / "datasets")


def _method():
    import methods

    return methods.get_method("cnn-patch")


def cmd_speed(args) -> int:
    import torch

    from bench.io import read_image
    from methods.cnn_patch.plugin import get_model, score_map

    torch.set_num_threads(args.threads)
    root = Path(_data_dir(args.data_dir))
    a, _ = read_image(root / "lytro" / "lytro-01-A.jpg")
    b, _ = read_image(root / "lytro" / "lytro-01-B.jpg")
    a, b = a[: args.size, : args.size], b[: args.size, : args.size]
    m = _method()
    model = get_model(args.weights, args.device)
    m.fuse(a[:64, :64], b[:64, :64], weights=args.weights, device=args.device)  # warm-up (FFT of the head)
    from bench.color import luma

    for i in range(args.repeat):
        t0 = time.perf_counter()
        score_map(luma(a), luma(b), model)
        t1 = time.perf_counter()
        c1 = time.process_time()
        m.fuse(a, b, weights=args.weights, device=args.device)
        t2 = time.perf_counter()
        c2 = time.process_time()
        print(f"run {i + 1}: {a.shape[1]}x{a.shape[0]} pair: network {t1 - t0:.1f} s, "
              f"full fusion {t2 - t1:.1f} s wall, {c2 - c1:.1f} s CPU  (device {next(model.parameters()).device}, "
              f"{torch.get_num_threads()} threads, load avg {os.getloadavg()[0]:.1f})")
    return 0


def cmd_lytro(args) -> int:
    import metrics
    from bench.datasets import load_dataset
    from bench.io import read_image

    root = Path(_data_dir(args.data_dir))
    ds = load_dataset("lytro", data_dir=str(root))
    m = _method()
    ours, theirs, rows = [], [], []
    for pair in ds:
        a, b = pair.a, pair.b
        res = m.fuse(a, b, weights=args.weights, device=args.device)
        num = pair.id.split("-")[-1]
        ref, _ = read_image(root / "mfifb" / "fused" / "CNN" / f"lytro_{num}_CNN.jpg")
        q_ours = metrics.compute("qabf", a, b, res.image)
        q_ref = metrics.compute("qabf", a, b, ref)
        ours.append(q_ours)
        theirs.append(q_ref)
        rows.append((pair.id, res, a, b, ref))
        print(f"{pair.id}: Q^AB/F ours {q_ours:.4f}  original {q_ref:.4f}", flush=True)
    diff = float(np.mean(ours) - np.mean(theirs))
    print(f"mean Q^AB/F over {len(ours)} pairs: ours {np.mean(ours):.4f}, original CNN {np.mean(theirs):.4f}, "
          f"difference {diff:+.4f} -> {'PASS' if abs(diff) <= 0.02 else 'FAIL'} (|diff| <= 0.02)")
    if args.montage:
        montage(rows[: args.montage_pairs], args.montage)
        print(f"montage: {args.montage}")
    return 0 if abs(diff) <= 0.02 else 1


def montage(rows, path) -> None:
    """A, B, focus map, decision map, our fused image, the original CNN output, one row per pair."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cols = ["A", "B", "focus map M", "decision map D", "ours", "original CNN"]
    fig, axes = plt.subplots(len(rows), len(cols), figsize=(2.2 * len(cols), 2.3 * len(rows)))
    axes = np.atleast_2d(axes)
    for r, (pid, res, a, b, ref) in enumerate(rows):
        imgs = [a, b, res.extras["focus_map"], res.decision_map, res.image, ref]
        for c, img in enumerate(imgs):
            ax = axes[r, c]
            if img.ndim == 3:
                ax.imshow(np.clip(img, 0, 255).astype(np.uint8))
            else:
                ax.imshow(img, cmap="gray", vmin=0, vmax=1)
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(cols[c], fontsize=9)
        axes[r, 0].set_ylabel(pid, fontsize=9)
    fig.tight_layout()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=90)
    plt.close(fig)


def edge_band(mask: np.ndarray, width: int = 5) -> np.ndarray:
    """Pixels within ``width`` pixels of the boundary between mask and background."""
    from scipy import ndimage

    st = np.ones((3, 3), bool)
    return ndimage.binary_dilation(mask, st, iterations=width) & ndimage.binary_dilation(~mask, st, iterations=width)


def cmd_mfvoc(args) -> int:
    from bench.datasets import load_dataset

    ds = load_dataset("mf-voc", data_dir=_data_dir(args.data_dir))
    m = _method()
    agree_total = valid_total = 0
    per_pair, ids = [], []
    pairs = list(ds)[:: args.every]
    t0 = time.time()
    for i, pair in enumerate(pairs):
        truth = pair.mask
        res = m.fuse(pair.a, pair.b, weights=args.weights, device=args.device)
        t = truth > 0.5
        valid = (truth != 0.5) & ~edge_band(t)
        agree = ((res.decision_map > 0.5) == t) & valid
        agree_total += int(agree.sum())
        valid_total += int(valid.sum())
        per_pair.append(agree.sum() / max(valid.sum(), 1))
        ids.append(pair.id)
        if (i + 1) % 20 == 0:
            print(f"{i + 1}/{len(pairs)} pairs, pooled agreement so far "
                  f"{100 * agree_total / valid_total:.2f} % ({time.time() - t0:.0f} s)", flush=True)
    pooled = agree_total / valid_total
    print(f"MF-VOC {len(pairs)} pairs: pooled agreement {100 * pooled:.2f} %, mean per pair "
          f"{100 * np.mean(per_pair):.2f} %, median {100 * np.median(per_pair):.2f} %, "
          f"worst {100 * np.min(per_pair):.2f} % -> {'PASS' if pooled >= 0.9 else 'FAIL'} (>= 90 %)")
    worst = np.argsort(per_pair)[:5]
    print("worst pairs: " + ", ".join(f"{ids[i]} {100 * per_pair[i]:.1f} %" for i in worst))
    return 0 if pooled >= 0.9 else 1


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    for name in ("speed", "lytro", "mfvoc"):
        sp = sub.add_parser(name)
        sp.add_argument("--weights", default=None)
        sp.add_argument("--device", default="auto")
        sp.add_argument("--data-dir", default=None)
        sp.add_argument("--threads", type=int, default=2)
        if name == "speed":
            sp.add_argument("--size", type=int, default=520)
            sp.add_argument("--repeat", type=int, default=2)
        if name == "lytro":
            sp.add_argument("--montage", default=None, help="write a montage PNG here")
            sp.add_argument("--montage-pairs", type=int, default=4)
        if name == "mfvoc":
            sp.add_argument("--every", type=int, default=1, help="use every N-th pair")
    args = p.parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    return {"speed": cmd_speed, "lytro": cmd_lytro, "mfvoc": cmd_mfvoc}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
