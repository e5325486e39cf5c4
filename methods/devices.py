"""What the deep methods share at run time: the ``device`` parameter, the cache of loaded
networks, and grey images on their way into a network.

The ``device`` parameter: one parser for "auto" / "cpu" / "cuda" / "cuda:N".

A deep method declares ``device: str = "auto"`` in its ``Params`` (the runner
fills it from ``--device``; it is an execution parameter, left out of the
cache key) and turns it into a ``torch.device`` here:

- ``"auto"``: CUDA when available, else the CPU;
- ``"cpu"``, ``"cuda"``, ``"cuda:N"``: that device; asking for CUDA where there
  is none is a :class:`~bench.errors.ParameterError` naming the method.

    >>> torch_device("cpu", "demo")
    device(type='cpu')
    >>> torch_device("gpu", "demo")
    Traceback (most recent call last):
    ...
    bench.errors.ParameterError: method 'demo': invalid device 'gpu' (use auto, cpu, cuda or cuda:N)
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

from bench.errors import ParameterError

T = TypeVar("T")
_NETWORKS: dict[tuple, object] = {}
_LOCK = threading.Lock()


def torch_device(name: str, method: str):
    """``torch.device`` for the ``device`` parameter ``name`` of ``method``."""
    import torch

    name = (name or "auto").strip().lower()
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if not (name == "cpu" or name == "cuda" or name.startswith("cuda:")):
        raise ParameterError(
            f"method {method!r}: invalid device {name!r} (use auto, cpu, cuda or cuda:N)"
        )
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ParameterError(f"method {method!r}: device={name!r} requested but CUDA is not available")
    try:
        return torch.device(name)
    except RuntimeError as exc:
        raise ParameterError(f"method {method!r}: invalid device {name!r} ({exc})") from None


def file_key(path: str | os.PathLike) -> tuple[str, int | None]:
    """(resolved path, mtime in ns or None when absent): a weights file's part of a cache key, so
    that a rewritten file is loaded again."""
    path = Path(path)
    return str(path.resolve()), path.stat().st_mtime_ns if path.is_file() else None


def cached_network(key: tuple, build: Callable[[], T]) -> T:
    """``build()`` once per ``key`` (method/variant, :func:`file_key` of the weights, device),
    the same object afterwards; one lock, so threads never load a network twice. ``build``
    raises :class:`~bench.weights.WeightsError` naming the file on a bad one (nothing cached).

        >>> calls = []
        >>> def build():
        ...     calls.append(1)
        ...     return object()
        >>> cached_network(("demo", 1), build) is cached_network(("demo", 1), build), len(calls)
        (True, 1)
    """
    with _LOCK:
        if key not in _NETWORKS:
            _NETWORKS[key] = build()
        return _NETWORKS[key]


def load_state(net: T, path: str | os.PathLike, method: str, into: str,
               select: Callable[[dict], dict] | None = None) -> T:
    """``net`` in eval mode with the state dict at ``path`` (``torch.load(weights_only=True)``:
    tensors and plain values only; ``select`` picks the entries it takes); a file that does not
    load into it is a :class:`~bench.weights.WeightsError` naming ``method``, the file and ``into``.

        >>> import tempfile, torch
        >>> p = tempfile.mkdtemp() + "/w.pt"
        >>> torch.save(torch.nn.Linear(2, 1).state_dict(), p)
        >>> load_state(torch.nn.Linear(2, 1), p, "demo", "a 2→1 layer").training
        False
        >>> load_state(torch.nn.Linear(3, 1), p, "demo", "a 3→1 layer")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        bench.weights.WeightsError: method 'demo': .../w.pt does not load into a 3→1 layer (...)
    """
    import torch

    from bench.weights import WeightsError

    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
        net.load_state_dict(select(state) if select else state)
    except Exception as exc:
        raise WeightsError(f"method {method!r}: {path} does not load into {into} ({exc})") from exc
    return net.eval()


def pad_symmetric(x: np.ndarray, multiple: int = 1, minimum: int = 0) -> np.ndarray:
    """``x`` (…×H×W) mirrored (numpy ``symmetric``) at the bottom and right up to the smallest size
    that is a multiple of ``multiple`` and at least ``minimum`` on both axes; ``x`` itself when it
    is one already. Crop the network's output back to H×W.

        >>> pad_symmetric(np.arange(3.0)[None], multiple=2, minimum=4)
        array([[0., 1., 2., 2.],
               [0., 1., 2., 2.],
               [0., 1., 2., 2.],
               [0., 1., 2., 2.]])
    """
    h, w = x.shape[-2:]
    th, tw = max(h, minimum), max(w, minimum)
    ph, pw = th + -th % multiple - h, tw + -tw % multiple - w
    if not (ph or pw):
        return x
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + [(0, ph), (0, pw)], mode="symmetric")


def grey_tensor(x: np.ndarray, device):
    """A grey image in 0..255 as the 1×1×H×W float32 tensor in 0..1 the networks take, on ``device``.

        >>> grey_tensor(np.full((2, 3), 255.0), "cpu").shape
        torch.Size([1, 1, 2, 3])
    """
    import torch

    return torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32) / 255.0)[None, None].to(device)
