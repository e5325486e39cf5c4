"""Image reading and writing.

``read_image(path)`` returns ``(pixels, info)``: ``pixels`` is float64 in
0..255 (8-bit values exactly; 16-bit values divided by 257), shape H×W for
grey and H×W×3 for colour; ``info`` is an :class:`ImageInfo`.

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "grey.png"
    >>> _ = write_image(path, np.full((4, 6), 100.0))
    >>> px, info = read_image(path)
    >>> px.shape, info.bit_depth, info.gray_as_rgb, float(px.max())
    ((4, 6), 8, False, 100.0)

Errors are :class:`bench.errors.ImageError` and always name the file.

Size guard: an image whose header declares more than :func:`max_pixels`
pixels (default 100 megapixels; ``$FUSEBENCH_MAX_PIXELS`` or
:func:`set_max_pixels` change it) is refused *before* any pixel is decoded,
for 8- and 16-bit files alike (16-bit PNGs are read with pypng, which has no
guard of its own, so their IHDR header is checked here). Pillow's own
decompression-bomb check is tied to the same limit, and its error is
re-raised as :class:`~bench.errors.ImageError` naming the file.
"""

from __future__ import annotations

import os
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.errors import ImageError, ParameterError, ShapeMismatchError

SUPPORTED_SUFFIXES = (".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff")

DEFAULT_MAX_PIXELS = 100_000_000
ENV_MAX_PIXELS = "FUSEBENCH_MAX_PIXELS"
_UNSET = object()
_env_before_override: object = _UNSET


def set_max_pixels(limit: int | None) -> None:
    """Set the largest pixel count (width × height) :func:`read_image` accepts.

    The limit is stored in ``$FUSEBENCH_MAX_PIXELS``, so worker processes
    started afterwards (the runner's pool) apply the same limit. ``None``
    puts the variable back as it was before the first call.

    >>> set_max_pixels(1000); max_pixels(), os.environ["FUSEBENCH_MAX_PIXELS"]
    (1000, '1000')
    >>> set_max_pixels(None); max_pixels() == DEFAULT_MAX_PIXELS
    True
    """
    global _env_before_override
    if limit is None:
        if _env_before_override is not _UNSET:
            if _env_before_override is None:
                os.environ.pop(ENV_MAX_PIXELS, None)
            else:
                os.environ[ENV_MAX_PIXELS] = str(_env_before_override)
            _env_before_override = _UNSET
        return
    try:
        ok = not isinstance(limit, bool) and int(limit) == limit and limit >= 1
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise ParameterError(f"maximum pixel count must be a positive integer, got {limit!r}")
    if _env_before_override is _UNSET:
        _env_before_override = os.environ.get(ENV_MAX_PIXELS)
    os.environ[ENV_MAX_PIXELS] = str(int(limit))


def max_pixels() -> int:
    """The pixel-count limit: ``$FUSEBENCH_MAX_PIXELS`` (see :func:`set_max_pixels`), else 100 M."""
    env = os.environ.get(ENV_MAX_PIXELS, "").strip()
    if not env:
        return DEFAULT_MAX_PIXELS
    try:
        value = int(float(env))
    except ValueError:
        value = 0
    if value < 1:
        raise ParameterError(f"{ENV_MAX_PIXELS}={env!r}: expected a positive pixel count, e.g. 200000000")
    return value


def _check_pixel_count(path: Path, width: int, height: int) -> None:
    limit = max_pixels()
    if width * height > limit:
        raise ImageError(
            f"{path}: image is {width}×{height} ({width * height / 1e6:.1f} megapixels), over the "
            f"limit of {limit / 1e6:g} megapixels; refused before decoding (a decompression bomb "
            f"or an unexpectedly large file). Raise the limit with {ENV_MAX_PIXELS}=<pixels> "
            f"if the file is genuine"
        )


@dataclass(frozen=True)
class ImageInfo:
    """What was in the file, beyond the pixels."""

    path: str
    format: str  # "JPEG", "PNG", "BMP", "TIFF"
    width: int
    height: int
    channels: int  # 1 or 3 (alpha dropped)
    bit_depth: int  # 8 or 16
    mode: str  # the file's own mode, e.g. "L", "RGB", "RGBA", "I;16", "RGB;16"
    had_alpha: bool = False
    gray_as_rgb: bool = False  # 3 channels stored, all equal

    @property
    def shape(self) -> tuple[int, ...]:
        return (self.height, self.width) if self.channels == 1 else (self.height, self.width, 3)


