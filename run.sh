#!/usr/bin/env bash
# The main job: builds Eddy and runs the eddy CLI. With no arguments it runs the default verb.
# Until the embedded broker lands, the default is to print the version and help.
set -euo pipefail
cd "$(dirname "$0")"
scripts/bootstrap.sh run
dotnet build src/Eddy.Cli/Eddy.Cli.csproj -c Release -nologo -v quiet -clp:ErrorsOnly >&2
exec dotnet artifacts/bin/Eddy.Cli/release/eddy.dll "$@"
