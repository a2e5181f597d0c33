#!/usr/bin/env bash
# The main job: builds Eddy and runs the eddy CLI. With no arguments it runs the SQL server on the
# embedded broker (`eddy server`: REST API on http://0.0.0.0:8088, broker on port 9092, data in
# ./eddy-data); with arguments it runs `eddy ARGS`
# (`eddy` itself with no verb prints the version and help).
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh run
dotnet build src/Eddy.Cli/Eddy.Cli.csproj -c Release -nologo -v quiet -clp:ErrorsOnly >&2
if [ "$#" -eq 0 ]; then
  set -- server
fi
exec dotnet artifacts/bin/Eddy.Cli/release/eddy.dll "$@"
