#!/bin/sh
# Fails unless every file that <head> changes against <base> is an Argo CD Image Updater write-back
# file (dist/<env>/<app>/.argocd-source-<app>.yaml), and, given an environment, one of that
# environment. Run before merging an Image Updater write branch: its deploy key can push anything to
# that branch, and only the write-back is Image Updater's to change.
# Usage: ci/write-back-only.sh <base ref> <head ref> [<environment>]
set -eu
base=$1
head=$2
env=${3:-[^/]+}
changed=$(git diff --name-only "$base...$head")
if [ -z "$changed" ]; then
  echo "$head changes nothing against $base"
  exit 0
fi
others=$(printf '%s\n' "$changed" | grep -v -E "^dist/$env/[^/]+/\.argocd-source-[^/]+\.yaml$" || true)
if [ -n "$others" ]; then
  echo "$head changes files that are not Image Updater write-back files${3:+ of environment $3}:"
  printf '%s\n' "$others"
  echo "Only dist/<env>/<app>/.argocd-source-<app>.yaml may change on an image-updates branch: change the rest through a merge request."
  exit 1
fi
printf '%s\n' "$changed"
echo "only write-back files changed"
