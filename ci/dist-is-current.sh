#!/bin/sh
# Fails when the committed dist/ does not match the code. Run after `npm run synth`.
# Usage: ci/dist-is-current.sh [<branch name>]   (a renovate/* branch gets a hint on what to do)
set -u
changed=$(git status --porcelain --untracked-files=all -- dist)
if [ -z "$changed" ]; then
  echo "dist/ matches the code"
  exit 0
fi
git diff --stat -- dist
git status --short --untracked-files=all -- dist
echo "dist/ is stale: run 'npm run synth' and commit dist/"
case "${1:-}" in
  renovate/*)
    echo "This is a Renovate branch: it bumped a version in charts.lock.json or images.pins.json, which changes"
    echo "what the synth writes. Check out the branch, run 'npm ci && npm run synth', review and commit dist/"
    echo "(a self-hosted Renovate does this itself: postUpgradeTasks in renovate.json)."
    ;;
esac
exit 1
