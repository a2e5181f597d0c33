#!/usr/bin/env bash
# Runs every test: installs the test peers, builds the solution, runs all test projects and
# ends with one line over all of them: "N passed, M failed, K skipped".
# Extra arguments go to every dotnet test call, e.g. ./test.sh --filter "FullyQualifiedName~Protocol".
set -uo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh test || exit 1

if ! dotnet build Eddy.slnx -c Release -nologo -v quiet -clp:ErrorsOnly; then
  echo "build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

results=artifacts/test-results
rm -rf "$results"
status=0
for project in tests/*/*.Tests.csproj; do
  name=$(basename "$project" .csproj)
  # One results folder per project: TRX names carry only a timestamp and would collide.
  dotnet test "$project" -c Release --no-build -nologo \
    --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=minimal" \
    --results-directory "$results/$name" "$@" || status=$?
done
python3 scripts/summarize-tests.py "$results" "$status"
