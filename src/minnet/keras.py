"""The bridge between minnet and Keras: build one model from the other, then compare them.

Three functions (and, for code written for ``tf.keras``, minnet's own ``models``,
``layers``, ``optimizers``, ... under the same names, so that ``import minnet as tf`` makes
``tf.keras.layers.Dense`` minnet's ``Dense``):

- :func:`to_keras` builds the Keras twin of a minnet model: the same layers, activations,
  regularizers, dtype, optimizer, loss and metrics, and a copy of the same weights.
- :func:`from_keras` goes the other way, for the layers minnet has.
- :func:`compare` feeds both the same batch and returns the largest absolute differences
  between their outputs, losses and gradients.

Because minnet's Dense kernel ``W`` has Keras's shape ``(n_in, n_out)`` and
``get_weights()`` lists ``[W1, b1, W2, b2, ...]`` in Keras's order, copying weights is a
single ``set_weights`` call in either direction.

TensorFlow is imported only inside these functions, so ``import minnet`` stays light; its
start-up messages are silenced before that import.
"""

from __future__ import annotations

import contextlib
import os

import numpy as np

from . import errors

__all__ = ["QUIET_TENSORFLOW", "quiet_tensorflow", "to_keras", "from_keras", "compare"]

#: The environment variables that keep TensorFlow's start-up messages off the page.
QUIET_TENSORFLOW = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}


def quiet_tensorflow(environ=None):
    """Set :data:`QUIET_TENSORFLOW` in ``environ`` (``os.environ`` by default) where not set.

    TensorFlow reads them when it is imported, so call this first; importing
    ``minnet.keras`` does. Returns the environment, for ``subprocess.run(env=...)``.
    """
    environ = os.environ if environ is None else environ
    for name, value in QUIET_TENSORFLOW.items():
        environ.setdefault(name, value)
    return environ


quiet_tensorflow()


# The optimizer hyper-parameters each side has, under the same names on both sides.
_OPTIMIZER_SETTINGS = {
    "SGD": ("learning_rate", "momentum", "nesterov"),
    "Adagrad": ("learning_rate", "initial_accumulator_value", "epsilon"),
    "RMSprop": ("learning_rate", "rho", "epsilon"),
    "Adam": ("learning_rate", "beta_1", "beta_2", "epsilon"),
}
_LOSSES = (
    "MeanSquaredError",
    "BinaryCrossentropy",
    "CategoricalCrossentropy",
    "SparseCategoricalCrossentropy",
)
_ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "softmax")
_KERAS_LAYERS = ("InputLayer", "Dense", "Activation", "Dropout", "Flatten")


def _keras():
    import keras

    return keras


@contextlib.contextmanager
def _floatx(dtype):
    """Temporarily make ``dtype`` Keras's default float type (and default layer dtype).

    A few numbers Keras creates on its own take this default instead of the model's dtype:
    the optimizer's learning rate, the compiled loss (cast to it before the regularization
    losses are added) and the running mean of the loss that ``fit`` reports. Building a
    float64 twin under ``floatx = "float64"`` keeps every number in float64.
    """
    keras = _keras()
    floatx, policy = keras.config.floatx(), keras.config.dtype_policy()
    keras.config.set_floatx(str(dtype))
    keras.config.set_dtype_policy(str(dtype))
    try:
        yield
    finally:
        keras.config.set_floatx(floatx)
        keras.config.set_dtype_policy(policy)


# --------------------------------------------------------------------------- minnet -> Keras


def _keras_activation(activation, dtype):
    """The Keras activation for a minnet one: its name, or for a leaky_relu whose slope is
    not Keras's default 0.2, a ``LeakyReLU`` layer."""
    keras = _keras()
    name = activation.name
    if name not in _ACTIVATIONS:
        raise errors.UnknownNameError(
            f"Keras has no activation like minnet's {name!r}. Activations that exist in "
            f"both: {', '.join(_ACTIVATIONS)}."
        )
    slope = getattr(activation, "negative_slope", 0.2)
    # TensorFlow stores the slope as a float32, so compare what it will actually use.
    if name == "leaky_relu" and np.float32(slope) != np.float32(0.2):
        return keras.layers.LeakyReLU(negative_slope=slope, dtype=dtype)
    return name


def _keras_regularizer(regularizer):
    keras = _keras()
    if regularizer is None:
        return None
    if not hasattr(regularizer, "l1") or not hasattr(regularizer, "l2"):
        raise errors.UnknownNameError(
            f"to_keras translates the L1, L2 and L1L2 regularizers, not {regularizer!r}."
        )
    return keras.regularizers.L1L2(l1=regularizer.l1, l2=regularizer.l2)


