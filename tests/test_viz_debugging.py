"""minnet.viz.debugging: the recorded ratios are the update rule's, and every drawing is labelled."""

import numpy as np
import pytest

import minnet
from minnet.viz import debugging as dv

pytestmark = pytest.mark.usefixtures("close_figures")


def _data(n=96, d=12, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, d)), rng.integers(0, 10, n)


def test_ratio_is_proportional_to_the_learning_rate_on_the_first_step():
    x, y = _data()
    small = dv.watch_training(x, y, learning_rate=0.01, steps=1, hidden=8)
    large = dv.watch_training(x, y, learning_rate=0.1, steps=1, hidden=8)
    # plain SGD from the same weights on the same batch: the step is lr times the gradient
    np.testing.assert_allclose(large["ratio"][0], 10 * small["ratio"][0], rtol=1e-4)
    assert np.all(np.isfinite(small["loss"])) and small["loss"][0] > 0


def test_first_ratio_matches_a_hand_computed_step():
    x, y = _data()
    run = dv.watch_training(x, y, learning_rate=0.05, steps=1, hidden=8, seed=3)
    model = minnet.Sequential([minnet.Dense(8, "relu"), minnet.Dense(10, "softmax")], seed=3)
    model.build((None, x.shape[1]))
    model.compile("sgd", "sparse_categorical_crossentropy")
    W = model.layers[0].W.astype(np.float64)
    dW = model.gradients(x[:32].astype(np.float32), y[:32])[0].astype(np.float64)
    np.testing.assert_allclose(run["ratio"][0], 0.05 * np.linalg.norm(dW) / np.linalg.norm(W),
                               rtol=1e-4)


def test_a_diverging_run_stops_and_leaves_nan():
    x, y = _data()
    run = dv.watch_training(1e10 * x, y, learning_rate=1e10, steps=20, hidden=8)
    assert np.isfinite(run["loss"][0]) and np.isnan(run["loss"][-1]) and np.isnan(run["ratio"][-1])


def test_bad_settings_raise_a_clear_error():
    x, y = _data()
    with pytest.raises(minnet.errors.ConfigError, match="learning_rate"):
        dv.watch_training(x, y, learning_rate=0.0)
    with pytest.raises(minnet.errors.ConfigError, match="data"):
        dv.draw_training_run(0.1)
    with pytest.raises(minnet.errors.ConfigError, match="square"):
        dv.draw_digits(np.zeros((2, 10)), [0, 1])
    with pytest.raises(minnet.errors.ConfigError, match="labels"):
        dv.draw_digits(np.zeros((2, 4, 4)), [0])


def test_drawings_are_labelled():
    x, y = _data()
    ax = dv.draw_training_run(0.1, data=(x, y), steps=10)
    assert ax.get_xlabel() and ax.get_ylabel() and "lr = 0.1" in ax.get_title()
    fig = dv.training_small_multiples((x, y), [{"learning_rate": 0.1}, {"learning_rate": 0.01}],
                                      steps=5, ncols=2)
    assert len([a for a in fig.axes if a.get_visible()]) == 2
    fig = dv.draw_digits(np.zeros((3, 784)), [1, 2, 3], ncols=3)
    assert [a.get_title() for a in fig.axes[:3]] == ["label 1", "label 2", "label 3"]


def test_explorer_builds_its_sliders():
    pytest.importorskip("ipywidgets")
    x, y = _data()
    panel = dv.training_explorer((x, y), steps=5)
    names = [getattr(c, "description", "") for c in panel.children]
    assert "learning_rate" in names and "input_scale" in names
