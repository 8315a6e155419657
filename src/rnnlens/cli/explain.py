"""``rnnlens explain SOURCE``: the data flow of a spec string, a .py file or a saved model."""

from __future__ import annotations

import argparse
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
    parser.add_argument("--width", type=int, default=100, help="text width (default 100)")


def run(args: argparse.Namespace) -> int:
    from ..explain.flow import build_flow
    from ..explain.svg import write_diagram
    from ..parse import read_source

    if args.diagram:
        from ..io.atomic import refuse_overwriting_input

        refuse_overwriting_input(args.diagram, args.source)  # before any work
    parsed = read_source(args.source)
    flow = build_flow(parsed.model, notes=parsed.notes, warnings=parsed.warnings)
    if args.format == "markdown":
        sys.stdout.write(flow.to_markdown())
    elif args.format == "json":
        sys.stdout.write(flow.to_json())
    else:
        print(flow.to_text(color=sys.stdout.isatty(), width=max(60, args.width)))
    if args.diagram:
        write_diagram(parsed.model, args.diagram)
        print(f"diagram written to {args.diagram}", file=sys.stderr)
    return 0
