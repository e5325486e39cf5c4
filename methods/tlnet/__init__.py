"""tlnet: the transfer-learning decision-map network (model, VGG transfer, fusion plugin).

``model`` and ``vgg_transfer`` import torch; importing this package only
registers the ``tlnet`` method (torch loads on first use).
"""

from methods.tlnet import fusion  # noqa: F401  (registers the method)
