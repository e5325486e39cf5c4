"""VGG-19 transfer: every VGG layer gets its tensor, nothing else is touched; file lookup."""

from __future__ import annotations

import pytest
import torch

from bench.errors import FusebenchError
from methods.tlnet import vgg_transfer as vt
from methods.tlnet.model import CONFIGS, TLNet


def fabricated_vgg19_state_dict() -> dict[str, torch.Tensor]:
    """Real torchvision VGG-19 keys and shapes; each tensor filled with a distinct value."""
    sd = {}
    for n, (idx, (cout, cin)) in enumerate(zip(vt.VGG19_CONV_INDICES, vt.VGG19_CONV_SHAPES)):
        sd[f"features.{idx}.weight"] = torch.full((cout, cin, 3, 3), 0.001 * (n + 1))
        sd[f"features.{idx}.bias"] = torch.full((cout,), -0.001 * (n + 1))
    # classifier: real shapes without allocating 500 MB (expanded views)
    for key, shape in (("classifier.0.weight", (4096, 25088)), ("classifier.0.bias", (4096,)),
                       ("classifier.3.weight", (4096, 4096)), ("classifier.3.bias", (4096,)),
                       ("classifier.6.weight", (1000, 4096)), ("classifier.6.bias", (1000,))):
        sd[key] = torch.zeros(1).expand(*shape)
    return sd


@pytest.fixture(scope="module")
def paper_net_and_before():
    torch.manual_seed(0)
    net = TLNet("paper")
    before = {k: v.clone() for k, v in net.state_dict().items()}
    return net, before


def test_transfer_copies_every_vgg_layer_and_nothing_else(paper_net_and_before):
    net, before = paper_net_and_before
    sd = fabricated_vgg19_state_dict()
    report = vt.transfer_vgg19(net, sd)
    assert len(report["copied"]) == 32
    vgg_ids = set()
    for n, conv in enumerate(net.vgg_convs()):
        idx = vt.VGG19_CONV_INDICES[n]
        torch.testing.assert_close(conv.weight, sd[f"features.{idx}.weight"])
        torch.testing.assert_close(conv.bias, sd[f"features.{idx}.bias"])
        vgg_ids |= {id(conv.weight), id(conv.bias)}
    params = dict(net.named_parameters())
    untouched = [k for k, v in net.state_dict().items() if not (k in params and id(params[k]) in vgg_ids)]
    assert len(untouched) > 100
    for k in untouched:
        torch.testing.assert_close(net.state_dict()[k], before[k], msg=f"{k} was modified")


def test_freeze_vgg_stops_only_vgg_gradients():
    # full-width VGG layers (transfer needs them), lighter new/decoder layers
    net = TLNet(CONFIGS["paper"].replace(new_convs=1, decoder_convs=(1, 1, 1, 1, 1)))
    vt.transfer_vgg19(net, fabricated_vgg19_state_dict(), freeze=True)
    vgg = {id(p) for c in net.vgg_convs() for p in (c.weight, c.bias)}
    for p in net.parameters():
        assert p.requires_grad == (id(p) not in vgg)


def test_width_multiplier_cannot_take_vgg_weights():
    with pytest.raises(FusebenchError, match="width"):
        vt.transfer_vgg19(TLNet("cpu"), fabricated_vgg19_state_dict())


def test_missing_file_says_what_and_how(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    monkeypatch.delenv("FUSEBENCH_VGG19", raising=False)
    with pytest.raises(vt.VGGWeightsMissing) as err:
        vt.find_vgg19_weights(tmp_path / "nope.pth")
    msg = str(err.value)
    assert "vgg19-dcbb9e9d.pth" in msg and str(tmp_path / "hub" / "checkpoints") in msg
    assert "nope.pth" in msg and "--no-transfer" in msg and vt.VGG19_URL in msg


def test_cache_location_found_and_hash_checked(tmp_path, monkeypatch):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path / "hub"))
    monkeypatch.delenv("FUSEBENCH_VGG19", raising=False)
    cache = tmp_path / "hub" / "checkpoints" / vt.VGG19_FILE
    cache.parent.mkdir(parents=True)
    torch.save({"features.0.weight": torch.zeros(64, 3, 3, 3)}, cache)
    assert vt.find_vgg19_weights() == cache
    with pytest.raises(FusebenchError, match="SHA-256"):  # a fabricated file is not the official one
        vt.load_vgg19_state_dict()
    sd = vt.load_vgg19_state_dict(verify_hash=False)
    assert tuple(sd["features.0.weight"].shape) == (64, 3, 3, 3)
