"""Same weights, same numbers: minnet against Keras on forward outputs, losses and gradients.

Hypothesis draws many small networks (1 to 3 Dense layers, 1 to 8 units each, every
activation, every loss, with and without L1/L2 penalties). Each is built in minnet, copied
to Keras with ``minnet.keras.to_keras``, and ``minnet.keras.compare`` feeds both the same
batch: minnet's outputs, loss and backpropagated gradients must equal Keras's outputs,
compiled loss plus regularization losses, and ``tf.GradientTape`` gradients.
"""

from __future__ import annotations

import float32_exact as exact
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minnet
import minnet.keras as mk

keras = pytest.importorskip("keras")

# A difference passes when  max|minnet - keras| <= RTOL * max(1, max|keras|)  over an array.
# Rounding errors scale with the terms that are added up, which are of order 1 here (inputs
# and weights are), not with a result that may cancel to nearly 0; hence the floor of 1.
# float32 (eps = 1.2e-7): at most 3 layers of 8 units, a loss and a backward pass chain a
# few dozen roundings, and the two libraries order their sums differently; the worst seen
# over several hundred random networks is 2.3e-7 (see WEIGHT_SCALES), so 1e-5 leaves a
# margin of 40, while a wrong formula (a missing factor, another slope, clipping where
# Keras is exact) is off by far more.
# float64 (eps = 2.2e-16): the worst seen is 1.7e-15; 1e-10 keeps a wide margin and still
# catches any step that silently goes through float32, which costs about 1e-8.
RTOL = {"float32": 1e-5, "float64": 1e-10}
DTYPES = ("float32", "float64")

HIDDEN_ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu")
# (loss, from_logits, output activation): every loss, both ways for the cross-entropies.
HEADS = [
    *[("mse", None, act) for act in (*HIDDEN_ACTIVATIONS, "softmax")],
    ("binary_crossentropy", False, "sigmoid"),
    ("binary_crossentropy", True, "linear"),
    ("categorical_crossentropy", False, "softmax"),
    ("categorical_crossentropy", True, "linear"),
    ("sparse_categorical_crossentropy", False, "softmax"),
    ("sparse_categorical_crossentropy", True, "linear"),
]
# Factors float32 holds exactly: Keras rounds them through float32 even in float64
# (float32_exact.py), and these tests compare formulas, not that rounding.
REGULARIZERS = [
    None,
    lambda: minnet.regularizers.L1(exact.L1),
    lambda: minnet.regularizers.L2(exact.L2),
    lambda: minnet.regularizers.L1L2(l1=exact.L1 / 2, l2=exact.L2 * 2),
]

HYPOTHESIS = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def assert_close(actual, expected, dtype, what):
    actual = np.asarray(actual, dtype=np.float64)
    expected = np.asarray(expected, dtype=np.float64)
    assert actual.shape == expected.shape, f"{what}: shapes {actual.shape} vs {expected.shape}"
    err = float(np.max(np.abs(actual - expected))) if actual.size else 0.0
    scale = float(np.max(np.abs(expected))) if expected.size else 0.0
    tolerance = RTOL[dtype] * max(1.0, scale)
    assert np.isfinite(actual).all(), f"{what}: minnet gives non-finite values"
    assert err <= tolerance, (
        f"{what} ({dtype}): largest |minnet - keras| = {err:.3g} > {tolerance:.3g} "
        f"(largest |keras| = {scale:.3g})"
    )


def make_loss(name, from_logits):
    loss = minnet.losses.get(name)
    if from_logits is None:
        return loss
    return type(loss)(from_logits=from_logits)


def keras_side(model, keras_model, x, y):
    """Keras's outputs, loss and gradients, computed directly (as compare does)."""
    import tensorflow as tf

    with tf.GradientTape() as tape:
        outputs = keras_model(x, training=False)
        loss = keras_model.compute_loss(x=x, y=y, y_pred=outputs, training=False)
    grads = tape.gradient(loss, keras_model.trainable_variables)
    return outputs.numpy(), float(loss), [g.numpy() for g in grads]


# Weights are drawn as scale * N(0, 1) / sqrt(fan_in): 0.3 and 1 are the scales of usual
# initialisations and trained networks; 2.5 drives sigmoid and tanh units deep into
# saturation. There, both libraries compute the derivative 1 - a**2 (or a(1 - a)) from an
# output a within an ulp of 1, so their float32 gradients differ by about eps times the
# incoming gradient, which can exceed 1e-5 of a small result: a float32 limit shared by
# both, not a disagreement. Saturation is therefore swept in float64 only (float32
# saturation of the output layer is tested below, where the logits keep it exact).
WEIGHT_SCALES = {"float32": [0.3, 1.0], "float64": [0.3, 1.0, 2.5]}


