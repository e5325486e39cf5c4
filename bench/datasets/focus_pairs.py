"""Training pairs with per-pixel focus labels, built with the paper's recipe.

Each sample is one source image of a synthetic multi-focus pair and its
"unfocused" map (the tlnet label: 1 = out of focus). The recipe is
:mod:`bench.datasets.synthesis` (one implementation): blur level ``k`` = a
3×3 Gaussian (σ = 2) applied ``k`` times; ``A = M·I + (1−M)·blur_k(I)``,
``B = M·blur_k(I) + (1−M)·I``; labels ``1−M`` for A and ``M`` for B.

Masks ``M`` are unions of regions of the image's own segmentation (BSDS
region maps for ``natural``) so boundaries follow objects, as with the
paper's VOC object masks; ``blob_fraction`` of them are smooth random blobs
(also the fallback when no union of regions fits).

Sensor realism (:func:`degrade`, training crops only): the recipe's blurred
regions are perfectly smooth while real defocused regions still carry sensor
noise and JPEG artefacts, so a net trained on the bare recipe learns "any
pixel noise = in focus" (on Lytro it then calls everything focused). Each
training source therefore gets additive Gaussian noise (σ uniform in
0..``noise_max`` grey levels) and, with probability ``jpeg_prob``, a JPEG
re-encode (quality 60..95), applied to the whole source after compositing;
labels are unchanged. Validation pairs stay clean (the recipe as is).

Split (:func:`split_items`): 90/10 by *image*, every image contributing all
five blur levels, so validation holds exactly 10 % of each blur level
(stratified) and never sees a training photograph.

    >>> src = FocusPairSource.from_folder(data_dir / "natural")
    >>> train, val = split_items(src.items, 0.1, seed=0)
    >>> x, y = src.random_crops(train, 4, 128, np.random.default_rng(0))
    >>> x.shape, y.shape
    ((8, 128, 128, 3), (8, 128, 128))
"""

from __future__ import annotations

import os
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.datasets import synthesis
from bench.errors import DataError, ParameterError

#: Blur levels of the recipe (Gaussian 3×3, σ = 2, applied 1..5 times).
LEVELS = (1, 2, 3, 4, 5)
KERNEL, SIGMA = 3, 2.0
MASK_RANGE = (0.2, 0.6)


@dataclass(frozen=True)
class FocusItem:
    """One clear image with an optional region-label map."""

    id: str
    image_path: Path
    mask_path: Path | None


def split_items(items: list[FocusItem], val_fraction: float = 0.1, seed: int = 0):
    """Image-level split ``(train, val)``; each image carries all blur levels.

    Because every image yields one pair per blur level in whichever set it
    lands, the split is stratified by blur level by construction.
    """
    if not 0.0 < val_fraction < 1.0:
        raise ParameterError(f"val_fraction must be in (0, 1), got {val_fraction}")
    order = np.random.default_rng(seed).permutation(len(items))
    n_val = max(1, int(round(len(items) * val_fraction)))
    val_idx = set(order[:n_val].tolist())
    train = [it for i, it in enumerate(items) if i not in val_idx]
    val = [it for i, it in enumerate(items) if i in val_idx]
    return train, val


def degrade(img: np.ndarray, rng: np.random.Generator, noise_max: float = 4.0,
            jpeg_prob: float = 0.5) -> np.ndarray:
    """Sensor-like degradation of a whole source: Gaussian noise, then maybe a JPEG re-encode.

    >>> x = np.full((16, 16, 3), 128.0)
    >>> y = degrade(x, np.random.default_rng(0), noise_max=4.0, jpeg_prob=0.0)
    >>> 0.0 < float(np.std(y - x)) < 4.0
    True
    """
    out = np.asarray(img, dtype=np.float64)
    if noise_max > 0:
        out = out + rng.normal(0.0, rng.uniform(0.0, noise_max), out.shape)
    out = np.clip(out, 0.0, 255.0)
    if jpeg_prob > 0 and rng.random() < jpeg_prob:
        import io

        from PIL import Image

        buf = io.BytesIO()
        Image.fromarray(np.rint(out).astype(np.uint8)).save(buf, format="JPEG",
                                                             quality=int(rng.integers(60, 96)))
        buf.seek(0)
        with Image.open(buf) as im:
            out = np.asarray(im.convert("RGB" if out.ndim == 3 else "L"), dtype=np.float64)
    return out


def _stable_seed(*parts) -> int:
    return zlib.crc32("/".join(str(p) for p in parts).encode())


