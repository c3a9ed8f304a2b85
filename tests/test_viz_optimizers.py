"""minnet.viz.optimizers: paths are minnet's optimizer steps, and every drawing is labelled."""

import numpy as np
import pytest

import minnet
from minnet.viz import optimizers as ov

pytestmark = pytest.mark.usefixtures("close_figures")


@pytest.mark.parametrize("name", list(ov.SURFACES))
def test_gradients_match_central_differences(name):
    s = ov.SURFACES[name]
    rng = np.random.default_rng(0)
    for _ in range(5):
        p = rng.uniform(-1.5, 1.5, size=2)
        numeric = [(s.f(p + e) - s.f(p - e)) / 2e-6 for e in 1e-6 * np.eye(2)]
        np.testing.assert_allclose(s.grad(p), numeric, rtol=1e-6, atol=1e-6)


def test_trajectory_is_the_optimizers_own_steps():
    s = ov.SURFACES["bowl"]
    opt = minnet.optimizers.Adam(0.1)
    path = ov.trajectory(opt, "bowl", steps=20)
    p = np.array(s.start)
    fresh = minnet.optimizers.Adam(0.1)
    for step in range(1, 21):
        fresh.apply([p], [s.grad(p)])
        np.testing.assert_array_equal(path[step], p)
    assert path.shape == (21, 2)


def test_plain_gd_on_the_bowl_diverges_above_two_over_lambda_max():
    stable = ov.trajectory("sgd", "bowl", steps=300, learning_rate=0.079)
    assert np.abs(stable[-1]).max() < 1e-3
    unstable = ov.trajectory("sgd", "bowl", steps=300, learning_rate=0.081)
    assert abs(unstable[-1, 1]) > 100 * abs(unstable[0, 1])
    runaway = ov.trajectory("sgd", "bowl", steps=300, learning_rate=0.2)
    assert np.isnan(runaway[-1]).all()  # left |p| < 1e6: the rest of the path is NaN


def test_default_learning_rates_reach_the_minimum_of_bowl_and_escape_the_saddle():
    for name in ov.OPTIMIZERS:
        lr = ov.SURFACES["bowl"].learning_rates[name]
        end = ov.trajectory(name, "bowl", learning_rate=lr)[-1]
        assert np.linalg.norm(end) < 0.2, (name, end)
    for name in ("adagrad", "adam"):
        lr = ov.SURFACES["saddle"].learning_rates[name]
        end = ov.trajectory(name, "saddle", learning_rate=lr)[-1]
        assert abs(abs(end[1]) - 1) < 0.1, (name, end)


def test_errors_name_the_problem():
    with pytest.raises(minnet.errors.UnknownNameError, match="adam"):
        ov.trajectory("adma", learning_rate=0.1)
    with pytest.raises(minnet.errors.UnknownNameError, match="valley"):
        ov.trajectory("sgd", "valey", learning_rate=0.1)
    with pytest.raises(minnet.errors.ConfigError, match="learning_rate"):
        ov.trajectory("sgd")
    with pytest.raises(minnet.errors.ConfigError, match="point"):
        ov.trajectory("sgd", start=(1, 2, 3), learning_rate=0.1)


def test_drawings_are_labelled():
    ax, paths = ov.compare_optimizers("saddle")
    assert len(paths) == len(ov.OPTIMIZERS)
    assert ax.get_xlabel() and ax.get_ylabel() and "saddle" in ax.get_title()
    assert len(ax.get_legend().get_texts()) == len(ov.OPTIMIZERS)
    ax = ov.draw_run("sgd", 0.5, surface="bowl", steps=50)
    assert "diverged" in ax.get_title()
    ax = ov.draw_run("adam", 0.3, surface="bowl")
    assert "loss after 100 steps" in ax.get_title()


def test_small_multiples_one_panel_per_run():
    runs = [{"optimizer": "sgd", "learning_rate": lr} for lr in (0.01, 0.05, 0.09)]
    fig = ov.trajectory_small_multiples(runs, "bowl", ncols=2)
    visible = [ax for ax in fig.axes if ax.get_visible()]
    assert len(visible) == 3
    assert all("sgd" in ax.get_title() for ax in visible)


def test_explorer_is_a_widget():
    pytest.importorskip("ipywidgets")
    panel = ov.trajectory_explorer("valley")
    names = [getattr(c, "description", "") for c in panel.children]
    assert {"optimizer", "learning_rate", "start_p1", "start_p2"} <= set(names)
