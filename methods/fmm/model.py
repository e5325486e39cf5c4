"""The feature-mutual-mapping fusion network of ``fmm`` (Rao, Wu, Xu, Chen).

D. Rao, X.-J. Wu, T. Xu, G. Chen, "Unsupervised Image Fusion Method based on
Feature Mutual Mapping" (Sec. 3, Fig. 1–2). Grey sources X, Y in 0..1, H and W
multiples of :data:`STRIDE` (the plugin pads and crops back):

* **Encoder** (two branches, weights *not* shared, one per modality; Sec. 3.1):
  a 3×3 convolution (1 → c0), then 2×2 max-pool + res-block (c0 → c1), then
  2×2 max-pool + res-block (c1 → c2): features at scales 1, 1/2, 1/4. A
  res-block is conv3×3-ReLU-conv3×3 plus a 1×1 projection shortcut, then ReLU.
* **Mapping fusion** on the twice-downsampled features f_x, f_y (Sec. 3.2, Eq. 1):
  S_ij = q_x(f_x)_iᵀ q_y(f_y)_j / √d (1×1 convolutions to d = c2/4 channels)
  relates every position i of X to every position j of Y; softmax along Y gives
  Map_X(i) = Σ_j softmax_j(S_ij) v_y(f_y)_j and the relation seen from Y
  Map_Y(j) = Σ_i softmax_i(q_y_jᵀ q_x_i / √d) v_x(f_x)_i (the global relation of one
  modality with respect to the other). Keys and values are taken on a 2×2
  max-pooled grid (as in non-local networks, the paper's ref. [49]): N×N/4 work. A 1×1 convolution of [f, Map] gives a logit per
  channel and position for each modality; a softmax over the two modalities
  turns them into weights, so fuse = w_X·f_x + w_Y·f_y (Eq. 1 with normalised maps).
  The N×N relation is computed in query chunks (memory :data:`CHUNK`·N/4).
* **Shallow maps by dense connection**: at 1/2 the logits come from a 1×1
  convolution of [f_x, f_y, up(deep logits)], at full scale from
  [f_x, f_y, up(1/2 logits), up(deep logits)] (nearest upsampling); each scale
  is fused with Eq. 1.
* **Decoder with aggregation** (Sec. 3.1, deep layer aggregation): D2 = conv(F2),
  D1 = conv([F1, up(D2)]), D0 = conv([F0, up(D1), up(D2)]), output conv3×3 c0 → 1
  (no activation; clamped to 0..1 at inference).

``fusion`` selects the fusion module for the ablation (Table 6): ``"mapping"``
(above), ``"add"`` (f_x + f_y at every scale) or ``"concat"`` (1×1 convolution
of [f_x, f_y] at every scale). The paper gives no channel widths; ``channels``
(c0, c1, c2): ``cpu`` (8, 16, 32), ``paper`` (32, 64, 128) (our choice).

    >>> import torch
    >>> net = FMMNet((4, 8, 8)).eval()
    >>> with torch.no_grad():
    ...     net(torch.zeros(2, 1, 12, 16), torch.ones(2, 1, 12, 16)).shape
    torch.Size([2, 1, 12, 16])
"""

from __future__ import annotations

import math

import torch
from torch import nn
from torch.nn import functional as F

STRIDE = 4  # two 2×2 poolings: H and W must be multiples of 4
CHUNK = 512  # query positions per chunk of the N×N relation
CHANNELS = {"cpu": (8, 16, 32), "paper": (32, 64, 128)}
FUSIONS = ("mapping", "add", "concat")


def conv3(cin: int, cout: int) -> nn.Conv2d:
    return nn.Conv2d(cin, cout, 3, padding=1, padding_mode="reflect")


class ResBlock(nn.Module):
    """conv3×3-ReLU-conv3×3 + 1×1 projection shortcut, ReLU (He et al. 2016)."""

    def __init__(self, cin: int, cout: int) -> None:
        super().__init__()
        self.conv1, self.conv2 = conv3(cin, cout), conv3(cout, cout)
        self.skip = nn.Conv2d(cin, cout, 1)

    def forward(self, x):
        return F.relu(self.conv2(F.relu(self.conv1(x))) + self.skip(x))


