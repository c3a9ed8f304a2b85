"""Keras's ``keras.models``: ``Sequential``, ``load_model`` and ``save_model``.

``from minnet.models import Sequential, load_model`` is the same as ``from keras.models
import Sequential, load_model`` for the models minnet builds. minnet has no functional API
(``Model(inputs, outputs)``) and no subclassed models: a network here is a stack of layers.
"""

from __future__ import annotations

from .errors import NotInMinnetError
from .model import Sequential
from .saving import load_model, save_model

__all__ = ["Sequential", "load_model", "save_model"]


def __getattr__(name):
    if name.startswith("_"):
        raise AttributeError(f"module 'minnet.models' has no attribute {name!r}")
    if name == "Model":
        raise NotInMinnetError(
            "minnet has no functional API (keras.Model(inputs, outputs)) and no subclassed "
            "models: build a stack of layers with minnet.models.Sequential([...]), or keep "
            "this model in Keras."
        )
    raise NotInMinnetError(
        f"minnet.models has no {name!r}; it has {', '.join(__all__)}."
    )
