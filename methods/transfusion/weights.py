"""Saving and loading ``transfusion`` checkpoints (``torch.load(..., weights_only=True)`` only).

Checkpoint file (a plain dict)::

    {"format": "fusebench-transfusion", "version": 1,
     "arch": NetConfig.to_dict() (blocks, in_channels, reductions, sa_kernel, switches),
     "state_dict": {...}, "meta": {...training record...}}

The shipped ``transfusion_cpu.pt`` stores its tensors as float16 (compact); they are
upcast to float32 on loading, and the model card's figures are measured that way.

    >>> net = load_model()                        # the packaged weights
    >>> type(net).__name__, [w for _, w in net.cfg.blocks]
    ('TransFusionNet', [16, 32, 64])
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import torch

from methods import checkpoints
from methods.transfusion.model import NetConfig, TransFusionNet

FORMAT = "fusebench-transfusion"
PACKAGED_NAME = "transfusion_cpu.pt"


def packaged_weights_path() -> Path:
    """Path of the checkpoint shipped inside the ``methods.transfusion`` package."""
    return Path(str(resources.files("methods.transfusion").joinpath(PACKAGED_NAME)))


def save_checkpoint(path: str | os.PathLike, model: TransFusionNet, meta: dict[str, Any], *,
                    compact: bool = False) -> Path:
    """Write ``model``'s weights, architecture and ``meta`` to ``path`` atomically."""
    return checkpoints.save_checkpoint(path, model, fmt=FORMAT, arch=model.cfg.to_dict(),
                                       meta=dict(meta, compact=compact), compact=compact)


def read_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """The checkpoint dict at ``path``; :class:`bench.weights.WeightsError` naming the file on any problem."""
    return checkpoints.read_checkpoint(path, fmt=FORMAT, label="transfusion",
                                       check_arch=NetConfig.from_dict)


def load_model(path: str | os.PathLike | None = None, device: str | torch.device = "cpu") -> TransFusionNet:
    """A :class:`TransFusionNet` in eval mode with the weights from ``path`` (default: packaged)."""
    path = Path(path) if path else packaged_weights_path()
    ckpt = read_checkpoint(path)
    model = TransFusionNet(NetConfig.from_dict(ckpt["arch"]))
    checkpoints.load_weights(model, ckpt, path, "transfusion")
    return model.to(device).eval()


def checkpoint_meta(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """The ``meta`` dict stored with a checkpoint (its training record)."""
    return dict(read_checkpoint(Path(path) if path else packaged_weights_path()).get("meta", {}))