def _png_header(path: Path) -> tuple[int, int, int] | None:
    """(width, height, bit depth) from a PNG's IHDR chunk, or None if not a PNG."""
    with open(path, "rb") as fh:
        head = fh.read(26)
    if len(head) < 26 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big"), head[24]


def _read_png16(path: Path) -> tuple[np.ndarray, str, bool]:
    import png

    reader = png.Reader(filename=str(path))
    width, height, rows, meta = reader.asDirect()
    planes = meta["planes"]
    arr = np.vstack([np.asarray(r, dtype=np.uint16) for r in rows]).reshape(height, width, planes)
    had_alpha = bool(meta.get("alpha"))
    if had_alpha:
        arr = arr[..., :-1]
    mode = ("L" if planes - had_alpha == 1 else "RGB") + (";16" if not had_alpha else "A;16")
    if arr.shape[2] == 1:
        arr = arr[..., 0]
    return arr, mode, had_alpha


@contextmanager
def open_checked(path: str | os.PathLike):
    """``PIL.Image.open(path)`` under the pixel-count guard; nothing is decoded yet.

    Pillow warns above ``Image.MAX_IMAGE_PIXELS`` and refuses above twice that,
    while opening. That process-wide setting is set to :func:`max_pixels` for
    the call and restored afterwards; its warning is replaced by our own check of the header size, and its
    ``DecompressionBombError`` is re-raised as :class:`ImageError` naming the file.
    Use this for every Pillow read of a user's file.

    >>> import tempfile
    >>> path = write_image(Path(tempfile.mkdtemp()) / "x.bmp", np.zeros((3, 5)))
    >>> with open_checked(path) as im:
    ...     im.size
    (5, 3)
    """
    from PIL import Image

    path = Path(path)
    limit = max_pixels()
    pillow_limit = Image.MAX_IMAGE_PIXELS
    Image.MAX_IMAGE_PIXELS = limit  # restored below: no process-wide change outlives the call
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise ImageError(
            f"{path}: refused as a possible decompression bomb ({exc}); limit {limit / 1e6:g} "
            f"megapixels, raise it with {ENV_MAX_PIXELS}=<pixels> if the file is genuine"
        ) from None
    finally:
        Image.MAX_IMAGE_PIXELS = pillow_limit
    with im:
        _check_pixel_count(path, *im.size)
        yield im


def _decode(path: Path) -> tuple[np.ndarray, str, str, bool]:
    """Return (raw integer array, file format, file mode, had_alpha)."""
    from PIL import UnidentifiedImageError

    try:
        png_head = _png_header(path)
    except OSError as exc:
        raise ImageError(f"{path}: cannot read image ({exc})") from exc
    if png_head is not None:  # checked from the header whatever decodes it
        _check_pixel_count(path, png_head[0], png_head[1])
    if png_head is not None and png_head[2] == 16:
        try:
            arr, mode, had_alpha = _read_png16(path)
        except Exception as exc:
            raise ImageError(f"{path}: cannot decode 16-bit PNG ({exc})") from exc
        return arr, "PNG", mode, had_alpha
    try:
        with open_checked(path) as im:
            im.load()
            fmt, mode = im.format or path.suffix.lstrip(".").upper(), im.mode
            had_alpha = mode in ("RGBA", "LA", "PA") or (mode == "P" and "transparency" in im.info)
            if mode in ("L", "RGB"):
                arr = np.asarray(im)
            elif mode in ("I;16", "I;16B", "I;16L", "I;16N"):
                arr = np.asarray(im).astype(np.uint16)
            elif mode == "I":  # 16-bit grey PNG/TIFF opened as 32-bit int
                arr = np.asarray(im)
                if arr.min() < 0 or arr.max() > 65535:
                    raise ImageError(f"{path}: unsupported image mode 'I' with values outside 16 bits")
                arr = arr.astype(np.uint16)
            elif mode in ("1", "P", "LA", "PA", "RGBA", "CMYK", "YCbCr"):
                target = "L" if mode in ("1", "LA") else "RGB"
                if mode == "P":
                    target = "RGB"
                arr = np.asarray(im.convert(target))
            else:
                raise ImageError(
                    f"{path}: unsupported image mode {mode!r} (supported: grey or RGB(A), 8 or 16 bit)"
                )
    except FileNotFoundError:
        raise ImageError(f"{path}: file not found") from None
    except UnidentifiedImageError:
        raise ImageError(f"{path}: not a readable image (unknown or corrupt format)") from None
    except (OSError, ValueError) as exc:  # truncated files, I/O errors, oversized text chunks
        raise ImageError(f"{path}: cannot read image ({exc})") from exc
    return arr, fmt, mode, had_alpha


