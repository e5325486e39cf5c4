"""``densefuse`` — DenseFuse (Li & Wu 2019) with the authors' PyTorch weights.

H. Li, X.-J. Wu, "DenseFuse: A fusion approach to infrared and visible
images", IEEE Transactions on Image Processing 28(5) (2019) 2614–2623.
Released weights: ``hli1221/densefuse-pytorch`` @ 4394b63e, ``models/``.

Network (an auto-encoder trained on MS-COCO; the fusion layer is not trained):

1. Encoder: ``conv1`` 3×3 (1 or 3 → 16 channels), then a dense block of three
   3×3 convolutions of 16 channels, each fed the concatenation of everything
   before it: φ = [x₁, c₁(x₁), c₂([x₁, c₁]), c₃([x₁, c₁, c₂])], 64 channels.
2. Fusion of the two sources' features φ_A, φ_B (``strategy``):

   - ``"addition"``: f = (φ_A + φ_B) / 2, the PyTorch release's ``fusion()``
     (the paper's addition strategy is the plain sum, ``"sum"`` here);
   - ``"sum"``: f = φ_A + φ_B (paper Eq. 3, the TensorFlow release);
   - ``"l1"``: the paper's l1-norm strategy: activity C_i = ‖φ_i(x, y)‖₁ over
     the 64 channels, averaged over a (2r+1)² window (``l1_radius`` r, paper
     r = 1; zeros outside the image; r = 0 is the TensorFlow release's
     pixel-wise map), weights w_i = Ĉ_i / (Ĉ_A + Ĉ_B), f = w_A φ_A + w_B φ_B.

3. Decoder: 3×3 convolutions 64 → 64 → 32 → 16 → 1 (or 3).

Every convolution is preceded by a 1-pixel *reflection* pad and followed by a
ReLU (the release's ``ConvLayer`` is built with ``is_last=False`` throughout,
so the last one too). Sources enter in 0..255 (not rescaled); the output is
clamped to 0..255 and truncated to 8 bits (their ``clamp(0, 255)`` and
``astype('uint8')``).

Colour, following the authors' test scripts: with ``model="gray"`` (default)
grey sources go through the grey network, and colour sources channel by
channel (the TensorFlow release's ``_handler_rgb``: each RGB channel of A fused
with the same channel of B; a grey infrared image is repeated, so each visible
channel is fused with it), hence ``colour = "per-channel"``. With
``model="rgb"`` colour sources go through the 3-channel network at once (the
PyTorch release's RGB mode); grey sources are repeated to 3 channels and the
output turned back to grey (BT.601 luma).

Weights: ``densefuse/densefuse_{gray,rgb}.model`` (≈300 KB state dicts), found
by :mod:`bench.weights` (``weights`` parameter, ``FUSEBENCH_DENSEFUSE_GRAY`` /
``FUSEBENCH_DENSEFUSE_RGB``, ``$FUSEBENCH_WEIGHTS``, cache, download).

    >>> import torch
    >>> net = build_network(1).eval()     # load_network("gray") reads the authors' weights
    >>> sorted(net.state_dict())[:2]
    ['DB1.denseblock.0.dense_conv.conv2d.bias', 'DB1.denseblock.0.dense_conv.conv2d.weight']
    >>> with torch.no_grad():
    ...     fuse_tensors(net, torch.zeros(1, 1, 8, 9), torch.ones(1, 1, 8, 9), "l1").shape
    torch.Size([1, 1, 8, 9])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from bench.color import luma
from bench.errors import ParameterError
from bench.weights import declare, locate
from methods.base import FusionMethod, FusionResult, register_method
from methods.devices import cached_network, file_key, load_state, torch_device

_SOURCE = "hli1221/densefuse-pytorch@4394b63e9295db1c6b7a5c3664551c90f0605f2b:models/"
WEIGHTS = {
    "gray": declare("densefuse/densefuse_gray.model",
                    "b34cf3650f04161b31ac2467decfeedf7eba39165b7618f846e0f298ecd2ac65", 300413,
                    _SOURCE + "densefuse_gray.model", env="FUSEBENCH_DENSEFUSE_GRAY",
                    method="densefuse"),
    "rgb": declare("densefuse/densefuse_rgb.model",
                   "d1829f47c0ff02ecfc294907655384eebc911a00deb89b91e354ae47c8728ea5", 302727,
                   _SOURCE + "densefuse_rgb.model", env="FUSEBENCH_DENSEFUSE_RGB",
                   method="densefuse"),
}
STRATEGIES = ("addition", "sum", "l1")


def build_network(channels: int = 1):
    """The DenseFuse auto-encoder (torch imported lazily); keys match the authors' state dicts."""
    from torch import nn
    from torch.nn import functional as F

    class ConvLayer(nn.Module):  # reflection pad 1, 3×3 conv, ReLU
        def __init__(self, cin: int, cout: int) -> None:
            super().__init__()
            self.conv2d = nn.Conv2d(cin, cout, 3)

        def forward(self, x):
            return F.relu(self.conv2d(F.pad(x, (1, 1, 1, 1), mode="reflect")))

    class DenseConv(nn.Module):
        def __init__(self, cin: int) -> None:
            super().__init__()
            self.dense_conv = ConvLayer(cin, 16)

        def forward(self, x):
            import torch

            return torch.cat([x, self.dense_conv(x)], 1)

    class DenseBlock(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.denseblock = nn.Sequential(DenseConv(16), DenseConv(32), DenseConv(48))

        def forward(self, x):
            return self.denseblock(x)

    class DenseFuseNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv1 = ConvLayer(channels, 16)
            self.DB1 = DenseBlock()
            self.conv2 = ConvLayer(64, 64)
            self.conv3 = ConvLayer(64, 32)
            self.conv4 = ConvLayer(32, 16)
            self.conv5 = ConvLayer(16, channels)

        def encoder(self, x):
            return self.DB1(self.conv1(x))

        def decoder(self, f):
            return self.conv5(self.conv4(self.conv3(self.conv2(f))))

    return DenseFuseNet()


def l1_weights(fa, fb, radius: int = 1):
    """Weight of A: Ĉ_A / (Ĉ_A + Ĉ_B), Ĉ = window mean of the channels' l1 norm (0.5 where both 0)."""
    import torch
    from torch.nn import functional as F

    ca, cb = fa.abs().sum(1, keepdim=True), fb.abs().sum(1, keepdim=True)
    if radius > 0:
        k = 2 * radius + 1
        ca = F.avg_pool2d(ca, k, stride=1, padding=radius, count_include_pad=True)
        cb = F.avg_pool2d(cb, k, stride=1, padding=radius, count_include_pad=True)
    total = ca + cb
    return torch.where(total > 0, ca / total.clamp_min(1e-30), torch.full_like(total, 0.5))


def fuse_tensors(net, ta, tb, strategy: str = "addition", l1_radius: int = 1):
    """Decoder output (float, before clamping) for two (1, C, H, W) sources in 0..255."""
    fa, fb = net.encoder(ta), net.encoder(tb)
    if strategy == "addition":
        f = (fa + fb) / 2
    elif strategy == "sum":
        f = fa + fb
    else:
        w = l1_weights(fa, fb, l1_radius)
        f = w * fa + (1 - w) * fb
    return net.decoder(f)


def load_network(model: str, path: str | None = None, device: str = "cpu"):
    """DenseFuse with the authors' ``model`` ("gray" / "rgb") weights, eval mode, cached."""
    p = locate(WEIGHTS[model], path)
    return cached_network(
        ("densefuse", model, *file_key(p), str(device)),
        lambda: load_state(build_network(1 if model == "gray" else 3), p, "densefuse",
                           f"DenseFuse ({model})").to(device))


@register_method
class DenseFuse(FusionMethod):
    """DenseFuse: dense-block encoder, addition or l1-norm fusion of the features, decoder."""

    name = "densefuse"
    version = "1"
    kind = "deep"
    modalities = ("ir-visible", "multi-focus", "medical")
    groups: ClassVar[tuple[str, ...]] = ("deep",)
    published_names: ClassVar[dict[str, str]] = {}
    colour = "per-channel"
    identity_exempt: ClassVar[str] = (
        "the output is the auto-encoder's reconstruction of the source (clamped and truncated "
        "to 8 bits), close to it but not equal"
    )
    citation = (
        "H. Li, X.-J. Wu, DenseFuse: A fusion approach to infrared and visible images, "
        "IEEE Transactions on Image Processing 28(5) (2019) 2614-2623"
    )

    @dataclass
    class Params:
        model: str = "gray"  # gray (grey network; colour channel by channel) or rgb
        strategy: str = "addition"  # addition (mean, PyTorch release), sum (paper), l1
        l1_radius: int = 1  # window radius of the l1 strategy (paper 1; 0 = TF release)
        weights: str | None = None  # state-dict path; None = found by bench.weights
        device: str = "auto"  # auto (CUDA if available), cpu, cuda, cuda:N

    def run(self, a, b, params):
        import torch

        if params.model not in WEIGHTS:
            raise ParameterError(f"method 'densefuse': model must be gray or rgb, got {params.model!r}")
        if params.strategy not in STRATEGIES:
            raise ParameterError(
                f"method 'densefuse': strategy must be one of {', '.join(STRATEGIES)}, "
                f"got {params.strategy!r}"
            )
        if params.l1_radius < 0:
            raise ParameterError(f"method 'densefuse': l1_radius must be >= 0, got {params.l1_radius}")
        dev = torch_device(params.device, self.name)
        net = load_network(params.model, params.weights, dev)
        grey = a.ndim == 2

        def planes(x):  # (N, C, H, W) batches the network takes
            if params.model == "gray":
                x = x[..., None] if grey else x
                return np.ascontiguousarray(x.transpose(2, 0, 1)[:, None], dtype=np.float32)
            x = np.repeat(x[..., None], 3, axis=2) if grey else x
            return np.ascontiguousarray(x.transpose(2, 0, 1)[None], dtype=np.float32)

        pa, pb = planes(a), planes(b)
        outs = []
        with torch.inference_mode():
            for xa, xb in zip(pa, pb):  # one source pair per call: at most 3 (per channel)
                ta = torch.from_numpy(xa[None]).to(dev)
                tb = torch.from_numpy(xb[None]).to(dev)
                out = fuse_tensors(net, ta, tb, params.strategy, params.l1_radius)
                outs.append(out[0].double().cpu().numpy())
        out = np.concatenate(outs, 0).transpose(1, 2, 0)  # H×W×C
        out = np.floor(np.clip(out, 0.0, 255.0))
        if grey:
            out = np.rint(luma(out)) if out.shape[2] == 3 else out[..., 0]
        return FusionResult(image=out)
