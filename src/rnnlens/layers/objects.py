"""Keras's initializer, regularizer and constraint objects as plain configuration.

A layer option such as ``kernel_initializer=Constant(0.5)``, ``kernel_regularizer="l2"`` or
``kernel_constraint=MaxNorm(2)`` is held by the spec as one of these objects: a Keras class
name plus its arguments, with Keras's defaults. They compute nothing here (the spec never
touches a tensor); the engine draws initial values from them
(:mod:`rnnlens.engine.initializers`) and training applies penalties and constraints
(:mod:`rnnlens.train.regularizers`, :mod:`rnnlens.train.constraints`).

``get_config()`` is Keras's (``GlorotUniform(seed=3).get_config() == {"seed": 3}``) and
:func:`serialize` gives Keras's ``{"module", "class_name", "config", "registered_name"}``
form, so layer configs compare equal to Keras's.

>>> resolve("regularizer", "Dense", "kernel_regularizer", "l1_l2").get_config()
{'l1': 0.01, 'l2': 0.01}
>>> serialize(resolve("initializer", "Dense", "kernel_initializer", Constant(0.5)))["config"]
{'value': 0.5}
"""

from __future__ import annotations

import difflib
from typing import Any, ClassVar

from ..errors import ConfigError, ConfigTypeError
from ..show import preview


class KerasObject:
    """A Keras object by class name and arguments; equality compares both."""

    family: ClassVar[str] = ""
    defaults: ClassVar[dict[str, Any]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        names = list(self.defaults)
        if len(args) > len(names):
            raise ConfigTypeError(
                f"{type(self).__name__} takes at most {len(names)} positional arguments "
                f"({', '.join(names)}), received {len(args)}"
            )
        config = dict(self.defaults)
        config.update(zip(names, args))
        unknown = sorted(set(kwargs) - set(names))
        if unknown:
            raise ConfigTypeError(
                f"{type(self).__name__} got an unknown argument '{unknown[0]}'; it accepts: "
                f"{', '.join(names) or 'no arguments'}"
            )
        config.update(kwargs)
        seed = config.get("seed")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ConfigTypeError(
                f"{type(self).__name__}: seed must be an integer or None, received {preview(seed)}"
            )
        if seed is not None and not -(2**63) <= seed < 2**64:  # what torch's generators take
            raise ConfigError(
                f"{type(self).__name__}: seed must be from -2**63 to 2**64 - 1, received "
                f"{preview(seed)}"
            )
        self.config = config
        self.validate()

    def validate(self) -> None:
        """Refuse impossible values (a negative factor, a norm bound below zero)."""

    def get_config(self) -> dict[str, Any]:
        return dict(self.config)

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> KerasObject:
        return cls(**config)

    def __getattr__(self, name: str) -> Any:
        config = self.__dict__.get("config", {})
        if name in config:
            return config[name]
        raise AttributeError(name)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.get_config() == self.get_config()

    def __hash__(self) -> int:
        return hash((type(self).__name__, repr(sorted(self.config.items()))))

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config.items())
        return f"{type(self).__name__}({args})"


