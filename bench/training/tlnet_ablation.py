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

from bench.training.ablation import HEADERS, CheckpointAblation, table_markdown, variant_checkpoints

FIVE = ("qabf", "qag", "qlabf", "qmi", "qsf")  # the paper's five indices (metrics.PAPER_FIVE)


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


def _read_cards(dirs=(), include_shipped: bool = True) -> list[tuple[str, Path, dict]]:
    """``(label, checkpoint path, model card)`` for every checkpoint found (``last.pt``, the
    resumable training state, left out)."""
    import torch

    from methods.tlnet.fusion import WEIGHTS_DIR

    folders = [Path(d) for d in dirs] + ([WEIGHTS_DIR] if include_shipped else [])
    found = []
    for p in variant_checkpoints(folders, skip=lambda p: p.name == "last.pt"):
        with torch.serialization.safe_globals([torch.torch_version.TorchVersion]):
            card = torch.load(p, map_location="cpu", weights_only=True).get("card", {})
        found.append((variant_label(card), p, card))
    return found


# Rows {"variant", "checkpoint", "epochs", <metric>: mean, ...}, one per checkpoint.
ABLATION = CheckpointAblation(
    "tlnet", label=variant_label, find=_read_cards, epochs_key="epochs_completed",
    fuse_options=lambda a, b, path: {"checkpoint": str(path)}, default_metrics=FIVE,
    hint="train variants with `python -m bench train tlnet --loss ce-last ...` and pass --checkpoints DIR")
ablation_table = ABLATION
find_variant_checkpoints = ABLATION.find_variant_checkpoints


__all__ = ["FIVE", "HEADERS", "ablation_table", "find_variant_checkpoints", "table_markdown", "variant_label"]
