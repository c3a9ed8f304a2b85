"""A catalogue of bad inputs: each raises a specific minnet error whose message names the
problem. Every error is also the built-in exception that fits."""

import numpy as np
import pytest

import minnet
from minnet import errors, optimizers

rng = np.random.default_rng(0)
X = rng.normal(size=(20, 3)).astype(np.float32)
Y_SPARSE = rng.integers(0, 3, 20)


def classifier(loss="sparse_categorical_crossentropy", units=3, compile=True):
    model = minnet.Sequential([minnet.Dense(4, "relu"), minnet.Dense(units, "softmax")], seed=0)
    if compile:
        model.compile("adam", loss)
    return model


def regressor(lr=0.01):
    model = minnet.Sequential([minnet.Dense(8, "relu"), minnet.Dense(1)], seed=0)
    model.compile(optimizers.SGD(lr), "mse")
    return model


def predict_after_fit(x):
    model = classifier()
    model.fit(X, Y_SPARSE, verbose=0)
    return model.predict(x)


def with_nan():
    x = X.copy()
    x[3, 1] = np.nan
    return x


def with_inf():
    x = X.copy()
    x[0, 0] = np.inf
    return x


def set_three_weights():
    model = classifier()
    model.build(X.shape)
    model.set_weights(model.get_weights()[:3])


def set_transposed_kernel():
    model = classifier()
    model.build(X.shape)
    weights = model.get_weights()
    weights[0] = weights[0].T
    model.set_weights(weights)


def trace_a_dropout_model():
    from minnet.viz.backprop import trace_backward

    model = minnet.Sequential([minnet.Dense(2), minnet.Dropout(0.1), minnet.Dense(1)])
    model.compile("sgd", "mse")
    trace_backward(model, np.zeros((1, 2)), np.zeros((1, 1)))


