"""Explanations of a model's data flow: the data (:mod:`.flow`) and its renderers.

Nothing here imports torch: explanations come from the layer specs alone.
"""
