"""Model files in and out: native save/load, Keras import/export, torch interop, ONNX export.

Everything here parses files, never executes them: no pickle, no ``eval``, no imports named by
a file. Errors a file can cause are :class:`rnnlens.errors.ModelFileError`.
"""
