"""The tlnet network: a VGG-19-based encoder/decoder that predicts a focus map.

Paper configuration (Lv & Cai, "transfer learning ... VGG-19", see
``../shared/spec/tlnet.md``)::

    input 3×H×W
    encoder k (k = 1..5), channels 64, 128, 256, 512, 512:
        VGG-19 convs of block k (2, 2, 4, 4, 4 of them), then ``new_convs``
        new 3×3 convs (5 in the paper); the last new conv has stride 2.
    decoder j (j = 1..5): 4×4 stride-2 transposed conv, concatenation with the
        same-size encoder features (the block's features before its stride-2
        conv), then 3×3 convs (8, 8, 8, 6, 6), and a 1×1 head with 2 logits.
    every conv: conv -> BatchNorm -> Mish   (BatchNorm off: "Compare-bn")

A 224×224 input reaches 7×7 at the bottleneck and 224×224 at the last head.
Class 1 of every head is "unfocused" (the paper's label 1).

Configurations share all code; :data:`CONFIGS` holds the named ones::

    >>> net = TLNet(CONFIGS["cpu"])
    >>> heads = net(torch.zeros(1, 3, 64, 64))
    >>> [tuple(h.shape) for h in heads][-1]
    (1, 2, 64, 64)

``predict_unfocused(net, image)`` runs the net on any H×W (reflect-padded to a
multiple of 32, cropped back) and returns P(unfocused) per pixel.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

#: VGG-19 convolutions per block (torchvision ``features`` layout).
VGG_BLOCK_CONVS = (2, 2, 4, 4, 4)
VGG_WIDTHS = (64, 128, 256, 512, 512)
#: ImageNet normalisation used by torchvision's VGG-19 (inputs in 0..1).
IMAGENET_MEAN = (0.485, 0.456, 0.406)
IMAGENET_STD = (0.229, 0.224, 0.225)
#: Inference pads H and W up to a multiple of this (2**5 strides).
SIZE_MULTIPLE = 32


@dataclass(frozen=True)
class TLNetConfig:
    """Architecture and ablation switches of the network.

    ``width``: multiplier on the VGG widths (1.0 = paper; VGG transfer needs 1.0).
    ``vgg_convs``: VGG convs per encoder (paper: 2, 2, 4, 4, 4).
    ``new_convs``: new convs per encoder, the last one strided (paper: 5).
    ``decoder_convs``: 3×3 convs per decoder (paper: 8, 8, 8, 6, 6).
    ``batchnorm``: False is the paper's "Compare-bn" ablation.
    ``init``: ``"xavier"`` (paper) or ``"normal"`` ("Compare-initial").
    """

    name: str = "paper"
    width: float = 1.0
    vgg_convs: tuple[int, ...] = VGG_BLOCK_CONVS
    new_convs: int = 5
    decoder_convs: tuple[int, ...] = (8, 8, 8, 6, 6)
    batchnorm: bool = True
    init: str = "xavier"
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def widths(self) -> tuple[int, ...]:
        return tuple(max(4, int(round(c * self.width))) for c in VGG_WIDTHS)

    def replace(self, **kw) -> TLNetConfig:
        return dataclasses.replace(self, **kw)

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d.pop("extra", None)
        d["vgg_convs"] = list(self.vgg_convs)
        d["decoder_convs"] = list(self.decoder_convs)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> TLNetConfig:
        known = {f.name for f in dataclasses.fields(cls)} - {"extra"}
        kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in d.items() if k in known}
        return cls(**kw)


CONFIGS: dict[str, TLNetConfig] = {
    # The paper: ~100 GMAC per 224×224 forward pass (GPU territory).
    "paper": TLNetConfig(name="paper"),
    # CPU-trainable: 1/8 width (8..64 channels), all 16 VGG-position convs,
    # one new (strided) conv per encoder, 2 convs per decoder. Same layer
    # types, same skip/head layout; ~0.8 M parameters.
    "cpu": TLNetConfig(
        name="cpu", width=0.125, new_convs=1, decoder_convs=(2, 2, 2, 2, 2)
    ),
}


def conv_block(cin: int, cout: int, *, stride: int = 1, batchnorm: bool = True) -> nn.Sequential:
    """3×3 conv (SAME padding) -> BatchNorm (optional) -> Mish."""
    layers: list[nn.Module] = [nn.Conv2d(cin, cout, 3, stride=stride, padding=1)]
    if batchnorm:
        layers.append(nn.BatchNorm2d(cout))
    layers.append(nn.Mish())
    return nn.Sequential(*layers)


class Encoder(nn.Module):
    """VGG convs of one block, then new convs; the last new conv has stride 2.

    ``forward`` returns ``(skip, down)``: the features before the strided conv
    (H×W, used by the decoder's skip connection) and after it (H/2×W/2).
    """

    def __init__(self, cin: int, c: int, n_vgg: int, n_new: int, batchnorm: bool):
        super().__init__()
        if n_new < 1:
            raise ValueError("each encoder needs at least one new (strided) conv")
        self.vgg = nn.ModuleList(
            [conv_block(cin if i == 0 else c, c, batchnorm=batchnorm) for i in range(n_vgg)]
        )
        first_new_in = c if n_vgg else cin
        self.new = nn.ModuleList(
            [conv_block(first_new_in if i == 0 else c, c, batchnorm=batchnorm) for i in range(n_new - 1)]
        )
        self.down = conv_block(c if (n_vgg or n_new > 1) else cin, c, stride=2, batchnorm=batchnorm)

    def forward(self, x):
        for layer in self.vgg:
            x = layer(x)
        for layer in self.new:
            x = layer(x)
        return x, self.down(x)


class Decoder(nn.Module):
    """4×4 stride-2 transposed conv, skip concatenation, 3×3 convs, 1×1 2-class head."""

    def __init__(self, cin: int, cskip: int, c: int, n_convs: int, batchnorm: bool):
        super().__init__()
        up: list[nn.Module] = [nn.ConvTranspose2d(cin, c, 4, stride=2, padding=1)]
        if batchnorm:
            up.append(nn.BatchNorm2d(c))
        up.append(nn.Mish())
        self.up = nn.Sequential(*up)
        self.convs = nn.ModuleList(
            [conv_block(c + cskip if i == 0 else c, c, batchnorm=batchnorm) for i in range(n_convs)]
        )
        self.head = nn.Conv2d(c if n_convs else c + cskip, 2, 1)

    def forward(self, x, skip):
        x = torch.cat([self.up(x), skip], dim=1)
        for layer in self.convs:
            x = layer(x)
        return x, self.head(x)


class TLNet(nn.Module):
    """Encoder/decoder focus network; ``forward`` returns the 5 heads' logits.

    Heads are ordered coarse to fine: head 1 is at H/16, head 5 at full H×W.
    Input: N×3×H×W, ImageNet-normalised, H and W multiples of 32.
    """

    def __init__(self, config: TLNetConfig | str = "paper"):
        super().__init__()
        cfg = CONFIGS[config] if isinstance(config, str) else config
        if len(cfg.vgg_convs) != 5 or len(cfg.decoder_convs) != 5:
            raise ValueError("tlnet needs 5 encoders and 5 decoders")
        self.config = cfg
        w = cfg.widths
        bn = cfg.batchnorm
        cins = (3,) + w[:-1]
        self.encoders = nn.ModuleList(
            [Encoder(cins[k], w[k], cfg.vgg_convs[k], cfg.new_convs, bn) for k in range(5)]
        )
        dec = []
        cin = w[4]
        for j in range(5):
            k = 4 - j  # decoder j mirrors encoder k
            dec.append(Decoder(cin, w[k], w[k], cfg.decoder_convs[j], bn))
            cin = w[k]
        self.decoders = nn.ModuleList(dec)
        init_weights(self, cfg.init)

    def forward(self, x):
        skips = []
        for enc in self.encoders:
            skip, x = enc(x)
            skips.append(skip)
        self.bottleneck_shape = tuple(x.shape)
        heads = []
        for j, dec in enumerate(self.decoders):
            x, logits = dec(x, skips[4 - j])
            heads.append(logits)
        return heads

    def vgg_convs(self) -> list[nn.Conv2d]:
        """The encoder convs that correspond to VGG-19 layers, in torchvision order."""
        return [blk[0] for enc in self.encoders for blk in enc.vgg]


def init_weights(net: nn.Module, scheme: str = "xavier") -> None:
    """Initialise every (transposed) conv: Xavier-uniform (paper) or N(0, 0.01²); zero biases."""
    if scheme not in ("xavier", "normal"):
        raise ValueError(f"tlnet: unknown init {scheme!r} (xavier or normal)")
    for m in net.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            if scheme == "xavier":
                nn.init.xavier_uniform_(m.weight)
            else:
                nn.init.normal_(m.weight, 0.0, 0.01)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


def to_input_tensor(image: np.ndarray) -> torch.Tensor:
    """H×W×3 (or H×W) float 0..255 -> 1×3×H×W ImageNet-normalised float32 tensor."""
    x = np.asarray(image, dtype=np.float32) / 255.0
    if x.ndim == 2:
        x = np.repeat(x[..., None], 3, axis=2)
    x = (x - np.array(IMAGENET_MEAN, np.float32)) / np.array(IMAGENET_STD, np.float32)
    return torch.from_numpy(np.ascontiguousarray(x.transpose(2, 0, 1)))[None]


def pad_to_multiple(x: torch.Tensor, multiple: int = SIZE_MULTIPLE) -> tuple[torch.Tensor, tuple[int, int]]:
    """Pad N×C×H×W on the bottom/right up to a multiple (reflection, repeated for tiny inputs)."""
    h, w = x.shape[-2:]
    ph, pw = (-h) % multiple, (-w) % multiple
    while ph or pw:  # reflection pad cannot exceed the size - 1: do it in steps
        sh, sw = min(ph, x.shape[-2] - 1), min(pw, x.shape[-1] - 1)
        mode = "reflect" if (sh or sw) else "replicate"
        if not (sh or sw):  # 1-pixel image: replicate
            sh, sw = ph, pw
        x = F.pad(x, (0, sw, 0, sh), mode=mode)
        ph, pw = ph - sh, pw - sw
    return x, (h, w)


@torch.no_grad()
def predict_unfocused(net: TLNet, image: np.ndarray) -> np.ndarray:
    """P(unfocused) per pixel (H×W float64) for one image of any size (0..255)."""
    return predict_unfocused_batch(net, [image])[0]


@torch.no_grad()
def predict_unfocused_batch(net: TLNet, images: list[np.ndarray]) -> list[np.ndarray]:
    """:func:`predict_unfocused` for same-size images in one batched pass."""
    net.eval()
    x, (h, w) = pad_to_multiple(torch.cat([to_input_tensor(im) for im in images]))
    prob = torch.softmax(net(x)[-1], dim=1)[:, 1, :h, :w]
    return [p.double().numpy() for p in prob]


@torch.no_grad()
def predict_unfocused_multiscale(net: TLNet, images: list[np.ndarray], scales=(1.0,)) -> list[np.ndarray]:
    """Mean over ``scales`` of P(unfocused), each scale run on resized images (bilinear,
    antialiased) and its map resized back to H×W. ``scales=(1.0,)`` is plain inference.

    Used because the training photos (BSDS, ~481×321, downsampled and crisp at
    pixel level) and camera images differ in how sharp "in focus" looks per
    pixel; a half-scale pass sees camera images at a pixel scale closer to the
    training data, the full-scale pass keeps fine boundaries.
    """
    h, w = np.shape(images[0])[:2]
    acc = None
    for s in scales:
        if s == 1.0:
            probs = predict_unfocused_batch(net, images)
        else:
            hs, ws = max(1, round(h * s)), max(1, round(w * s))
            x = torch.cat([to_input_tensor(im) for im in images])
            x = F.interpolate(x, size=(hs, ws), mode="bilinear", align_corners=False, antialias=True)
            x, _ = pad_to_multiple(x)
            net.eval()
            p = torch.softmax(net(x)[-1], dim=1)[:, 1:2, :hs, :ws]
            p = F.interpolate(p, size=(h, w), mode="bilinear", align_corners=False)[:, 0]
            probs = [q.double().numpy() for q in p]
        acc = probs if acc is None else [a + q for a, q in zip(acc, probs)]
    return [a / len(scales) for a in acc]


def count_layers(net: TLNet) -> dict:
    """Layer counts and channel widths (used by the architecture test and model cards)."""
    return {
        "encoders": [
            {"vgg": len(e.vgg), "new": len(e.new) + 1, "channels": e.down[0].out_channels}
            for e in net.encoders
        ],
        "decoders": [
            {"convs": len(d.convs), "channels": d.up[0].out_channels, "head": d.head.out_channels}
            for d in net.decoders
        ],
        "parameters": sum(p.numel() for p in net.parameters()),
    }
