"""Saving and loading ``cnn-patch`` weights, with shape checks and clear errors.

Checkpoint file (``torch.save`` of a plain dict, loaded with ``weights_only=True``)::

    {"format": "fusebench-cnn-patch", "version": 1,
     "state_dict": {...}, "meta": {...}}

``state_dict`` holds float tensors, except in a *compact* checkpoint (the one
shipped in the package), where ``fc1.weight`` (256 × 32768, 97 % of the
parameters) is stored as int8 with one float32 scale per output row
(``fc1.weight.q`` and ``fc1.weight.scale``: w ≈ q · scale) and the other tensors
as float16. That keeps the file at about 9 MB instead of 34 MB; the model card's
validation accuracy is measured with the compact weights.

    >>> net = load_model()                        # the packaged weights
    >>> type(net).__name__, net.training
    ('PatchCNN', False)

``load_model("runs/cnn-patch/cnn_patch.pt")`` loads weights you trained.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path
from typing import Any

import torch

from bench.errors import FusebenchError
from methods.cnn_patch.model import PatchCNN

FORMAT = "fusebench-cnn-patch"
PACKAGED_NAME = "cnn_patch.pt"


class WeightsError(FusebenchError):
    """A cnn-patch weights file is missing, unreadable or does not fit the network."""


def packaged_weights_path() -> Path:
    """Path of the checkpoint shipped inside the ``methods.cnn_patch`` package."""
    return Path(str(resources.files("methods.cnn_patch").joinpath(PACKAGED_NAME)))


def save_checkpoint(path: str | os.PathLike, model: PatchCNN, meta: dict[str, Any], *, compact: bool = False) -> Path:
    """Write ``model``'s weights (and ``meta``) to ``path`` atomically."""
    state = {k: v.detach().cpu().float().clone() for k, v in model.state_dict().items()}
    if compact:
        state = compact_state(state)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    torch.save({"format": FORMAT, "version": 1, "state_dict": state, "meta": dict(meta)}, tmp)
    os.replace(tmp, path)
    return path


def compact_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """fc1.weight → int8 + per-row scale; every other tensor → float16."""
    out: dict[str, torch.Tensor] = {}
    for k, v in state.items():
        if k == "fc1.weight":
            scale = v.abs().amax(dim=1).clamp_min(1e-12) / 127.0
            out["fc1.weight.q"] = torch.round(v / scale[:, None]).clamp(-127, 127).to(torch.int8)
            out["fc1.weight.scale"] = scale.float()
        else:
            out[k] = v.half()
    return out


def expand_state(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Inverse of :func:`compact_state` (float32 tensors); plain states pass through."""
    out = {k: v.float() for k, v in state.items() if not k.startswith("fc1.weight.")}
    if "fc1.weight.q" in state:
        out["fc1.weight"] = state["fc1.weight.q"].float() * state["fc1.weight.scale"].float()[:, None]
    return out


def read_checkpoint(path: str | os.PathLike) -> dict[str, Any]:
    """The checkpoint dict at ``path``; :class:`WeightsError` naming the file on any problem."""
    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"cnn-patch weights file {path} not found")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise WeightsError(f"cnn-patch weights file {path} is not a readable torch checkpoint ({exc})") from exc
    if not isinstance(ckpt, dict) or "state_dict" not in ckpt:
        raise WeightsError(f"cnn-patch weights file {path} has no 'state_dict' (not a fusebench cnn-patch checkpoint)")
    if ckpt.get("format", FORMAT) != FORMAT:
        raise WeightsError(f"cnn-patch weights file {path}: format {ckpt.get('format')!r}, expected {FORMAT!r}")
    return ckpt


def check_shapes(state: dict[str, torch.Tensor], source: str) -> None:
    """Raise :class:`WeightsError` listing every missing, unexpected or mis-shaped tensor."""
    expected = {k: tuple(v.shape) for k, v in PatchCNN().state_dict().items()}
    problems = []
    for k, shape in expected.items():
        if k not in state:
            problems.append(f"missing {k} {shape}")
        elif tuple(state[k].shape) != shape:
            problems.append(f"{k} has shape {tuple(state[k].shape)}, expected {shape}")
    problems += [f"unexpected tensor {k}" for k in state if k not in expected]
    if problems:
        raise WeightsError(f"cnn-patch weights file {source} does not fit the network: " + "; ".join(problems))


def load_model(path: str | os.PathLike | None = None, device: str | torch.device = "cpu") -> PatchCNN:
    """A :class:`PatchCNN` in eval mode with the weights from ``path`` (default: the packaged ones)."""
    path = Path(path) if path else packaged_weights_path()
    ckpt = read_checkpoint(path)
    state = expand_state(ckpt["state_dict"])
    check_shapes(state, str(path))
    model = PatchCNN()
    model.load_state_dict(state)
    return model.to(device).eval()


def checkpoint_meta(path: str | os.PathLike | None = None) -> dict[str, Any]:
    """The ``meta`` dict stored with a checkpoint (training record)."""
    return dict(read_checkpoint(Path(path) if path else packaged_weights_path()).get("meta", {}))