def read_image(path: str | os.PathLike) -> tuple[np.ndarray, ImageInfo]:
    """Read an image file into float64 pixels in 0..255 and an :class:`ImageInfo`.

    Supports JPEG, PNG, BMP and TIFF, 8 and 16 bit, grey, RGB and RGBA (alpha
    is dropped with a warning). A grey picture stored as three equal channels
    stays three channels (as MATLAB's ``imread`` returns it) and is flagged
    ``info.gray_as_rgb``.
    """
    path = Path(path)
    if not path.exists():
        raise ImageError(f"{path}: file not found")
    if path.is_dir():
        raise ImageError(f"{path}: is a directory, not an image")
    arr, fmt, mode, had_alpha = _decode(path)
    if had_alpha:
        warnings.warn(f"{path}: alpha channel dropped", stacklevel=2)
    if arr.ndim == 3 and arr.shape[2] == 4:
        arr = arr[..., :3]
    if arr.ndim == 3 and arr.shape[2] == 1:
        arr = arr[..., 0]
    if arr.ndim not in (2, 3) or (arr.ndim == 3 and arr.shape[2] != 3):
        raise ImageError(f"{path}: unsupported image layout {arr.shape}")
    bit_depth = 16 if arr.dtype == np.uint16 else 8
    pixels = arr.astype(np.float64)
    if bit_depth == 16:
        pixels /= 257.0
    gray_as_rgb = bool(
        arr.ndim == 3 and np.array_equal(arr[..., 0], arr[..., 1]) and np.array_equal(arr[..., 0], arr[..., 2])
    )
    info = ImageInfo(
        path=str(path),
        format=fmt,
        width=arr.shape[1],
        height=arr.shape[0],
        channels=1 if arr.ndim == 2 else 3,
        bit_depth=bit_depth,
        mode=mode,
        had_alpha=had_alpha,
        gray_as_rgb=gray_as_rgb,
    )
    return pixels, info


def to_uint(pixels: np.ndarray, bit_depth: int = 8) -> np.ndarray:
    """Round float pixels in 0..255 to uint8, or to uint16 (×257) for 16 bit."""
    x = np.clip(np.asarray(pixels, dtype=np.float64), 0.0, 255.0)
    if bit_depth == 16:
        return np.rint(x * 257.0).astype(np.uint16)
    return np.rint(x).astype(np.uint8)


def write_image(
    path: str | os.PathLike, pixels: np.ndarray, bit_depth: int = 8, *, compress_level: int | None = None
) -> Path:
    """Write float pixels in 0..255 (or integer arrays) to ``path``, atomically.

    PNG keeps 16 bits when ``bit_depth=16`` (lossless round trip with
    :func:`read_image`). The format follows the suffix. ``compress_level``
    (PNG only, zlib 0..9; default: the encoder's, 6) trades file size for
    speed; every level is lossless. Levels 0 and 1 (the runner's cache) use
    :func:`_png_fast`: one fixed row filter instead of the encoders' adaptive
    choice, 1.8× (8-bit RGB) to 4.8× (16-bit grey) faster for files 3–15 % larger.
    """
    path = Path(path)
    if path.is_dir():
        raise ImageError(f"{path}: is a directory; cannot write an image there")
    arr = np.asarray(pixels)
    if arr.dtype.kind == "f":
        arr = to_uint(arr, bit_depth)
    elif bit_depth == 16 and arr.dtype != np.uint16:
        arr = arr.astype(np.uint16)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp{path.suffix}")
    try:
        if (compress_level is not None and compress_level <= 1 and path.suffix.lower() == ".png"
                and arr.dtype in (np.uint8, np.uint16) and arr.ndim in (2, 3)
                and (arr.ndim == 2 or 1 <= arr.shape[2] <= 4)):
            tmp.write_bytes(_png_fast(arr, compress_level))
        elif arr.dtype == np.uint16 and path.suffix.lower() == ".png":
            import png

            h, w = arr.shape[:2]
            planes = 1 if arr.ndim == 2 else arr.shape[2]
            writer = png.Writer(w, h, greyscale=planes == 1, bitdepth=16, compression=compress_level)
            with open(tmp, "wb") as fh:
                writer.write(fh, arr.reshape(h, w * planes))
        else:
            from PIL import Image

            fmt = _pil_format(path)
            opts = {"compress_level": compress_level} if fmt == "PNG" and compress_level is not None else {}
            Image.fromarray(arr).save(tmp, format=fmt, **opts)
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


