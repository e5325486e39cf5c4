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

from bench.weights import WeightsError
from methods.wavelet_cnn.model import DOMAINS, WaveletCNN

FORMAT = "fusebench-wavelet-cnn"
PACKAGED_NAME = "wavelet_cnn.pt"


def packaged_weights_path() -> Path:
    """Path of the checkpoint shipped inside the ``methods.wavelet_cnn`` package."""
    return Path(str(resources.files("methods.wavelet_cnn").joinpath(PACKAGED_NAME)))


def save_checkpoint(path: str | os.PathLike, model: WaveletCNN, meta: dict[str, Any], *,
                    compact: bool = False) -> Path:
    """Write ``model``'s weights, architecture and ``meta`` to ``path`` atomically."""
    dtype = torch.float16 if compact else torch.float32
    state = {k: v.detach().cpu().to(dtype).clone() for k, v in model.state_dict().items()}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    arch = {"widths": list(model.widths), "domain": model.domain}
    torch.save({"format": FORMAT, "version": 1, "arch": arch, "state_dict": state, "meta": dict(meta)}, tmp)
    os.replace(tmp, path)
    return path


def read_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """The checkpoint dict at ``path``; :class:`WeightsError` naming the file on any problem."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"wavelet-cnn weights file {path} not found")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise WeightsError(f"wavelet-cnn weights file {path} is not a readable torch checkpoint "
                           f"(only tensors and plain values are accepted: {exc})") from exc
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT or "state_dict" not in ckpt:
        raise WeightsError(f"wavelet-cnn weights file {path} is not a fusebench wavelet-cnn checkpoint")
    arch = ckpt.get("arch", {})
    widths = arch.get("widths")
    if not (isinstance(widths, list) and len(widths) == 4 and arch.get("domain") in DOMAINS):
        raise WeightsError(f"wavelet-cnn weights file {path}: bad architecture record {arch!r}")
    return ckpt


def load_model(path: str | os.PathLike | None = None, device: str | torch.device = "cpu") -> WaveletCNN:
    """A :class:`WaveletCNN` in eval mode with the weights from ``path`` (default: packaged)."""
    path = Path(path) if path else packaged_weights_path()
    ckpt = read_checkpoint(path)
    model = WaveletCNN(ckpt["arch"]["widths"], ckpt["arch"]["domain"])
    state = {k: v.float() for k, v in ckpt["state_dict"].items()}
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    problems = [f"missing {k}" for k in expected if k not in state]
    problems += [f"{k} has shape {tuple(state[k].shape)}, expected {s}"
                 for k, s in expected.items() if k in state and tuple(state[k].shape) != s]
    problems += [f"unexpected tensor {k}" for k in state if k not in expected]
    if problems:
        raise WeightsError(f"wavelet-cnn weights file {path} does not fit the network: " + "; ".join(problems))
    model.load_state_dict(state)
    return model.to(device).eval()


def checkpoint_meta(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """The ``meta`` dict stored with a checkpoint (its training record)."""
    return dict(read_checkpoint(Path(path) if path else packaged_weights_path()).get("meta", {}))
