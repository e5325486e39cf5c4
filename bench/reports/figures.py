"""Report figures (matplotlib, saved as PNG and PDF).

* :func:`montage`: the sources and every method's fused image of one pair,
  each with the same zoom box drawn and magnified in an inset (the papers'
  Figures 10–14 style). :func:`zoom_box` places the box where the methods
  disagree most: the window maximising the local mean of the per-pixel
  standard deviation (across methods) of the fused luma.
* :func:`decision_maps`: the decision maps of the methods that expose one.
* :func:`bar_chart`: mean (± std) of each metric per method.
* :func:`error_maps`: |F − GT| (luma) per method, for pairs with ground truth.

    >>> import numpy as np
    >>> imgs = [np.zeros((50, 60)), np.zeros((50, 60))]
    >>> imgs[1][30:40, 40:50] = 255
    >>> zoom_box(imgs, frac=0.2)
    (30, 38, 10, 12)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.color import luma

Box = tuple[int, int, int, int]  # (top, left, height, width)
FORMATS = ("png", "pdf")
RED = (0.9, 0.0, 0.0)
DPI = 100


def _plt():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def zoom_box(fused: Sequence[np.ndarray], frac: float = 0.2) -> Box:
    """The ``frac``-sized window (of each side) where the fused images differ most."""
    from scipy.ndimage import uniform_filter

    stack = np.stack([luma(np.asarray(x, dtype=np.float64)) for x in fused])
    h, w = stack.shape[1:]
    bh, bw = max(4, round(h * frac)), max(4, round(w * frac))
    disagreement = stack.std(axis=0) if len(stack) > 1 else np.abs(stack[0] - stack[0].mean())
    local = uniform_filter(disagreement, size=(bh, bw), mode="constant")
    # only windows fully inside the image
    valid = local[bh // 2 : h - (bh - 1) // 2, bw // 2 : w - (bw - 1) // 2]
    i, j = np.unravel_index(np.argmax(valid), valid.shape)
    return int(i), int(j), int(bh), int(bw)


def _rgb01(img: np.ndarray, cmap: str | None = None, vmin: float = 0.0, vmax: float = 255.0) -> np.ndarray:
    """H×W×3 float 0..1 for display; grey images through ``cmap`` (default grey)."""
    img = np.asarray(img, dtype=np.float64)
    if img.ndim == 3:
        return np.clip(img / 255.0, 0.0, 1.0)
    x = np.clip((img - vmin) / max(vmax - vmin, 1e-12), 0.0, 1.0)
    if cmap in (None, "gray"):
        return np.repeat(x[..., None], 3, axis=2)
    from matplotlib import colormaps

    return colormaps[cmap](x)[..., :3]


def _frame(tile: np.ndarray, top: int, left: int, h: int, w: int, width: int, colour=RED) -> None:
    """Draw a ``width``-pixel rectangle outline into ``tile`` in place."""
    H, W = tile.shape[:2]
    t0, l0 = max(top, 0), max(left, 0)
    t1, l1 = min(top + h, H), min(left + w, W)
    tile[t0 : min(t0 + width, t1), l0:l1] = colour
    tile[max(t1 - width, t0) : t1, l0:l1] = colour
    tile[t0:t1, l0 : min(l0 + width, l1)] = colour
    tile[t0:t1, max(l1 - width, l0) : l1] = colour


def with_inset(img01: np.ndarray, box: Box, scale: float = 0.42) -> np.ndarray:
    """``img01`` (H×W×3, 0..1) with ``box`` outlined in red and magnified in the opposite corner."""
    tile = img01.copy()
    H, W = tile.shape[:2]
    top, left, bh, bw = box
    crop = img01[top : top + bh, left : left + bw]
    k = max(1, int(min(H * scale / bh, W * scale / bw)))
    big = np.repeat(np.repeat(crop, k, axis=0), k, axis=1)  # nearest-neighbour zoom
    lw = max(1, round(min(H, W) / 200))
    r0 = 0 if top + bh / 2 > H / 2 else H - big.shape[0]
    c0 = 0 if left + bw / 2 > W / 2 else W - big.shape[1]
    tile[r0 : r0 + big.shape[0], c0 : c0 + big.shape[1]] = big
    _frame(tile, r0, c0, big.shape[0], big.shape[1], lw + 1)
    _frame(tile, top, left, bh, bw, lw)
    return tile


def compose(tiles: Sequence[np.ndarray], max_cols: int = 4, gap: int = 6) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Tiles (same H×W×3, 0..1) on a white grid; returns the canvas and each tile's (row, col) origin."""
    n = len(tiles)
    H, W = tiles[0].shape[:2]
    ncols = min(n, max_cols)
    nrows = math.ceil(n / ncols)
    label = max(14, H // 14)  # white band above each tile for its label
    canvas = np.ones((nrows * (H + label + gap), ncols * (W + gap) - gap, 3))
    origins = []
    for k, tile in enumerate(tiles):
        r = (k // ncols) * (H + label + gap) + label
        c = (k % ncols) * (W + gap)
        canvas[r : r + H, c : c + W] = tile[:H, :W]
        origins.append((r, c))
    return canvas, origins


def _labelled(canvas: np.ndarray, origins, labels: Sequence[str], title: str = ""):
    """A figure showing ``canvas`` at one pixel per image pixel, labels above each tile."""
    plt = _plt()
    h, w = canvas.shape[:2]
    fig = plt.figure(figsize=(w / DPI, h / DPI), dpi=DPI)
    ax = fig.add_axes((0, 0, 1, 1))
    ax.imshow(canvas, interpolation="nearest")
    ax.set_axis_off()
    band = origins[0][0]  # height of the label band, in pixels
    size = max(6.0, band * 0.72 * 0.7)  # pixels -> points at DPI 100, with margin
    for (r, c), text in zip(origins, labels):
        ax.text(c + 2, r - 3, text, fontsize=size, va="bottom", ha="left")
    if title:
        fig.suptitle(title, fontsize=size, y=1.0, va="bottom")
    return fig


def montage(panels: Sequence[tuple[str, np.ndarray]], box: Box, title: str = ""):
    """Figure: one tile per (label, image), the same red ``box`` on each, magnified in an inset."""
    tiles = [with_inset(_rgb01(img), box) for _, img in panels]
    canvas, origins = compose(tiles)
    return _labelled(canvas, origins, [lab for lab, _ in panels], title)


def decision_maps(panels: Sequence[tuple[str, np.ndarray]], title: str = ""):
    """Figure: decision maps (weight of source A, 0 black .. 1 white)."""
    canvas, origins = compose([_rgb01(dm, "gray", 0.0, 1.0) for _, dm in panels])
    return _labelled(canvas, origins, [lab for lab, _ in panels], title)


def error_maps(reference: np.ndarray, panels: Sequence[tuple[str, np.ndarray]], title: str = ""):
    """Figure: |luma(F) − luma(GT)| per method on one colour scale (magma, 0 .. 99.5th percentile)."""
    errs = [(label, np.abs(luma(img) - luma(reference))) for label, img in panels]
    vmax = max(float(np.percentile(e, 99.5)) for _, e in errs) or 1.0
    canvas, origins = compose([_rgb01(e, "magma", 0.0, vmax) for _, e in errs])
    labels = [f"{label} (MAE {e.mean():.2f})" for label, e in errs]
    return _labelled(canvas, origins, labels, f"{title} [scale 0..{vmax:.1f}]" if title else "")


def save(fig, stem: Path, formats: Sequence[str] = FORMATS, dpi: int = DPI) -> list[Path]:
    """Save ``fig`` as ``stem.<fmt>`` for each format and close it."""
    plt = _plt()
    stem.parent.mkdir(parents=True, exist_ok=True)
    paths = []
    for fmt in formats:
        p = stem.with_suffix(f".{fmt}")
        fig.savefig(p, dpi=dpi, bbox_inches="tight", pad_inches=0.05)
        paths.append(p)
    plt.close(fig)
    return paths


def bar_chart(means, stds, higher_is_better: dict[str, bool], title: str = ""):
    """Figure: one subplot per metric, a bar (± std) per method. ``means``/``stds``: DataFrames."""
    plt = _plt()
    cols = list(means.columns)
    n = len(cols)
    ncols = min(n, 3)
    nrows = math.ceil(n / ncols)
    height = max(2.0, 0.28 * len(means.index) + 1.0)
    fig, axes = plt.subplots(nrows, ncols, figsize=(4.2 * ncols, height * nrows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.axis("off")
    y = np.arange(len(means.index))
    for ax, col in zip(axes.flat, cols):
        vals = means[col].to_numpy(dtype=float)
        err = stds[col].to_numpy(dtype=float) if stds is not None else None
        best = np.nanargmax(vals) if higher_is_better[col] else np.nanargmin(vals)
        colours = ["tab:orange" if k == best else "tab:blue" for k in range(len(vals))]
        ax.barh(y, vals, xerr=err, color=colours, capsize=2)
        ax.set_yticks(y)
        ax.set_yticklabels(list(means.index), fontsize=8)
        ax.invert_yaxis()
        ax.set_title(f"{col} {'↑' if higher_is_better[col] else '↓'}", fontsize=10)
        ax.tick_params(axis="x", labelsize=8)
    if title:
        fig.suptitle(title, fontsize=10)
    fig.tight_layout()
    return fig