class Encoder(nn.Module):
    """One modality's branch: features at scales 1, 1/2, 1/4."""

    def __init__(self, channels: tuple[int, int, int]) -> None:
        super().__init__()
        c0, c1, c2 = channels
        self.conv0 = conv3(1, c0)
        self.res1, self.res2 = ResBlock(c0, c1), ResBlock(c1, c2)

    def forward(self, x):
        e0 = F.relu(self.conv0(x))
        e1 = self.res1(F.max_pool2d(e0, 2))
        e2 = self.res2(F.max_pool2d(e1, 2))
        return e0, e1, e2


def relate(q, k, v, chunk: int = CHUNK):
    """Σ_j softmax_j(q_iᵀ k_j / √d) v_j for every query i: (B, d, N), (B, d, M), (B, c, M) → (B, c, N)."""
    scale = 1.0 / math.sqrt(q.shape[1])
    out = []
    for s in range(0, q.shape[2], chunk):
        att = torch.softmax(torch.bmm(q[:, :, s:s + chunk].transpose(1, 2), k) * scale, dim=2)
        out.append(torch.bmm(v, att.transpose(1, 2)))
    return torch.cat(out, 2)


class MappingFusion(nn.Module):
    """Cross-modal mutual mapping on the deepest features (Eq. 1): the two modalities' logits."""

    def __init__(self, c: int) -> None:
        super().__init__()
        d = max(1, c // 4)
        self.qx, self.qy = nn.Conv2d(c, d, 1), nn.Conv2d(c, d, 1)
        self.vx, self.vy = nn.Conv2d(c, d, 1), nn.Conv2d(c, d, 1)
        self.lx, self.ly = nn.Conv2d(c + d, c, 1), nn.Conv2d(c + d, c, 1)

    def forward(self, fx, fy):
        b, c, h, w = fx.shape
        qx, qy = self.qx(fx), self.qy(fy)
        vx, vy = self.vx(fx), self.vy(fy)

        def pooled(t):  # keys / values on a 2×-subsampled grid (non-local networks' trick)
            return F.max_pool2d(t, 2, ceil_mode=True).flatten(2)

        map_x = relate(qx.flatten(2), pooled(qy), pooled(vy)).view(b, -1, h, w)  # Y seen from X
        map_y = relate(qy.flatten(2), pooled(qx), pooled(vx)).view(b, -1, h, w)  # X seen from Y
        return torch.cat([self.lx(torch.cat([fx, map_x], 1)), self.ly(torch.cat([fy, map_y], 1))], 1)


def weighted(logits, fx, fy):
    """Eq. 1 with the two modalities' logits softmax-normalised: w_X f_x + w_Y f_y."""
    lx, ly = logits.chunk(2, 1)
    wx = torch.sigmoid(lx - ly)  # = softmax over {lx, ly}
    return wx * fx + (1.0 - wx) * fy


class FMMNet(nn.Module):
    """Dual-branch multi-scale encoder, fusion module (``fusion``), aggregation decoder."""

    def __init__(self, channels: tuple[int, int, int] = CHANNELS["cpu"], fusion: str = "mapping") -> None:
        super().__init__()
        if fusion not in FUSIONS:
            raise ValueError(f"fusion must be one of {FUSIONS}, got {fusion!r}")
        self.channels, self.fusion = tuple(int(c) for c in channels), fusion
        c0, c1, c2 = self.channels
        self.enc_x, self.enc_y = Encoder(self.channels), Encoder(self.channels)
        if fusion == "mapping":
            self.map2 = MappingFusion(c2)
            self.map1 = nn.Conv2d(2 * c1 + 2 * c2, 2 * c1, 1)
            self.map0 = nn.Conv2d(2 * c0 + 2 * c1 + 2 * c2, 2 * c0, 1)
        elif fusion == "concat":
            self.cat2, self.cat1, self.cat0 = (nn.Conv2d(2 * c, c, 1) for c in (c2, c1, c0))
        self.dec2 = conv3(c2, c2)
        self.dec1 = conv3(c1 + c2, c1)
        self.dec0 = conv3(c0 + c1 + c2, c0)
        self.out = conv3(c0, 1)

    def fuse_features(self, ex, ey):
        """Fused features at scales 1, 1/2, 1/4 (the fusion module)."""
        (x0, x1, x2), (y0, y1, y2) = ex, ey
        if self.fusion == "add":
            return x0 + y0, x1 + y1, x2 + y2
        if self.fusion == "concat":
            return (self.cat0(torch.cat([x0, y0], 1)), self.cat1(torch.cat([x1, y1], 1)),
                    self.cat2(torch.cat([x2, y2], 1)))
        l2 = self.map2(x2, y2)
        l2_1 = F.interpolate(l2, size=x1.shape[2:], mode="nearest")
        l1 = self.map1(torch.cat([x1, y1, l2_1], 1))
        up0 = x0.shape[2:]
        l0 = self.map0(torch.cat([x0, y0, F.interpolate(l1, size=up0, mode="nearest"),
                                  F.interpolate(l2, size=up0, mode="nearest")], 1))
        return weighted(l0, x0, y0), weighted(l1, x1, y1), weighted(l2, x2, y2)

    def forward(self, x, y):
        f0, f1, f2 = self.fuse_features(self.enc_x(x), self.enc_y(y))
        d2 = F.relu(self.dec2(f2))
        d1 = F.relu(self.dec1(torch.cat([f1, F.interpolate(d2, size=f1.shape[2:], mode="nearest")], 1)))
        up0 = f0.shape[2:]
        d0 = F.relu(self.dec0(torch.cat([f0, F.interpolate(d1, size=up0, mode="nearest"),
                                         F.interpolate(d2, size=up0, mode="nearest")], 1)))
        return self.out(d0)

    def reset_parameters(self, generator: torch.Generator) -> None:
        """Seeded Kaiming-uniform weights, zero biases (deterministic for a seed)."""
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                fan_in = m.in_channels * m.kernel_size[0] * m.kernel_size[1]
                bound = math.sqrt(6.0 / fan_in)
                with torch.no_grad():
                    m.weight.uniform_(-bound, bound, generator=generator)
                    m.bias.zero_()
        with torch.no_grad():  # start near the mean of the sources' scale
            self.out.weight.mul_(0.1)


# -- loss (Sec. 3.3, Eq. 2–5) -----------------------------------------------------------------
WINDOW = 11
SIGMA = 1.5
C1, C2 = 0.01**2, 0.03**2
LOSSES = ("ssim-var", "ssim-mean")


def _gauss(device, dtype):
    g = torch.exp(-((torch.arange(WINDOW, dtype=torch.float64) - WINDOW // 2) ** 2) / (2 * SIGMA**2))
    g = (g / g.sum()).to(device=device, dtype=dtype)
    return (g[:, None] * g[None, :])[None, None]


def _filt(x, k):
    return F.conv2d(x, k)  # 'valid': one value per full 11×11 window


def ssim_map(x, f, k):
    """SSIM (Eq. 2, Gaussian 11×11 window, σ 1.5, C1 = 0.01², C2 = 0.03²) per window."""
    mx, mf = _filt(x, k), _filt(f, k)
    vx = _filt(x * x, k) - mx * mx
    vf = _filt(f * f, k) - mf * mf
    cov = _filt(x * f, k) - mx * mf
    return ((2 * mx * mf + C1) * (2 * cov + C2)) / ((mx * mx + mf * mf + C1) * (vx + vf + C2))


def selected_ssim_loss(x, y, f, criterion: str = "ssim-var"):
    """L = 1 − mean over windows of SSIM(F, source chosen per window) (Eq. 4–5).

    ``ssim-var``: the source with the larger variance in the 11×11 window (Eq. 3; ties → Y,
    as Eq. 4); ``ssim-mean``: the larger mean intensity (VIF-Net's rule, Table 5).
    """
    if criterion not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {criterion!r}")
    k = _gauss(x.device, x.dtype)
    box = torch.full((1, 1, WINDOW, WINDOW), 1.0 / WINDOW**2, device=x.device, dtype=x.dtype)
    mx, my = _filt(x, box), _filt(y, box)
    if criterion == "ssim-var":
        sx, sy = _filt(x * x, box) - mx * mx, _filt(y * y, box) - my * my
    else:
        sx, sy = mx, my
    s = torch.where(sx > sy, ssim_map(x, f, k), ssim_map(y, f, k))
    return 1.0 - s.mean()
