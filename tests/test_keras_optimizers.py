"""Fed the same gradients, minnet's optimizers follow Keras's trajectories step for step.

Each optimizer (SGD plain, with momentum, with Nesterov momentum; Adagrad; RMSprop; Adam),
alone and with ``clipnorm`` or ``clipvalue``, updates three weight arrays for 100 steps
from one sequence of random gradients. Keras's optimizer, given the same starting weights
and gradients through ``apply_gradients``, must visit the same weights at every step.
"""

from __future__ import annotations

import float32_exact as exact
import numpy as np
import pytest

import minnet
import minnet.keras as mk

keras = pytest.importorskip("keras")

# Weights are compared after every step:  max|minnet - keras| <= RTOL * max(1, max|keras|).
# Each step adds a few float32 roundings (eps = 1.2e-7) on each side; since the gradients
# do not depend on the weights, the errors add up rather than grow: about 100 steps * a few
# eps ~ 3e-6 at worst in float32 (seen: 1.9e-7). 1e-5 keeps a margin, and a wrong formula
# (epsilon outside the root, no bias correction, no clipping) is off by more.
# float64: the same sums stay near 1e-15 (seen: 5.8e-16); 1e-10 catches any constant that
# goes through float32 (about 1e-8).
RTOL = {"float32": 1e-5, "float64": 1e-10}
STEPS = 100
SHAPES = [(4, 3), (3,), (3, 2)]

OPTIMIZERS = {
    "sgd": ("SGD", {"learning_rate": 0.05}),
    "momentum": ("SGD", {"learning_rate": 0.05, "momentum": 0.9}),
    "nesterov": ("SGD", {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True}),
    "adagrad": ("Adagrad", {"learning_rate": 0.1}),
    "rmsprop": ("RMSprop", {"learning_rate": 0.01}),
    "adam": ("Adam", {"learning_rate": 0.01}),
}
# In float64 the constants Keras rounds through float32 take values float32 holds exactly
# (see float32_exact.py); float32 runs keep the settings above and Keras's defaults.
FLOAT64_CONSTANTS = {
    "SGD": {"momentum": exact.MOMENTUM},
    "Adagrad": {"initial_accumulator_value": exact.ACCUMULATOR},
    "RMSprop": {},
    "Adam": {"beta_1": exact.BETA_1, "beta_2": exact.BETA_2},
}


def settings_for(kind, settings, dtype):
    if dtype != "float64":
        return settings
    constants = FLOAT64_CONSTANTS[kind]
    if kind == "SGD" and "momentum" not in settings:
        constants = {}
    return {**settings, **constants}
CLIPPING = {"no-clip": {}, "clipnorm": {"clipnorm": 1.0}, "clipvalue": {"clipvalue": 0.5}}


@pytest.fixture
def floatx():
    """Set Keras's default float type for one test, then restore it.

    Keras keeps an optimizer's learning rate in this type, whatever the weights' dtype.
    """
    previous = keras.backend.floatx()
    yield keras.backend.set_floatx
    keras.backend.set_floatx(previous)


def gradient_sequence(seed, dtype):
    """STEPS lists of gradients. Their sizes span 1e-4 to 5: clipping acts on some steps
    and not on others, and on the smallest the optimizers' epsilon matters (where it sits,
    inside or outside the square root, shows). One entry per step is exactly 0."""
    rng = np.random.default_rng(seed)
    sequence = []
    for _ in range(STEPS):
        scale = 10 ** rng.uniform(-4, 0.7)
        grads = [(scale * rng.standard_normal(shape)).astype(dtype) for shape in SHAPES]
        grads[1][rng.integers(0, 3)] = 0
        sequence.append(grads)
    return sequence


