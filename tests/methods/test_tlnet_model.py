"""tlnet architecture: layer counts, widths, sizes, ablation switches, any-size inference."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

from methods.tlnet.model import CONFIGS, TLNet, count_layers, pad_to_multiple, predict_unfocused


@pytest.fixture(scope="module")
def paper_net():
    torch.manual_seed(0)
    return TLNet("paper")


def test_paper_configuration_layers_and_widths(paper_net):
    counts = count_layers(paper_net)
    assert [e["vgg"] for e in counts["encoders"]] == [2, 2, 4, 4, 4]
    assert [e["new"] for e in counts["encoders"]] == [5, 5, 5, 5, 5]
    assert [e["channels"] for e in counts["encoders"]] == [64, 128, 256, 512, 512]
    assert [d["convs"] for d in counts["decoders"]] == [8, 8, 8, 6, 6]
    assert [d["channels"] for d in counts["decoders"]] == [512, 512, 256, 128, 64]
    assert all(d["head"] == 2 for d in counts["decoders"])
    for enc in paper_net.encoders:  # only the last new conv of each encoder is strided
        assert enc.down[0].stride == (2, 2)
        assert all(b[0].stride == (1, 1) for b in [*enc.vgg, *enc.new])
    for dec in paper_net.decoders:
        up = dec.up[0]
        assert isinstance(up, nn.ConvTranspose2d) and up.kernel_size == (4, 4) and up.stride == (2, 2)
    # every conv is followed by BatchNorm then Mish
    blocks = [b for e in paper_net.encoders for b in [*e.vgg, *e.new, e.down]]
    blocks += [b for d in paper_net.decoders for b in [d.up, *d.convs]]
    assert all(isinstance(b[1], nn.BatchNorm2d) and isinstance(b[2], nn.Mish) for b in blocks)


def test_paper_forward_224_reaches_7_and_back(paper_net):
    paper_net.eval()
    with torch.no_grad():
        heads = paper_net(torch.randn(1, 3, 224, 224))
    assert paper_net.bottleneck_shape == (1, 512, 7, 7)
    assert [tuple(h.shape[-2:]) for h in heads] == [(14, 14), (28, 28), (56, 56), (112, 112), (224, 224)]
    assert all(h.shape[1] == 2 and torch.isfinite(h).all() for h in heads)


def test_cpu_configuration_shares_layout_with_smaller_widths():
    net = TLNet("cpu")
    counts = count_layers(net)
    assert [e["vgg"] for e in counts["encoders"]] == [2, 2, 4, 4, 4]
    assert [e["channels"] for e in counts["encoders"]] == [8, 16, 32, 64, 64]
    assert counts["parameters"] < 2_000_000


@pytest.mark.parametrize("shape", [(17, 23), (1, 1), (333, 417), (64, 96)])
def test_any_size_inference_is_padded_and_cropped_back(shape):
    torch.manual_seed(0)
    net = TLNet("cpu")
    img = np.random.default_rng(0).uniform(0, 255, (*shape, 3))
    p = predict_unfocused(net, img)
    assert p.shape == shape
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_array_equal(p, predict_unfocused(net, img))  # deterministic
    if shape == (333, 417):  # padding must not change what the net sees inside the image
        grey = predict_unfocused(net, img.mean(axis=2))
        assert grey.shape == shape


def test_reflection_padding_reaches_multiple_of_32():
    x = torch.arange(5 * 7, dtype=torch.float32).reshape(1, 1, 5, 7)
    y, size = pad_to_multiple(x)
    assert size == (5, 7) and tuple(y.shape[-2:]) == (32, 32)
    torch.testing.assert_close(y[..., :5, :7], x)
    torch.testing.assert_close(y[..., 5, :7], x[..., 3, :])  # reflection, not zeros


def test_batchnorm_switch_and_init_schemes():
    no_bn = TLNet(CONFIGS["cpu"].replace(batchnorm=False))
    assert not any(isinstance(m, nn.BatchNorm2d) for m in no_bn.modules())
    torch.manual_seed(0)
    xavier = TLNet(CONFIGS["cpu"].replace(init="xavier"))
    normal = TLNet(CONFIGS["cpu"].replace(init="normal"))
    w_x = xavier.encoders[4].vgg[0][0].weight.detach()
    w_n = normal.encoders[4].vgg[0][0].weight.detach()
    fan = w_x.shape[0] * 9 + w_x.shape[1] * 9
    assert abs(float(w_x.std()) - (2.0 / fan) ** 0.5) < 0.1 * (2.0 / fan) ** 0.5
    assert abs(float(w_n.std()) - 0.01) < 0.001
    with pytest.raises(ValueError, match="init"):
        TLNet(CONFIGS["cpu"].replace(init="kaiming"))


def test_multiscale_single_scale_is_plain_inference_and_averages():
    from methods.tlnet.model import predict_unfocused_multiscale

    torch.manual_seed(0)
    net = TLNet("cpu")
    img = np.random.default_rng(1).uniform(0, 255, (40, 52, 3))
    plain = predict_unfocused(net, img)
    np.testing.assert_allclose(predict_unfocused_multiscale(net, [img], (1.0,))[0], plain, atol=1e-6)
    half = predict_unfocused_multiscale(net, [img], (0.5,))[0]
    both = predict_unfocused_multiscale(net, [img], (1.0, 0.5))[0]
    assert half.shape == img.shape[:2]
    np.testing.assert_allclose(both, (plain + half) / 2, atol=1e-6)
