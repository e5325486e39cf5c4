"""Channel handling shared by metrics.

``default``: grey images as they are, colour images reduced to BT.601 luma.
``vifb`` / ``mefb``: the toolkits score each RGB channel separately and
average (a grey source is paired with every fused channel); their exact
rules for grey/colour mixes live in the functions below.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bench.color import luma


def to_luma(*images: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each image reduced to BT.601 luma (grey images unchanged)."""
    return tuple(luma(x) for x in images)


def channel(x: np.ndarray, k: int) -> np.ndarray:
    """Channel ``k`` of a colour image; a grey image is its own every channel."""
    return x if x.ndim == 2 else x[..., k]


def n_channels(*images: np.ndarray) -> int:
    return 3 if any(x.ndim == 3 for x in images) else 1


def per_channel_mean(fn: Callable[..., float], *images: np.ndarray) -> float:
    """Mean over channels of ``fn(channel(a,k), channel(b,k), channel(f,k))``.

    Grey inputs pair with every channel of colour inputs. All grey -> one call.
    """
    n = n_channels(*images)
    return float(np.mean([fn(*(channel(x, k) for x in images)) for k in range(n)]))