def trajectories(kind, settings, dtype, seed=0):
    """The weights after every step, for minnet and for Keras."""
    rng = np.random.default_rng(seed + 1000)
    start = [rng.standard_normal(shape).astype(dtype) for shape in SHAPES]
    sequence = gradient_sequence(seed, dtype)

    optimizer = getattr(minnet.optimizers, kind)(**settings)
    params = [w.copy() for w in start]
    ours = []
    for grads in sequence:
        optimizer.apply(params, [g.copy() for g in grads])
        ours.append([p.copy() for p in params])

    theirs_optimizer = getattr(keras.optimizers, kind)(**settings)
    variables = [keras.Variable(w, dtype=dtype) for w in start]
    theirs = []
    for grads in sequence:
        theirs_optimizer.apply_gradients(zip(grads, variables))
        theirs.append([v.numpy() for v in variables])
    return ours, theirs


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("clip", list(CLIPPING))
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_trajectory_matches_keras(name, clip, dtype, floatx):
    floatx(dtype)
    kind, settings = OPTIMIZERS[name]
    settings = settings_for(kind, {**settings, **CLIPPING[clip]}, dtype)
    ours, theirs = trajectories(kind, settings, dtype)
    moved = max(np.max(np.abs(a - b)) for a, b in zip(ours[-1], theirs[0]))
    assert moved > 1e-3, "the weights barely moved: the test would prove nothing"
    for step, (mine, keras_weights) in enumerate(zip(ours, theirs), start=1):
        for i, (a, b) in enumerate(zip(mine, keras_weights)):
            assert a.dtype == np.dtype(dtype), f"step {step}: weight {i} became {a.dtype}"
            err = float(np.max(np.abs(a.astype(float) - b)))
            tolerance = RTOL[dtype] * max(1.0, float(np.max(np.abs(b))))
            assert err <= tolerance, (
                f"{name} {clip} {dtype}, step {step}, weight {i}: largest "
                f"|minnet - keras| = {err:.3g} > {tolerance:.3g}"
            )


def test_clipping_acts_in_the_sequence():
    """The gradient sequence has arrays both above and below the clipping thresholds."""
    norms = [np.linalg.norm(g) for grads in gradient_sequence(0, "float64") for g in grads]
    assert min(norms) < 1.0 < max(norms)
    entries = np.concatenate([g.ravel() for grads in gradient_sequence(0, "float64") for g in grads])
    assert (np.abs(entries) > 0.5).mean() > 0.1 and (np.abs(entries) < 0.5).mean() > 0.1


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_to_keras_twin_optimizer_steps_like_minnet(dtype):
    """The optimizer built by to_keras (learning rate in the model's dtype) steps as minnet's."""
    model = minnet.Sequential([minnet.layers.Dense(3, activation="tanh")], dtype=dtype, seed=0)
    model.build((None, 4))
    betas = {"beta_1": exact.BETA_1, "beta_2": exact.BETA_2} if dtype == "float64" else {}
    model.compile(optimizer=minnet.optimizers.Adam(0.01, clipnorm=0.5, **betas), loss="mse")
    twin = mk.to_keras(model)
    assert twin.optimizer.learning_rate.dtype == dtype
    rng = np.random.default_rng(1)
    for _ in range(20):
        grads = [rng.standard_normal(w.shape).astype(dtype) for w in model.get_weights()]
        model.optimizer.apply(model.params, [g.copy() for g in grads])
        twin.optimizer.apply_gradients(zip(grads, twin.trainable_variables))
    for a, b in zip(model.get_weights(), twin.get_weights()):
        err = float(np.max(np.abs(a.astype(float) - b)))
        assert err <= RTOL[dtype] * max(1.0, float(np.max(np.abs(b))))


class AdamRoundingLikeKeras(minnet.optimizers.Adam):
    """minnet's Adam, with the betas of the bias correction rounded through float32, which
    is what Keras does in a float64 model; the (1 - beta) factors stay exact, as in Keras."""

    def update(self, w, g, slots):
        m, v = slots
        t = self.iterations
        beta_1, beta_2 = float(np.float32(self.beta_1)), float(np.float32(self.beta_2))
        alpha = self.learning_rate * np.sqrt(1 - beta_2**t) / (1 - beta_1**t)
        m += (g - m) * (1 - self.beta_1)
        v += (g * g - v) * (1 - self.beta_2)
        w -= (m * alpha) / (np.sqrt(v) + self.epsilon)


def test_float64_difference_is_keras_rounding_its_constants(floatx):
    """With Keras's default betas (0.9, 0.999) a float64 Keras Adam differs from minnet's by
    far more than float64 rounding; an Adam that rounds the betas where Keras does lands on
    Keras's trajectory. The difference is the constants, not the update rule."""
    floatx("float64")
    ours, theirs = trajectories("Adam", {"learning_rate": 0.01}, "float64")
    rng = np.random.default_rng(1000)
    params = [rng.standard_normal(shape) for shape in SHAPES]  # trajectories' start, seed 0
    rounding = AdamRoundingLikeKeras(learning_rate=0.01)
    for grads in gradient_sequence(0, "float64"):
        rounding.apply(params, [g.copy() for g in grads])
    gap_exact = max(float(np.max(np.abs(a - b))) for a, b in zip(ours[-1], theirs[-1]))
    gap_rounding = max(float(np.max(np.abs(a - b))) for a, b in zip(params, theirs[-1]))
    assert gap_exact > 1e-7
    assert gap_rounding <= RTOL["float64"]
