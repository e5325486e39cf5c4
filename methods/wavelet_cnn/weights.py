"""Saving and loading ``wavelet-cnn`` weights (``torch.load(..., weights_only=True)`` only).

Checkpoint file (a plain dict)::

    {"format": "fusebench-wavelet-cnn", "version": 1,
     "arch": {"widths": [c1, c2, c3, hidden], "domain": "wavelet" | "pixel"},
     "state_dict": {...}, "meta": {...}}

A *compact* checkpoint (the one shipped, ``wavelet_cnn.pt``) stores every tensor
as float16 (about 0.55 MB for the ``cpu`` widths); the model card's validation
figures are measured with the weights as saved.

    >>> net = load_model()                        # the packaged weights
    >>> type(net).__name__, net.widths, net.domain
    ('WaveletCNN', (16, 32, 32, 64), 'wavelet')
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import torch

from methods import checkpoints
from methods.wavelet_cnn.model import DOMAINS, WaveletCNN

FORMAT = "fusebench-wavelet-cnn"
PACKAGED_NAME = "wavelet_cnn.pt"


def packaged_weights_path() -> Path:
    """Path of the checkpoint shipped inside the ``methods.wavelet_cnn`` package."""
    return Path(str(resources.files("methods.wavelet_cnn").joinpath(PACKAGED_NAME)))


def save_checkpoint(path: str | os.PathLike, model: WaveletCNN, meta: dict[str, Any], *,
                    compact: bool = False) -> Path:
    """Write ``model``'s weights, architecture and ``meta`` to ``path`` atomically."""
    arch = {"widths": list(model.widths), "domain": model.domain}
    return checkpoints.save_checkpoint(path, model, fmt=FORMAT, arch=arch, meta=meta, compact=compact)


def _check_arch(arch: dict[str, Any]) -> None:
    widths = arch.get("widths")
    if not (isinstance(widths, list) and len(widths) == 4 and arch.get("domain") in DOMAINS):
        raise ValueError(f"expected 4 widths and a domain in {DOMAINS}")


def read_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """The checkpoint dict at ``path``; :class:`bench.weights.WeightsError` naming the file on any problem."""
    return checkpoints.read_checkpoint(path, fmt=FORMAT, label="wavelet-cnn", check_arch=_check_arch)


def load_model(path: str | os.PathLike | None = None, device: str | torch.device = "cpu") -> WaveletCNN:
    """A :class:`WaveletCNN` in eval mode with the weights from ``path`` (default: packaged)."""
    path = Path(path) if path else packaged_weights_path()
    ckpt = read_checkpoint(path)
    model = WaveletCNN(ckpt["arch"]["widths"], ckpt["arch"]["domain"])
    checkpoints.load_weights(model, ckpt, path, "wavelet-cnn")
    return model.to(device).eval()


def checkpoint_meta(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """The ``meta`` dict stored with a checkpoint (its training record)."""
    return dict(read_checkpoint(Path(path) if path else packaged_weights_path()).get("meta", {}))
