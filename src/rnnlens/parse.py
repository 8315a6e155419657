"""Read a model from a spec string, Keras-style Python code, or a saved file — never executing it.

Python source is parsed with :mod:`ast` and walked by a small evaluator that understands only
what model-building snippets use: literals, arithmetic on small numbers, names assigned
earlier, tuples and lists, ``Sequential()``, ``model.add(LSTM(...))``, ``Sequential([...])``,
``keras.layers.LSTM``-style attribute chains and ``from keras... import`` lines. Calls such as
``model.summary()`` or ``model.fit(...)`` are skipped with a note. Anything else raises
:class:`~rnnlens.errors.ParseError` naming the file, the line and what was not understood.

>>> model = parse_spec("LSTM(64, return_sequences=True, input_shape=(10, 2)) -> LSTM(32)")
>>> [layer.output_shape for layer in model.layers]
[(None, 10, 64), (None, 32)]
"""

from __future__ import annotations

import ast
import math
import operator
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ParseError, RnnlensError
from .layers import LAYER_TYPES, Layer
from .model import Sequential

# Limits that keep hostile input cheap: every check happens before the work it guards.
MAX_SOURCE_CHARS = 1_000_000
MAX_STRING_CHARS = 10_000
MAX_SEQUENCE_ITEMS = 10_000
MAX_ABS_NUMBER = 10**18
MAX_DEPTH = 40
MAX_LAYERS = 2_000

# Roots and middle links of attribute chains that name Keras classes.
_MODULE_ROOTS = ("keras", "tf", "tensorflow", "rnnlens", "rl")
_MODULE_LINKS = ("keras", "layers", "models", "tensorflow", "tf", "rnnlens", "rl")
# Model methods that do not change the architecture: skipped, never run.
_SKIPPED_METHODS = (
    "summary",
    "compile",
    "fit",
    "evaluate",
    "predict",
    "save",
    "build",
    "explain",
    "diagram",
    "load_weights",
    "save_weights",
    "reset_states",
)
_SKIPPED_IMPORTS = ("numpy", "pandas", "matplotlib", "sklearn", "math", "__future__")
_BINARY = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}


@dataclass(frozen=True)
class _Module:
    """A name bound by an import line: ``keras``, ``layers``, ``tf``..."""

    name: str


@dataclass
class ParsedSource:
    """A model read from source, with what the reader skipped and the warnings it caught."""

    model: Sequential
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def load_source(source: str) -> Sequential:
    """The model described by ``source``: a spec string, a ``.py`` file or a saved model.

    Args:
        source: ``"LSTM(64, return_sequences=True, input_shape=(10, 2)) -> LSTM(32)"``, a path
            to a ``.py`` file with Keras-style code, or a ``.rnnlens`` / ``.keras`` / ``.h5`` file.

    Returns:
        The :class:`~rnnlens.Sequential` model (shapes known, no weights allocated).

    Raises:
        ParseError: the source is outside the subset rnnlens reads (file, line, what).
    """
    return read_source(source).model


def read_source(source: str) -> ParsedSource:
    """Like :func:`load_source`, keeping the reader's notes and the warnings it caught."""
    suffix = Path(source).suffix.lower() if len(source) < 4096 and "\n" not in source else ""
    if suffix == ".rnnlens":
        from .io.native import load_model

        return ParsedSource(_as_facade(load_model(source)))
    if suffix in (".keras", ".h5"):
        from .io.keras import from_keras

        return ParsedSource(_as_facade(from_keras(source)))
    if suffix == ".py":
        path = Path(source)
        if path.stat().st_size > MAX_SOURCE_CHARS:
            raise ParseError(
                f"{source}: larger than {MAX_SOURCE_CHARS:,} bytes; not a model snippet"
            )
        return parse_python(path.read_text(encoding="utf-8", errors="replace"), filename=source)
    return _SpecReader().read(source)


def parse_spec(spec: str) -> Sequential:
    """Layers separated by ``->``: ``"LSTM(64, return_sequences=True, input_shape=(10, 2)) -> Dense(1)"``."""
    return _SpecReader().read(spec).model


def parse_python(code: str, filename: str = "<code>") -> ParsedSource:
    """Read Keras-style model code with :mod:`ast`; nothing in it is executed.

    >>> parsed = parse_python("model = Sequential()\\nmodel.add(LSTM(8, input_shape=(5, 3)))\\nmodel.summary()")
    >>> parsed.model.count_params(), parsed.notes
    (384, ['line 3: model.summary() skipped: rnnlens reads the code, it does not run it'])
    """
    reader = _Reader(filename)
    tree = reader.parse(code, mode="exec")
    assert isinstance(tree, ast.Module)
    for statement in tree.body:
        reader.statement(statement)
    return reader.result()


