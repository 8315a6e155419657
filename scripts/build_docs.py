"""Build the API reference from the docstrings with pdoc; any pdoc warning fails the build.

    python scripts/build_docs.py out/docs

pdoc imports each module to read its docstrings (it runs no example and starts no server);
a warning means a docstring or an import is broken, so the build stops with exit code 1.
"""

from __future__ import annotations

import pkgutil
import sys
import warnings
from pathlib import Path

import pdoc
import pdoc.render

# Type annotations written under TYPE_CHECKING (numpy, torch) cannot be resolved by pdoc at
# run time; they still render as written. A module named twice (the package lists some of
# its modules in __all__) gets one page. Neither is an error.
_HARMLESS = ("Error parsing type annotation", "The module specification")


def modules() -> list[str]:
    """The package and its first-level modules; pdoc walks into sub-packages itself.

    Named explicitly because the package's ``__all__`` lists only the public names, which
    would hide the modules (``rnnlens.train``, ``rnnlens.io``...) from pdoc.
    """
    import rnnlens

    return ["rnnlens", *(f"rnnlens.{info.name}" for info in pkgutil.iter_modules(rnnlens.__path__))]


def main(output: str) -> int:
    pdoc.render.configure(docformat="google", footer_text="rnnlens API reference")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdoc.pdoc(*modules(), output_directory=Path(output))
    problems = [
        w
        for w in caught
        if ("pdoc" in w.filename or issubclass(w.category, RuntimeWarning))
        and not str(w.message).startswith(_HARMLESS)
    ]
    for warning in problems:
        print(f"docs: {warning.filename}:{warning.lineno}: {warning.message}", file=sys.stderr)
    pages = sorted(Path(output).rglob("*.html"))
    print(f"docs: {len(pages)} pages in {output}")
    return 1 if problems or not pages else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "out/docs"))
