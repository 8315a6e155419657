"""Explanations of a model's data flow: the data (:mod:`.flow`) and its renderers.

Nothing here imports torch: explanations come from the layer specs alone.
"""

from .._dispatch import callable_package

callable_package(__name__, "explain")  # ``rl.explain(...)`` works once this package is imported
