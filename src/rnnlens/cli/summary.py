"""``rnnlens summary SOURCE``: the Keras table for a spec, a .py file or a saved model."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", help="spec string, .py file with Keras code, or saved model")


def run(args: argparse.Namespace) -> int:
    from ..parse import load_source

    load_source(args.source).summary()
    return 0
