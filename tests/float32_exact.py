"""Hyper-parameters that float32 represents exactly, for the float64 Keras comparisons.

Keras passes Python-float hyper-parameters through float32 even in a float64 model:
``keras.ops.cast(0.9, "float64")`` is 0.8999999761581421. That touches SGD's momentum,
Adam's betas, Adagrad's starting accumulator, the L1/L2 factors and leaky ReLU's slope.
minnet uses the values as given, so that its float64 mode computes the mathematics exactly
(which gradient checks rely on). The float64 equivalence tests therefore use values that
float32 holds exactly: they compare the formulas, not the rounding of a constant.
``test_keras_optimizers.py::test_float64_difference_is_keras_rounding_its_constants`` shows
that with other values the whole float64 difference is that rounding.
"""

MOMENTUM = 0.875  # 7/8
BETA_1 = 0.875
BETA_2 = 1 - 2**-10  # 0.9990234375
ACCUMULATOR = 0.125  # Adagrad's starting value (Keras's default is 0.1)
L1 = 2**-7  # 0.0078125
L2 = 2**-6  # 0.015625
LEAKY_SLOPE = 0.25  # Keras's default is 0.2