class _Reader:
    """Walks statements, binding names to values it computed itself."""

    def __init__(self, filename: str) -> None:
        self.filename = filename
        # Snippets often omit their import lines: Keras's names are known without them.
        self.names: dict[str, Any] = {name: _class(name) for name in (*LAYER_TYPES, "Sequential")}
        self.names.update({name: _Module(name) for name in ("keras", "tf", "layers")})
        self.notes: list[str] = []
        self.caught: list[str] = []
        self.model: Sequential | None = None
        self.line = 0

    # ------------------------------------------------------------ errors
    def fail(self, node: ast.AST | None, what: str) -> ParseError:
        line = getattr(node, "lineno", self.line)
        where = f"{self.filename}, line {line}" if line else self.filename
        return ParseError(
            f"{where}: {what}. rnnlens reads model code without running it and understands "
            "literals, arithmetic, names assigned earlier, Sequential(), model.add(...) and "
            "keras layer constructors"
        )

    def parse(self, code: str, mode: str) -> ast.AST:
        if len(code) > MAX_SOURCE_CHARS:
            raise self.fail(None, f"source longer than {MAX_SOURCE_CHARS:,} characters")
        try:
            # Invalid escapes like "\d" in a user's file are the user's business, not a
            # warning in our output (and a SyntaxError under -W error). Python 3.11 warns
            # with DeprecationWarning, 3.12 and later with SyntaxWarning.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SyntaxWarning)
                warnings.simplefilter("ignore", DeprecationWarning)
                return ast.parse(code, filename=self.filename, mode=mode)
        except SyntaxError as error:
            self.line = error.lineno or 0
            raise self.fail(None, f"not valid Python ({error.msg})") from None
        except (RecursionError, MemoryError, ValueError) as error:
            raise self.fail(
                None,
                f"cannot be parsed ({type(error).__name__}: nesting too deep or invalid characters)",
            ) from None

    def result(self) -> ParsedSource:
        if self.model is None:
            raise ParseError(
                f"{self.filename}: no Sequential model found; build one with model = Sequential() "
                "and model.add(LSTM(...)), or Sequential([LSTM(...), ...])"
            )
        if not self.model.layers:
            raise ParseError(f"{self.filename}: the model '{self.model.name}' has no layers")
        return ParsedSource(self.model, self.notes, self.caught)

    # -------------------------------------------------------- statements
    def statement(self, node: ast.stmt) -> None:
        self.line = node.lineno
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            self.import_line(node)
        elif isinstance(node, ast.Assign):
            if _skipped_call(node.value):
                self.skip(node.value)
                return
            value = self.value(node.value, 0)
            for target in node.targets:
                self.bind(target, value)
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            self.bind(node.target, self.value(node.value, 0))
        elif isinstance(node, ast.Expr):
            self.expression_statement(node.value)
        elif isinstance(node, ast.Pass):
            return
        else:
            raise self.fail(node, f"a {type(node).__name__} statement is not understood")

    def expression_statement(self, node: ast.expr) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return  # a docstring
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "print"
        ):
            self.notes.append(f"line {node.lineno}: print(...) skipped")
            return
        if _skipped_call(node):
            self.skip(node)
            return
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("add", "pop")
        ):
            target = self.value(node.func.value, 0)
            if not isinstance(target, Sequential):
                raise self.fail(
                    node,
                    f"'.{node.func.attr}(...)' is called on something that is not a Sequential model",
                )
            if node.func.attr == "pop":
                self.guard(node, target.pop)
                return
            if len(node.args) != 1 or node.keywords:
                raise self.fail(node, "model.add(...) takes exactly one layer")
            layer = self.value(node.args[0], 0)
            self.add_layer(node, target, layer)
            return
        raise self.fail(node, f"the expression '{_snippet(node)}' is not understood")

    def skip(self, node: ast.expr) -> None:
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
        self.notes.append(
            f"line {node.lineno}: {_snippet(node.func)}() skipped: rnnlens reads the code, it does not run it"
        )

    def import_line(self, node: ast.Import | ast.ImportFrom) -> None:
        if isinstance(node, ast.ImportFrom):
            root = (node.module or "").split(".")[0]
            if root in _SKIPPED_IMPORTS:
                return
            if root not in _MODULE_ROOTS:
                raise self.fail(
                    node,
                    f"importing from '{node.module}' is not understood (only keras / tensorflow)",
                )
            for alias in node.names:
                if alias.name == "*":
                    for name in (*LAYER_TYPES, "Sequential"):
                        self.names[name] = _class(name)
                    continue
                value = _class(alias.name)
                self.names[alias.asname or alias.name] = (
                    value if value is not None else _Module(alias.name)
                )
            return
        for alias in node.names:
            root = alias.name.split(".")[0]
            if root in _SKIPPED_IMPORTS:
                continue
            if root not in _MODULE_ROOTS:
                raise self.fail(
                    node, f"'import {alias.name}' is not understood (only keras / tensorflow)"
                )
            self.names[alias.asname or root] = _Module(alias.name)

    def bind(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.names[target.id] = value
            if isinstance(value, Sequential):
                self.model = value
            return
        if isinstance(target, (ast.Tuple, ast.List)) and isinstance(value, (tuple, list)):
            if len(target.elts) != len(value):
                raise self.fail(
                    target, f"cannot unpack {len(value)} values into {len(target.elts)} names"
                )
            for element, item in zip(target.elts, value):
                self.bind(element, item)
            return
        raise self.fail(target, f"assigning to '{_snippet(target)}' is not understood")

    def add_layer(self, node: ast.AST, model: Sequential, layer: Any) -> None:
        if not isinstance(layer, Layer):
            raise self.fail(node, f"model.add(...) received {type(layer).__name__}, not a layer")
        if len(model.layers) >= MAX_LAYERS:
            raise self.fail(node, f"more than {MAX_LAYERS} layers")
        self.guard(node, model.add, layer)
        self.model = model

    def guard(self, node: ast.AST, function: Any, *args: Any, **kwargs: Any) -> Any:
        """Call rnnlens code, keeping its warnings and turning its errors into line-numbered ones."""
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                result = function(*args, **kwargs)
            except RnnlensError as error:
                raise self.fail(node, str(error)) from None
            except TypeError as error:
                raise self.fail(node, f"wrong arguments: {error}") from None
        self.caught.extend(
            f"line {getattr(node, 'lineno', self.line)}: {w.message}" for w in caught
        )
        return result

    # -------------------------------------------------------- expressions
    def value(self, node: ast.expr, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(node, f"expression nested deeper than {MAX_DEPTH} levels")
        depth += 1
        if isinstance(node, ast.Constant):
            if isinstance(node.value, str) and len(node.value) > MAX_STRING_CHARS:
                raise self.fail(node, f"a string longer than {MAX_STRING_CHARS:,} characters")
            if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
                return self.number(node, node.value)
            if node.value is None or isinstance(node.value, (str, bool)):
                return node.value
            raise self.fail(node, f"the constant {node.value!r:.40} is not understood")
        if isinstance(node, (ast.Tuple, ast.List)):
            if len(node.elts) > MAX_SEQUENCE_ITEMS:
                raise self.fail(node, f"more than {MAX_SEQUENCE_ITEMS:,} items")
            items = [self.value(element, depth) for element in node.elts]
            return tuple(items) if isinstance(node, ast.Tuple) else items
        if isinstance(node, ast.Name):
            if node.id in self.names:
                return self.names[node.id]
            if node.id in ("True", "False", "None"):
                return {"True": True, "False": False, "None": None}[node.id]
            raise self.fail(
                node,
                f"the name '{node.id}' is not defined earlier in the file (or imported from keras)",
            )
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.value(node.operand, depth)
            if not _is_number(operand):
                raise self.fail(node, "a sign in front of something that is not a number")
            return self.number(node, -operand if isinstance(node.op, ast.USub) else operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            return self.arithmetic(
                node, self.value(node.left, depth), self.value(node.right, depth)
            )
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        raise self.fail(node, f"'{_snippet(node)}' ({type(node).__name__}) is not understood")

    def number(self, node: ast.AST, value: float) -> float:
        if abs(value) > MAX_ABS_NUMBER:
            raise self.fail(node, f"the number {value:.3g} is larger than {MAX_ABS_NUMBER:.0e}")
        return value

    def arithmetic(self, node: ast.BinOp, left: Any, right: Any) -> Any:
        if not (_is_number(left) and _is_number(right)):
            raise self.fail(node, f"arithmetic is read on numbers only, not in '{_snippet(node)}'")
        # Check the size of a power before computing it: 10**10**10 must not run.
        if (
            isinstance(node.op, ast.Pow)
            and abs(left) > 1
            and (not 0 <= right <= 64 or math.log10(abs(left)) * right > math.log10(MAX_ABS_NUMBER))
        ):
            raise self.fail(node, f"'{_snippet(node)}' is too large a power")
        try:
            result = _BINARY[type(node.op)](left, right)
        except (ZeroDivisionError, OverflowError, ValueError) as error:
            raise self.fail(node, f"'{_snippet(node)}': {error}") from None
        if isinstance(result, complex):
            raise self.fail(node, f"'{_snippet(node)}' is not a real number")
        return self.number(node, result)

    def attribute(self, node: ast.Attribute) -> Any:
        chain: list[str] = []
        current: ast.expr = node
        while isinstance(current, ast.Attribute):
            chain.insert(0, current.attr)
            current = current.value
        root = current.id if isinstance(current, ast.Name) else None
        if root is None or not isinstance(self.names.get(root), _Module):
            raise self.fail(
                node, f"attribute access '{_snippet(node)}' is read only on keras modules"
            )
        *links, last = chain
        if any(link not in _MODULE_LINKS for link in links):
            raise self.fail(node, f"'{_snippet(node)}' does not name a keras layer")
        found = _class(last)
        if found is not None:
            return found
        if last in _MODULE_LINKS:
            return _Module(last)
        raise self.fail(
            node, f"'{_snippet(node)}' is not a layer rnnlens knows ({', '.join(LAYER_TYPES)})"
        )

    def call(self, node: ast.Call, depth: int) -> Any:
        function = self.value(node.func, depth)
        if not (
            function is Sequential or (isinstance(function, type) and issubclass(function, Layer))
        ):
            raise self.fail(
                node,
                f"calling '{_snippet(node.func)}' is not understood; only layer constructors and Sequential",
            )
        if any(isinstance(arg, ast.Starred) for arg in node.args) or any(
            k.arg is None for k in node.keywords
        ):
            raise self.fail(node, "*args / **kwargs are not understood")
        args = [self.value(arg, depth) for arg in node.args]
        kwargs = {k.arg: self.value(k.value, depth) for k in node.keywords if k.arg is not None}
        if function is Sequential:
            # Sequential([...]) adds each layer like model.add, so warnings are caught alike.
            layers = kwargs.pop("layers", args.pop(0) if args else None)
            if layers is not None and not isinstance(layers, (list, tuple)):
                raise self.fail(
                    node,
                    "Sequential(...) takes a list of layers, e.g. Sequential([LSTM(32), Dense(1)]);"
                    f" received {type(layers).__name__}",
                )
            model = self.guard(node, Sequential, None, *args, **kwargs)
            for layer in layers or []:
                self.add_layer(node, model, layer)
            self.model = model
            return model
        return self.guard(node, function, *args, **kwargs)


class _SpecReader(_Reader):
    """``"LSTM(64, input_shape=(10, 2)) -> LSTM(32)"``: one layer expression per arrow."""

    def __init__(self) -> None:
        super().__init__("<spec>")

    def read(self, spec: str) -> ParsedSource:
        parts = [part.strip() for part in spec.split("->")]
        if not spec.strip() or any(not part for part in parts):
            raise ParseError(
                f"spec {spec!r:.80} is empty or has an empty part; write layers separated by "
                "'->', e.g. \"LSTM(64, return_sequences=True, input_shape=(10, 2)) -> LSTM(32)\""
                " (or give a path to an existing .py / .rnnlens / .keras file)"
            )
        model = Sequential()
        for position, part in enumerate(parts, start=1):
            self.filename = f"spec part {position} ({part[:40]})"
            tree = self.parse(part, mode="eval")
            assert isinstance(tree, ast.Expression)
            self.add_layer(tree.body, model, self.value(tree.body, 0))
        self.filename = "<spec>"
        return self.result()


def _class(name: str) -> Any:
    if name == "Sequential":
        return Sequential
    return LAYER_TYPES.get(name)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _skipped_call(node: ast.expr) -> bool:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in _SKIPPED_METHODS
    )


def _snippet(node: ast.AST) -> str:
    try:
        text = ast.unparse(node)
    except RecursionError:
        return type(node).__name__
    return text if len(text) <= 60 else text[:57] + "..."


def _as_facade(model: object) -> Sequential:
    """A model read by ``io`` is the facade's class (installed through :mod:`rnnlens.hooks`)."""
    assert isinstance(model, Sequential)
    return model
