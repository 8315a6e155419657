"""``rnnlens explain SOURCE``: the data flow of a spec string, a .py file or a saved model.

``--set name=value`` pins a size that comes from data (``--set vocab_size=20000``,
``--set X_train.shape=(1000,50,1)``); a script that builds several models explains each.
"""

from __future__ import annotations

import argparse
import ast
import shutil
import sys
from typing import Any

from ..errors import ParseError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source",
        help='spec string such as "LSTM(64, return_sequences=True, input_shape=(10, 2)) -> '
        'LSTM(32)", a .py file (or .ipynb notebook) with Keras or PyTorch code (read, never '
        "run), or a .rnnlens/.keras/.h5 file",
    )
    parser.add_argument(
        "--format", choices=("text", "markdown", "json"), default="text", help="output format"
    )
    parser.add_argument("--diagram", metavar="FILE", help="also write the unrolled SVG diagram")
    parser.add_argument(
        "--width", type=int, default=None, help="text width (default: the terminal's, at least 60)"
    )
    parser.add_argument(
        "--no-legend", action="store_true", help="leave out the legend of symbols and terms"
    )
    parser.add_argument(
        "--torch", action="store_true", help="compare every layer with PyTorch in full"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="pin a size that comes from data, e.g. --set vocab_size=20000 or "
        "--set X_train.shape=(1000,50,1) (repeatable)",
    )


def terminal_width(requested: int | None) -> int:
    """``--width`` if given, else the terminal's columns (100 when not a terminal); at least 60."""
    width = requested if requested is not None else shutil.get_terminal_size((100, 24)).columns
    return max(60, width)


def parse_settings(items: list[str]) -> dict[str, Any]:
    """``["vocab_size=20000", "X.shape=(10, 5, 2)"]`` → ``{"vocab_size": 20000, ...}``.

    >>> parse_settings(["n=3", "X_train.shape=(1000,50,1)"])
    {'n': 3, 'X_train.shape': (1000, 50, 1)}

    Raises:
        ParseError: an item without ``=`` or whose value is not a number, string or tuple.
    """
    settings: dict[str, Any] = {}
    for item in items:
        name, equals, text = item.partition("=")
        if not equals or not name.strip() or len(item) > 500:
            raise ParseError(f"--set {item[:60]!r}: write NAME=VALUE, e.g. --set vocab_size=20000")
        try:
            value = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError, MemoryError, RecursionError):
            value = text.strip()  # a bare word: a string option such as an activation name
        if not isinstance(value, (int, float, str, bool, tuple, list)):
            raise ParseError(f"--set {name}: {text[:40]!r} is not a number, string or tuple")
        settings[name.strip()] = tuple(value) if isinstance(value, list) else value
    return settings


def run(args: argparse.Namespace) -> int:
    from ..parse import read_source

    if args.diagram:
        from ..io.atomic import refuse_overwriting_input

        refuse_overwriting_input(args.diagram, args.source)  # before any work
    parsed = read_source(args.source, parse_settings(args.set) or None)
    if parsed.kind == "torch":
        from ..readers.torch_render import print_torch

        print_torch(parsed, args.format, terminal_width(args.width), args.diagram)
        return 0
    from ..explain.flow import build_flow

    models = parsed.models or [("", parsed.model)]
    legend = not args.no_legend
    for position, (label, model) in enumerate(models):
        if len(models) > 1:
            gap = "" if position == 0 else "\n"
            print(f"{gap}═══ model {position + 1} of {len(models)}: {label} ═══")
        # The file's notes belong to every model; print them once, with the last.
        last = position == len(models) - 1
        flow = build_flow(
            model, notes=parsed.notes if last else [], warnings=parsed.warnings if last else []
        )
        if args.format == "markdown":
            sys.stdout.write(flow.to_markdown(legend=legend, torch=args.torch))
        elif args.format == "json":
            sys.stdout.write(flow.to_json())
        else:
            text = flow.to_text(
                color=sys.stdout.isatty(),
                width=terminal_width(args.width),
                legend=legend,
                torch=args.torch,
            )
            print(text)
    if args.diagram:
        from ..explain.svg import write_diagram

        write_diagram(parsed.model, args.diagram)
        print(f"diagram written to {args.diagram}", file=sys.stderr)
    return 0
