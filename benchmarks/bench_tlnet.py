"""tlnet speed and quality checks (numbers for the README / issue 7).

    python benchmarks/bench_tlnet.py --speed            # 520×520 pair, cpu model; paper 224 forward
    python benchmarks/bench_tlnet.py --lytro --montage /tmp/tlnet_maps.png
    python benchmarks/bench_tlnet.py --mf-voc 40

``--speed``: median wall time of ``tlnet`` fusing a 520×520 Lytro pair with the
shipped ``cpu`` checkpoint (two network passes + two Q^AB/F), and of one
paper-configuration forward pass at 224×224. ``--lytro``: mean luma Q^AB/F on
the 20 Lytro pairs for tlnet and the classic baselines dwt, pca, msvd (and
average). ``--mf-voc N``: PSNR (pooled MSE, and median) against the ground truth on N MF-VOC
triplets. ``--montage``: sources, M1, M2 and the chosen map for Lytro pairs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

import numpy as np


def _data_dir(arg):
    return Path(arg) if arg else Path(__file__).resolve().parents[2] / "shared" / "datasets"


def bench_speed(data: Path, threads: int, repeats: int = 3) -> None:
    import torch

    import methods
    from bench.io import read_image
    from methods.tlnet.model import TLNet

    torch.set_num_threads(threads)
    a, _ = read_image(data / "lytro" / "lytro-01-A.jpg")
    b, _ = read_image(data / "lytro" / "lytro-01-B.jpg")
    m = methods.get_method("tlnet")
    m.fuse(a[:64, :64], b[:64, :64])  # load the checkpoint once
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        m.fuse(a, b)
        times.append(time.perf_counter() - t)
    print(f"tlnet (cpu checkpoint) 520x520 pair: median {statistics.median(times):.2f} s "
          f"over {repeats} runs, {threads} thread(s)")
    net = TLNet("paper").eval()
    with torch.no_grad():
        t = time.perf_counter()
        net(torch.zeros(1, 3, 224, 224))
    print(f"tlnet paper configuration forward 224x224: {time.perf_counter() - t:.2f} s")


def bench_lytro(data: Path, montage: str | None, names=("tlnet", "dwt", "pca", "msvd", "average")) -> None:
    import metrics
    from bench.datasets import load_dataset
    from methods import get_method

    ds = load_dataset("lytro", data_dir=str(data))
    scores = {n: [] for n in names}
    maps = []
    for pair in ds:
        a, b = pair.a, pair.b
        for n in names:
            res = get_method(n).fuse(a, b)
            scores[n].append(float(metrics.compute("qabf", a, b, res.image)))
            if n == "tlnet":
                maps.append((pair.id, a, b, res))
    for n in names:
        print(f"{n:8s} Lytro mean Q^AB/F {np.mean(scores[n]):.4f}")
    print("tlnet per pair: " + " ".join(f"{q:.3f}" for q in scores["tlnet"]))
    if montage:
        write_montage(maps, montage)


def write_montage(maps, path: str, max_rows: int = 20) -> None:
    """Rows: A | B | M1 | M2 | chosen map (white = from A) | fused, each downscaled to 128 px."""
    from bench.io import write_image

    def small(x):
        x = np.asarray(x, dtype=np.float64)
        if x.ndim == 2:
            x = np.repeat(x[..., None] * 255.0, 3, axis=2)
        step = max(1, x.shape[0] // 128)
        return x[::step, ::step][:128, :128]

    rows = []
    for _id, a, b, res in maps[:max_rows]:
        tiles = [small(a), small(b), small(res.extras["M1"]), small(res.extras["M2"]),
                 small(res.decision_map), small(res.image)]
        h = min(t.shape[0] for t in tiles)
        w = min(t.shape[1] for t in tiles)
        rows.append(np.concatenate([t[:h, :w] for t in tiles], axis=1))
    w = min(r.shape[1] for r in rows)
    write_image(path, np.concatenate([r[:, :w] for r in rows], axis=0))
    print(f"montage (A | B | M1 | M2 | chosen map | fused): {path}")


def bench_mfvoc(data: Path, n: int) -> None:
    import metrics
    from bench.io import read_image
    from methods import get_method

    root = data / "mf-voc"
    names = sorted(p.name for p in (root / "groundtruth").glob("*.jpg"))
    names = names[:: max(1, len(names) // n)][:n]
    out = {m: [] for m in ("tlnet", "average", "dwt")}
    for name in names:
        a, _ = read_image(root / "sourceA" / name)
        b, _ = read_image(root / "sourceB" / name)
        gt, _ = read_image(root / "groundtruth" / name)
        for m in out:
            f = get_method(m).fuse(a, b).image
            out[m].append(float(metrics.compute("rmse-gt", a, b, f, reference=gt)) ** 2)
    # PSNR of the pooled MSE (a mean of per-pair PSNRs is infinite as soon as
    # one fused image equals its ground truth), and the median per-pair PSNR.
    for m, mse in out.items():
        mse = np.asarray(mse)
        pooled = 10 * np.log10(255.0**2 / mse.mean())
        with np.errstate(divide="ignore"):
            median = np.median(10 * np.log10(255.0**2 / mse))
        print(f"{m:8s} MF-VOC ({len(names)} triplets) PSNR vs ground truth: pooled {pooled:.2f} dB, "
              f"median {median:.2f} dB")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data-dir", default=None)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--speed", action="store_true")
    p.add_argument("--lytro", action="store_true")
    p.add_argument("--montage", default=None)
    p.add_argument("--mf-voc", type=int, default=0)
    args = p.parse_args()
    data = _data_dir(args.data_dir)
    if args.speed:
        bench_speed(data, args.threads)
    if args.lytro:
        bench_lytro(data, args.montage)
    if args.mf_voc:
        bench_mfvoc(data, args.mf_voc)


if __name__ == "__main__":
    main()
