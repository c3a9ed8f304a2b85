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
    optimizers,
    regularizers,
    training,
)
from .gradient_check import gradcheck
from .layers import Activation, Dense, Dropout, Flatten
from .model import Sequential

__version__ = "0.1.0"

_LAZY = ("datasets", "viz", "keras", "exercises")

__all__ = [
    "Activation", "Dense", "Dropout", "Flatten", "Sequential", "gradcheck",
    "activations", "callbacks", "errors", "initializers", "layers", "losses", "metrics",
    "optimizers", "regularizers", "training", *_LAZY,
]


def __getattr__(name):
    if name in _LAZY:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'minnet' has no attribute {name!r}")
