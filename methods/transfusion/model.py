"""The TransFusion network (Qian et al. 2025): VGG-19 encoder, cross-modal fusion, decoder.

Y. Qian, R. An, G. Liu, H. Tang, G. Xiao, D. P. Bavirisetti, "TransFusion:
Transfer learning-driven adaptive fusion network for infrared and visible
image", Infrared Physics & Technology 150 (2025) 105906.

Both sources (grey, 0..1) go through one shared encoder, a VGG-19 ``features``
trunk cut after the last ReLU of each block (relu1_2, relu2_2, relu3_4,
relu4_4, relu5_4 in the ``paper`` configuration: L = 5 levels, each level
after the first starting with a 2×2 max-pool). Per level l, with the source
features φ_ir, φ_vis (C_l channels):

1. **Parallel cross-modal channel perception** (``channel_perception``): a
   channel-attention vector per modality, W_s = σ(MLP(maxpool φ_s) +
   MLP(avgpool φ_s)) (one MLP per modality, reduction r_l), re-weights each
   modality's channels by its difference from the other's:
   φ_s ← φ_s · 2σ(4(W_s − W_o)) (1 where both modalities weigh a channel alike).
2. **Dynamic multi-level spatial attention guidance** (``spatial_attention``,
   ``spatial_guidance``): a saliency logit map per source,
   a_s^l = conv_k([max_c φ_s, mean_c φ_s]) (one conv per level, shared by the
   sources); with guidance the deeper level's logits, upsampled ×2, are added
   (a_s^l += up(a_s^{l+1}), from the deepest level down), so deep saliency steers the
   fusion of shallow features. Fusion weights are a softmax over the two
   sources: φ^l = w_ir φ_ir + w_vis φ_vis. Without spatial attention φ^l is the mean.
3. A refinement φ^l ← φ^l + conv(GELU(conv(φ^l))) (second conv zero-initialised,
   so an untrained module passes the fused features through).

The decoder mirrors the encoder as a U-Net: from the deepest level, a 2×2
transposed convolution up to the next level's width, concatenation with that
level's fused features, two 3×3 conv + GELU; then 3×3 conv (C_1 → C_1/2) +
GELU and a 3×3 conv to one channel (the image, 0..1).

Configurations (:data:`CONFIGS`): ``paper`` = the full VGG-19 trunk (widths
64-128-256-512-512, 2-2-4-4-4 convolutions, 3 input channels so ImageNet
weights fit; the grey image is repeated); ``cpu`` = VGG-19's first three
blocks at a quarter of the width (16-32-64, 2-2-4 convolutions, one input
channel), trainable on two CPU cores.

    >>> import torch
    >>> net = TransFusionNet(CONFIGS["cpu"]).eval()
    >>> ir, vis = torch.rand(1, 1, 20, 28), torch.rand(1, 1, 20, 28)
    >>> with torch.no_grad():
    ...     net(ir, vis).shape                 # sizes must be multiples of 2**(levels-1)
    torch.Size([1, 1, 20, 28])
    >>> pad_multiple(CONFIGS["paper"])
    16
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

import torch
from torch import nn
from torch.nn import functional as F

from bench.errors import FusebenchError

#: torchvision VGG-19 ``features`` indices of the 16 convolutions (conv1_1 ... conv5_4).
VGG19_CONV_INDICES = (0, 2, 5, 7, 10, 12, 14, 16, 19, 21, 23, 25, 28, 30, 32, 34)
#: VGG-19: (convolutions, width) of its five blocks.
VGG19_BLOCKS = ((2, 64), (2, 128), (4, 256), (4, 512), (4, 512))


@dataclass(frozen=True)
class NetConfig:
    """Architecture of a TransFusion network and its ablation switches."""

    blocks: tuple[tuple[int, int], ...] = VGG19_BLOCKS  # (convolutions, width) per level
    in_channels: int = 3  # 3: grey repeated (fits ImageNet weights); 1: grey
    reductions: tuple[int, ...] = (1, 1, 2, 4, 4)  # channel-attention MLP reduction per level
    sa_kernel: int = 3  # spatial-attention conv size (the authors' code: 3)
    channel_perception: bool = True
    spatial_attention: bool = True
    spatial_guidance: bool = True

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["blocks"] = [list(b) for b in self.blocks]
        d["reductions"] = list(self.reductions)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NetConfig:
        keys = {"blocks", "in_channels", "reductions", "sa_kernel", "channel_perception",
                "spatial_attention", "spatial_guidance"}
        unknown = set(d) - keys
        if unknown:
            raise FusebenchError(f"transfusion: unknown architecture keys {sorted(unknown)}")
        d = dict(d)
        d["blocks"] = tuple(tuple(int(v) for v in b) for b in d["blocks"])
        d["reductions"] = tuple(int(r) for r in d["reductions"])
        return cls(**d)

    def with_switches(self, **switches: bool) -> NetConfig:
        return replace(self, **{k: bool(v) for k, v in switches.items() if v is not None})


CONFIGS = {
    "paper": NetConfig(),
    "cpu": NetConfig(blocks=((2, 16), (2, 32), (4, 64)), in_channels=1, reductions=(1, 1, 2)),
}


def pad_multiple(cfg: NetConfig) -> int:
    """Image sizes must be multiples of this (2 ** (levels − 1))."""
    return 2 ** (len(cfg.blocks) - 1)


class ChannelAttention(nn.Module):
    """σ(MLP(maxpool x) + MLP(avgpool x)): one weight in (0, 1) per channel."""

    def __init__(self, channels: int, reduction: int) -> None:
        super().__init__()
        hidden = max(1, channels // reduction)
        self.mlp = nn.Sequential(nn.Conv2d(channels, hidden, 1, bias=False), nn.ReLU(),
                                 nn.Conv2d(hidden, channels, 1, bias=False))

    def forward(self, x):
        return torch.sigmoid(self.mlp(F.adaptive_max_pool2d(x, 1)) + self.mlp(F.adaptive_avg_pool2d(x, 1)))


class CrossModalChannelPerception(nn.Module):
    """Parallel channel attention of the two modalities, each re-weighted by their difference."""

    def __init__(self, channels: int, reduction: int) -> None:
        super().__init__()
        self.ca_ir = ChannelAttention(channels, reduction)
        self.ca_vis = ChannelAttention(channels, reduction)

    def forward(self, f_ir, f_vis):
        w_ir, w_vis = self.ca_ir(f_ir), self.ca_vis(f_vis)
        return (f_ir * 2 * torch.sigmoid(4 * (w_ir - w_vis)),
                f_vis * 2 * torch.sigmoid(4 * (w_vis - w_ir)))


class SpatialSaliency(nn.Module):
    """Saliency logits conv_k([max_c x, mean_c x]) (one channel, same size as x)."""

    def __init__(self, kernel: int) -> None:
        super().__init__()
        self.conv = nn.Conv2d(2, 1, kernel, padding=kernel // 2)

    def forward(self, x):
        return self.conv(torch.cat([x.amax(1, keepdim=True), x.mean(1, keepdim=True)], 1))


class Refine(nn.Module):
    """x + conv(GELU(conv(x))), the second conv zero-initialised (identity at start)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(channels, channels, 3, padding=1)
        self.conv2 = nn.Conv2d(channels, channels, 3, padding=1)
        nn.init.zeros_(self.conv2.weight)
        nn.init.zeros_(self.conv2.bias)

    def forward(self, x):
        return x + self.conv2(F.gelu(self.conv1(x)))