def _png_chunk(tag: bytes, data: bytes) -> bytes:
    import struct
    import zlib

    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _png_fast(arr: np.ndarray, level: int) -> bytes:
    """A PNG file of a uint8/uint16 H×W[×C] array (C = 1..4), every row with PNG's "Sub" filter.

    Sub (byte minus the byte one pixel to the left, modulo 256; PNG filter type 1)
    is one numpy subtraction; the encoders' adaptive per-row choice (Pillow, pypng)
    is about half of their time at zlib level 1. Lossless like any PNG.

    >>> import io
    >>> from PIL import Image
    >>> x = np.random.default_rng(0).integers(0, 256, (5, 4, 3), dtype=np.uint8)
    >>> bool(np.array_equal(np.asarray(Image.open(io.BytesIO(_png_fast(x, 1)))), x))
    True
    """
    import struct
    import zlib

    h, w = arr.shape[:2]
    planes = 1 if arr.ndim == 2 else arr.shape[2]
    depth = 16 if arr.dtype == np.uint16 else 8
    rows = np.ascontiguousarray(arr, dtype=">u2" if depth == 16 else np.uint8).reshape(h, -1).view(np.uint8)
    bpp = planes * depth // 8
    out = np.empty((h, rows.shape[1] + 1), np.uint8)
    out[:, 0] = 1  # filter type Sub
    out[:, 1:bpp + 1] = rows[:, :bpp]
    np.subtract(rows[:, bpp:], rows[:, :-bpp], out=out[:, bpp + 1:])
    colour = {1: 0, 2: 4, 3: 2, 4: 6}[planes]  # grey, grey+alpha, RGB, RGBA
    header = struct.pack(">IIBBBBB", w, h, depth, colour, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(out.tobytes(), level)) + _png_chunk(b"IEND", b""))


def _pil_format(path: Path) -> str:
    suffix = path.suffix.lower()
    return {".jpg": "JPEG", ".jpeg": "JPEG", ".png": "PNG", ".bmp": "BMP", ".tif": "TIFF", ".tiff": "TIFF"}.get(
        suffix, "PNG"
    )


def as_float_image(x: np.ndarray, name: str = "image") -> np.ndarray:
    """Array (uint8, uint16 or float in 0..255) -> float64 in 0..255, H×W or H×W×3."""
    arr = np.asarray(x)
    if arr.dtype == np.uint16:
        out = arr.astype(np.float64) / 257.0
    elif arr.dtype.kind in "uib":
        out = arr.astype(np.float64)
    elif arr.dtype.kind == "f":
        out = arr.astype(np.float64, copy=False)
    else:
        raise ImageError(f"{name}: unsupported array dtype {arr.dtype}")
    if out.ndim == 3 and out.shape[2] == 1:
        out = out[..., 0]
    if out.ndim == 3 and out.shape[2] == 4:
        out = out[..., :3]
    if out.ndim not in (2, 3) or (out.ndim == 3 and out.shape[2] != 3):
        raise ImageError(f"{name}: expected H×W or H×W×3 array, got shape {arr.shape}")
    return out


def check_same_size(**images: np.ndarray) -> None:
    """Raise :class:`ShapeMismatchError` naming every image's size if H×W differ.

    >>> check_same_size(A=np.zeros((4, 5)), B=np.zeros((4, 5, 3)))
    """
    sizes = {k: tuple(np.shape(v)[:2]) for k, v in images.items()}
    if len(set(sizes.values())) > 1:
        desc = ", ".join(f"{k} is {s[0]}×{s[1]}" for k, s in sizes.items())
        raise ShapeMismatchError(f"image sizes differ: {desc}")