CATALOGUE = [
    # (name, call, expected error, words the message must contain)
    ("wrong feature count", lambda: predict_after_fit(np.zeros((2, 5))), errors.ShapeError,
        ["(None, 3)", "(2, 5)", "5 features", "built for 3", "same columns",
         "new model for inputs of shape (None, 5)"]),
    ("one example without the batch axis", lambda: predict_after_fit(np.zeros(3)),
        errors.ShapeError, ["x[None]"]),
    ("images into Dense", lambda: classifier().fit(np.zeros((4, 2, 2)), Y_SPARSE[:4],
        verbose=0), errors.ShapeError, ["Flatten"]),
    ("1-D inputs", lambda: regressor().fit(np.arange(5.0), np.arange(5.0), verbose=0),
        errors.ShapeError, ["reshape(-1, 1)"]),
    ("x and y lengths differ", lambda: classifier().fit(X, Y_SPARSE[:10], verbose=0),
        errors.ShapeError, ["20 examples", "10"]),
    ("targets of the wrong width", lambda: regressor().fit(X, np.zeros((20, 2)), verbose=0),
        errors.ShapeError, ["(20, 2)", "(20, 1)"]),
    ("empty x", lambda: classifier().fit(np.zeros((0, 3)), np.zeros(0), verbose=0),
        errors.ShapeError, ["empty"]),
    ("string labels", lambda: classifier().fit(X, np.array(["cat", "dog"] * 10), verbose=0),
        errors.LabelError, ["str", "np.unique"]),
    ("string inputs", lambda: classifier().predict(np.array([["a", "b", "c"]])),
        errors.ShapeError, ["str"]),
    ("label out of range", lambda: classifier().fit(X, Y_SPARSE + 1, verbose=0),
        errors.LabelError, ["0..2", "3"]),
    ("negative label", lambda: classifier().fit(X, Y_SPARSE - 1, verbose=0),
        errors.LabelError, ["-1"]),
    ("fractional class label", lambda: classifier().fit(X, Y_SPARSE + 0.5, verbose=0),
        errors.LabelError, ["whole-number"]),
    ("one-hot labels with a sparse loss", lambda: classifier().fit(X, np.eye(3)[Y_SPARSE],
        verbose=0), errors.LabelError, ["one-hot", "categorical_crossentropy", "argmax"]),
    ("integer labels with a one-hot loss", lambda: classifier("categorical_crossentropy")
        .fit(X, Y_SPARSE, verbose=0), errors.LabelError, ["sparse_categorical_crossentropy"]),
    ("binary cross-entropy targets outside [0, 1]", lambda: minnet.losses.BinaryCrossentropy()(
        np.array([[2.0]]), np.array([[0.5]])), errors.LabelError, ["between 0 and 1"]),
    ("NaN in x", lambda: classifier().fit(with_nan(), Y_SPARSE, verbose=0),
        errors.NonFiniteError, ["NaN", "(3, 1)"]),
    ("inf in x", lambda: classifier().predict(with_inf()), errors.NonFiniteError, ["(0, 0)"]),
    ("NaN in y", lambda: regressor().fit(X, np.full(20, np.nan), verbose=0),
        errors.NonFiniteError, ["y"]),
    ("batch_size 0", lambda: classifier().fit(X, Y_SPARSE, batch_size=0, verbose=0),
        errors.ConfigError, ["batch_size", "positive"]),
    ("epochs 0", lambda: classifier().fit(X, Y_SPARSE, epochs=0, verbose=0),
        errors.ConfigError, ["epochs"]),
    ("negative learning rate", lambda: optimizers.SGD(learning_rate=-0.1),
        errors.ConfigError, ["learning_rate", "-0.1"]),
    ("dropout rate 1", lambda: minnet.Dropout(1.0), errors.ConfigError, ["[0, 1)"]),
    ("zero units", lambda: minnet.Dense(0), errors.ConfigError, ["positive"]),
    ("unknown activation", lambda: minnet.Dense(3, activation="rellu"),
        errors.UnknownNameError, ["'rellu'", "'relu'"]),
    ("unknown loss", lambda: classifier(compile=False).compile("adam", "crossentropy"),
        errors.UnknownNameError, ["'crossentropy'", "binary_crossentropy"]),
    ("unknown optimizer", lambda: classifier(compile=False).compile("adamw", "mse"),
        errors.UnknownNameError, ["'adam'"]),
    ("unknown metric", lambda: classifier(compile=False).compile("adam", "mse", metrics=["acc2"]),
        errors.UnknownNameError, ["acc2"]),
    ("compile without a loss", lambda: classifier(compile=False).compile("adam"),
        errors.ConfigError, ["loss"]),
    ("fit before compile", lambda: classifier(compile=False).fit(X, Y_SPARSE, verbose=0),
        errors.NotCompiledError, ["compile"]),
    ("weights before build", lambda: classifier().get_weights(), errors.NotBuiltError,
        ["input_dim"]),
    ("wrong number of weights", set_three_weights, errors.WeightsError, ["3 arrays", "4"]),
    ("transposed kernel", set_transposed_kernel, errors.WeightsError, ["(4, 3)", "(3, 4)", ".T"]),
    ("a learning rate that diverges", lambda: regressor(lr=1e4).fit(X * 10, X[:, :1] * 10,
        epochs=20, verbose=0), errors.DivergenceError, ["epoch", "step", "learning rate"]),
    ("a non-layer in Sequential", lambda: minnet.Sequential([np.zeros(3)]),
        errors.ConfigError, ["ndarray"]),
    ("a misspelled keyword", lambda: minnet.Dense(3, imput_dim=4),
        errors.UnknownArgumentError, ["'imput_dim'", "Did you mean 'input_dim'"]),
    ("a Keras argument minnet lacks", lambda: classifier(compile=False).compile(
        "adam", "mse", jit_compile=True),
        errors.UnknownArgumentError, ["'jit_compile'", "Keras argument", "does not support"]),
    ("a Keras layer minnet lacks", lambda: minnet.layers.Conv2D,
        errors.NotInMinnetError, ["'Conv2D'", "Dense"]),
    ("a file that is not a model", lambda: minnet.models.load_model(__file__),
        errors.ModelFileError, ["not a minnet model file", "zip"]),
    ("a plain function as activation", lambda: minnet.activations.get(np.tanh),
        errors.UnknownNameError, ["plain function tanh", "relu, sigmoid", "subclass Activation",
                                  "derivative", "Swish()"]),
    ("a layer trace_backward cannot draw", trace_a_dropout_model, errors.UnsupportedLayerError,
        ["Dense layers only", "Dropout", "model.gradients"]),
]