@st.composite
def networks(draw, dtype):
    """A random small network, its head, and a batch to feed it, as a plain description."""
    loss, from_logits, head = draw(st.sampled_from(HEADS))
    depth = draw(st.integers(1, 3))
    several = loss in ("categorical_crossentropy", "sparse_categorical_crossentropy") or head == "softmax"
    return {
        "loss": loss,
        "from_logits": from_logits,
        "head": head,
        "separate_head": draw(st.booleans()),
        "n_in": draw(st.integers(1, 8)),
        "hidden": [
            (draw(st.integers(1, 8)), draw(st.sampled_from(HIDDEN_ACTIVATIONS)))
            for _ in range(depth - 1)
        ],
        "n_out": draw(st.integers(2 if several else 1, 8)),
        "regularizers": [draw(st.sampled_from(range(len(REGULARIZERS)))) for _ in range(depth)],
        "batch": draw(st.integers(1, 8)),
        "weight_scale": draw(st.sampled_from(WEIGHT_SCALES[dtype])),
        "seed": draw(st.integers(0, 2**31 - 1)),
    }


def build(spec, dtype):
    """minnet model, its Keras twin, and a batch (x, y) for ``spec``."""
    rng = np.random.default_rng(spec["seed"])
    layers = []
    regs = [REGULARIZERS[i] and REGULARIZERS[i]() for i in spec["regularizers"]]
    def activation_for(name):
        if name == "leaky_relu" and dtype == "float64":  # Keras's 0.2 goes through float32
            return minnet.activations.LeakyReLU(exact.LEAKY_SLOPE)
        return name

    for (units, activation), reg in zip(spec["hidden"], regs):
        layers.append(minnet.layers.Dense(units, activation=activation_for(activation),
                                          kernel_regularizer=reg))
    head = activation_for(spec["head"])
    if spec["separate_head"]:
        layers.append(minnet.layers.Dense(spec["n_out"], kernel_regularizer=regs[-1]))
        layers.append(minnet.layers.Activation(head))
    else:
        layers.append(minnet.layers.Dense(spec["n_out"], activation=head, kernel_regularizer=regs[-1]))
    model = minnet.Sequential(layers, seed=spec["seed"], dtype=dtype)
    model.build((None, spec["n_in"]))
    model.compile(optimizer="sgd", loss=make_loss(spec["loss"], spec["from_logits"]))
    weights = [
        spec["weight_scale"] * rng.standard_normal(w.shape) / np.sqrt(w.shape[0] if w.ndim == 2 else 4)
        for w in model.get_weights()
    ]
    model.set_weights([w.astype(dtype) for w in weights])

    n, k = spec["batch"], spec["n_out"]
    x = rng.standard_normal((n, spec["n_in"])).astype(dtype)
    if spec["loss"] == "mse":
        y = rng.standard_normal((n, k)).astype(dtype)
    elif spec["loss"] == "binary_crossentropy":
        y = rng.integers(0, 2, (n, k)).astype(dtype)
    elif spec["loss"] == "categorical_crossentropy":
        y = np.eye(k, dtype=dtype)[rng.integers(0, k, n)]
    else:
        y = rng.integers(0, k, n)
    return model, mk.to_keras(model), x, y


@pytest.mark.parametrize("dtype", DTYPES)
@HYPOTHESIS
@given(data=st.data())
def test_outputs_loss_and_gradients_match_keras(data, dtype):
    spec = data.draw(networks(dtype), label="network")
    model, keras_model, x, y = build(spec, dtype)
    outputs, loss, grads = keras_side(model, keras_model, x, y)

    assert model.predict(x).dtype == np.dtype(dtype)
    assert_close(model.predict(x), outputs, dtype, "outputs")
    assert_close(model.loss_value(x, y), loss, dtype, "loss")
    mine = model.gradients(x, y)
    assert [g.dtype for g in mine] == [np.dtype(dtype)] * len(mine)
    for i, (g_minnet, g_keras) in enumerate(zip(mine, grads, strict=True)):
        assert_close(g_minnet, g_keras, dtype, f"gradient {i}")


@pytest.mark.parametrize("dtype", DTYPES)
def test_compare_reports_the_same_differences(dtype):
    spec = {
        "loss": "categorical_crossentropy", "from_logits": False, "head": "softmax",
        "separate_head": False, "n_in": 4, "hidden": [(6, "tanh"), (5, "relu")], "n_out": 3,
        "regularizers": [2, 0, 3], "batch": 7, "weight_scale": 1.0, "seed": 3,
    }
    model, keras_model, x, y = build(spec, dtype)
    outputs, loss, grads = keras_side(model, keras_model, x, y)
    result = mk.compare(model, keras_model, x, y)
    assert set(result) == {"weights", "outputs", "loss", "gradients"}
    assert result["weights"] == 0
    assert result["outputs"] == np.max(np.abs(model.predict(x).astype(float) - outputs))
    assert result["loss"] == abs(model.loss_value(x, y) - loss)
    largest = max(np.max(np.abs(a.astype(float) - b)) for a, b in zip(model.gradients(x, y), grads))
    assert result["gradients"] == largest
    assert result["loss"] <= RTOL[dtype] * max(1.0, abs(loss))


