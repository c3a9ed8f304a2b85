"""Keras's ``keras.models``: ``Sequential``, ``load_model`` and ``save_model``.

``from minnet.models import Sequential, load_model`` is the same as ``from keras.models
import Sequential, load_model`` for the models minnet builds.

What of Keras's ``Sequential`` minnet covers, with Keras's meaning:

- building: ``Sequential([...])``, ``add``, ``pop``, ``Input(shape=...)`` first (its
  ``dtype`` too), ``input_shape=`` / ``input_dim=`` on a first layer, ``build``, or built by
  the first data it sees; ``layers``, ``get_layer``, ``summary``, ``count_params``;
- ``compile(optimizer, loss, metrics, weighted_metrics)`` with names or objects;
- ``fit(x, y, batch_size, epochs, verbose, callbacks, validation_split, validation_data,
  shuffle, class_weight, sample_weight, initial_epoch)`` on arrays, ``evaluate(...,
  sample_weight, return_dict)``, ``predict``, ``train_on_batch`` (which returns the loss
  alone, also when metrics are compiled);
- weights and configs: ``weights``, ``trainable_weights``, ``get_weights``,
  ``set_weights``, ``get_config``, ``from_config``, ``save``, ``load_model``,
  ``save_weights``, ``load_weights`` (minnet's own file formats: a zip and an ``.npz``).

What it deliberately does not: the functional API (``Model(inputs, outputs)``) and
subclassed models; layers other than ``Dense``, ``Activation``, ``Dropout``, ``Flatten``;
frozen layers (``trainable=False``); ``compile``'s ``jit_compile``, ``run_eagerly``,
``steps_per_execution``, ``loss_weights``; ``fit`` on generators or ``tf.data`` (with
``steps_per_epoch``, ``validation_freq``); Keras's ``.keras`` and ``.h5`` files (load them
in Keras, then ``minnet.keras.from_keras``). Each raises an error that says so.
"""

from __future__ import annotations

from .errors import NotInMinnetError
from .model import Sequential
from .saving import load_model, save_model

__all__ = ["Sequential", "load_model", "save_model"]


def __getattr__(name):
    if name.startswith("_"):
        raise AttributeError(f"module 'minnet.models' has no attribute {name!r}")
    if name == "Model":
        raise NotInMinnetError(
            "minnet has no functional API (keras.Model(inputs, outputs)) and no subclassed "
            "models: build a stack of layers with minnet.models.Sequential([...]), or keep "
            "this model in Keras."
        )
    raise NotInMinnetError(
        f"minnet.models has no {name!r}; it has {', '.join(__all__)}."
    )
