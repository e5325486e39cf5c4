"""One evaluator for the deep methods' ablation tables (``python -m bench ablate METHOD``).

A variant is a checkpoint: the shipped one(s) plus every ``*.pt`` in the
folders given (resumable ``*.state.pt`` files left out). Each variant fuses
every pair of a dataset with the method's plugin (same pre/post-processing as
``bench run``) and the table holds the mean of each metric, one row a variant::

    {"variant": label, "checkpoint": file stem, "epochs": ..., <metric>: mean, ...}

A trainer describes its ablation with a :class:`CheckpointAblation` (method
name, where its checkpoints' records are read, how a record is labelled) and
exposes it as ``ablation_table``:

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> for n in ("b.pt", "a.pt", "a.state.pt", "notes.txt"):
    ...     _ = (d / n).write_bytes(b"")
    >>> [p.name for p in variant_checkpoints([d])]
    ['a.pt', 'b.pt']
    >>> abl = CheckpointAblation("demo", label=str, hint="train one first",
    ...                          find=lambda dirs, shipped: [])
    >>> abl("synthetic")
    Traceback (most recent call last):
    ...
    bench.errors.DataError: demo ablation: no checkpoint found (train one first)
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bench.errors import DataError

Variant = tuple[str, Path, dict]  # (row label, checkpoint path, its training record)
HEADERS = {"qabf": "Q^AB/F", "qag": "Q_AG", "qlabf": "QL^AB/F", "qmi": "Q_MI", "qsf": "Q_SF"}


def variant_checkpoints(dirs: Iterable, skip: Callable[[Path], bool] = lambda p: False) -> list[Path]:
    """Every ``*.pt`` in each of ``dirs`` (sorted per folder), but resumable ``*.state.pt`` files
    and those ``skip`` refuses."""
    return [p for d in dirs for p in sorted(Path(d).glob("*.pt"))
            if not p.name.endswith(".state.pt") and not skip(p)]


def weights_option(a: np.ndarray, b: np.ndarray, path: Path) -> dict[str, Any]:
    """Fuse options that make a plugin use the checkpoint at ``path``: ``weights=path``."""
    return {"weights": str(path)}


@dataclass(frozen=True)
class CheckpointAblation:
    """The ablation table of ``method``: its checkpoint variants × metrics.

    Variants are the shipped checkpoint, ``packaged_weights_path()`` of
    ``weights_module`` (imported on use), and every ``*.pt`` in the folders
    given whose ``checkpoint_meta(path)`` reads (a :class:`WeightsError` marks
    state files and other networks' checkpoints: skipped), labelled by
    ``label(meta)``; ``find(dirs, include_shipped)`` replaces that search where
    a method keeps its checkpoints otherwise. ``fuse_options(a, b, path)`` gives
    the keyword arguments of ``fuse`` that select the checkpoint, ``epochs_key``
    the record's field shown as ``epochs``, ``hint`` how to train a variant
    (said when none is found).
    """

    method: str
    label: Callable[[dict], str]
    hint: str
    weights_module: str = ""
    find: Callable[[Sequence, bool], list[Variant]] | None = None
    fuse_options: Callable[[np.ndarray, np.ndarray, Path], dict[str, Any]] = weights_option
    epochs_key: str = "epochs"
    default_metrics: tuple[str, ...] = ()  # empty: metrics.PAPER_FIVE

    def find_variant_checkpoints(self, dirs=(), include_shipped: bool = True) -> list[Variant]:
        """``(label, path, meta)`` for the shipped checkpoint and every readable ``*.pt`` in ``dirs``."""
        if self.find is not None:
            return self.find(dirs, include_shipped)
        from bench.weights import WeightsError

        weights = importlib.import_module(self.weights_module)
        found = []
        for p in ([weights.packaged_weights_path()] if include_shipped else []) + variant_checkpoints(dirs):
            try:
                meta = weights.checkpoint_meta(p)
            except WeightsError:
                continue
            found.append((self.label(meta), p, meta))
        return found

    def __call__(self, dataset: str, *, data_dir=None, checkpoint_dirs=(), include_shipped: bool = True,
                 limit: int | None = None, metrics_names=None, progress: bool = True) -> list[dict]:
        """Rows ``{"variant", "checkpoint", "epochs", <metric>: mean}``: each checkpoint fuses every
        pair of ``dataset`` (the first ``limit``) with the plugin; metrics default to the paper's five."""
        from tqdm import tqdm

        import metrics
        from bench.datasets import load_dataset
        from methods import get_method

        metrics_names = metrics_names or self.default_metrics or metrics.PAPER_FIVE
        variants = self.find_variant_checkpoints(checkpoint_dirs, include_shipped)
        if not variants:
            raise DataError(f"{self.method} ablation: no checkpoint found ({self.hint})")
        ds = load_dataset(dataset, data_dir=data_dir)
        pairs = ds.pairs[:limit] if limit else ds.pairs
        method = get_method(self.method)
        rows = []
        for label, path, meta in variants:
            scores: dict[str, list[float]] = {m: [] for m in metrics_names}
            for pair in tqdm(pairs, desc=f"ablation {label} ({path.stem})", disable=not progress):
                a, b = pair.a, pair.b
                fused = method.fuse(a, b, **self.fuse_options(a, b, path)).image
                for m in metrics_names:
                    scores[m].append(float(metrics.compute(m, a, b, fused)))
            row = {"variant": label, "checkpoint": path.stem, "epochs": meta.get(self.epochs_key, "?")}
            row.update({m: float(np.mean(v)) for m, v in scores.items()})
            rows.append(row)
        return rows


def table_markdown(rows: list[dict], metrics_names=None) -> str:
    """Markdown table: variant, checkpoint, epochs, then the indices (best per column in bold;
    the arrow is each metric's direction, e.g. QL^AB/F ↓).

        >>> print(table_markdown([{"variant": "full", "checkpoint": "x", "epochs": 2, "qabf": 0.5},
        ...                       {"variant": "no MI", "checkpoint": "y", "epochs": 2, "qabf": 0.25}],
        ...                      ("qabf",)), end="")
        | variant | checkpoint | epochs | Q^AB/F ↑ |
        |---|---|---|---|
        | full | x | 2 | **0.5000** |
        | no MI | y | 2 | 0.2500 |
    """
    import metrics

    metrics_names = metrics_names or metrics.PAPER_FIVE
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
