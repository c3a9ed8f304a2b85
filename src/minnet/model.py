"""``Sequential``: a stack of layers, with Keras's interface.

``Sequential`` is the structure of a network: its layers, how they are built, the forward
and backward passes, the weights. Its other Keras methods hand the work, in a line or two,
to the module that owns it: :mod:`minnet.training` (``compile``, ``fit``, ``evaluate``,
``predict``), :mod:`minnet.serialization`, :mod:`minnet.saving`. The loss, given the last
layer's :meth:`Sequential.output_parts`, starts the backward pass (:meth:`minnet.losses.Loss.delta`).
"""

from __future__ import annotations

import copy

import numpy as np

from . import checks, progress, saving, serialization
from . import metrics as metrics_module
from . import training as training_module
from .arguments import checked
from .errors import ConfigError
from .layers import InputLayer, cast, find_layer, unique_name

__all__ = ["Sequential"]


class Sequential:
    """A linear stack of layers.

    ``seed`` fixes every random choice (initial weights, shuffling, dropout masks): the same
    seed gives bit-identical results run after run. ``dtype`` is ``"float32"`` (as Keras) or
    ``"float64"``.
    """

    @checked(where="Sequential()")
    def __init__(self, layers=None, seed=None, dtype="float32", name="sequential"):
        self.name = name
        self.dtype = checks.float_dtype(dtype)
        self.seed = seed
        self.rng = np.random.default_rng(seed)
        self.layers = []
        self.built = False
        self.input_shape = None
        self.optimizer = None
        self.loss = None
        self.metric_names = []
        self.weighted_metric_names = []
        self.stop_training = False
        self.history = None
        for layer in layers or []:
            self.add(layer)

    # ------------------------------------------------------------------ building
    @checked(where="Sequential.add")
    def add(self, layer):
        """Append a layer. ``Input(shape=...)`` first (not kept in ``layers``, as in Keras), or
        a first layer given ``input_dim=`` or ``input_shape=``, builds the model at once; a
        layer added to a built model is built on top of it."""
        checks.check_layer_to_add(layer, self)
        if isinstance(layer, InputLayer):
            self.input_shape = layer.batch_input_shape
            if layer.input_dtype is not None:
                self.dtype = layer.input_dtype
            return
        layer.name = unique_name(layer.name, {existing.name for existing in self.layers})
        self.layers.append(layer)
        if self.built:
            layer.build(self.output_shape, self.rng, self.dtype)
            self.output_shape = layer.output_shape
        elif len(self.layers) == 1:
            shape = self.input_shape or layer.batch_input_shape
            if shape is None and getattr(layer, "input_dim", None):
                shape = (None, layer.input_dim)
            if shape is not None:
                self.build(shape)

    def pop(self):
        """Remove the last layer (as Keras's ``pop``); the others keep their weights. A
        compiled optimizer forgets its state, which was for the old list of weights."""
        if not self.layers:
            raise ConfigError("pop() on a model with no layers.")
        layer = self.layers.pop()
        if self.built:
            self.output_shape = self.layers[-1].output_shape if self.layers else self.input_shape
            self.built = bool(self.layers)
        if self.optimizer is not None:
            self.optimizer.reset()
        return layer

    @checked(where="Sequential.build")
    def build(self, input_shape):
        """Create every layer's weights for inputs of shape ``(batch, *input_shape[1:])``."""
        if not self.layers:
            raise ConfigError("The model has no layers: add at least one before using it.")
        shape = (None, *tuple(input_shape)[1:])
        self.input_shape = shape
        for layer in self.layers:
            layer.build(shape, self.rng, self.dtype)
            shape = layer.output_shape
        self.output_shape = shape
        self.built = True

    def _inputs(self, x):
        """Check ``x`` once, build the model on first use, return it in the model's dtype."""
        x = checks.check_inputs(x, self.dtype, self.input_shape if self.built else None)
        if not self.built:
            self.build(x.shape)
        return x

    # ----------------------------------------------------------------- compiling
    @checked(where="Sequential.compile")
    def compile(self, optimizer="rmsprop", loss=None, metrics=None, weighted_metrics=None):
        """Choose the optimizer, the loss and the metrics to report (Keras names work).

        ``metrics`` ignore sample weights; ``weighted_metrics`` are averaged with them,
        ``sum_i w_i m_i / sum_i w_i`` (as in Keras; the name gets a ``weighted_`` prefix if
        it is also in ``metrics``)."""
        return training_module.compile(self, optimizer, loss, metrics, weighted_metrics)

    def check_data(self, x, y):
        """``(x, y)`` checked once against the model and its loss, ready for training: in
        the model's dtype, class labels left as integers."""
        x = self._inputs(x)
        y = checks.check_targets(y, x)
        probe = np.empty((len(y), *self.output_shape[1:]), dtype=self.dtype)
        return x, self.loss.prepare(y, probe)[0]

    def metric_functions(self, y):
        """The compiled ``metrics`` for targets like ``y``: :func:`minnet.metrics.compiled`."""
        return metrics_module.compiled(self.metric_names, y.shape, (len(y), *self.output_shape[1:]))

    def weighted_metric_functions(self, y):
        """The ``weighted_metrics``, by the name Keras reports them under (same place)."""
        return metrics_module.compiled(self.weighted_metric_names, y.shape,
                                       (len(y), *self.output_shape[1:]), self.metric_names)

    # ------------------------------------------------------- forward and backward
    def forward(self, x, training=False):
        """Run a (checked) batch through every layer; returns the last activation."""
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    def __call__(self, x, training=False):
        return self.forward(self._inputs(x), training=training)

    def output_parts(self, output):
        """``(z, a, f)`` of the last layer after a forward pass that returned ``output``: what
        the loss needs to start the backward pass (:meth:`minnet.losses.Loss.delta`)."""
        last = self.layers[-1]
        return (output if last.z is None else last.z), output, last.activation

    def backward(self, grad, from_logits=False):
        """Backpropagate ``grad = dC/d(output)`` (``dC/dz`` of the last layer, the loss's
        ``Delta^L``, if ``from_logits``) through every layer, leaving each layer's gradients
        in place. The gradient with respect to the data itself is not needed, so not computed."""
        last = len(self.layers) - 1
        if from_logits:
            grad = self.layers[last].backward_delta(grad, input_gradient=last > 0)
            last -= 1
        for depth in range(last, -1, -1):
            grad = self.layers[depth].backprop(grad, input_gradient=depth > 0)

    @property
    def params(self):
        """Every layer's trainable arrays, in order, ``[W1, b1, W2, b2, ...]``."""
        return [p for layer in self.layers for p in layer.params]

    @property
    def grads(self):
        """The gradients of :attr:`params`, in the same order, from the last backward pass."""
        return [g for layer in self.layers for g in layer.grads]

    def regularization_loss(self) -> float:
        """The sum of the layers' penalties, the term that regularizers add to the loss."""
        return float(sum(layer.regularization_loss() for layer in self.layers))

    # ---------------------------------------------------------------- training
    @checked(where="Sequential.train_on_batch")
    def train_on_batch(self, x, y, sample_weight=None, class_weight=None) -> float:
        """One gradient step on one batch; returns the batch loss before the step
        (:func:`minnet.training.train_on_batch`)."""
        return training_module.train_on_batch(self, x, y, sample_weight, class_weight)

    @checked(where="Sequential.fit")
    def fit(self, x, y, batch_size=32, epochs=1, verbose=1, callbacks=None,
            validation_split=0.0, validation_data=None, shuffle=True, class_weight=None,
            sample_weight=None, initial_epoch=0):
        """Train for ``epochs`` passes over the data in mini-batches of ``batch_size``, with
        Keras's arguments; returns the ``History``. Documented at :func:`minnet.training.fit`."""
        return training_module.fit(
            self, x, y, epochs, batch_size, validation_data, validation_split, shuffle,
            verbose, callbacks, sample_weight=sample_weight, class_weight=class_weight,
            initial_epoch=initial_epoch)

    @checked(where="Sequential.predict")
    def predict(self, x, batch_size=None, verbose=0):
        """The network's outputs for ``x``, computed in batches (32 by default).
        ``verbose`` is accepted for Keras's sake; minnet's predict prints nothing."""
        batch_size = checks.positive_int(batch_size or 32, "batch_size")
        return training_module.predict(self, self._inputs(x), batch_size)

    @checked(where="Sequential.evaluate")
    def evaluate(self, x, y, batch_size=None, verbose=0, sample_weight=None,
                 return_dict=False):
        """Loss (with regularization) and metrics on ``(x, y)``, in inference mode.

        With ``sample_weight`` the loss is ``sum_i w_i C_i / n`` plus regularization, as in
        Keras (:mod:`minnet.weighting`).

        Returns what Keras does (:func:`minnet.training.evaluate_data`)."""
        return training_module.evaluate_data(self, x, y, batch_size, verbose, sample_weight,
                                              return_dict)

    @checked(where="Sequential.loss_value")
    def loss_value(self, x, y) -> float:
        """The mean loss on ``(x, y)`` plus regularization, in inference mode."""
        return training_module.loss_value(self, x, y)

    @checked(where="Sequential.gradients")
    def gradients(self, x, y, training=False):
        """Gradients of the mean loss plus regularization, ordered like :meth:`get_weights`."""
        return training_module.gradients(self, x, y, training)

    # ----------------------------------------------------------------- weights
    @property
    def weights(self):
        """The weight arrays themselves (not copies), ``[W1, b1, W2, b2, ...]``."""
        return self.params if self.built else []

    @property
    def trainable_weights(self):
        """Every weight, since all of minnet's weights are trained (Keras's name)."""
        return self.weights

    @property
    def non_trainable_weights(self):
        """An empty list, since minnet has no frozen weights (Keras's name)."""
        return []

    @checked(where="Sequential.get_layer")
    def get_layer(self, name=None, index=None):
        """The layer called ``name``, or at position ``index`` of ``layers``, as in Keras."""
        return find_layer(self.layers, name, index)

    def get_weights(self):
        """Copies of every weight array, ``[W1, b1, W2, b2, ...]``, shaped as in Keras."""
        checks.require_built(self)
        return [p.copy() for p in self.params]

    @checked(where="Sequential.set_weights")
    def set_weights(self, weights):
        """Overwrite every weight; ``weights`` is ordered and shaped like ``get_weights()``.
        Every shape is checked before anything is written: a mismatch changes nothing."""
        checks.require_built(self)
        for p, w in zip(self.params, checks.check_weights(weights, self.params), strict=True):
            np.copyto(p, w.astype(p.dtype, copy=False))

    def count_params(self) -> int:
        """The number of scalar parameters of all layers, as Keras's ``count_params``."""
        return int(sum(p.size for p in self.params))

    def get_config(self) -> dict:
        """The architecture as JSON-ready data: :func:`minnet.serialization.model_config`."""
        return serialization.model_config(self)

    @classmethod
    def from_config(cls, config):
        """A new model from :meth:`get_config`'s dict: :func:`minnet.serialization.model_from_config`."""
        return serialization.model_from_config(cls, config)

    @checked(where="Sequential.save")
    def save(self, filepath, overwrite=True):
        """Save the whole model to one file that :func:`minnet.saving.load_model` resumes
        training from exactly: :func:`minnet.saving.save_model`."""
        saving.save_model(self, filepath, overwrite=overwrite)

    @checked(where="Sequential.save_weights")
    def save_weights(self, path):
        """Save the weights to an ``.npz`` file: :func:`minnet.saving.save_weights`."""
        saving.save_weights(self, path)

    @checked(where="Sequential.load_weights")
    def load_weights(self, path):
        """Load weights saved by :meth:`save_weights`: :func:`minnet.saving.load_weights`."""
        saving.load_weights(self, path)

    @checked(where="Sequential.astype")
    def astype(self, dtype):
        """A copy of the model (weights, compiled loss and optimizer) in another dtype."""
        checks.require_built(self)
        clone = copy.deepcopy(self)
        clone.dtype = np.dtype(dtype)
        for layer in clone.layers:
            cast(layer, clone.dtype)
        if clone.optimizer is not None:
            clone.optimizer.reset()
        return clone

    def summary(self):
        """Print each layer's output shape and parameter count, as Keras does."""
        checks.require_built(self)
        progress.print_summary(self)

    def __repr__(self):
        return f"Sequential([{', '.join(repr(layer) for layer in self.layers)}])"
