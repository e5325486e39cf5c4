"""FusionMethod.fuse's mixed-colour policy (grey + colour sources), on a real colour photo
(scikit-image's astronaut) beside a grey one (camera)."""

from __future__ import annotations

import numpy as np
import pytest
from skimage import data
from skimage.transform import resize

import methods
from bench.color import rgb_to_ycbcr
from bench.errors import ParameterError


@pytest.fixture(scope="module")
def colour_grey():
    colour = data.astronaut()[100:196, 150:246].astype(np.float64)  # 96×96 RGB
    grey = resize(data.camera(), (96, 96), preserve_range=True, anti_aliasing=True)
    return colour, grey


@pytest.mark.parametrize("name", ["average", "gff", "dwt"])
def test_ycbcr_keeps_the_colour_sources_chroma(name, colour_grey):
    colour, grey = colour_grey
    m = methods.get_method(name)
    out = m.fuse(colour, grey, mixed_colour="ycbcr").image
    assert out.shape == colour.shape
    f, c = rgb_to_ycbcr(out), rgb_to_ycbcr(colour)
    inside = ((out > 0) & (out < 255)).all(axis=-1)
    assert inside.mean() > 0.8
    np.testing.assert_allclose(f[..., 1:][inside], c[..., 1:][inside], atol=1e-9)
    # the luma is the method's grey fusion of the colour source's luma with the grey source
    y = m.fuse(np.clip(rgb_to_ycbcr(colour)[..., 0], 0, 255), grey).image
    np.testing.assert_allclose(f[..., 0][inside], y[inside], atol=1e-9)
    assert np.abs(f[..., 0] - c[..., 0]).mean() > 5  # and differs from the colour source's


def test_source_order_is_kept(colour_grey):
    colour, grey = colour_grey
    gff = methods.get_method("gff")
    ab = gff.fuse(grey, colour, mixed_colour="ycbcr")
    y = np.clip(rgb_to_ycbcr(colour)[..., 0], 0, 255)
    grey_first = gff.fuse(grey, y)
    np.testing.assert_allclose(ab.decision_map, grey_first.decision_map)  # weight of A = grey
    assert not np.allclose(ab.decision_map, gff.fuse(y, grey).decision_map)


def test_rgb_policy_is_the_default_and_fuses_in_colour(colour_grey):
    colour, grey = colour_grey
    avg = methods.get_method("average")
    out = avg.fuse(colour, grey).image
    np.testing.assert_allclose(out, (colour + grey[..., None]) / 2)
    # in colour the grey source dilutes the chroma (which ycbcr keeps)
    assert not np.allclose(rgb_to_ycbcr(out)[..., 1:], rgb_to_ycbcr(colour)[..., 1:], atol=1.0)


def test_policy_ignored_for_same_kind_sources_and_checked(colour_grey):
    colour, grey = colour_grey
    avg = methods.get_method("average")
    np.testing.assert_array_equal(avg.fuse(grey, grey, mixed_colour="ycbcr").image, grey)
    with pytest.raises(ParameterError, match="mixed-colour policy"):
        avg.fuse(colour, grey, mixed_colour="hsv")


def test_ihs_mixed_colour_keeps_hue_and_saturation():
    """A colour source (astronaut) and a grey one (camera), fused by ``average`` with
    ``mixed_colour="ihs"``: the intensity is the average of the grey image and the colour
    image's I, and wherever no channel was clipped the colour image's v1, v2 (hue and
    saturation) come back unchanged. (Both substitutions add one offset to R, G and B, so
    ``ycbcr`` keeps v1, v2 too; what differs is the intensity fused: BT.601 Y, not I.)"""
    from bench.color import hue_saturation, rgb_to_ihs

    colour = data.astronaut()[100:164, 100:164].astype(np.float64)
    grey = data.camera()[100:164, 100:164].astype(np.float64)
    fused = methods.get_method("average").fuse(colour, grey, mixed_colour="ihs").image
    src, out = rgb_to_ihs(colour), rgb_to_ihs(fused)
    inside = ((fused > 0) & (fused < 255)).all(axis=2)
    assert inside.mean() > 0.9
    np.testing.assert_allclose(out[inside, 0], ((src[..., 0] + grey) / 2)[inside], atol=1e-9)
    np.testing.assert_allclose(out[inside, 1:], src[inside, 1:], atol=1e-9)
    h0, s0 = hue_saturation(src)
    h1, s1 = hue_saturation(out)
    np.testing.assert_allclose(s1[inside], s0[inside], atol=1e-9)
    coloured = inside & (s0 > 1)
    np.testing.assert_allclose(np.cos(h1 - h0)[coloured], 1.0, atol=1e-9)
    other = methods.get_method("average").fuse(colour, grey, mixed_colour="ycbcr").image
    keep = ((other > 0) & (other < 255)).all(axis=2)
    np.testing.assert_allclose(rgb_to_ycbcr(other)[keep, 1:], rgb_to_ycbcr(colour)[keep, 1:],
                               atol=1e-9)
    np.testing.assert_allclose(rgb_to_ihs(other)[keep, 1:], src[keep, 1:], atol=1e-9)
    both = keep & inside
    assert np.abs(other - fused)[both].max() > 2  # averaged with Y instead of I


def test_unknown_mixed_colour_policy_names_the_choices():
    with pytest.raises(ParameterError, match="ihs"):
        methods.get_method("average").fuse(np.zeros((4, 4, 3)), np.zeros((4, 4)), mixed_colour="hsv")
