#!/usr/bin/env bash
# `npm test`: the type-check and the vitest run side by side (the type-check needs one core for
# ~12 s, vitest's single worker the other), failing if either fails. Arguments go to vitest:
# `npm test -- --reporter=json --outputFile=report.json`. tsc's output is held back and printed
# after vitest's, so the two never interleave.
set -uo pipefail
cd "$(dirname "$0")/../.."

exec 3< <(tsc --noEmit -p tsconfig.json 2>&1; echo "tsc exit status $?")
vitest run "$@"
tests=$?
types=$(cat <&3)
exec 3<&-
status=${types##*tsc exit status }
if [ "$status" = 0 ]; then
  echo "Type-check: passed (tsc --noEmit -p tsconfig.json)"
else
  printf '%s\n' "${types%tsc exit status *}" >&2
  echo "Type-check: FAILED (tsc --noEmit -p tsconfig.json, exit status $status)" >&2
fi
if [ "$tests" != 0 ]; then exit "$tests"; fi
exit "$status"
