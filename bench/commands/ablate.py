"""``python -m bench ablate tlnet|wavelet-cnn --dataset lytro``: the paper's ablation table.

``wavelet-cnn``: the shipped (wavelet-domain) checkpoint against the same network
trained in the pixel domain (``bench train wavelet-cnn --domain pixel``), see
:mod:`bench.training.wavelet_cnn`.

Evaluates each tlnet checkpoint found (shipped + ``--checkpoints DIR``),
labelled by its model card as the paper's variants (Compare-loss,
Compare-bn, Compare-initial, TL / non-TL; see
:mod:`bench.training.tlnet_ablation`), and prints / writes a variant × five
indices table (Markdown and CSV)::

    python -m bench train tlnet --config cpu --epochs 1 --out abl/hybrid
    python -m bench train tlnet --config cpu --epochs 1 --loss ce-last --out abl/ce-last
    python -m bench ablate tlnet --dataset lytro --checkpoints abl/hybrid --checkpoints abl/ce-last
"""

from __future__ import annotations

NAME = "ablate"
HELP = "ablation table of a deep method's variants (tlnet, wavelet-cnn)"


def add_arguments(p):
    p.add_argument("method", choices=["tlnet", "wavelet-cnn"], help="method whose variants to compare")
    p.add_argument("--dataset", default="lytro")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--checkpoints", action="append", default=[],
                   help="folder holding variant checkpoints (*.pt with model cards); repeatable")
    p.add_argument("--no-shipped", action="store_true", help="leave out the shipped checkpoint(s)")
    p.add_argument("--limit", type=int, default=None, help="first N pairs only")
    p.add_argument("--out", default=None, help="write <out>.md and <out>.csv")


def run(args) -> int:
    import csv
    from pathlib import Path

    from bench.training import tlnet_ablation, wavelet_cnn
    from bench.training.tlnet_ablation import FIVE, table_markdown

    ablation_table = (wavelet_cnn if args.method == "wavelet-cnn" else tlnet_ablation).ablation_table
    rows = ablation_table(args.dataset, data_dir=args.data_dir, checkpoint_dirs=args.checkpoints,
                          include_shipped=not args.no_shipped, limit=args.limit)
    md = table_markdown(rows, FIVE)
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
