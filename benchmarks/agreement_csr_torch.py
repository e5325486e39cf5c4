"""csr's torch backend vs its sporco backend on MFIFB's Lytro pairs, and both vs MFIFB's CSR.

    python benchmarks/agreement_csr_torch.py                      # 20 pairs, 128×128 crops
    python benchmarks/agreement_csr_torch.py --pairs 3 --crop 0   # whole pairs (CPU-hours)

Per pair, ``bench.validate.mfifb_outputs.compare_pair`` runs ``csr`` once per backend
(``backend="sporco"`` and ``backend="torch"`` on ``--device``) and this prints one JSON
line: PSNR and max |Δ| between the two fused images, whether their 8-bit roundings
are equal, the ADMM iteration count of every solve (3 channels × 2 sources) under each
backend, each backend's PSNR and ΔQ^AB/F against MFIFB's published output, and the
process CPU seconds of each fusion; then a SUMMARY line. One thread (BLAS and torch).
"""

from __future__ import annotations

import os

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS",
             "NUMEXPR_NUM_THREADS", "VECLIB_MAXIMUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", default="../shared/datasets")
    ap.add_argument("--crop", type=int, default=128)
    ap.add_argument("--pairs", type=int, default=20)
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args(argv)

    import torch

    import methods
    import methods.csr as mc
    from bench.validate.mfifb_outputs import PAIRS, compare_pair, mfifb_root, psnr

    torch.set_num_threads(1)
    root = mfifb_root(args.data_dir)
    iters: list = []
    raw_codes, raw_torch = mc.cbpdn_codes, mc.cbpdn_torch

    def codes(*a, **k):
        x, solver = raw_codes(*a, **k)
        iters.append(solver.k)
        return x, solver

    def torch_codes(*a, **k):
        x, info = raw_torch(*a, **k)
        iters.extend(info["iterations"])
        return x, info

    mc.cbpdn_codes, mc.cbpdn_torch = codes, torch_codes
    cls = type(methods.get_method("csr"))
    raw_fuse, last = cls.fuse, {}

    def fuse(self, a, b, **kw):
        t = time.process_time()
        res = raw_fuse(self, a, b, **kw)
        last["t"], last["img"] = time.process_time() - t, res.image
        return res

    cls.fuse = fuse
    rows = []
    for pair in PAIRS[: args.pairs]:
        out = {}
        for be in ("sporco", "torch"):
            iters.clear()
            res = compare_pair(root, "csr", pair, crop=args.crop,
                               params={"backend": be, "device": args.device})
            out[be] = (res, last["img"].copy(), last["t"], list(iters))
        fs, ft = out["sporco"][1], out["torch"][1]
        row = {
            "pair": pair, "psnr_t_vs_s": round(psnr(fs, ft), 2),
            "maxdiff": float(np.abs(fs - ft).max()),
            "rounded_equal": bool(np.array_equal(np.rint(fs), np.rint(ft))),
            "iters_sporco": out["sporco"][3], "iters_torch": out["torch"][3],
            "psnr_mfifb_sporco": out["sporco"][0]["psnr"],
            "psnr_mfifb_torch": out["torch"][0]["psnr"],
            "dq_sporco": out["sporco"][0]["dq"], "dq_torch": out["torch"][0]["dq"],
            "cpu_s_sporco": round(out["sporco"][2], 2), "cpu_s_torch": round(out["torch"][2], 2),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)

    def med(k):
        return float(np.median([r[k] for r in rows]))

    print("SUMMARY", json.dumps({
        "n": len(rows), "crop": args.crop,
        "median_psnr_mfifb_sporco": med("psnr_mfifb_sporco"),
        "median_psnr_mfifb_torch": med("psnr_mfifb_torch"),
        "dq_ok_sporco": sum(abs(r["dq_sporco"]) <= 0.03 for r in rows),
        "dq_ok_torch": sum(abs(r["dq_torch"]) <= 0.03 for r in rows),
        "min_psnr_t_vs_s": min(r["psnr_t_vs_s"] for r in rows),
        "max_maxdiff": max(r["maxdiff"] for r in rows),
        "iters_equal": all(r["iters_sporco"] == r["iters_torch"] for r in rows),
        "cpu_s_sporco": round(sum(r["cpu_s_sporco"] for r in rows), 1),
        "cpu_s_torch": round(sum(r["cpu_s_torch"] for r in rows), 1),
    }))


if __name__ == "__main__":
    main()
