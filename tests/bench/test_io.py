import os

import numpy as np
import pytest

from bench.errors import ImageError, ShapeMismatchError
from bench.io import check_same_size, read_image, write_image


def test_read_real_jpeg(shared_datasets):
    px, info = read_image(shared_datasets / "lytro" / "lytro-01-A.jpg")
    assert px.dtype == np.float64 and px.shape == (520, 520, 3)
    assert info.bit_depth == 8 and info.channels == 3 and not info.gray_as_rgb
    assert 0 <= px.min() and px.max() <= 255 and np.all(px == np.round(px))


def test_gray_stored_as_rgb_is_flagged(shared_datasets):
    px, info = read_image(shared_datasets / "mfifb" / "sources" / "aymaz_09_A.bmp")
    assert info.channels == 3 and info.gray_as_rgb


@pytest.mark.parametrize("suffix", [".png", ".tif", ".bmp"])
def test_roundtrip_8bit(tmp_path, rng, suffix):
    x = rng.integers(0, 256, (7, 9, 3)).astype(np.float64)
    write_image(tmp_path / f"x{suffix}", x)
    y, info = read_image(tmp_path / f"x{suffix}")
    np.testing.assert_array_equal(x, y)


@pytest.mark.parametrize("shape", [(7, 9), (7, 9, 3)])
def test_roundtrip_16bit_png(tmp_path, rng, shape):
    raw = rng.integers(0, 65536, shape).astype(np.uint16)
    write_image(tmp_path / "x.png", raw, bit_depth=16)
    y, info = read_image(tmp_path / "x.png")
    assert info.bit_depth == 16
    np.testing.assert_allclose(y * 257, raw, atol=1e-9)
    write_image(tmp_path / "y.png", y, bit_depth=16)  # float 0..255 -> 16 bit, lossless
    z, _ = read_image(tmp_path / "y.png")
    np.testing.assert_allclose(z, y, atol=1e-9)


def test_rgba_alpha_dropped_with_warning(tmp_path):
    from PIL import Image

    Image.fromarray(np.full((4, 4, 4), 200, np.uint8)).save(tmp_path / "a.png")
    with pytest.warns(UserWarning, match="alpha"):
        px, info = read_image(tmp_path / "a.png")
    assert px.shape == (4, 4, 3) and info.had_alpha


def test_errors_name_the_file(tmp_path):
    with pytest.raises(ImageError, match="nope.png: file not found"):
        read_image(tmp_path / "nope.png")
    (tmp_path / "junk.jpg").write_bytes(b"not an image")
    with pytest.raises(ImageError, match="junk.jpg"):
        read_image(tmp_path / "junk.jpg")


