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

import hashlib
import os
from importlib import resources
from pathlib import Path
from typing import Any

import torch

from bench.weights import WeightsError
from methods.fmm.model import FUSIONS, FMMNet

FORMAT = "fusebench-fmm"
PACKAGED_NAME = "fmm.pt"


def packaged_weights_path() -> Path:
    """Path of the checkpoint shipped inside the ``methods.fmm`` package."""
    return Path(str(resources.files("methods.fmm").joinpath(PACKAGED_NAME)))


def file_sha256(path: str | os.PathLike) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def save_checkpoint(path: str | os.PathLike, model: FMMNet, meta: dict[str, Any], *,
                    compact: bool = False) -> Path:
    """Write ``model``'s weights, architecture and ``meta`` to ``path`` atomically."""
    dtype = torch.float16 if compact else torch.float32
    state = {k: v.detach().cpu().to(dtype).clone() for k, v in model.state_dict().items()}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    arch = {"channels": list(model.channels), "fusion": model.fusion}
    torch.save({"format": FORMAT, "version": 1, "arch": arch, "state_dict": state, "meta": dict(meta)}, tmp)
    os.replace(tmp, path)
    return path


def read_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """The checkpoint dict at ``path``; :class:`WeightsError` naming the file on any problem."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"fmm weights file {path} not found")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise WeightsError(f"fmm weights file {path} is not a readable torch checkpoint "
                           f"(only tensors and plain values are accepted: {exc})") from exc
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT or "state_dict" not in ckpt:
        raise WeightsError(f"fmm weights file {path} is not a fusebench fmm checkpoint")
    arch = ckpt.get("arch", {})
    ch = arch.get("channels")
    if not (isinstance(ch, list) and len(ch) == 3 and arch.get("fusion") in FUSIONS):
        raise WeightsError(f"fmm weights file {path}: bad architecture record {arch!r}")
    return ckpt


def load_model(path: str | os.PathLike | None = None, device: str | torch.device = "cpu") -> FMMNet:
    """An :class:`FMMNet` in eval mode with the weights from ``path`` (default: packaged)."""
    path = Path(path) if path else packaged_weights_path()
    ckpt = read_checkpoint(path)
    model = FMMNet(tuple(ckpt["arch"]["channels"]), ckpt["arch"]["fusion"])
    state = {k: v.float() for k, v in ckpt["state_dict"].items()}
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    problems = [f"missing {k}" for k in expected if k not in state]
    problems += [f"{k} has shape {tuple(state[k].shape)}, expected {s}"
                 for k, s in expected.items() if k in state and tuple(state[k].shape) != s]
    problems += [f"unexpected tensor {k}" for k in state if k not in expected]
    if problems:
        raise WeightsError(f"fmm weights file {path} does not fit the network: " + "; ".join(problems))
    model.load_state_dict(state)
    return model.to(device).eval()


def checkpoint_meta(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """The ``meta`` dict stored with a checkpoint (its training record)."""
    return dict(read_checkpoint(Path(path) if path else packaged_weights_path()).get("meta", {}))
