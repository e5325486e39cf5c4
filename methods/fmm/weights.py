"""Saving and loading ``fmm`` weights (``torch.load(..., weights_only=True)`` only).

Checkpoint file (a plain dict)::

    {"format": "fusebench-fmm", "version": 1,
     "arch": {"channels": [c0, c1, c2], "fusion": "mapping" | "add" | "concat"},
     "state_dict": {...}, "meta": {...}}

A *compact* checkpoint (the one shipped, ``fmm.pt``) stores every tensor as
float16; :func:`load_model` upcasts to float32, and the model card's validation
figures are measured with the weights as saved.

    >>> net = load_model()                        # the packaged weights
    >>> type(net).__name__, net.channels, net.fusion
    ('FMMNet', (8, 16, 32), 'mapping')
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import torch

from methods import checkpoints
from methods.fmm.model import FUSIONS, FMMNet

FORMAT = "fusebench-fmm"
PACKAGED_NAME = "fmm.pt"


def packaged_weights_path() -> Path:
    """Path of the checkpoint shipped inside the ``methods.fmm`` package."""
    return Path(str(resources.files("methods.fmm").joinpath(PACKAGED_NAME)))


def save_checkpoint(path: str | os.PathLike, model: FMMNet, meta: dict[str, Any], *,
                    compact: bool = False) -> Path:
    """Write ``model``'s weights, architecture and ``meta`` to ``path`` atomically."""
    arch = {"channels": list(model.channels), "fusion": model.fusion}
    return checkpoints.save_checkpoint(path, model, fmt=FORMAT, arch=arch, meta=meta, compact=compact)


def _check_arch(arch: dict[str, Any]) -> None:
    ch = arch.get("channels")
    if not (isinstance(ch, list) and len(ch) == 3 and arch.get("fusion") in FUSIONS):
        raise ValueError(f"expected 3 channel widths and a fusion in {FUSIONS}")


def read_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """The checkpoint dict at ``path``; :class:`bench.weights.WeightsError` naming the file on any problem."""
    return checkpoints.read_checkpoint(path, fmt=FORMAT, label="fmm", check_arch=_check_arch)


def load_model(path: str | os.PathLike | None = None, device: str | torch.device = "cpu") -> FMMNet:
    """An :class:`FMMNet` in eval mode with the weights from ``path`` (default: packaged)."""
    path = Path(path) if path else packaged_weights_path()
    ckpt = read_checkpoint(path)
    model = FMMNet(tuple(ckpt["arch"]["channels"]), ckpt["arch"]["fusion"])
    checkpoints.load_weights(model, ckpt, path, "fmm")
    return model.to(device).eval()


def checkpoint_meta(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """The ``meta`` dict stored with a checkpoint (its training record)."""
    return dict(read_checkpoint(Path(path) if path else packaged_weights_path()).get("meta", {}))
