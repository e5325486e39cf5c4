"""``python -m bench learn-dictionary``: learn the ``mstsr`` patch dictionary.

    python -m bench learn-dictionary --data-dir ../shared/datasets/natural/images \\
        --out methods/mstsr/dictionary.npz
"""

from __future__ import annotations

NAME = "learn-dictionary"
HELP = "learn the 8x8, 256-atom sparse-coding dictionary used by 'mstsr'"


def add_arguments(p):
    p.add_argument("--data-dir", required=True, help="folder of natural training images")
    p.add_argument("--out", default=None, help="output .npz (default: the shipped methods/mstsr/dictionary.npz)")
    p.add_argument("--atoms", type=int, default=256, help="number of atoms (default 256)")
    p.add_argument("--per-image", type=int, default=200, help="random patches per image (default 200)")
    p.add_argument("--max-iter", type=int, default=3, help="passes over the patches (default 3)")
    p.add_argument("--alpha", type=float, default=0.15, help="sparsity penalty (default 0.15)")
    p.add_argument("--seed", type=int, default=0)


def run(args) -> int:
    import os

    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    from methods.mstsr.dictionary import DEFAULT_PATH, learn_dictionary

    out = learn_dictionary(
        args.data_dir, args.out or DEFAULT_PATH, atoms=args.atoms, per_image=args.per_image,
        max_iter=args.max_iter, alpha=args.alpha, seed=args.seed,
    )
    print(f"wrote {out}")
    return 0
