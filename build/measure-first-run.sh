#!/usr/bin/env bash
# The README's first-run figures: restores samples/AgentDemo into an EMPTY package cache and HTTP cache (both
# temporary, so nothing is served from this machine's caches), then builds it, and prints the restore time, the
# bytes downloaded (the .nupkg files) and the unpacked cache size, and the build time. Not part of CI (it
# downloads ~190 MB). Usage: build/measure-first-run.sh [checkout, default: this one]
set -euo pipefail
tree="$(cd "${1:-$(dirname "$0")/..}" && pwd)"
cache="$(mktemp -d)"
trap 'rm -rf "$cache"' EXIT
export NUGET_PACKAGES="$cache/packages" NUGET_HTTP_CACHE_PATH="$cache/http" DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
cd "$tree"
s=$(date +%s.%N); dotnet restore samples/AgentDemo >"$cache/restore.log" 2>&1 || { cat "$cache/restore.log"; exit 1; }; e=$(date +%s.%N)
echo "restore: $(echo "$e - $s" | bc) s"
echo "downloaded (nupkg): $(find "$NUGET_PACKAGES" -name '*.nupkg' -printf '%s\n' | awk '{s+=$1} END {printf "%.0f MB", s/1e6}')"
echo "package cache: $(du -sb "$NUGET_PACKAGES" | awk '{printf "%.0f MB", $1/1e6}')"
echo "libtorch packages: $(cd "$NUGET_PACKAGES" && ls -d libtorch* | tr '\n' ' ')"
s=$(date +%s.%N); dotnet build samples/AgentDemo --no-restore -v q -nologo >"$cache/build.log" 2>&1 || { cat "$cache/build.log"; exit 1; }; e=$(date +%s.%N)
echo "first build: $(echo "$e - $s" | bc) s"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
