"""The errors rnnlens raises on purpose.

Every error a user can cause derives from :class:`RnnlensError`, so a caller (and the CLI) can
tell "you asked for something that cannot work" from a bug in rnnlens. Each also derives from
the builtin a Python user would expect (``ValueError``, ``OSError``) so ``except ValueError``
keeps working.
"""

from __future__ import annotations


class RnnlensError(Exception):
    """Base class of every error rnnlens raises deliberately."""


class ShapeError(RnnlensError, ValueError):
    """A layer received a shape it cannot work with."""


class ConfigError(RnnlensError, ValueError):
    """A layer or model was configured with an impossible or unknown option."""


class InputDataError(RnnlensError, ValueError):
    """Arrays given to predict/fit/evaluate are not usable (type, rank, NaN, lengths)."""


class ParseError(RnnlensError, ValueError):
    """A spec string or model source file is outside the subset rnnlens reads."""


class ModelFileError(RnnlensError, OSError):
    """A model file is missing, truncated, corrupted, of a wrong version, or unsupported."""


class ResourceError(RnnlensError, MemoryError):
    """Building the model would need more memory than this machine has."""


class ConfigTypeError(ConfigError, TypeError):
    """An option of the wrong type (``RepeatVector(n="3")``); Keras raises ``TypeError``."""


class MissingExtraError(RnnlensError, ImportError):
    """A feature needs an optional dependency that is not installed; names the extra."""
