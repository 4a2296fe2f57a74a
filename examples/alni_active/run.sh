#!/usr/bin/env bash
# Active learning of an Al-Ni potential with EMT as the oracle: writes the starting structures
# and the held-out 1400 K trajectory, runs the loop, and prints the report
# (runs/alni_active/report.csv, report.json, report.png).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
rm -rf runs/alni_active
python examples/alni_active/make_structures.py
mlpot active examples/alni_active/config.yaml --no-progress
echo "done: runs/alni_active/report.csv, runs/alni_active/report.png"
