"""Contrast-limited adaptive histogram equalisation (CLAHE), as MATLAB ``adapthisteq``.

Not a plugin module (``methods/__init__`` skips it): import it explicitly.

    >>> import numpy as np
    >>> x = np.linspace(0.2, 0.3, 64 * 64).reshape(64, 64)
    >>> bool(adaptive_histeq(x).std() > x.std())     # a low-contrast ramp is spread out
    True
"""

from __future__ import annotations

import numpy as np

from bench.matlab import round_half_away

__all__ = ["adaptive_histeq"]


def _clip_histogram(hist: np.ndarray, clip_limit: int) -> np.ndarray:
    """Clip one tile histogram at ``clip_limit`` and redistribute the excess (Zuiderveld)."""
    nbins = hist.size
    hist = hist.astype(np.int64)
    excess = int(np.maximum(hist - clip_limit, 0).sum())
    avg_inc = excess // nbins
    upper = clip_limit - avg_inc
    over = hist > clip_limit
    mid = ~over & (hist > upper)
    low = ~over & ~mid
    excess -= int((clip_limit - hist[mid]).sum()) + avg_inc * int(low.sum())
    hist = np.where(over | mid, clip_limit, np.where(low, hist + avg_inc, hist))
    while excess > 0:  # spread what is left one count at a time, evenly strided
        free = np.flatnonzero(hist < clip_limit)
        if free.size == 0:
            break
        step = max(1, free.size // excess)
        pick = free[::step][:excess]
        hist[pick] += 1
        excess -= pick.size
    return hist


def adaptive_histeq(x: np.ndarray, tiles: tuple[int, int] = (8, 8), clip_limit: float = 0.01,
                    nbins: int = 256) -> np.ndarray:
    """CLAHE of an image in 0..1 (Zuiderveld 1994), tiled as MATLAB ``adapthisteq``.

    The image is padded symmetrically so that it splits into ``tiles`` tiles of
    even size; each tile's ``nbins``-bin histogram is clipped at
    ceil(n/nbins) + round(clip_limit·(n − ceil(n/nbins))) counts (n pixels per
    tile), the excess redistributed, and its cumulative sum is the tile's
    uniform mapping. Pixels are mapped by bilinear interpolation between the
    four nearest tile mappings (nearest tiles only at the borders).

        >>> y = adaptive_histeq(np.linspace(0, 0.5, 64 * 64).reshape(64, 64))
        >>> y.shape, bool(0.0 <= y.min() and y.max() <= 1.0)
        ((64, 64), True)
    """
    x = np.clip(np.asarray(x, dtype=np.float64), 0.0, 1.0)
    h, w = x.shape
    pads, tdim = [], []
    for size, n in ((h, tiles[0]), (w, tiles[1])):
        t = -(-size // n)
        pad = t * n - size
        if t % 2:
            t += 1
            pad += n
        pads.append((pad // 2, pad - pad // 2))
        tdim.append(t)
    xp = np.pad(x, pads, mode="symmetric")
    th, tw = tdim
    ny, nx = tiles
    bins = round_half_away(xp * (nbins - 1)).astype(np.int64)
    npix = th * tw
    min_clip = -(-npix // nbins)
    limit = min_clip + int(round_half_away(clip_limit * (npix - min_clip)))
    # per-tile histograms in one bincount
    tile_id = (np.arange(xp.shape[0]) // th)[:, None] * nx + (np.arange(xp.shape[1]) // tw)[None, :]
    hists = np.bincount((tile_id * nbins + bins).ravel(), minlength=ny * nx * nbins)
    hists = hists.reshape(ny * nx, nbins)
    maps = np.stack([np.minimum(np.cumsum(_clip_histogram(hh, limit)) / npix, 1.0) for hh in hists])
    maps = maps.reshape(ny, nx, nbins)
    # bilinear interpolation between tile mappings: pixel t/2 + k·t takes tile k alone
    def axis_weights(n_px, t, n_tiles):
        pos = np.clip((np.arange(n_px) - t / 2.0) / t, 0, n_tiles - 1)
        k0 = np.minimum(np.floor(pos).astype(np.int64), n_tiles - 1)
        k1 = np.minimum(k0 + 1, n_tiles - 1)
        return k0, k1, pos - k0

    r0, r1, fr = axis_weights(xp.shape[0], th, ny)
    c0, c1, fc = axis_weights(xp.shape[1], tw, nx)
    fr, fc = fr[:, None], fc[None, :]

    def look(rr, cc):
        return maps[rr[:, None], cc[None, :], bins]
    out = ((1 - fr) * ((1 - fc) * look(r0, c0) + fc * look(r0, c1))
           + fr * ((1 - fc) * look(r1, c0) + fc * look(r1, c1)))
    return out[pads[0][0]: pads[0][0] + h, pads[1][0]: pads[1][0] + w]