def _keras_layers(layer, dtype):
    """The Keras layer(s) that compute what one minnet layer computes."""
    keras = _keras()
    kind = type(layer).__name__
    if kind == "Dense":
        activation = _keras_activation(layer.activation, dtype)
        separate = not isinstance(activation, str)
        dense = keras.layers.Dense(
            layer.units,
            activation=None if separate else activation,
            use_bias=layer.use_bias,
            kernel_regularizer=_keras_regularizer(layer.kernel_regularizer),
            dtype=dtype,
        )
        return [dense, activation] if separate else [dense]
    if kind == "Activation":
        activation = _keras_activation(layer.activation, dtype)
        if not isinstance(activation, str):
            return [activation]
        return [keras.layers.Activation(activation, dtype=dtype)]
    if kind == "Dropout":
        return [keras.layers.Dropout(layer.rate, seed=layer.seed, dtype=dtype)]
    if kind == "Flatten":
        return [keras.layers.Flatten(dtype=dtype)]
    raise errors.UnknownNameError(
        f"to_keras does not know how to translate the minnet layer {layer!r}; it translates "
        "Dense, Activation, Dropout and Flatten."
    )


def _keras_optimizer(optimizer):
    keras = _keras()
    kind = type(optimizer).__name__
    if kind not in _OPTIMIZER_SETTINGS:
        raise errors.UnknownNameError(
            f"to_keras translates the optimizers {', '.join(_OPTIMIZER_SETTINGS)}, not {kind}."
        )
    settings = {name: getattr(optimizer, name) for name in _OPTIMIZER_SETTINGS[kind]}
    settings["learning_rate"] = float(settings["learning_rate"])
    return getattr(keras.optimizers, kind)(
        **settings, clipnorm=optimizer.clipnorm, clipvalue=optimizer.clipvalue
    )


def _keras_loss(loss, dtype):
    """The Keras loss object, computing in the model's dtype.

    The dtype matters beyond precision: a loss that casts a float64 output to float32
    receives a new tensor, loses the logits Keras kept behind a sigmoid or softmax, and
    falls back to clipped probabilities.
    """
    keras = _keras()
    kind = type(loss).__name__
    if kind not in _LOSSES:
        raise errors.UnknownNameError(f"to_keras translates the losses {', '.join(_LOSSES)}, not {kind}.")
    if kind == "MeanSquaredError":
        return keras.losses.MeanSquaredError(dtype=dtype)
    return getattr(keras.losses, kind)(from_logits=loss.from_logits, dtype=dtype)


def _keras_metric(name, model, dtype):
    """A Keras metric object, accumulating in the model's dtype, for a minnet metric name.

    ``"accuracy"`` is resolved here as Keras would resolve it from the labels: sparse for
    the sparse cross-entropy, binary for a single output unit, categorical otherwise.
    """
    keras = _keras()
    if not isinstance(name, str):
        raise errors.UnknownNameError(
            f"to_keras translates metrics given by name, such as 'accuracy' or 'mae'; got {name!r}."
        )
    if name.lower() in ("accuracy", "acc"):
        if type(model.loss).__name__ == "SparseCategoricalCrossentropy":
            kind = keras.metrics.SparseCategoricalAccuracy
        elif model.output_shape[-1] == 1:
            kind = keras.metrics.BinaryAccuracy
        else:
            kind = keras.metrics.CategoricalAccuracy
        return kind(name=name, dtype=dtype)
    metric = keras.metrics.get(name)  # a Metric object ("mae") or a function
    if isinstance(metric, keras.metrics.Metric):
        return type(metric)(name=name, dtype=dtype)
    return keras.metrics.MeanMetricWrapper(metric, name=name, dtype=dtype)


def to_keras(model):
    """Build the compiled Keras twin of a built minnet ``Sequential`` model.

    The twin has the same input shape, the same layers (``Dense``, ``Activation``,
    ``Dropout``, ``Flatten``) with the same activations and regularizers, the same dtype,
    and a copy of the current weights. If ``model`` is compiled, the twin is compiled with
    the same optimizer class and hyper-parameters (fresh state, as if never stepped), the
    same loss and the same metrics.

    A float64 twin computes in float64 when called directly (``twin(x)``, as
    :func:`compare` does). Its ``fit``, ``evaluate`` and ``predict`` first cast float
    inputs to Keras's global float type: call ``keras.config.set_floatx("float64")``
    before them to keep the data in float64 too.
    """
    keras = _keras()
    if not model.built:
        raise errors.NotBuiltError(
            "to_keras needs a built model, to know its input shape. Call "
            "model.build((None, n_features)) or pass input_dim to the first Dense layer."
        )
    dtype = np.dtype(model.dtype).name
    with _floatx(dtype):
        twin = keras.Sequential(name="keras_twin")
        twin.add(keras.Input(shape=tuple(model.input_shape[1:]), dtype=dtype))
        for layer in model.layers:
            for keras_layer in _keras_layers(layer, dtype):
                twin.add(keras_layer)
        twin.set_weights(model.get_weights())
        if model.optimizer is not None and model.loss is not None:
            twin.compile(
                optimizer=_keras_optimizer(model.optimizer),
                loss=_keras_loss(model.loss, dtype),
                metrics=[_keras_metric(m, model, dtype) for m in model.metric_names],
            )
    return twin


