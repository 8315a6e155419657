"""The package version, in a module of its own so that any floor may read it.

Its one source is ``pyproject.toml``, read back through the installed package's metadata.
"""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("rnnlens")
except _metadata.PackageNotFoundError:  # a source tree on sys.path, never installed
    __version__ = "0+unknown"