@pytest.mark.parametrize("name, call, error, words", CATALOGUE, ids=[c[0] for c in CATALOGUE])
def test_bad_input_raises_a_clear_error(name, call, error, words):
    with pytest.raises(error) as info:
        call()
    message = str(info.value)
    for word in words:
        assert word in message, f"{name}: {word!r} not in {message!r}"


def test_catalogue_covers_every_error_the_core_raises():
    """Every exception class in minnet.errors (but the data loaders' own, tested with the
    loaders) is raised by some entry of the catalogue, with its message checked."""
    raised = {error for _, _, error, _ in CATALOGUE}
    defined = {cls for cls in vars(errors).values()
               if isinstance(cls, type) and issubclass(cls, errors.MinnetError)}
    untested = defined - raised - {errors.MinnetError, errors.DataUnavailableError}
    assert not untested, f"no catalogue entry raises {sorted(c.__name__ for c in untested)}"


def test_errors_are_also_builtin_exceptions():
    assert issubclass(errors.ShapeError, ValueError)
    assert issubclass(errors.LabelError, ValueError)
    assert issubclass(errors.NotCompiledError, RuntimeError)
    assert issubclass(errors.DivergenceError, FloatingPointError)
    assert issubclass(errors.DataUnavailableError, OSError)
    assert all(issubclass(e, errors.MinnetError) for e in (
        errors.ShapeError, errors.LabelError, errors.NonFiniteError, errors.DivergenceError,
        errors.NotCompiledError, errors.UnknownNameError, errors.WeightsError,
        errors.ConfigError))


def test_divergence_error_says_where():
    with pytest.raises(errors.DivergenceError) as info:
        regressor(lr=1e4).fit(X * 10, X[:, :1] * 10, epochs=20, batch_size=5, verbose=0)
    assert info.value.epoch >= 1 and 1 <= info.value.step <= 4
    assert f"epoch {info.value.epoch}, step {info.value.step}" in str(info.value)


@pytest.mark.parametrize(("module", "name", "cls"), [
    (minnet.activations, "ReLU", minnet.activations.Activation),
    (minnet.losses, "MSE", minnet.losses.Loss),
    (minnet.optimizers, "Adam", minnet.optimizers.Optimizer),
    (minnet.initializers, "He_Normal", minnet.initializers.Initializer),
    (minnet.regularizers, "L2", minnet.regularizers.Regularizer),
])
def test_every_registry_looks_names_up_the_same_way(module, name, cls):
    found = module.get(name)
    assert isinstance(found, cls)
    assert module.get(found) is found
    with pytest.raises(errors.UnknownNameError, match="Did you mean") as info:
        module.get(name.lower() + "x")
    assert "Valid names:" in str(info.value)
    with pytest.raises(errors.UnknownNameError, match="an object of type int") as info:
        module.get(3)
    assert " at 0x" not in str(info.value) and cls.__name__ in str(info.value)
    with pytest.raises(errors.UnknownNameError, match="function <lambda>") as info:
        module.get(lambda z: z)
    assert " at 0x" not in str(info.value)  # a name, never a memory address


def test_metric_registry_knows_accuracy_and_functions():
    assert minnet.metrics.get("mae") is minnet.metrics.mean_absolute_error
    assert minnet.metrics.get(len) is len
    with pytest.raises(errors.UnknownNameError, match="accuracy"):
        minnet.metrics.get("accuracyy")
