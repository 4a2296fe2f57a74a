"""The options and the run shared by the `mlpot analyze` property checks.

Every check takes MODEL (and STRUCTURE), --reference, --out and --no-plot; the checks that
relax take --relax/--no-relax, --fmax and --max-steps. It writes NAME.json and NAME.png into
--out and prints the summary numbers next to the reference's.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from mlpot.analysis.properties.calculators import SPEC_HELP

# argparse entries that are not settings of a check
NOT_SETTINGS = {
    "model",
    "reference",
    "out",
    "no_plot",
    "no_progress",
    "debug",
    "command",
    "analysis",
    "run",
    "run_analysis",
}
REFERENCE_HELP = (
    "what to compare with: " + SPEC_HELP + ", or a .json/.yaml file of reference numbers"
)


def add_check_arguments(parser: argparse.ArgumentParser, *, structure: bool = True) -> None:
    """MODEL [STRUCTURE] --reference --out --no-plot."""
    parser.add_argument("model", metavar="MODEL", help=SPEC_HELP)
    if structure:
        parser.add_argument(
            "structure",
            metavar="STRUCTURE",
            help="structure file (any format ASE reads; its last frame)",
        )
    add_output_arguments(parser)


def add_output_arguments(parser: argparse.ArgumentParser) -> None:
    """--reference --out --no-plot."""
    parser.add_argument("--reference", metavar="REF", help=REFERENCE_HELP)
    parser.add_argument(
        "--out",
        default=".",
        metavar="DIR",
        help="directory for the JSON and PNG files (default: .)",
    )
    parser.add_argument("--no-plot", action="store_true", help="write the JSON file only")


def add_relax_arguments(parser: argparse.ArgumentParser, *, default: bool) -> None:
    """--relax/--no-relax --fmax --max-steps."""
    parser.add_argument(
        "--relax",
        action=argparse.BooleanOptionalAction,
        default=default,
        help=f"relax atomic positions, BFGS, fixed cell (default: {'yes' if default else 'no'})",
    )
    parser.add_argument(
        "--fmax",
        type=float,
        default=0.01,
        metavar="EV_PER_A",
        help="relaxation force limit, eV/Å (default: 0.01)",
    )
    parser.add_argument(
        "--max-steps", type=int, default=200, help="relaxation step limit (default: 200)"
    )


def add_supercell_argument(parser: argparse.ArgumentParser) -> None:
    """--supercell NA NB NC (default 2 2 2)."""
    parser.add_argument(
        "--supercell",
        type=int,
        nargs=3,
        default=[2, 2, 2],
        metavar=("NA", "NB", "NC"),
        help="repeats of the cell (default: 2 2 2)",
    )


def relax_options(args: argparse.Namespace) -> dict[str, Any]:
    """The keyword arguments of the property functions that add_relax_arguments sets."""
    return {"relax_ions": args.relax, "fmax": args.fmax, "max_steps": args.max_steps}


def settings_of(args: argparse.Namespace) -> dict[str, Any]:
    """The command's options, for the JSON record (model and reference are recorded apart)."""
    return {key: value for key, value in vars(args).items() if key not in NOT_SETTINGS}


def run_check(
    args: argparse.Namespace,
    name: str,
    compute: Callable[[Any], Any],
    plot: Callable[[Any, Path], None],
    section: tuple[str, ...] = (),
) -> Any:
    """compute(calculator) for MODEL and --reference, then write and print the comparison."""
    from mlpot.analysis.properties.calculators import calculator_from_spec
    from mlpot.analysis.properties.check import run_comparison
    from mlpot.analysis.properties.reference import load_reference

    require_plotting_unless_disabled(args)
    reference = load_reference(args.reference) if args.reference else None
    calc = calculator_from_spec(args.model)
    comparison = run_comparison(name, compute, calc, args.model, reference, section)
    write_and_print(comparison, args, plot)
    return comparison


def require_plotting_unless_disabled(args: argparse.Namespace) -> None:
    """Fail before any computation when a plot is asked for and matplotlib is missing."""
    if not args.no_plot:
        from mlpot.analysis.evaluate import require_plotting

        require_plotting()


def write_and_print(
    comparison: Any,
    args: argparse.Namespace,
    plot: Callable[[Any, Path], None],
    extra: dict[str, Any] | None = None,
) -> list[Path]:
    """Write NAME.json (with extra comparison entries) and NAME.png; print the summary."""
    from mlpot.analysis.properties.files import write_json

    out = Path(args.out)
    record = comparison.to_dict(settings_of(args))
    if extra:
        record.setdefault("comparison", {}).update(extra)
    written = [write_json(out / f"{comparison.name}.json", record)]
    if not args.no_plot:
        written.append(out / f"{comparison.name}.png")
        plot(comparison, written[-1])
    _print_summary(record)
    print("wrote " + ", ".join(str(path) for path in written))
    return written


def _print_summary(record: dict[str, Any]) -> None:
    differences = record.get("comparison", {})
    for key, value in record["summary"].items():
        if not isinstance(value, int | float):
            continue
        line = f"{key:32s} {value:12.6g}"
        entry = differences.get(key)
        if isinstance(entry, dict) and "reference" in entry:
            line += f"   reference {entry['reference']:.6g}, difference {entry['difference']:+.4g}"
        print(line)
    for note in record["warnings"]:
        print(f"warning: {note}", file=sys.stderr)
