"""The ``rnnlens`` command: thin, it parses arguments and calls the library.

Each subcommand lives in its own module of this package with ``add_arguments(parser)`` and
``run(args) -> int``. Errors rnnlens raises on purpose print as one line, never a traceback.
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


def main(argv: Sequence[str] | None = None) -> int:
    from ..errors import RnnlensError

    arguments = list(sys.argv[1:] if argv is None else argv)
    chosen = next((word for word in arguments if not word.startswith("-")), None)
    parser = build_parser(chosen if chosen in COMMANDS else None)
    args = parser.parse_args(arguments)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0 if args.command is None else 2
    try:
        return int(handler(args) or 0)
    except RnnlensError as error:
        print(f"rnnlens {args.command}: error: {error}", file=sys.stderr)
        return 2
    except FileNotFoundError as error:
        print(
            f"rnnlens {args.command}: error: {error.filename or error}: no such file",
            file=sys.stderr,
        )
        return 2
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `rnnlens explain ... | head` closed the pipe: not an error. Point stdout at devnull
        # so the interpreter's final flush does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(main())
