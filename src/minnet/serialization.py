"""Objects and models as JSON and back: what ``get_config`` returns and ``from_config`` reads.

A value is stored as itself when JSON has it (``None``, a bool, a number, a string, a
list). An activation that is one of the registry's (``"relu"``) is stored by name. Any
other minnet object (an initializer, a regularizer, a loss, an optimizer, a parametrized
activation such as ``LeakyReLU(0.1)``) is stored as ::

    {"module": "initializers", "class_name": "RandomNormal",
     "config": {"mean": 0.0, "stddev": 0.05}}

whose ``config`` holds the object's constructor arguments, read back from the attributes
of the same names. Reading only ever looks classes up in minnet's own modules
(:data:`MODULES`): a file can name a class, never run code.
"""

from __future__ import annotations

import importlib
import numbers

import numpy as np

from .arguments import init_names
from .errors import ConfigError

__all__ = ["MODULES", "serialize", "deserialize", "model_config", "model_from_config"]

#: The modules whose classes a config may name.
MODULES = ("activations", "initializers", "regularizers", "losses", "optimizers")


def _module_of(obj):
    name = type(obj).__module__.rpartition(".")[2]
    return name if type(obj).__module__.startswith("minnet.") and name in MODULES else None


def serialize(value):
    """``value`` as JSON-ready data (see the module docstring)."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, numbers.Integral):
        return int(value)
    if isinstance(value, numbers.Real):
        return float(value)
    if isinstance(value, (list, tuple)):
        return [serialize(v) for v in value]
    if isinstance(value, np.ndarray):
        return serialize(value.tolist())
    module = _module_of(value)
    if module is None:
        raise ConfigError(
            f"{value!r} cannot be saved: a config holds numbers, names and minnet's own "
            "objects (activations, initializers, regularizers, losses, optimizers). Give "
            "functions by their Keras name instead, e.g. activation='relu'."
        )
    if module == "activations":
        from .activations import _BY_NAME

        if _BY_NAME.get(value.name) is value:
            return value.name
    return {"module": module, "class_name": type(value).__name__,
            "config": {name: serialize(getattr(value, name)) for name in init_names(type(value))}}


def deserialize(value):
    """The inverse of :func:`serialize`: a dict naming a minnet class becomes an object."""
    if isinstance(value, dict) and set(value) == {"module", "class_name", "config"}:
        module, class_name = value["module"], value["class_name"]
        if module not in MODULES:
            raise ConfigError(f"A config names the module {module!r}; minnet reads {MODULES}.")
        cls = getattr(importlib.import_module(f"minnet.{module}"), str(class_name), None)
        if not isinstance(cls, type):
            raise ConfigError(f"minnet.{module} has no class {class_name!r}.")
        return cls(**{k: deserialize(v) for k, v in dict(value["config"]).items()})
    return value


def model_config(model) -> dict:
    """A ``Sequential``'s architecture as JSON-ready data: name, seed, dtype, the input
    shape once known, and each layer's class and :meth:`~minnet.layers.Layer.get_config`."""
    return {
        "name": model.name,
        "seed": model.seed,
        "dtype": model.dtype.name,
        "build_input_shape": None if model.input_shape is None else list(model.input_shape),
        "layers": [{"class_name": type(layer).__name__, "config": layer.get_config()}
                   for layer in model.layers],
    }


def model_from_config(cls, config):
    """A new model of class ``cls``, built if the config has an input shape, from
    :func:`model_config`'s dict (fresh weights: copy them with ``set_weights``)."""
    from . import layers as layers_module

    layers = []
    for entry in config["layers"]:
        layer_class = getattr(layers_module, entry["class_name"], None)
        if not (isinstance(layer_class, type) and issubclass(layer_class, layers_module.Layer)):
            raise ConfigError(f"minnet has no layer class {entry['class_name']!r}.")
        layers.append(layer_class.from_config(entry["config"]))
    model = cls(seed=config.get("seed"), dtype=config.get("dtype", "float32"),
                name=config.get("name", "sequential"))
    shape = config.get("build_input_shape")
    if shape is not None:
        model.input_shape = (None, *shape[1:])
    for layer in layers:
        model.add(layer)
    if shape is not None and not model.built:
        model.build(model.input_shape)
    return model
