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

from bench.weights import WeightsError
from methods.transfusion.model import NetConfig, TransFusionNet

FORMAT = "fusebench-transfusion"
PACKAGED_NAME = "transfusion_cpu.pt"


def packaged_weights_path() -> Path:
    """Path of the checkpoint shipped inside the ``methods.transfusion`` package."""
    return Path(str(resources.files("methods.transfusion").joinpath(PACKAGED_NAME)))


def save_checkpoint(path: str | os.PathLike, model: TransFusionNet, meta: dict[str, Any], *,
                    compact: bool = False) -> Path:
    """Write ``model``'s weights, architecture and ``meta`` to ``path`` atomically."""
    dtype = torch.float16 if compact else torch.float32
    state = {k: v.detach().cpu().to(dtype).clone() for k, v in model.state_dict().items()}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    torch.save({"format": FORMAT, "version": 1, "arch": model.cfg.to_dict(), "state_dict": state,
                "meta": dict(meta, compact=compact)}, tmp)
    os.replace(tmp, path)
    return path


def read_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """The checkpoint dict at ``path``; :class:`WeightsError` naming the file on any problem."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"transfusion weights file {path} not found")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise WeightsError(f"transfusion weights file {path} is not a readable torch checkpoint "
                           f"(only tensors and plain values are accepted: {exc})") from exc
    if not isinstance(ckpt, dict) or ckpt.get("format") != FORMAT or "state_dict" not in ckpt:
        raise WeightsError(f"transfusion weights file {path} is not a fusebench transfusion checkpoint")
    try:
        NetConfig.from_dict(ckpt.get("arch", {}))
    except Exception as exc:
        raise WeightsError(f"transfusion weights file {path}: bad architecture record ({exc})") from None
    return ckpt


def load_model(path: str | os.PathLike | None = None, device: str | torch.device = "cpu") -> TransFusionNet:
    """A :class:`TransFusionNet` in eval mode with the weights from ``path`` (default: packaged)."""
    path = Path(path) if path else packaged_weights_path()
    ckpt = read_checkpoint(path)
    model = TransFusionNet(NetConfig.from_dict(ckpt["arch"]))
    state = {k: v.float() for k, v in ckpt["state_dict"].items()}
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    problems = [f"missing {k}" for k in expected if k not in state]
    problems += [f"{k} has shape {tuple(state[k].shape)}, expected {s}"
                 for k, s in expected.items() if k in state and tuple(state[k].shape) != s]
    problems += [f"unexpected tensor {k}" for k in state if k not in expected]
    if problems:
        raise WeightsError(f"transfusion weights file {path} does not fit the network: " + "; ".join(problems))
    model.load_state_dict(state)
    return model.to(device).eval()


def checkpoint_meta(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """The ``meta`` dict stored with a checkpoint (its training record)."""
    return dict(read_checkpoint(Path(path) if path else packaged_weights_path()).get("meta", {}))