# --------------------------------------------------------------------------- Keras -> minnet


def _lacks(what, name, has):
    return errors.UnknownNameError(
        f"minnet has no {what} like Keras's {name}. It has: {', '.join(has)}."
    )


def _minnet_activation(keras_activation):
    keras = _keras()
    name = keras.activations.serialize(keras_activation)
    name = name if isinstance(name, str) else getattr(keras_activation, "__name__", str(name))
    if name not in _ACTIVATIONS:
        raise _lacks("activation", repr(name), _ACTIVATIONS)
    return name


def _minnet_regularizer(keras_regularizer):
    from . import regularizers

    if keras_regularizer is None:
        return None
    config = keras_regularizer.get_config()
    if set(config) - {"l1", "l2"}:
        raise _lacks("regularizer", type(keras_regularizer).__name__, ("L1", "L2", "L1L2"))
    l1, l2 = config.get("l1", 0.0), config.get("l2", 0.0)
    if not l2:
        return regularizers.L1(l1)
    if not l1:
        return regularizers.L2(l2)
    return regularizers.L1L2(l1=l1, l2=l2)


def _minnet_layer(keras_layer):
    from . import activations, layers

    kind = type(keras_layer).__name__
    if kind == "Dense":
        for extra in ("bias_regularizer", "activity_regularizer", "kernel_constraint",
                      "bias_constraint"):
            if getattr(keras_layer, extra, None) is not None:
                raise errors.ConfigError(
                    f"minnet's Dense has no {extra}, but the Keras layer {keras_layer.name!r} "
                    "sets one. Remove it, or keep this model in Keras."
                )
        return layers.Dense(
            keras_layer.units,
            activation=_minnet_activation(keras_layer.activation),
            use_bias=keras_layer.use_bias,
            kernel_regularizer=_minnet_regularizer(keras_layer.kernel_regularizer),
        )
    if kind == "Activation":
        return layers.Activation(_minnet_activation(keras_layer.activation))
    if kind == "LeakyReLU":
        return layers.Activation(activations.LeakyReLU(float(keras_layer.negative_slope)))
    if kind == "Dropout":
        return layers.Dropout(keras_layer.rate, seed=keras_layer.seed)
    if kind == "Flatten":
        return layers.Flatten()
    raise _lacks("layer", f"{kind} (layer {keras_layer.name!r})", (*_KERAS_LAYERS[1:], "LeakyReLU"))


def _minnet_optimizer(keras_optimizer):
    from . import optimizers

    kind = type(keras_optimizer).__name__
    if kind not in _OPTIMIZER_SETTINGS:
        raise _lacks("optimizer", kind, tuple(_OPTIMIZER_SETTINGS))
    config = keras_optimizer.get_config()
    unmatched = {
        "weight_decay": None, "global_clipnorm": None, "use_ema": False,
        "amsgrad": False, "centered": False, "gradient_accumulation_steps": None,
    }
    if kind == "RMSprop":
        unmatched["momentum"] = 0.0
    for key, default in unmatched.items():
        if config.get(key, default) != default:
            raise errors.ConfigError(
                f"minnet's {kind} has no {key}; the Keras optimizer sets {key}="
                f"{config[key]!r}. Rebuild it with the default ({default!r})."
            )
    settings = {name: config[name] for name in _OPTIMIZER_SETTINGS[kind]}
    if keras_optimizer.learning_rate.dtype == "float32":
        # Keras holds 0.01 as the float32 0.009999999776...; give minnet back the 0.01.
        settings["learning_rate"] = float(str(np.float32(settings["learning_rate"])))
    return getattr(optimizers, kind)(
        **settings, clipnorm=config.get("clipnorm"), clipvalue=config.get("clipvalue")
    )


