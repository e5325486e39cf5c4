"""csr's two ConvBPDN backends on one grey channel: time, iterations, agreement.

    python benchmarks/bench_csr_torch.py                       # 128×128 central crop, CPU
    python benchmarks/bench_csr_torch.py --crop 0              # the whole 520×520 channel
    python benchmarks/bench_csr_torch.py --crop 0 --device cuda --pairs 3

Fuses the luma of Lytro pair(s) (``--pairs N``: lytro-01..N) with
``methods.csr.csr_fuse_gray`` twice, ``backend="sporco"`` (SPORCO's ConvBPDN, the
reference) and ``backend="torch"`` on ``--device``, and prints per pair: wall and CPU
seconds of each backend (the CPU pinned to one thread: BLAS/OpenMP pools and torch),
the ADMM iteration count of each source under each backend, max |Δcode| between the
two backends' codes, max |Δ| and PSNR between the two fused images (0..255).
Both backends first fuse a 16×16 ramp, untimed (imports, FFT plans, CUDA start).
``--skip-sporco`` times the torch path alone (e.g. a GPU run of many pairs).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default="../shared/datasets")
    ap.add_argument("--crop", type=int, default=128, help="central S×S crop; 0 = whole image")
    ap.add_argument("--pairs", type=int, default=1)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--max-iter", type=int, default=500)
    ap.add_argument("--skip-sporco", action="store_true")
    args = ap.parse_args(argv)

    import torch

    import methods.csr as mc
    from bench.color import luma
    from bench.io import read_image
    from bench.validate.mfifb_outputs import crop_window, psnr
    from methods.devices import torch_device

    torch.set_num_threads(1)
    dev = torch_device(args.device, "csr")
    d = mc.csr_dictionary()
    seen: list = []
    raw_codes, raw_torch = mc.cbpdn_codes, mc.cbpdn_torch

    def codes(*a, **k):
        x, solver = raw_codes(*a, **k)
        seen.append((np.moveaxis(x.reshape(x.shape[0], x.shape[1], -1), -1, 0), solver.k))
        return x, solver

    def torch_codes(*a, **k):
        x, info = raw_torch(*a, **k)
        seen.extend(zip(x.cpu().numpy(), info["iterations"]))
        return x, info

    mc.cbpdn_codes, mc.cbpdn_torch = codes, torch_codes
    backends = ("torch",) if args.skip_sporco else ("sporco", "torch")
    root = Path(args.data_dir) / "lytro"
    warm = np.add.outer(np.arange(16.0), np.arange(16.0))
    for be in backends:  # imports, FFT plans: not timed
        mc.csr_fuse_gray(warm, warm.T, d, max_iter=3, backend=be, device=dev)
    for i in range(1, args.pairs + 1):
        a, b = (luma(read_image(root / f"lytro-{i:02d}-{s}.jpg")[0]) for s in "AB")
        win = crop_window(a.shape, args.crop)
        a, b = a[win], b[win]
        row: dict = {"pair": f"lytro-{i:02d}", "size": list(a.shape), "device": str(dev)}
        out = {}
        for be in backends:
            seen.clear()
            if dev.type == "cuda":
                torch.cuda.synchronize()
            t0, c0 = time.perf_counter(), time.process_time()
            out[be] = mc.csr_fuse_gray(a, b, d, max_iter=args.max_iter, backend=be, device=dev)
            if dev.type == "cuda":
                torch.cuda.synchronize()
            row[f"wall_s_{be}"] = round(time.perf_counter() - t0, 2)
            row[f"cpu_s_{be}"] = round(time.process_time() - c0, 2)
            row[f"iters_{be}"] = [k for _, k in seen]
            out[be + "_codes"] = [x for x, _ in seen]
        if not args.skip_sporco:
            row["max_dcode"] = float(max(np.abs(p - q).max() for p, q in
                                         zip(out["sporco_codes"], out["torch_codes"])))
            row["max_dfused"] = float(np.abs(out["sporco"] - out["torch"]).max())
            row["psnr_torch_vs_sporco"] = round(psnr(out["sporco"], out["torch"]), 2)
            row["rounded_equal"] = bool(np.array_equal(np.rint(out["sporco"]),
                                                       np.rint(out["torch"])))
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
