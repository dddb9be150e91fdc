#!/bin/sh
# Helm packages only files inside the chart and does not follow symlinks, so the chart holds copies
# of the alert rules and dashboards; test/charts/chart.test.ts fails when they differ from the sources.
set -eu
cd "$(dirname "$0")/.."

sync() { # source-dir target-dir extension
  mkdir -p "$2"
  find "$2" -maxdepth 1 -name "*.$3" -type f -delete
  if [ -d "$1" ]; then
    find "$1" -maxdepth 1 -name "*.$3" -type f -exec cp {} "$2/" \;
  fi
}

sync alerts charts/mlwarden/files/alerts yaml
sync dashboards/json charts/mlwarden/files/dashboards json
