"""The ``device`` parameter of deep methods: one parser for "auto" / "cpu" / "cuda" / "cuda:N".

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

from bench.errors import ParameterError


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
