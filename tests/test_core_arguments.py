"""Unknown keyword arguments (minnet.arguments): one helper, used everywhere kwargs go.

Every public constructor and method that takes keyword arguments raises
``UnknownArgumentError`` (a ``TypeError``) naming the closest valid argument, or saying
that a Keras argument is one minnet does not support.
"""

from __future__ import annotations

import numpy as np
import pytest

import minnet
from minnet import callbacks, optimizers
from minnet.errors import MinnetError, UnknownArgumentError


def compiled():
    model = minnet.Sequential([minnet.Dense(2, input_dim=3)])
    model.compile("sgd", "mse")
    return model


X, Y = np.zeros((4, 3)), np.zeros((4, 2))

# (call, misspelled keyword, the suggestion expected)
MISSPELLED = [
    (lambda **k: minnet.Dense(3, **k), "imput_dim", "input_dim"),
    (lambda **k: minnet.Dense(3, **k), "activaton", "activation"),
    (lambda **k: minnet.Dropout(0.5, **k), "sed", "seed"),
    (lambda **k: minnet.Flatten(**k), "input_shap", "input_shape"),
    (lambda **k: minnet.Activation("relu", **k), "nam", "name"),
    (lambda **k: minnet.Input(**k), "shpe", "shape"),
    (lambda **k: minnet.Sequential(**k), "sead", "seed"),
    (lambda **k: compiled().compile("adam", "mse", **k), "metric", "metrics"),
    (lambda **k: compiled().fit(X, Y, verbose=0, **k), "epoch", "epochs"),
    (lambda **k: compiled().fit(X, Y, verbose=0, **k), "batchsize", "batch_size"),
    (lambda **k: compiled().evaluate(X, Y, **k), "sample_weights", "sample_weight"),
    (lambda **k: compiled().predict(X, **k), "batch_sise", "batch_size"),
    (lambda **k: optimizers.SGD(**k), "momentun", "momentum"),
    (lambda **k: optimizers.Adam(**k), "learning_rte", "learning_rate"),
    (lambda **k: optimizers.RMSprop(**k), "clip_norm", "clipnorm"),
    (lambda **k: callbacks.EarlyStopping(**k), "patiance", "patience"),
    (lambda **k: callbacks.ModelCheckpoint("m.minnet", **k), "save_best", "save_best_only"),
    (lambda **k: minnet.utils.to_categorical([0, 1], **k), "num_class", "num_classes"),
    (lambda **k: minnet.losses.BinaryCrossentropy(**k), "from_logit", "from_logits"),
    (lambda **k: minnet.regularizers.L2(**k), "l2_", "l2"),
    (lambda **k: minnet.initializers.RandomNormal(**k), "std", "stddev"),
    (lambda **k: minnet.activations.LeakyReLU(**k), "negative_slop", "negative_slope"),
    (lambda **k: minnet.models.load_model("m.minnet", **k), "compiled", "compile"),
    (lambda **k: compiled().save("m.minnet", **k), "overwite", "overwrite"),
]


@pytest.mark.parametrize("call, wrong, right", MISSPELLED, ids=[m[1] for m in MISSPELLED])
def test_a_misspelled_keyword_names_the_closest_one(call, wrong, right):
    with pytest.raises(UnknownArgumentError) as info:
        call(**{wrong: 1})
    assert isinstance(info.value, TypeError) and isinstance(info.value, MinnetError)
    message = str(info.value)
    assert f"{wrong!r}" in message and f"Did you mean {right!r}?" in message


KERAS_ONLY = [
    (lambda **k: compiled().compile("adam", "mse", **k), "jit_compile"),
    (lambda **k: compiled().compile("adam", "mse", **k), "steps_per_execution"),
    (lambda **k: compiled().fit(X, Y, verbose=0, **k), "steps_per_epoch"),
    (lambda **k: minnet.Dense(3, **k), "kernel_constraint"),
    (lambda **k: minnet.Dense(3, **k), "bias_regularizer"),
    (lambda **k: minnet.Dropout(0.2, **k), "noise_shape"),
    (lambda **k: minnet.Input(shape=(3,), **k), "sparse"),
    (lambda **k: optimizers.Adam(**k), "weight_decay"),
    (lambda **k: optimizers.Adam(**k), "amsgrad"),
    (lambda **k: minnet.models.load_model("m.minnet", **k), "custom_objects"),
]


@pytest.mark.parametrize("call, name", KERAS_ONLY, ids=[k[1] for k in KERAS_ONLY])
def test_a_keras_argument_minnet_lacks_says_so(call, name):
    with pytest.raises(UnknownArgumentError, match="Keras argument that minnet does not support"):
        call(**{name: 1})


def test_a_student_layer_is_checked_too():
    class Scale(minnet.layers.Layer):
        def __init__(self, factor, name=None):
            super().__init__(name)
            self.factor = factor

        def forward(self, x, training=False):
            return self.factor * x

    assert Scale(2.0, input_shape=(3,)).batch_input_shape == (None, 3)
    with pytest.raises(UnknownArgumentError, match="'factor'"):
        Scale(factr=2.0)
