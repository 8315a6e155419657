"""Which Keras import paths and names the reader understands, old spellings included.

``keras.layers.LSTM``, ``tensorflow.keras.layers.LSTM``, ``tf.compat.v1.keras.layers.LSTM``,
``from keras.layers.recurrent import LSTM`` (Keras 1/2) all name the same class; names of
Keras outside the model (optimizers, callbacks, preprocessing, datasets) are skipped.

>>> classify("tensorflow.keras.layers.recurrent.LSTM")
('layer', 'LSTM')
>>> classify("keras.optimizers.Adam")
('outside', 'keras.optimizers.Adam')
"""

from __future__ import annotations

ROOTS = ("keras", "tensorflow", "tf", "tf_keras", "rnnlens", "rl")
# Links of a path that lead to the model API: keras.layers, tf.keras, tf.compat.v1.keras...
MODULE_LINKS = frozenset(
    [
        "keras",
        "layers",
        "models",
        "tensorflow",
        "tf",
        "compat",
        "v1",
        "v2",
        "python",
        "src",
        "engine",
        "recurrent",
        "cudnn_recurrent",
        "wrappers",
        "embeddings",
        "convolutional",
        "pooling",
        "core",
        "normalization",
        "merge",
        "advanced_activations",
        "noise",
        "rnn",
        "api",
        "_v1",
        "_v2",
        "rnnlens",
        "rl",
        "sequential",
        "functional",
        "tf_keras",
    ]
)
# Parts of Keras that never change the architecture: calls are skipped, results are data.
OUTSIDE = frozenset(
    [
        "optimizers",
        "callbacks",
        "losses",
        "metrics",
        "preprocessing",
        "datasets",
        "utils",
        "backend",
        "regularizers",
        "initializers",
        "constraints",
        "activations",
        "wrappers.scikit_learn",
        "mixed_precision",
        "random",
        "config",
        "saving",
        "applications",
        "data",
        "io",
        "image",
        "text",
        "sequence",
        "math",
        "nn",
        "estimator",
        "summary",
        "train",
        "distribute",
        "experimental",
        "ops",
    ]
)
MODEL_CLASSES = frozenset(("Sequential", "Model", "Functional"))
INPUTS = frozenset(("Input", "InputLayer"))
# Functional merges (the graph helper's layers): lowercase function and class spellings.
MERGE_FUNCTIONS = {
    "concatenate": "Concatenate",
    "add": "Add",
    "multiply": "Multiply",
    "average": "Average",
    "subtract": "Subtract",
    "maximum": "Maximum",
    "minimum": "Minimum",
    "dot": "Dot",
}
# Model methods that change nothing the reader computes: skipped, never run.
SKIPPED_METHODS = frozenset(
    [
        "summary",
        "compile",
        "fit",
        "fit_generator",
        "evaluate",
        "evaluate_generator",
        "predict",
        "predict_generator",
        "predict_classes",
        "predict_proba",
        "save",
        "save_weights",
        "load_weights",
        "to_json",
        "to_yaml",
        "get_weights",
        "set_weights",
        "reset_states",
        "train_on_batch",
        "test_on_batch",
        "predict_on_batch",
        "explain",
        "diagram",
        "report",
        "get_config",
        "count_params",
    ]
)


def classify(path: str) -> tuple[str, str] | None:
    """``(kind, name)`` for a dotted path rooted at Keras, else ``None``.

    Kinds: ``layer``/``model``/``input``/``merge`` with the class name, ``module`` for a link
    still to be followed, ``outside`` for the rest of Keras, ``unknown`` for a name in
    ``keras.layers`` rnnlens does not know.
    """
    parts = path.split(".")
    if parts[0] not in ROOTS or (len(parts) < 2 and parts[0] not in ("keras", "rnnlens", "rl")):
        return None if parts[0] not in ROOTS else ("module", path)
    if len(parts) == 1:
        return ("module", path)
    *links, last = parts
    if any(link in OUTSIDE for link in links[1:]) or (last in OUTSIDE and last != "layers"):
        return ("outside", path)
    if last in MODULE_LINKS:
        return ("module", path)
    if last in MODEL_CLASSES:
        return ("model", last)
    if last in INPUTS:
        return ("input", last)
    if last in MERGE_FUNCTIONS or last in MERGE_FUNCTIONS.values():
        return ("merge", last)  # the function (concatenate) or the class (Concatenate)
    if last[:1].islower():
        return ("outside", path)  # load_model, plot_model, to_categorical: functions, not layers
    if not all(link in MODULE_LINKS for link in links):
        return ("outside", path)
    return ("layer", last)
