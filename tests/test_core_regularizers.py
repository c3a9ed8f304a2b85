"""minnet.regularizers: Keras's L1 and L2 penalties and their gradients."""

import numpy as np
import pytest

from minnet import regularizers


def test_regularizers_follow_keras_definitions():
    W = np.array([[1.0, -2.0], [0.5, 0.0]])
    assert regularizers.L2()(W) == pytest.approx(0.01 * 5.25)
    assert regularizers.L1()(W) == pytest.approx(0.01 * 3.5)
    reg = regularizers.L1L2(l1=0.1, l2=0.2)
    assert reg(W) == pytest.approx(0.1 * 3.5 + 0.2 * 5.25)
    np.testing.assert_allclose(reg.gradient(W), 0.1 * np.sign(W) + 0.4 * W)
