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
