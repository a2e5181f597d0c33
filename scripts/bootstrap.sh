#!/usr/bin/env bash
# Installs what Eddy needs, idempotently. Usage: scripts/bootstrap.sh run|test
#   run:  the .NET SDK check and a NuGet restore of the CLI.
#   test: also the real Kafka clients the compatibility tests drive (kcat, kafka-python,
#         confluent-kafka-python from Debian; KafkaJS from npm, pinned by package-lock.json).
set -euo pipefail
mode=${1:-run}
root=$(cd "$(dirname "$0")/.." && pwd)

say() { printf '[bootstrap] %s\n' "$*" >&2; }

if ! command -v dotnet >/dev/null 2>&1; then
  say "the .NET 10 SDK is required: https://dotnet.microsoft.com/download (dotnet was not found on PATH)"
  exit 1
fi
sdk_major=$(dotnet --version | cut -d. -f1)
if [ "$sdk_major" -lt 10 ]; then
  say "the .NET 10 SDK is required; found $(dotnet --version)"
  exit 1
fi

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null 2>&1; then sudo "$@"; else
    say "need root to run: $*"; exit 1; fi
}

# Debian packages, installed only when missing so that a second run costs nothing.
apt_install() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

if [ "$mode" = "test" ]; then
  # kcat and python3-confluent-kafka link Debian's librdkafka 2.0.2; python3-kafka is kafka-python 2.0.2.
  # python3-snappy, python3-lz4, python3-zstandard give kafka-python its other codecs; zstd and lz4 are
  # the reference CLIs the compression tests compare against.
  apt_install kcat python3 python3-kafka python3-confluent-kafka python3-lz4 python3-snappy python3-zstandard zstd lz4 tmux
  if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    apt_install nodejs npm
  fi
  peers="$root/tests/peers/node"
  # npm ci only when the lock file changed since the last install.
  if ! cmp -s "$peers/package-lock.json" "$peers/node_modules/.eddy-installed-lock" 2>/dev/null; then
    say "installing npm test peers (KafkaJS, ksqldb-client) from package-lock.json"
    (cd "$peers" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
    cp "$peers/package-lock.json" "$peers/node_modules/.eddy-installed-lock"
  fi
fi