class TransFusionNet(nn.Module):
    """Encoder (VGG-19 layout), per-level fusion modules, U-Net decoder; see the module docs."""

    def __init__(self, cfg: NetConfig) -> None:
        super().__init__()
        self.cfg = cfg
        widths = [w for _, w in cfg.blocks]
        levels, cin = [], cfg.in_channels
        for i, (n, w) in enumerate(cfg.blocks):
            layers: list[nn.Module] = [nn.MaxPool2d(2, 2)] if i else []
            for _ in range(n):
                layers += [nn.Conv2d(cin, w, 3, padding=1), nn.ReLU()]
                cin = w
            levels.append(nn.Sequential(*layers))
        self.encoder = nn.ModuleList(levels)
        self.channel = nn.ModuleList(CrossModalChannelPerception(w, r)
                                     for w, r in zip(widths, cfg.reductions))
        self.saliency = nn.ModuleList(SpatialSaliency(cfg.sa_kernel) for _ in widths)
        self.refine = nn.ModuleList(Refine(w) for w in widths)
        self.up = nn.ModuleList(nn.ConvTranspose2d(widths[i + 1], widths[i], 2, stride=2)
                                for i in range(len(widths) - 1))
        self.merge = nn.ModuleList(
            nn.Sequential(nn.Conv2d(2 * w, w, 3, padding=1), nn.GELU(), nn.Conv2d(w, w, 3, padding=1), nn.GELU())
            for w in widths[:-1])
        half = max(1, widths[0] // 2)
        self.head = nn.Sequential(nn.Conv2d(widths[0], half, 3, padding=1), nn.GELU(),
                                  nn.Conv2d(half, 1, 3, padding=1))
        for m in self.modules():
            if isinstance(m, nn.Conv2d) and m not in (r.conv2 for r in self.refine):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
                if m.bias is not None:
                    nn.init.zeros_(m.bias)

    # groups of parameters trained in each stage
    def autoencoder_parameters(self, include_encoder: bool = True):
        mods = ([self.encoder] if include_encoder else []) + [self.up, self.merge, self.head]
        return [p for m in mods for p in m.parameters()]

    def fusion_parameters(self):
        return [p for m in (self.channel, self.saliency, self.refine) for p in m.parameters()]

    def _prep(self, x):
        return x.expand(-1, self.cfg.in_channels, -1, -1) if x.shape[1] != self.cfg.in_channels else x

    def encode(self, x) -> list:
        """Features of every level (relu_k_last of each VGG block)."""
        feats, x = [], self._prep(x)
        for level in self.encoder:
            x = level(x)
            feats.append(x)
        return feats

    def decode(self, feats) -> torch.Tensor:
        x = feats[-1]
        for i in range(len(feats) - 2, -1, -1):
            x = self.merge[i](torch.cat([self.up[i](x), feats[i]], 1))
        return self.head(x)

    def fuse_features(self, f_ir: list, f_vis: list, return_maps: bool = False):
        """Fused features per level (and the IR weight maps when ``return_maps``)."""
        cfg = self.cfg
        fused, maps = [None] * len(f_ir), [None] * len(f_ir)
        deeper = None  # (logit_ir, logit_vis) of the level below
        for i in range(len(f_ir) - 1, -1, -1):
            a, b = f_ir[i], f_vis[i]
            if cfg.channel_perception:
                a, b = self.channel[i](a, b)
            if cfg.spatial_attention:
                la, lb = self.saliency[i](a), self.saliency[i](b)
                if cfg.spatial_guidance and deeper is not None:
                    la = la + F.interpolate(deeper[0], size=la.shape[-2:], mode="bilinear", align_corners=False)
                    lb = lb + F.interpolate(deeper[1], size=lb.shape[-2:], mode="bilinear", align_corners=False)
                deeper = (la, lb)
                w = torch.sigmoid(la - lb)  # softmax over the two sources
                f = w * a + (1 - w) * b
            else:
                w = None
                f = 0.5 * (a + b)
            fused[i] = self.refine[i](f)
            maps[i] = w
        return (fused, maps) if return_maps else fused

    def forward(self, ir, vis):
        return self.decode(self.fuse_features(self.encode(ir), self.encode(vis)))

    def reconstruct(self, x):
        """Stage 1 (auto-encoder): decode the image's own features."""
        return self.decode(self.encode(x))


# ------------------------------------------------------------------ ImageNet initialisation
def imagenet_encoder_state(weights: str | dict | None, seed: int = 0) -> dict:
    """torchvision VGG-19 ``features.*`` tensors: a state dict, ``"random[:SEED]"`` (fabricated,
    He-normal: mechanics tests only), a file path, ``"download"`` or ``"hub"`` (the torch hub
    cache / ``$FUSEBENCH_VGG19``), found and hash-checked by :mod:`methods.imagenet`."""
    from methods import imagenet

    if isinstance(weights, dict):
        return weights
    w = weights or "hub"
    if w.startswith("random"):
        gen = torch.Generator().manual_seed(int(w.partition(":")[2] or seed))
        sd, cin = {}, 3
        convs = [(cout, n) for n, cout in VGG19_BLOCKS for _ in range(n)]
        for idx, (cout, _) in zip(VGG19_CONV_INDICES, convs):
            sd[f"features.{idx}.weight"] = torch.randn(cout, cin, 3, 3, generator=gen) * (2.0 / (9 * cin)) ** 0.5
            sd[f"features.{idx}.bias"] = 0.01 * torch.randn(cout, generator=gen)
            cin = cout
        return sd
    how = dict(path_how="passing its path (--imagenet PATH)", download_how="--imagenet download",
               extra=" TransFusion's encoder is initialised from it only on request; without it "
                     "the network trains from scratch.")
    path = None if w in ("hub", "download") else w
    return imagenet.load_checkpoint(imagenet.VGG19, path, download=w == "download", **how)


def init_encoder_from_imagenet(net: TransFusionNet, state: dict) -> int:
    """Copy VGG-19 ImageNet convolutions into ``net``'s encoder; returns how many were copied.

    Needs the VGG-19 widths and three input channels (the ``paper`` configuration); the
    encoder may stop early (fewer blocks), each block keeps VGG-19's convolution count.
    """
    convs = [m for m in net.encoder.modules() if isinstance(m, nn.Conv2d)]
    cfg = net.cfg
    ok = cfg.in_channels == 3 and all(b == VGG19_BLOCKS[i] for i, b in enumerate(cfg.blocks))
    if not ok or len(convs) > len(VGG19_CONV_INDICES):
        raise FusebenchError(
            "transfusion: ImageNet VGG-19 weights fit only the VGG-19 widths and 3 input channels "
            f"(the 'paper' configuration); this network has blocks {list(cfg.blocks)}, "
            f"{cfg.in_channels} input channel(s)")
    with torch.no_grad():
        for conv, idx in zip(convs, VGG19_CONV_INDICES):
            try:
                w, b = state[f"features.{idx}.weight"], state[f"features.{idx}.bias"]
            except KeyError as exc:
                raise FusebenchError(f"transfusion: VGG-19 state dict lacks {exc.args[0]}") from None
            if tuple(w.shape) != tuple(conv.weight.shape):
                raise FusebenchError(f"transfusion: VGG-19 features.{idx}.weight has shape "
                                     f"{tuple(w.shape)}, expected {tuple(conv.weight.shape)}")
            conv.weight.copy_(w)
            conv.bias.copy_(b)
    return len(convs)
