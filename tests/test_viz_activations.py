"""minnet.viz.activations: saturation measured as defined in chapter 2, labelled figures."""

from math import atanh, erfc, sqrt

import numpy as np
import pytest

plt = pytest.importorskip("matplotlib.pyplot")
pytestmark = pytest.mark.usefixtures("close_figures")

from minnet import activations as A  # noqa: E402
from minnet.viz import activations as va  # noqa: E402


def test_max_derivative():
    assert va.max_derivative("sigmoid") == pytest.approx(0.25)
    assert va.max_derivative("tanh") == pytest.approx(1.0)
    assert va.max_derivative("relu") == 1.0
    assert va.max_derivative("step") == 0.0


def test_saturated_fraction_matches_the_normal_tail():
    c = atanh(sqrt(0.99))
    for spread in (0.5, 2.0, 10.0):
        expected = erfc(c / (spread * sqrt(2)))
        assert va.saturated_fraction("tanh", spread, n=200_000) == pytest.approx(expected, abs=0.005)
    assert va.saturated_fraction("relu", 3.0) == pytest.approx(0.5, abs=0.01)
    assert va.saturated_fraction("leaky_relu", 100.0) == 0.0
    assert va.saturated_fraction("step", 1.0) == 1.0


def test_saturation_mask_threshold():
    mask = va.saturation_mask("sigmoid", np.array([0.0, 5.9, 6.1, -6.1]))
    np.testing.assert_array_equal(mask, [False, False, True, True])


class _SiLU(A.Activation):
    name = "silu"

    def __call__(self, z):
        return z * A.sigmoid(z)

    def derivative(self, z):
        s = A.sigmoid(z)
        return s * (1 + z * (1 - s))


def test_saturation_uses_the_size_of_the_slope():
    silu = _SiLU()
    # largest slope about 1.0998 near z = 2.4, most negative slope about -0.0998 near z = -2.4
    assert va.max_derivative(silu) == pytest.approx(1.0998, abs=1e-4)
    # a negative slope of size 0.1 still passes a tenth of the gradient: not saturated
    mask = va.saturation_mask(silu, np.array([-2.4, -1.2785, 0.0, -8.0, 3.0]))
    np.testing.assert_array_equal(mask, [False, True, False, True, False])
    # the step passes no gradient anywhere: saturated everywhere, at any spread
    assert va.saturation_mask("step", np.array([-1.0, 0.0, 2.0])).all()


def test_softmax_is_refused_with_a_clear_message():
    from minnet.errors import ConfigError

    with pytest.raises(ConfigError, match="element-wise"):
        va.saturated_fraction("softmax", 1.0)
    with pytest.raises(ValueError):  # ConfigError is also a ValueError
        va.saturated_fraction("softmax", 1.0)


def test_draw_saturation_labels_and_title():
    ax_f, ax_h = va.draw_saturation("tanh", 2.0)
    for ax in (ax_f, ax_h):
        assert ax.get_xlabel() and ax.get_ylabel() and ax.get_title()
    assert "saturated" in ax_h.get_title()


def test_static_twin_and_explorer():
    fig = va.saturation_grid(["sigmoid", "relu"], spreads=[1.0, 5.0], n=2000)
    assert len(fig.axes) == 4
    assert all("s=" in ax.get_title() and "sigma" not in ax.get_title() for ax in fig.axes)
    widgets = pytest.importorskip("ipywidgets")
    panel = va.saturation_explorer()
    assert isinstance(panel, widgets.interactive)
    fig = va.plot_activation_grid(["sigmoid", "relu"])
    assert len(fig.axes) == 2