def test_truncated_file(tmp_path, shared_datasets):
    data = (shared_datasets / "lytro" / "lytro-01-A.jpg").read_bytes()
    (tmp_path / "cut.jpg").write_bytes(data[: len(data) // 3])
    with pytest.raises(ImageError, match="cut.jpg"):
        read_image(tmp_path / "cut.jpg")


def test_size_mismatch_names_all_three():
    with pytest.raises(ShapeMismatchError, match="A is 2×2, B is 2×2, F is 3×2"):
        check_same_size(A=np.zeros((2, 2)), B=np.zeros((2, 2)), F=np.zeros((3, 2)))


# -- size guard: decompression bombs and oversized files ----------------------


@pytest.fixture
def pixel_limit():
    """Set the read limit for one test, then restore the default."""
    from bench.io import set_max_pixels

    yield set_max_pixels
    set_max_pixels(None)


def _png_claiming(path, width, height, bit_depth=8, colour_type=0):
    """A PNG whose IHDR claims ``width``×``height``: one tiny IDAT, valid CRCs."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, bit_depth, colour_type, 0, 0, 0)
    body = chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + body)
    return path


def _bmp_claiming(path, width, height):
    """An 8-bit grey BMP header claiming ``width``×``height`` with almost no pixel data."""
    import struct

    palette = b"".join(bytes((i, i, i, 0)) for i in range(256))
    offset = 14 + 40 + len(palette)
    info = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 0, 0, 2835, 2835, 256, 0)
    path.write_bytes(b"BM" + struct.pack("<IHHI", offset + 64, 0, 0, offset) + info + palette + b"\0" * 64)
    return path


@pytest.mark.parametrize("bit_depth", [8, 16])
def test_png_bomb_refused_from_header_naming_the_file(tmp_path, bit_depth):
    bomb = _png_claiming(tmp_path / f"bomb{bit_depth}.png", 40000, 40000, bit_depth)
    with pytest.raises(ImageError, match=rf"bomb{bit_depth}\.png: image is 40000×40000 .*limit of 100 megapixels"):
        read_image(bomb)


def test_16bit_png_guarded_by_the_same_limit(tmp_path, pixel_limit):
    write_image(tmp_path / "deep.png", np.full((20, 30), 40000, np.uint16), bit_depth=16)
    assert read_image(tmp_path / "deep.png")[1].bit_depth == 16  # under the default limit
    pixel_limit(599)
    with pytest.raises(ImageError, match=r"deep\.png: image is 30×20 .*over the limit"):
        read_image(tmp_path / "deep.png")
    pixel_limit(600)
    assert read_image(tmp_path / "deep.png")[0].shape == (20, 30)


def test_pillow_formats_checked_before_decoding(tmp_path, pixel_limit):
    # A BMP header claiming 12000×9000 (108 MP: the size that made `average` use 13.5 GB).
    with pytest.raises(ImageError, match=r"huge\.bmp: image is 12000×9000 \(108\.0 megapixels\)"):
        read_image(_bmp_claiming(tmp_path / "huge.bmp", 12000, 9000))
    # Pillow's own decompression-bomb error (above twice the limit) names the file too.
    pixel_limit(100)
    write_image(tmp_path / "small.bmp", np.zeros((30, 30)))
    with pytest.raises(ImageError, match=r"small\.bmp: refused as a possible decompression bomb"):
        read_image(tmp_path / "small.bmp")
    # Between the limit and twice it, Pillow only warns: our check refuses it.
    write_image(tmp_path / "mid.bmp", np.zeros((10, 15)))
    with pytest.raises(ImageError, match=r"mid\.bmp: image is 15×10"):
        read_image(tmp_path / "mid.bmp")


def test_limit_from_environment(tmp_path, monkeypatch):
    from bench.errors import ParameterError

    write_image(tmp_path / "x.png", np.zeros((10, 10)))
    monkeypatch.setenv("FUSEBENCH_MAX_PIXELS", "99")
    with pytest.raises(ImageError, match=r"x\.png: image is 10×10 .*FUSEBENCH_MAX_PIXELS"):
        read_image(tmp_path / "x.png")
    monkeypatch.setenv("FUSEBENCH_MAX_PIXELS", "1e2")
    assert read_image(tmp_path / "x.png")[0].shape == (10, 10)
    monkeypatch.setenv("FUSEBENCH_MAX_PIXELS", "lots")
    with pytest.raises(ParameterError, match="FUSEBENCH_MAX_PIXELS='lots'"):
        read_image(tmp_path / "x.png")


def test_set_limit_reaches_worker_processes_and_is_undone(tmp_path, monkeypatch, pixel_limit):
    import subprocess
    import sys

    from bench.errors import ParameterError

    monkeypatch.setenv("FUSEBENCH_MAX_PIXELS", "5000")
    write_image(tmp_path / "x.png", np.zeros((10, 10)))
    pixel_limit(99)
    child = subprocess.run(
        [sys.executable, "-c", "import sys; from bench.io import read_image; read_image(sys.argv[1])",
         str(tmp_path / "x.png")], capture_output=True, text=True)
    assert child.returncode != 0 and "x.png: image is 10×10" in child.stderr  # a new process too
    pixel_limit(None)
    assert os.environ["FUSEBENCH_MAX_PIXELS"] == "5000"  # as it was
    for bad in (0, -5, 2.5, "many", True):
        with pytest.raises(ParameterError, match="positive integer"):
            pixel_limit(bad)


@pytest.mark.parametrize("bit_depth, shape", [(8, (9, 7, 3)), (8, (9, 7)), (16, (9, 7, 3)), (16, (9, 7))])
def test_fast_png_levels_round_trip_losslessly(tmp_path, bit_depth, shape):
    # levels 0-1 use bench.io._png_fast (a fixed Sub row filter), read back by Pillow/pypng
    rng = np.random.default_rng(7)
    x = rng.integers(0, 256 if bit_depth == 8 else 65536, shape).astype(np.uint8 if bit_depth == 8 else np.uint16)
    x[0, 0] = 0
    for level in (0, 1):
        p = write_image(tmp_path / f"x{level}.png", x, bit_depth=bit_depth, compress_level=level)
        y, _ = read_image(p)
        assert np.array_equal(y, x / (257.0 if bit_depth == 16 else 1.0))
