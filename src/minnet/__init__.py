"""minnet: neural networks from scratch in numpy, with Keras's names and numbers.

``import minnet`` loads numpy and nothing heavier. The parts that need more are loaded
when first used: ``minnet.datasets`` (pooch), ``minnet.viz`` (matplotlib, ipywidgets),
``minnet.keras`` (TensorFlow) and ``minnet.exercises``.
"""

from __future__ import annotations

import importlib

from . import (
    activations,
    callbacks,
    errors,
    initializers,
    layers,
    losses,
    metrics,
    models,
    optimizers,
    regularizers,
    saving,
    training,
    utils,
    weighting,
)
from .errors import NotInMinnetError
from .gradient_check import gradcheck
from .layers import Activation, Dense, Dropout, Flatten, Input
from .model import Sequential
from .saving import load_model

__version__ = "0.1.0"

_LAZY = ("datasets", "viz", "keras", "exercises")

__all__ = [
    "Activation", "Dense", "Dropout", "Flatten", "Input", "Sequential", "gradcheck",
    "load_model", "activations", "callbacks", "errors", "initializers", "layers", "losses",
    "metrics", "models", "optimizers", "regularizers", "saving", "training", "utils",
    "weighting", *_LAZY,
]

#: Keras names that minnet deliberately does not have, and what to do instead.
_NOT_IN_MINNET = {
    "Model": "minnet has no functional API (keras.Model(inputs, outputs)) and no subclassed "
             "models; build a stack of layers with minnet.Sequential([...])",
    "ops": "minnet has no tensor operations of its own; it computes with numpy arrays",
    "applications": "minnet has no pretrained models",
    "preprocessing": "minnet has no preprocessing layers; prepare arrays with numpy",
    "mixed_precision": "minnet computes in float32 or float64 (Sequential(dtype=...))",
}


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    if name in _NOT_IN_MINNET:
        raise NotInMinnetError(f"minnet has no {name!r}: {_NOT_IN_MINNET[name]}.")
    raise AttributeError(f"module 'minnet' has no attribute {name!r}")