def _numbers(obj: KerasObject, *names: str, minimum: float | None = None) -> None:
    for name in names:
        value = obj.config[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigTypeError(
                f"{type(obj).__name__}: {name} must be a number, received {value!r}"
            )
        if minimum is not None and value < minimum:
            raise ConfigError(
                f"{type(obj).__name__}: {name} must be >= {minimum}, received {value!r}"
            )


# ------------------------------------------------------------------ initializers
class Initializer(KerasObject):
    family = "initializer"


class Constant(Initializer):
    defaults: ClassVar[dict[str, Any]] = {"value": 0.0}


class Zeros(Initializer):
    defaults: ClassVar[dict[str, Any]] = {}


class Ones(Initializer):
    defaults: ClassVar[dict[str, Any]] = {}


class RandomNormal(Initializer):
    defaults: ClassVar[dict[str, Any]] = {"mean": 0.0, "stddev": 0.05, "seed": None}


class RandomUniform(Initializer):
    defaults: ClassVar[dict[str, Any]] = {"minval": -0.05, "maxval": 0.05, "seed": None}


class TruncatedNormal(Initializer):
    defaults: ClassVar[dict[str, Any]] = {"mean": 0.0, "stddev": 0.05, "seed": None}


class VarianceScaling(Initializer):
    defaults: ClassVar[dict[str, Any]] = {
        "scale": 1.0,
        "mode": "fan_in",
        "distribution": "truncated_normal",
        "seed": None,
    }

    def validate(self) -> None:
        _numbers(self, "scale")
        if self.config["scale"] <= 0:
            raise ConfigError(
                f"VarianceScaling: scale must be > 0, received {self.config['scale']}"
            )
        if self.config["mode"] not in ("fan_in", "fan_out", "fan_avg"):
            raise ConfigError(f"VarianceScaling: unknown mode {self.config['mode']!r}")
        if self.config["distribution"] not in ("truncated_normal", "untruncated_normal", "uniform"):
            raise ConfigError(
                f"VarianceScaling: unknown distribution {self.config['distribution']!r}"
            )


class _SeededScaling(Initializer):
    """Glorot/He/Lecun: a :class:`VarianceScaling` whose config is only its seed."""

    defaults: ClassVar[dict[str, Any]] = {"seed": None}
    scaling: ClassVar[tuple[float, str, str]] = (1.0, "fan_avg", "uniform")

    def as_variance_scaling(self) -> VarianceScaling:
        scale, mode, distribution = self.scaling
        return VarianceScaling(scale, mode, distribution, self.config["seed"])


class GlorotUniform(_SeededScaling):
    scaling = (1.0, "fan_avg", "uniform")


class GlorotNormal(_SeededScaling):
    scaling = (1.0, "fan_avg", "truncated_normal")


class HeUniform(_SeededScaling):
    scaling = (2.0, "fan_in", "uniform")


class HeNormal(_SeededScaling):
    scaling = (2.0, "fan_in", "truncated_normal")


class LecunUniform(_SeededScaling):
    scaling = (1.0, "fan_in", "uniform")


class LecunNormal(_SeededScaling):
    scaling = (1.0, "fan_in", "truncated_normal")


class Orthogonal(Initializer):
    defaults: ClassVar[dict[str, Any]] = {"gain": 1.0, "seed": None}


class Identity(Initializer):
    defaults: ClassVar[dict[str, Any]] = {"gain": 1.0}


# ------------------------------------------------------------------ regularizers
class Regularizer(KerasObject):
    family = "regularizer"


class L1(Regularizer):
    defaults: ClassVar[dict[str, Any]] = {"l1": 0.01}

    def validate(self) -> None:
        _numbers(self, "l1", minimum=0)


class L2(Regularizer):
    defaults: ClassVar[dict[str, Any]] = {"l2": 0.01}

    def validate(self) -> None:
        _numbers(self, "l2", minimum=0)


class L1L2(Regularizer):
    defaults: ClassVar[dict[str, Any]] = {"l1": 0.0, "l2": 0.0}

    def validate(self) -> None:
        _numbers(self, "l1", "l2", minimum=0)


def l1_l2(l1: float = 0.01, l2: float = 0.01) -> L1L2:
    """Keras's ``l1_l2`` shortcut: both factors default to 0.01 (the class's to 0)."""
    return L1L2(l1=l1, l2=l2)


# ------------------------------------------------------------------- constraints
class Constraint(KerasObject):
    family = "constraint"


class MaxNorm(Constraint):
    defaults: ClassVar[dict[str, Any]] = {"max_value": 2, "axis": 0}

    def validate(self) -> None:
        _numbers(self, "max_value", minimum=0)


class MinMaxNorm(Constraint):
    defaults: ClassVar[dict[str, Any]] = {
        "min_value": 0.0,
        "max_value": 1.0,
        "rate": 1.0,
        "axis": 0,
    }

    def validate(self) -> None:
        _numbers(self, "min_value", "max_value", "rate", minimum=0)


class NonNeg(Constraint):
    defaults: ClassVar[dict[str, Any]] = {}


class UnitNorm(Constraint):
    defaults: ClassVar[dict[str, Any]] = {"axis": 0}


_FAMILIES: dict[str, dict[str, type[KerasObject]]] = {
    "initializer": {},
    "regularizer": {},
    "constraint": {},
}
for _cls in (
    Constant, Zeros, Ones, RandomNormal, RandomUniform, TruncatedNormal, VarianceScaling,
    GlorotUniform, GlorotNormal, HeUniform, HeNormal, LecunUniform, LecunNormal, Orthogonal,
    Identity, L1, L2, L1L2, MaxNorm, MinMaxNorm, NonNeg, UnitNorm,
):  # fmt: skip
    _FAMILIES[_cls.family][_cls.__name__] = _cls
# Keras's snake_case names and aliases; "l1_l2" is the shortcut with both factors at 0.01
_ALIASES: dict[str, dict[str, str]] = {
    "initializer": {
        "constant": "Constant", "zeros": "Zeros", "zero": "Zeros", "ones": "Ones", "one": "Ones",
        "random_normal": "RandomNormal", "random_uniform": "RandomUniform",
        "truncated_normal": "TruncatedNormal", "variance_scaling": "VarianceScaling",
        "glorot_uniform": "GlorotUniform", "glorot_normal": "GlorotNormal",
        "he_uniform": "HeUniform", "he_normal": "HeNormal", "lecun_uniform": "LecunUniform",
        "lecun_normal": "LecunNormal", "orthogonal": "Orthogonal", "identity": "Identity",
        "IdentityInitializer": "Identity", "OrthogonalInitializer": "Orthogonal",
    },
    "regularizer": {"l1": "L1", "l2": "L2", "l1_l2": "L1L2"},
    "constraint": {
        "max_norm": "MaxNorm", "min_max_norm": "MinMaxNorm", "non_neg": "NonNeg",
        "unit_norm": "UnitNorm",
    },
}  # fmt: skip


def resolve(family: str, layer_type: str, argument: str, value: object) -> Any:
    """An option's object from a name, a Keras-style config dict, or an object; None stays None.

    Keras's own objects (``keras.initializers.Constant(0.5)``) are accepted too: they are
    read through their class name and ``get_config()``.

    Raises:
        ConfigError: an unknown name or a config its class refuses (names the layer).
    """
    if value is None:
        return None
    known = _FAMILIES[family]
    if isinstance(value, KerasObject) and value.family == family:
        return value
    if isinstance(value, str):
        if value == "l1_l2":
            return l1_l2()
        name = _ALIASES[family].get(value, value)
        if name in known:
            return known[name]()
        choices = [*_ALIASES[family], *known]
        close = difflib.get_close_matches(value, choices, n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"choose one of: {', '.join(choices)}"
        raise ConfigError(f"{layer_type}: unknown {argument} {value!r}; {hint}")
    if isinstance(value, dict) and isinstance(value.get("class_name"), str):
        class_name, config = value["class_name"], value.get("config") or {}
    elif hasattr(value, "get_config") and callable(value.get_config):
        class_name, config = type(value).__name__, value.get_config()
    else:
        raise ConfigTypeError(
            f"{layer_type}: {argument} must be a name such as {next(iter(_ALIASES[family]))!r}, a "
            f"{family} object or its config, received {type(value).__name__}"
        )
    name = _ALIASES[family].get(class_name) or class_name
    if name not in known or not isinstance(config, dict):
        raise ConfigError(
            f"{layer_type}: {argument} {class_name!r} is not a {family} rnnlens has; it has: "
            f"{', '.join(known)}"
        )
    return known[name](**config)


def serialize(value: KerasObject | str | None) -> Any:
    """Keras's serialized form of an option: ``None``, a name, or the full dict."""
    if value is None or isinstance(value, str):
        return value
    return {
        "module": f"keras.{value.family}s",
        "class_name": type(value).__name__,
        "config": value.get_config(),
        "registered_name": None,
    }
