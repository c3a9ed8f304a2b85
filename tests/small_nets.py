"""The small data set and classifier that the core tests train (one definition, imported by
test_core_model, test_core_layers, test_core_training and test_core_callbacks)."""

import numpy as np

import minnet
from minnet import optimizers


def data(n=64, seed=0):
    """``n`` examples with 4 features; the label says whether the first two sum above 0."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    return x, y


def classifier(seed=0, **kwargs):
    """4 -> 8 ReLU -> Dropout(0.25) -> 2 softmax, compiled with Adam(0.01), sparse
    categorical cross-entropy and accuracy."""
    model = minnet.Sequential(
        [minnet.Dense(8, "relu"), minnet.Dropout(0.25), minnet.Dense(2, "softmax")],
        seed=seed, **kwargs,
    )
    model.compile(optimizers.Adam(0.01), "sparse_categorical_crossentropy", metrics=["accuracy"])
    return model
