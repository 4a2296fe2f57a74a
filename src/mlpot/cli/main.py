"""The `mlpot` command: argparse with one small module per subcommand.

Each module in COMMANDS exposes add_parser(subparsers) -> ArgumentParser and run(args);
it imports heavy things (torch, ASE, matplotlib) only inside run, so that `mlpot --help`
stays fast. Errors derived from MlpotError are printed as one line,
`mlpot <command>: error: <message>`, with exit code 2; --debug shows the traceback.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from mlpot import __version__
from mlpot.errors import MlpotError

# (command name, module): the order is the order of `mlpot --help`.
COMMANDS: list[tuple[str, str]] = [
    ("train", "mlpot.cli.train"),
    ("ensemble", "mlpot.cli.ensemble"),
    ("evaluate", "mlpot.cli.evaluate"),
    ("md", "mlpot.cli.md"),
    ("active", "mlpot.cli.active"),
    ("sample", "mlpot.cli.sample"),
    ("distill", "mlpot.cli.distill"),
    ("analyze", "mlpot.cli.analyze"),
    ("import", "mlpot.cli.import_potential"),
    ("export", "mlpot.cli.export"),
    ("lammps", "mlpot.cli.lammps"),
    ("import-config", "mlpot.cli.import_config"),
]

EXIT_ERROR = 2


def build_parser() -> argparse.ArgumentParser:
    """The top-level parser with one subparser per entry of COMMANDS."""
    parser = argparse.ArgumentParser(
        prog="mlpot", description="Machine-learning interatomic potentials."
    )
    parser.add_argument("--version", action="version", version=f"mlpot {__version__}")
    _add_debug(parser)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, module_name in COMMANDS:
        module = importlib.import_module(module_name)
        subparser = module.add_parser(subparsers)
        if subparsers.choices.get(name) is not subparser:
            raise RuntimeError(f"{module_name}.add_parser must add and return '{name}'")
        _add_debug(subparser)
        subparser.set_defaults(run=module.run)
    return parser


def _add_debug(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS: a subparser's default must not overwrite `mlpot --debug CMD`
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the full traceback of an error")


def main(argv: Sequence[str] | None = None) -> int:
    """Run `mlpot` with argv (sys.argv[1:] when None); returns the exit code."""
    args = build_parser().parse_args(argv)
    try:
        status = args.run(args)
    except (MlpotError, OSError) as exc:
        if getattr(args, "debug", False):
            raise
        print(f"mlpot {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print(f"mlpot {args.command}: interrupted", file=sys.stderr)
        return 130
    return int(status or 0)


if __name__ == "__main__":
    sys.exit(main())
