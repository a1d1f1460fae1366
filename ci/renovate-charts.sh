#!/bin/sh
# On a Renovate branch, fetch every chart of charts.lock.json into charts/, so that a version that does
# not exist fails here, naming the chart and version, instead of at sync time; the `validate` step after
# it then renders the fetched charts and checks them too. Needs the chart sources (network); on any
# other branch it does nothing.
# Usage: ci/renovate-charts.sh <branch name>
set -eu
case "${1:-}" in
  renovate/*) ;;
  *)
    echo "not a Renovate branch: charts are not pulled"
    exit 0
    ;;
esac
npm run --silent kompile -- charts pull
