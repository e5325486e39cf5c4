"""``cnn-patch``: the patch-CNN multi-focus fusion of Liu et al. 2017.

- :mod:`methods.cnn_patch.model` — the siamese network (patch classifier and
  fully convolutional score map with the same weights);
- :mod:`methods.cnn_patch.weights` — checkpoint I/O, packaged weights
  (``cnn_patch.pt``, model card ``MODEL_CARD.md`` / ``model_card.json``), shape checks;
- :mod:`methods.cnn_patch.plugin` — the registered fusion method.

Importing this package registers the method without importing torch (the
network is built on first use).
"""

from methods.cnn_patch.plugin import CNNPatch, focus_map, remove_small_regions

__all__ = ["CNNPatch", "focus_map", "remove_small_regions"]
