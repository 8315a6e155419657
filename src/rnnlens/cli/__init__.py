"""The ``rnnlens`` command: thin, it parses arguments and calls the library.

Each subcommand lives in its own module of this package with ``add_arguments(parser)`` and
``run(args) -> int``. Any failure prints as one paragraph and exits with status 2
(:mod:`rnnlens.cli.failures`); ``--debug`` shows the traceback instead. Everything printed goes
through :class:`rnnlens.cli.safeout.SafeStream`, so text from a file cannot drive the terminal.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# name -> (module in rnnlens.cli, one-line help)
COMMANDS = {
    "explain": ("explain", "explain a model's data flow: spec string, .py file or saved model"),
    "diagram": ("diagram", "draw the unrolled time x layer diagram as SVG"),
    "summary": ("summary", "print the Keras-style summary table"),
    "train": ("train", "train from a declarative config (works under torchrun)"),
    "report": ("report", "write the offline HTML report"),
    "demo": ("demo", "the main job: explain, train on real data, write the report"),
    "bench": ("bench", "benchmark against raw PyTorch and Keras"),
    "convert": ("convert", "convert between .rnnlens, .keras/.h5, torch and .onnx"),
}


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole command line; with ``only``, just that subcommand's module is imported.

    Importing a module costs time (``demo`` pulls in numpy, ``bench`` its workloads), and
    ``rnnlens explain`` should answer at once, so :func:`main` imports only what runs.
    """
    parser = argparse.ArgumentParser(
        prog="rnnlens", description="Stacked recurrent networks you can see through."
    )
    from ..version import __version__

    parser.add_argument("--version", action="version", version=f"rnnlens {__version__}")
    parser.add_argument(
        "--debug", action="store_true", help="show Python's traceback when a command fails"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        if only is not None and name != only:
            continue
        try:
            module = importlib.import_module(f"rnnlens.cli.{module_name}")
        except ModuleNotFoundError:
            continue
        module.add_arguments(command)
        command.set_defaults(handler=module.run)
    return parser


#: Subcommands that draw a live progress line (CR and "erase line" are theirs to print).
_LIVE = {"train", "demo", "bench"}


def main(argv: Sequence[str] | None = None) -> int:
    arguments = list(sys.argv[1:] if argv is None else argv)
    chosen = next((word for word in arguments if not word.startswith("-")), None)
    parser = build_parser(chosen if chosen in COMMANDS else None)
    args = parser.parse_args(arguments)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0 if args.command is None else 2
    from .safeout import SafeStream

    live = args.command in _LIVE
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeStream(stdout, live=live), SafeStream(stderr, live=live)
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `rnnlens explain ... | head` closed the pipe: not an error. Point stdout at devnull
        # so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), stdout.fileno())
        return 0
    except Exception as error:  # every failure: one paragraph, exit 2 (--debug: traceback)
        if args.debug:
            raise
        from .failures import describe

        print(f"rnnlens {args.command}: error: {describe(error)}", file=sys.stderr)
        return 2
    finally:
        sys.stdout, sys.stderr = stdout, stderr


if __name__ == "__main__":
    sys.exit(main())
