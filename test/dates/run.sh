#!/usr/bin/env bash
# make test-dates: the suites whose outcome can depend on the wall clock (month closing and
# compaction, retention windows, intraday "today and yesterday", the raw window, token expiry,
# usage days, the console's time presets, the end-to-end runs through the dev server), run again
# under other dates with libfaketime (Debian's faketime). The clock starts at each date and runs on.
# moto_server keeps the machine's clock (test/setup/real-clock-env.mjs): AWS has its own time.
#
#   bash test/dates/run.sh                       the dates below
#   bash test/dates/run.sh '2028-02-29 23:59:00'  other dates
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v faketime >/dev/null || { echo "faketime is required (apt-get install -y faketime)"; exit 1; }

if [ $# -gt 0 ]; then DATES=("$@"); else
  DATES=(
    '2026-12-31 23:30:00' # the last day of a month, half an hour before the next UTC day
    '2027-01-03 12:00:00' # the 3rd: December is still in its grace period (not compacted)
    '2027-01-04 00:30:00' # the 4th: December closes and compacts; "yesterday" is the 3rd
    '2027-12-04 10:00:00' # a year ahead: every fixed date of the suites is a year older
  )
fi
SUITES=(
  test/e2e test/nightly test/compaction test/dlq/sweep.test.ts test/search/oracle.test.ts
  shared/conversion shared/compaction shared/local shared/auth shared/cli shared/usage
  functions/nightly functions/ctas-runner functions/ingest
)
for date in "${DATES[@]}"; do
  printf '\n=== the suites that touch time, under %s\n' "$date"
  NODE_OPTIONS=--experimental-vm-modules faketime "$date" npx jest --ci "${SUITES[@]}"
done