class FocusPairSource:
    """Decoded images (cached as uint8) and label maps, and the sampling recipe."""

    def __init__(self, items: list[FocusItem], blob_fraction: float = 0.3, noise_max: float = 4.0,
                 jpeg_prob: float = 0.5):
        if not items:
            raise DataError("focus pairs: no training images")
        self.items = list(items)
        self.blob_fraction = blob_fraction
        self.noise_max = noise_max
        self.jpeg_prob = jpeg_prob
        self._cache: dict[str, tuple[np.ndarray, np.ndarray | None]] = {}

    @classmethod
    def from_folder(cls, folder: str | os.PathLike, **kw) -> FocusPairSource:
        """A folder with ``images/*.jpg|png`` and optional ``masks/<stem>.png`` region maps."""
        root = Path(folder)
        if not (root / "images").is_dir():
            raise DataError(
                f"focus pairs: {root} has no images/ folder (expected images/*.jpg and "
                "masks/<same stem>.png region-label maps)"
            )
        items = []
        for p in sorted((root / "images").iterdir()):
            if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".bmp"):
                m = root / "masks" / f"{p.stem}.png"
                items.append(FocusItem(p.stem, p, m if m.is_file() else None))
        if not items:
            raise DataError(f"focus pairs: {root / 'images'} holds no images")
        from bench.datasets.natural import check_not_evaluation_data

        check_not_evaluation_data([i.image_path for i in items])  # no evaluation image leaks in
        return cls(items, **kw)

    @classmethod
    def natural(cls, data_dir: str | os.PathLike | None = None, **kw) -> FocusPairSource:
        """The ``natural`` corpus (BSDS500 photos + region maps)."""
        from bench.datasets.natural import check_not_evaluation_data, natural_images

        items = [FocusItem(i, p, m) for i, p, m in natural_images(data_dir)]
        check_not_evaluation_data([i.image_path for i in items])
        return cls(items, **kw)

    def load(self, item: FocusItem) -> tuple[np.ndarray, np.ndarray | None]:
        """(uint8 H×W×3 image, int32 label map or None), decoded once."""
        if item.id not in self._cache:
            from bench.io import read_image

            img, _ = read_image(item.image_path)
            if img.ndim == 2:
                img = np.repeat(img[..., None], 3, axis=2)
            labels = None
            if item.mask_path is not None:
                from bench.datasets.natural import read_label_map

                labels = read_label_map(item.mask_path)
                if labels.shape != img.shape[:2]:
                    raise DataError(
                        f"{item.mask_path}: label map {labels.shape} does not match image {img.shape[:2]}"
                    )
            self._cache[item.id] = (np.rint(img).astype(np.uint8), labels)
        return self._cache[item.id]

    def mask(self, labels: np.ndarray | None, shape, rng: np.random.Generator) -> np.ndarray:
        """Focus mask M (bool): union of regions, or smooth blobs."""
        lo, hi = MASK_RANGE
        if labels is not None and rng.random() >= self.blob_fraction:
            try:
                return synthesis.region_mask(labels, rng, lo, hi)
            except ValueError:
                pass
        return synthesis.blob_mask(shape, rng, lo, hi)

    def pair(self, item: FocusItem, level: int, rng: np.random.Generator, window=None):
        """``(A, B, unfocused_A, unfocused_B)`` float64 for one image and blur level.

        ``window`` = (top, left, h, w) restricts the pair to a crop; the blur is
        computed on the crop plus a margin of ``level`` pixels, which equals the
        whole-image blur inside the crop.
        """
        img, labels = self.load(item)
        H, W = img.shape[:2]
        t, l, h, w = window if window is not None else (0, 0, H, W)
        m = level + 1
        t0, l0, t1, l1 = max(0, t - m), max(0, l - m), min(H, t + h + m), min(W, l + w + m)
        big = img[t0:t1, l0:l1].astype(np.float64)
        blurred = synthesis.blur_levels(big, levels=level, kernel=KERNEL, sigma=SIGMA)[-1]
        sl = (slice(t - t0, t - t0 + h), slice(l - l0, l - l0 + w))
        clear, blurred = big[sl], blurred[sl]
        lab = labels[t:t + h, l:l + w] if labels is not None else None
        mask = self.mask(lab, (h, w), rng)
        a, b = synthesis.make_pair(clear, mask, blurred)
        ua, ub = synthesis.focus_labels(mask)
        return a, b, ua, ub

    def random_crops(self, items: list[FocusItem], n_pairs: int, crop: int, rng: np.random.Generator):
        """``2·n_pairs`` training samples: images N×crop×crop×3 (0..255) and labels N×crop×crop.

        Each pair draws an image, a blur level (uniform over 1..5), a crop
        position, a mask and a flip; both of its sources are returned.
        """
        xs, ys = [], []
        for _ in range(n_pairs):
            item = items[int(rng.integers(len(items)))]
            img, _ = self.load(item)
            H, W = img.shape[:2]
            if H < crop or W < crop:
                raise DataError(f"focus pairs: {item.image_path} ({H}×{W}) is smaller than crop {crop}")
            t, l = int(rng.integers(H - crop + 1)), int(rng.integers(W - crop + 1))
            level = int(rng.choice(LEVELS))
            a, b, ua, ub = self.pair(item, level, rng, (t, l, crop, crop))
            if rng.random() < 0.5:
                a, b, ua, ub = a[:, ::-1], b[:, ::-1], ua[:, ::-1], ub[:, ::-1]
            a = degrade(a, rng, self.noise_max, self.jpeg_prob)
            b = degrade(b, rng, self.noise_max, self.jpeg_prob)
            xs += [a, b]
            ys += [ua, ub]
        return np.stack(xs).astype(np.float32), np.stack(ys).astype(np.float32)

    def validation_pairs(self, items: list[FocusItem], levels=LEVELS, degraded: bool = False):
        """Deterministic whole-image pairs ``(id, level, A, B, uA, uB)`` for validation.

        ``degraded=True`` applies the training-time :func:`degrade` (seeded) to A and B.
        """
        for item in items:
            for level in levels:
                rng = np.random.default_rng(_stable_seed(item.id, level))
                a, b, ua, ub = self.pair(item, level, rng)
                if degraded:
                    a = degrade(a, rng, self.noise_max, self.jpeg_prob)
                    b = degrade(b, rng, self.noise_max, self.jpeg_prob)
                yield item.id, level, a, b, ua, ub
