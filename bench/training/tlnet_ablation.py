"""The paper's ablation table for tlnet: variant × the five indices, on a dataset.

Every checkpoint found (the shipped ones plus ``<dir>/*.pt`` in the folders
given) is a variant; its label comes from its model card, by what differs
from the proposed method (Lv & Cai, Table 1 and the TL vs non-TL table)::

    tlnet            layer-wise hybrid loss, BatchNorm, Xavier init
    Compare-loss     cross-entropy on the last head only   (--loss ce-last)
    Compare-bn       no BatchNorm                           (--no-batchnorm)
    Compare-initial  normal instead of Xavier init          (--init normal)
    TL / non-TL      with / without VGG-19 transfer (paper configuration)

Each variant fuses every pair with the paper's strategy; the table holds the
mean of each index (QL^AB/F: lower is better; the other four: higher). Compare variants trained
with the same budget (the ``epochs`` column says what each one had).

``ablation_table("lytro", data_dir=...)`` gives one row per checkpoint;
each is labelled from its model card:

    >>> variant_label({"training": {"loss": "ce-last"}, "configuration": "paper",
    ...                "vgg_transfer": True})
    'Compare-loss + TL'
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.errors import DataError

FIVE = ("qabf", "qag", "qlabf", "qmi", "qsf")
HEADERS = {"qabf": "Q^AB/F", "qag": "Q_AG", "qlabf": "QL^AB/F", "qmi": "Q_MI", "qsf": "Q_SF"}


def variant_label(card: dict) -> str:
    """The paper's name for the variant a model card describes."""
    t = card.get("training", {})
    parts = []
    if t.get("loss", "layerwise-hybrid") != "layerwise-hybrid":
        parts.append("Compare-loss")
    if not t.get("batchnorm", True):
        parts.append("Compare-bn")
    if t.get("init", "xavier") != "xavier":
        parts.append("Compare-initial")
    if card.get("configuration") == "paper":
        parts.append("TL" if card.get("vgg_transfer") else "non-TL")
    return " + ".join(parts) or "tlnet"


def find_variant_checkpoints(dirs=(), include_shipped: bool = True) -> list[tuple[str, Path, dict]]:
    """``(label, checkpoint path, model card)`` for every checkpoint found."""
    import torch

    from methods.tlnet.fusion import WEIGHTS_DIR

    folders = [Path(d) for d in dirs] + ([WEIGHTS_DIR] if include_shipped else [])
    found = []
    for d in folders:
        for p in sorted(d.glob("*.pt")):
            if p.name == "last.pt":
                continue
            with torch.serialization.safe_globals([torch.torch_version.TorchVersion]):
                card = torch.load(p, map_location="cpu", weights_only=True).get("card", {})
            found.append((variant_label(card), p, card))
    return found


def ablation_table(dataset: str, *, data_dir=None, checkpoint_dirs=(), include_shipped: bool = True,
                   limit: int | None = None, metrics_names=FIVE, progress: bool = True) -> list[dict]:
    """Rows ``{"variant", "checkpoint", "epochs", <metric>: mean, ...}``, one per checkpoint."""
    from tqdm import tqdm

    import metrics
    from bench.datasets import load_dataset
    from methods import get_method

    variants = find_variant_checkpoints(checkpoint_dirs, include_shipped)
    if not variants:
        raise DataError("tlnet ablation: no checkpoint found (train variants with "
                                "`python -m bench train tlnet --loss ce-last ...` and pass --checkpoints DIR)")
    ds = load_dataset(dataset, data_dir=data_dir)
    pairs = ds.pairs[:limit] if limit else ds.pairs
    method = get_method("tlnet")
    rows = []
    for label, path, card in variants:
        scores: dict[str, list[float]] = {m: [] for m in metrics_names}
        for pair in tqdm(pairs, desc=f"ablation {label} ({path.stem})", disable=not progress):
            a, b = pair.a, pair.b
            fused = method.fuse(a, b, checkpoint=str(path)).image
            for m in metrics_names:
                scores[m].append(float(metrics.compute(m, a, b, fused)))
        row = {"variant": label, "checkpoint": path.stem, "epochs": card.get("epochs_completed", "?")}
        row.update({m: float(np.mean(v)) for m, v in scores.items()})
        rows.append(row)
    return rows


def table_markdown(rows: list[dict], metrics_names=FIVE) -> str:
    """Markdown table: variant, checkpoint, epochs, then the indices (best per column in bold;
    the arrow is each metric's direction, e.g. QL^AB/F ↓)."""
    import metrics

    meta = {m: metrics.get_metric(m) for m in metrics_names}
    pick = {m: (max if meta[m].higher_is_better else min) for m in metrics_names}
    best = {m: pick[m](r[m] for r in rows) for m in metrics_names}
    head = ("| variant | checkpoint | epochs | "
            + " | ".join(f"{HEADERS.get(m, m)} {meta[m].arrow}" for m in metrics_names) + " |")
    lines = [head, "|" + "---|" * (3 + len(metrics_names))]
    for r in rows:
        cells = [f"**{r[m]:.4f}**" if r[m] == best[m] else f"{r[m]:.4f}" for m in metrics_names]
        lines.append(f"| {r['variant']} | {r['checkpoint']} | {r['epochs']} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"
