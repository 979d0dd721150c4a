#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Runs every benchmark; `make bench` calls this with the paths set.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
python3 "$here/core.py"
