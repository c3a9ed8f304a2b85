"""minnet.initializers: Keras's definitions, checked on the statistics of large draws."""

import numpy as np
import pytest

from minnet import initializers


def test_initializer_statistics():
    rng = np.random.default_rng(0)
    shape = (400, 300)
    W = initializers.GlorotUniform()(shape, rng)
    limit = np.sqrt(6 / 700)
    assert W.dtype == np.float32 and np.abs(W).max() <= limit
    assert W.var() == pytest.approx(limit**2 / 3, rel=0.02)
    for init, variance in [(initializers.GlorotNormal(), 2 / 700),
                           (initializers.HeNormal(), 2 / 400)]:
        W = init(shape, rng)
        assert W.var() == pytest.approx(variance, rel=0.03)
    W = initializers.HeUniform()(shape, rng)
    assert W.var() == pytest.approx(2 / 400, rel=0.03)
    W = initializers.RandomNormal(stddev=0.5)(shape, rng, "float64")
    assert W.dtype == np.float64 and W.std() == pytest.approx(0.5, rel=0.02)
    np.testing.assert_array_equal(initializers.get("zeros")((2,), rng), [0, 0])
    np.testing.assert_array_equal(initializers.get("ones")((2,), rng), [1, 1])