# ----------------------------------------------------------------------- saturated outputs


SATURATED = [
    ("binary_crossentropy", "sigmoid", 1),
    ("categorical_crossentropy", "softmax", 3),
    ("sparse_categorical_crossentropy", "softmax", 3),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("separate_head", [False, True], ids=["dense-activation", "activation-layer"])
@pytest.mark.parametrize(("loss", "head", "k"), SATURATED, ids=[s[0] for s in SATURATED])
def test_saturated_output_loss_is_finite_and_equals_keras(loss, head, k, separate_head, dtype):
    """|z| ~ 1e4 behind a sigmoid or softmax: probabilities are exactly 0 or 1 in floating
    point, yet the cross-entropy from the kept logits is finite and large (about 1e4)."""
    if separate_head:
        layers = [minnet.layers.Dense(k), minnet.layers.Activation(head)]
    else:
        layers = [minnet.layers.Dense(k, activation=head)]
    model = minnet.Sequential(layers, dtype=dtype)
    model.build((None, 2))
    model.compile(optimizer="sgd", loss=loss)
    kernel = np.zeros((2, k))
    kernel[0, 0], kernel[1, -1] = 1e4, -1e4
    model.set_weights([kernel.astype(dtype), np.zeros(k, dtype)])
    x = np.array([[1, 0], [0, 1], [1, 1], [-1, 0.5]], dtype=dtype)  # |z| up to 1.5e4
    if loss == "binary_crossentropy":
        y = np.array([[0], [1], [0], [1]], dtype=dtype)  # every prediction confidently wrong
    elif loss == "categorical_crossentropy":
        y = np.eye(k, dtype=dtype)[[1, 0, 2, 0]]
    else:
        y = np.array([1, 0, 2, 0])
    keras_model = mk.to_keras(model)
    outputs, keras_loss, grads = keras_side(model, keras_model, x, y)

    ours = model.loss_value(x, y)
    assert np.isfinite(ours) and ours > 1e3
    assert_close(ours, keras_loss, dtype, "saturated loss")
    assert_close(model.evaluate(x, y), keras_model.evaluate(x, y, verbose=0), dtype, "evaluate")
    for i, (g_minnet, g_keras) in enumerate(zip(model.gradients(x, y), grads, strict=True)):
        assert_close(g_minnet, g_keras, dtype, f"saturated gradient {i}")


# ----------------------------------------------------------- probabilities not from a sigmoid


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("loss", ["binary_crossentropy", "categorical_crossentropy",
                                  "sparse_categorical_crossentropy"])
@pytest.mark.parametrize("seed", range(4))
def test_clipped_probabilities_match_keras(loss, seed, dtype):
    """Outputs that did not come from a sigmoid or softmax are taken as probabilities:
    Keras rescales rows (categorical) and clips to [1e-7, 1 - 1e-7]; so does minnet."""
    rng = np.random.default_rng(seed)
    k = 1 if loss == "binary_crossentropy" else 3
    model = minnet.Sequential([minnet.layers.Dense(k, activation="relu")], dtype=dtype)
    model.build((None, 3))
    model.compile(optimizer="sgd", loss=loss)
    model.set_weights([rng.uniform(0.0, 0.5, (3, k)).astype(dtype),
                       rng.uniform(0.0, 0.2, k).astype(dtype)])
    # Binary: some outputs are 0 or above 1, so clipped. Categorical: positive rows, rescaled.
    low = -0.5 if loss == "binary_crossentropy" else 0.1
    x = rng.uniform(low, 1.5, (8, 3)).astype(dtype)
    if loss == "binary_crossentropy":
        y = rng.integers(0, 2, (8, 1)).astype(dtype)
    elif loss == "categorical_crossentropy":
        y = np.eye(k, dtype=dtype)[rng.integers(0, k, 8)]
    else:
        y = rng.integers(0, k, 8)
    keras_model = mk.to_keras(model)
    outputs, keras_loss, grads = keras_side(model, keras_model, x, y)
    assert_close(model.predict(x), outputs, dtype, "outputs")
    assert_close(model.loss_value(x, y), keras_loss, dtype, "clipped loss")
    for i, (g_minnet, g_keras) in enumerate(zip(model.gradients(x, y), grads, strict=True)):
        assert_close(g_minnet, g_keras, dtype, f"clipped gradient {i}")
