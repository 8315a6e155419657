"""Packages that share a name with a top-level function stay callable.

Importing ``rnnlens.explain.flow`` binds ``rnnlens.explain`` to the *package*, which would
shadow the function ``rl.explain``; the same holds for ``rnnlens.report`` and
``rnnlens.trace``. Each of them calls :func:`callable_package` so that calling it calls the
dispatcher in :mod:`rnnlens.api`, whichever of the two ``rl.explain`` happens to be.
"""

from __future__ import annotations

import sys
import types
from typing import Any


def callable_package(module_name: str, function: str) -> None:
    """Make ``sys.modules[module_name](...)`` call ``rnnlens.api.<function>(...)``."""

    class _Callable(types.ModuleType):
        def __call__(self, *args: Any, **kwargs: Any) -> Any:
            from . import api

            return getattr(api, function)(*args, **kwargs)

    sys.modules[module_name].__class__ = _Callable
