"""``rnnlens diagram SOURCE -o FILE``: the unrolled time × layer diagram as SVG."""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="spec string, .py file with Keras code, or saved model")
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="SVG file to write (default: print the SVG)"
    )
    parser.add_argument(
        "--max-steps",
        type=int,
        default=6,
        help="longer sequences fold into t = 1, 2, 3, …, T (default 6)",
    )
    parser.add_argument(
        "--all-steps", action="store_true", help="one column per step (sequences up to 24 steps)"
    )


def run(args: argparse.Namespace) -> int:
    from ..explain.svg import write_diagram
    from ..parse import load_source

    svg = write_diagram(
        load_source(args.source), args.output, max_steps=args.max_steps, all_steps=args.all_steps
    )
    if args.output:
        print(f"diagram written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(svg)
    return 0