def _minnet_loss(keras_loss):
    from . import losses

    if isinstance(keras_loss, str) or not hasattr(keras_loss, "get_config"):
        return losses.get(getattr(keras_loss, "__name__", keras_loss))
    kind = type(keras_loss).__name__
    if kind not in _LOSSES:
        raise _lacks("loss", kind, _LOSSES)
    if kind == "MeanSquaredError":
        return losses.MeanSquaredError()
    return getattr(losses, kind)(from_logits=keras_loss.get_config()["from_logits"])


def _metric_name(entry):
    """The name of a metric in a Keras compile config: a string, or a serialized object."""
    return entry if isinstance(entry, str) else entry["config"]["name"]


def from_keras(keras_model, seed=None):
    """Build the minnet ``Sequential`` twin of a Keras model of Dense-like layers.

    Translates ``Dense``, ``Activation``, ``LeakyReLU``, ``Dropout`` and ``Flatten``
    layers, copies the weights, and, if the Keras model is compiled, compiles the twin with
    the same optimizer, loss and metrics. Any other layer, activation, loss or optimizer
    setting raises a :mod:`minnet.errors` exception that names it.
    """
    from . import Sequential

    keras_layers = [layer for layer in keras_model.layers if type(layer).__name__ != "InputLayer"]
    if not keras_model.built or not keras_layers:
        raise errors.NotBuiltError(
            "from_keras needs a built Keras model with layers: start it with keras.Input(shape)."
        )
    model = Sequential([_minnet_layer(layer) for layer in keras_layers], seed=seed,
                       dtype=keras_layers[0].dtype)
    model.build((None, *keras_model.input_shape[1:]))
    model.set_weights(keras_model.get_weights())
    if getattr(keras_model, "compiled", False) and keras_model.loss is not None:
        metrics = [_metric_name(m) for m in keras_model.get_compile_config().get("metrics") or []]
        model.compile(
            optimizer=_minnet_optimizer(keras_model.optimizer),
            loss=_minnet_loss(keras_model.loss),
            metrics=metrics,
        )
    return model


# --------------------------------------------------------------------------- comparison


def _largest(a, b):
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b))) if a.size else 0.0


def compare(model, keras_model, x, y, verbose=False):
    """Feed ``x, y`` to both models and return the largest absolute differences.

    Returns a dict of floats:

    - ``"weights"``: between the two models' weights (0 for a fresh twin);
    - ``"outputs"``: between the predictions ``model.predict(x)`` and ``keras_model(x)``;
    - ``"loss"``: between minnet's ``loss_value(x, y)`` and Keras's compiled loss plus its
      regularization losses;
    - ``"gradients"``: between minnet's backpropagated ``gradients(x, y)`` and the gradients
      ``tf.GradientTape`` takes of that Keras loss, over every weight array.

    Both models run in inference mode (``training=False``: dropout off). With
    ``verbose=True`` the dict is also printed.
    """
    import tensorflow as tf

    if model.loss is None or not getattr(keras_model, "compiled", False):
        raise errors.NotCompiledError(
            "compare needs both models compiled with a loss, to compare losses and gradients."
        )
    dtype = np.dtype(model.dtype)
    x = np.asarray(x, dtype=dtype)
    with tf.GradientTape() as tape:
        keras_outputs = keras_model(x, training=False)
        keras_loss = keras_model.compute_loss(x=x, y=y, y_pred=keras_outputs, training=False)
    keras_gradients = tape.gradient(keras_loss, keras_model.trainable_variables)

    result = {
        "weights": max(map(_largest, model.get_weights(), keras_model.get_weights()), default=0.0),
        "outputs": _largest(model.predict(x), keras_outputs),
        "loss": _largest(model.loss_value(x, y), keras_loss),
        "gradients": max(map(_largest, model.gradients(x, y), keras_gradients), default=0.0),
    }
    if verbose:
        for name, value in result.items():
            print(f"largest |minnet - keras| in {name:9s}: {value:.3g}")
    return result


# --------------------------------------------------------------------------- tf.keras names

#: minnet's modules and classes under the names ``tf.keras`` gives them.
_TF_KERAS_NAMES = ("activations", "callbacks", "initializers", "layers", "losses", "metrics",
                   "models", "optimizers", "regularizers", "utils", "Sequential", "Input")


def __getattr__(name):
    """With ``import minnet as tf``, code written for ``tf.keras`` finds minnet's own modules
    under ``tf.keras``: ``tf.keras.models.Sequential``, ``tf.keras.layers.Dense``, ... ."""
    import minnet

    if name in _TF_KERAS_NAMES:
        return getattr(minnet, name)
    return getattr(minnet, name) if name in minnet._NOT_IN_MINNET else _no_attribute(name)


def _no_attribute(name):
    raise AttributeError(f"module 'minnet.keras' has no attribute {name!r}")
