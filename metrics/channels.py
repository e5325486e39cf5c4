"""Channel rules that :func:`metrics.compute` applies (``Convention.channels``).

``luma``: grey images as they are, colour images reduced to BT.601 luma.
``vifb_channels`` / ``mefb_channels``: the toolkits score each RGB channel
separately and average (a grey source is paired with every fused channel);
their exact rules for grey/colour mixes live in the functions below.

    >>> import numpy as np
    >>> a, b, f = np.zeros((4, 4, 3)), np.zeros((4, 4)), np.zeros((4, 4, 3))
    >>> len(toolkit_channels(a, b, f, "vifb"))
    3
    >>> len(toolkit_channels(b, b, f, "mefb"))   # grey sources + RGB fused: red only
    1
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from bench.color import luma
from bench.matlab import rgb2gray
from metrics.features import memo


def to_luma(*images: np.ndarray) -> tuple[np.ndarray, ...]:
    """Each image reduced to BT.601 luma (grey images unchanged), once per scoring session."""
    return tuple(memo(luma, x) for x in images)


def _channel(x: np.ndarray, k: int) -> np.ndarray:
    return x if x.ndim == 2 else x[..., k]


def channel(x: np.ndarray, k: int) -> np.ndarray:
    """Channel ``k`` of a colour image; a grey image is its own every channel.

    Inside a scoring session the view is recorded as derived from ``x``
    (:mod:`metrics.features`), so its features live as long as ``x``'s.
    """
    return memo(_channel, x, k=k)


def toolkit_channels(
    a: np.ndarray, b: np.ndarray, f: np.ndarray, convention: str, *, fused_only_gray: bool = False
) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The single-channel (A, B, F) triples a MATLAB toolkit driver scores.

    Rules (VIFB ``compute_metrics.m`` / MEFB ``compute_metrics.m`` and the
    per-metric wrappers ``metrics<Name>.m``):

    * fused RGB, sources RGB: one triple per R, G, B channel;
    * fused RGB, one source grey: that grey source pairs with every channel;
    * fused grey: one triple; colour sources go through MATLAB ``rgb2gray``
      (unrounded; some VIFB files round on uint8 input, which is not modelled);
    * ``mefb`` only: both sources grey and fused RGB -> the fused red channel
      ``F(:,:,1)`` alone, or MATLAB ``rgb2gray(double(F))`` when
      ``fused_only_gray`` (MEFB's AG does that).

    The caller averages the metric over the returned triples.
    """
    if f.ndim == 2:
        return [(memo(rgb2gray, a), memo(rgb2gray, b), f)]
    if convention == "mefb" and a.ndim == 2 and b.ndim == 2:
        return [(a, b, memo(rgb2gray, f) if fused_only_gray else channel(f, 0))]
    return [(channel(a, k), channel(b, k), channel(f, k)) for k in range(3)]


def toolkit_mean(
    fn: Callable[[np.ndarray, np.ndarray, np.ndarray], float],
    a: np.ndarray,
    b: np.ndarray,
    f: np.ndarray,
    convention: str,
    **kw,
) -> float:
    """Mean of ``fn(a_k, b_k, f_k)`` over :func:`toolkit_channels` triples."""
    return float(np.mean([fn(*t) for t in toolkit_channels(a, b, f, convention, **kw)]))
