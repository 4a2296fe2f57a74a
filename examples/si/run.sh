#!/usr/bin/env bash
# The main job: train on the shipped Si data, evaluate on the held-out test set
# (runs/si/test/errors.json and parity.png), then a short NVT MD with the new potential.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cd "$here/../.."
rm -rf runs/si
mlpot train examples/si/config.yaml --no-progress
mlpot md runs/si/model.pt examples/si/diamond_64.xyz --ensemble nvt --temperature 600 \
    --timestep 1 --steps 500 --interval 10 --trajectory runs/si/md.traj --log runs/si/md.csv
echo "main job done: runs/si/model.pt, runs/si/log.csv, runs/si/test/parity.png, runs/si/md.csv"
