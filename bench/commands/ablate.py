"""``python -m bench ablate METHOD --dataset lytro``: the paper's ablation table of a deep method.

A trainer registered with :func:`bench.training.register_trainer` that has an
``ablation_table(dataset, *, data_dir, checkpoint_dirs, include_shipped, limit,
metrics_names, progress) -> list[dict]`` attribute can be ablated; each row is
``{"variant", "checkpoint", "epochs", <metric>: mean, ...}``. Today: ``fmm``
(fusion module add / concat / mapping, mean- vs variance-selected SSIM loss),
``transfusion`` (each module and the MI loss on / off), ``tlnet``
(Compare-loss, Compare-bn, Compare-initial, TL / non-TL; see
:mod:`bench.training.tlnet_ablation`) and ``wavelet-cnn`` (the shipped
wavelet-domain checkpoint against the same network trained in the pixel
domain, ``bench train wavelet-cnn --domain pixel``). Each checkpoint found
(shipped + ``--checkpoints DIR``) is evaluated and a variant × metrics table is
printed / written (Markdown and CSV); :mod:`bench.training.ablation` is the
one evaluator behind them::

    python -m bench train tlnet --config cpu --epochs 1 --out abl/hybrid
    python -m bench train tlnet --config cpu --epochs 1 --loss ce-last --out abl/ce-last
    python -m bench ablate tlnet --dataset lytro --checkpoints abl/hybrid --checkpoints abl/ce-last
"""

from __future__ import annotations

NAME = "ablate"
HELP = "ablation table of a deep method's variants (see bench ablate --help)"


def ablatable() -> list[str]:
    """Names of the trainers that provide an ``ablation_table``."""
    from bench.training import get_trainer, list_trainers

    return [n for n in list_trainers() if callable(getattr(get_trainer(n), "ablation_table", None))]


def add_arguments(p):
    p.add_argument("method", choices=ablatable(), help="method whose variants to compare")
    p.add_argument("--dataset", default="lytro")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--checkpoints", action="append", default=[],
                   help="folder holding variant checkpoints (*.pt with model cards); repeatable")
    p.add_argument("--no-shipped", action="store_true", help="leave out the shipped checkpoint(s)")
    p.add_argument("--limit", type=int, default=None, help="first N pairs only")
    p.add_argument("--metrics", default=None,
                   help="comma-separated metric names (default: the paper's five indices)")
    p.add_argument("--out", default=None, help="write <out>.md and <out>.csv")


def run(args) -> int:
    import csv
    from pathlib import Path

    import metrics
    from bench.training import get_trainer
    from bench.training.ablation import table_markdown

    names = (tuple(m.strip() for m in args.metrics.split(",") if m.strip()) if args.metrics
             else metrics.PAPER_FIVE)
    rows = get_trainer(args.method).ablation_table(
        args.dataset, data_dir=args.data_dir, checkpoint_dirs=args.checkpoints,
        include_shipped=not args.no_shipped, limit=args.limit, metrics_names=names)
    md = table_markdown(rows, names)
    print(md)
    if args.out:
        out = Path(args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.with_suffix(".md").write_text(md)
        with open(out.with_suffix(".csv"), "w", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=list(rows[0]))
            w.writeheader()
            w.writerows(rows)
        print(f"wrote {out.with_suffix('.md')} and {out.with_suffix('.csv')}")
    return 0
