"""Chapter 3's loss explorer: curves match the formulas, figures and widgets build."""

from __future__ import annotations

import numpy as np
import pytest

plt = pytest.importorskip("matplotlib.pyplot")
pytestmark = pytest.mark.usefixtures("close_figures")

from minnet import losses  # noqa: E402
from minnet.viz import losses as viz  # noqa: E402


@pytest.mark.parametrize("y", [0, 1])
def test_curves_match_minnet_losses_and_their_gradients(y):
    c = viz.curves(y, "p", num=21)
    target = np.full((21, 1), float(y))
    p = c["x"][:, None]
    assert np.allclose(c["mse"], losses.mean_squared_error(target, p))
    assert np.allclose(c["bce"], losses.binary_crossentropy(target, p))
    assert np.allclose(c["d_mse"], 21 * losses.MeanSquaredError().gradient(target, p)[:, 0])
    assert np.allclose(c["d_bce"], 21 * losses.BinaryCrossentropy().gradient(target, p)[:, 0])
    cz = viz.curves(y, "z", num=21)
    z = cz["x"][:, None]
    grad_z = losses.BinaryCrossentropy(from_logits=True).gradient(target, z)[:, 0]
    assert np.allclose(cz["d_bce"], 21 * grad_z)


def test_draw_labels_axes_and_rejects_bad_targets():
    ax = viz.draw_loss_and_gradient(p=0.3, y=1)
    assert ax.get_xlabel() and ax.get_ylabel()
    assert len(ax.get_legend().get_texts()) == 4
    plt.close(ax.figure)
    with pytest.raises(ValueError, match="0 or 1"):
        viz.draw_loss_and_gradient(p=0.3, y=2)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"p": 0.3, "y": 0.5}, "0 or 1"),  # int(0.5) would silently draw target 0
        ({"p": 1.5, "y": 1}, "strictly between 0 and 1"),
        ({"p": 0.0, "y": 1, "wrt": "p"}, "wrt='z'"),
        ({"p": 0.3, "y": 1, "wrt": "q"}, "'p'.*'z'"),
    ],
)
def test_draw_raises_minnet_config_errors_that_name_the_fix(kwargs, match):
    from minnet.errors import ConfigError

    with pytest.raises(ConfigError, match=match):
        viz.draw_loss_and_gradient(**kwargs)
    plt.close("all")


def test_logit_view_has_a_range_that_shows_the_gradients():
    ax = viz.draw_loss_and_gradient(p=-2.0, y=1, wrt="z")
    low, high = ax.get_ylim()
    assert low < -1.0 and high < 4.0  # the gradients w.r.t. z lie in [-1, 1/2]
    plt.close(ax.figure)


def test_small_multiples_has_one_panel_per_setting():
    fig = viz.loss_small_multiples(ps=(0.1, 0.9), targets=(1, 0), wrt="z")
    panels = [ax for ax in fig.axes if ax.get_visible()]
    assert len(panels) == 4
    assert all(ax.get_legend() is None for ax in panels)
    plt.close(fig)


def test_explorer_builds():
    pytest.importorskip("ipywidgets")
    panel = viz.loss_explorer(p=0.4, y=0)
    assert len(panel.children) >= 3
    plt.close("all")
