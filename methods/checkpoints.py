"""Checkpoint files of the networks trained here (``wavelet-cnn``, ``fmm``, ``transfusion``).

One writer, one reader and one fit check for the plain-dict checkpoints these
methods ship and their trainers write::

    {"format": "fusebench-<method>", "version": 1, "arch": {...},
     "state_dict": {name: tensor}, "meta": {...training record...}}

Files are written atomically (temporary file + ``os.replace``); a *compact*
checkpoint stores every tensor as float16 and :func:`load_weights` upcasts to
float32. Reading always uses ``torch.load(..., weights_only=True)``: only
tensors and plain values are accepted, never pickled objects. Every problem
raises :class:`bench.weights.WeightsError` naming the file.

    >>> import tempfile, torch
    >>> net = torch.nn.Linear(2, 1)
    >>> p = save_checkpoint(tempfile.mkdtemp() + "/x.pt", net, fmt="fusebench-demo",
    ...                     arch={"n": 2}, meta={"epochs": 1}, compact=True)
    >>> ck = read_checkpoint(p, fmt="fusebench-demo", label="demo")
    >>> ck["arch"], ck["meta"], ck["state_dict"]["weight"].dtype
    ({'n': 2}, {'epochs': 1}, torch.float16)
    >>> load_weights(torch.nn.Linear(2, 1), ck, p, "demo").weight.dtype
    torch.float32
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.weights import WeightsError


def save_checkpoint(path: str | os.PathLike, model, *, fmt: str, arch: dict[str, Any],
                    meta: dict[str, Any], compact: bool = False) -> Path:
    """Write ``model``'s weights (float16 if ``compact``), ``arch`` and ``meta`` to ``path`` atomically."""
    import torch

    dtype = torch.float16 if compact else torch.float32
    state = {k: v.detach().cpu().to(dtype).clone() for k, v in model.state_dict().items()}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    torch.save({"format": fmt, "version": 1, "arch": arch, "state_dict": state, "meta": dict(meta)}, tmp)
    os.replace(tmp, path)
    return path


def read_checkpoint(path: str | os.PathLike, *, fmt: str, label: str,
                    check_arch: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """The checkpoint dict at ``path`` in format ``fmt``; ``check_arch(arch)`` raises on a bad
    architecture record. :class:`WeightsError` naming the file (``label``: the method) on any problem."""
    import torch

    path = Path(path)
    if not path.is_file():
        raise WeightsError(f"{label} weights file {path} not found")
    try:
        ckpt = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:
        raise WeightsError(f"{label} weights file {path} is not a readable torch checkpoint "
                           f"(only tensors and plain values are accepted: {exc})") from exc
    if not isinstance(ckpt, dict) or ckpt.get("format") != fmt or "state_dict" not in ckpt:
        raise WeightsError(f"{label} weights file {path} is not a fusebench {label} checkpoint")
    if check_arch is not None:
        arch = ckpt.get("arch", {})
        try:
            check_arch(arch)
        except Exception as exc:
            raise WeightsError(f"{label} weights file {path}: bad architecture record {arch!r} "
                               f"({exc})") from None
    return ckpt


def load_weights(model, ckpt: dict[str, Any], path: str | os.PathLike, label: str):
    """``model`` with the checkpoint's tensors (upcast to float32) after checking that every name
    and shape fits; :class:`WeightsError` listing what does not."""
    state = {k: v.float() for k, v in ckpt["state_dict"].items()}
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    problems = [f"missing {k}" for k in expected if k not in state]
    problems += [f"{k} has shape {tuple(state[k].shape)}, expected {s}"
                 for k, s in expected.items() if k in state and tuple(state[k].shape) != s]
    problems += [f"unexpected tensor {k}" for k in state if k not in expected]
    if problems:
        raise WeightsError(f"{label} weights file {path} does not fit the network: " + "; ".join(problems))
    model.load_state_dict(state)
    return model


__all__ = ["load_weights", "read_checkpoint", "save_checkpoint"]
