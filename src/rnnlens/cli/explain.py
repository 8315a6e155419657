"""``rnnlens explain SOURCE``: the data flow of a spec string, a .py file or a saved model."""

from __future__ import annotations

import argparse
import shutil
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "source",
        help='spec string such as "LSTM(64, return_sequences=True, input_shape=(10, 2)) -> '
        'LSTM(32)", a .py file with Keras code (read, never run), or a .rnnlens/.keras/.h5 file',
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


def terminal_width(requested: int | None) -> int:
    """``--width`` if given, else the terminal's columns (100 when not a terminal); at least 60."""
    width = requested if requested is not None else shutil.get_terminal_size((100, 24)).columns
    return max(60, width)


def run(args: argparse.Namespace) -> int:
    from ..explain.flow import build_flow
    from ..explain.svg import write_diagram
    from ..parse import read_source

    parsed = read_source(args.source)
    flow = build_flow(parsed.model, notes=parsed.notes, warnings=parsed.warnings)
    legend = not args.no_legend
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
        write_diagram(parsed.model, args.diagram)
        print(f"diagram written to {args.diagram}", file=sys.stderr)
    return 0
