#!/usr/bin/env bash
# Mutation testing (opt-in, slow; NOT part of .ci/run): Stryker.NET, pinned as a local tool in
# .config/dotnet-tools.json, on the folders issue 19 names, each against the fastest test project and
# filter that covers it.
#
#   build/mutation.sh                 # every target
#   build/mutation.sh steering generation
#   MUTATION_OUT=/tmp/m build/mutation.sh modeling
#
# Targets: steering generation modeling text settings ifeval
# Reports (html + json) go to $MUTATION_OUT/<target>/ (default: mutation-reports/ at the repo root, git-ignored),
# and build/mutation-summary.py prints the score and every surviving mutant of each. Run it under `nice` on a
# shared machine; CONCURRENCY (default 1) sets Stryker's parallel test runners; STRYKER_ARGS adds options (for example
# --disable-bail, so that the report lists every test that kills each mutant). MUTATE (space-separated globs, with
# Stryker's optional {from..to} line ranges) replaces a target's globs, to split a slow target into parts:
#   MUTATE='**/Generation/Rules/*.cs' MUTATION_OUT=/tmp/m-rules build/mutation.sh generation
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out="${MUTATION_OUT:-$repo/mutation-reports}"
concurrency="${CONCURRENCY:-1}"
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(steering generation modeling text settings ifeval)

dotnet tool restore >/dev/null

core_tests=tests/Directer.Core.Tests
# Stryker's progress bar crashes ("length -11") on a terminal of zero width (e.g. under `script`); only a real,
# reasonably wide terminal gets it, a pipe or log file gets the json/html reports alone.
progress=()
if [[ -t 1 ]] && (( $(tput cols 2>/dev/null || echo 0) >= 40 )); then progress=(--reporter progress); fi
run() { # target test-project source-project filter mutate-globs...
  local target=$1 tests=$2 project=$3 filter=$4
  shift 4
  local mutate=()
  local globs=("$@")
  [[ -z "${MUTATE:-}" ]] || read -r -a globs <<< "$MUTATE"
  for glob in "${globs[@]}"; do mutate+=(--mutate "$glob"); done
  echo "== $target: $project, tests $tests ($filter)"
  rm -rf "$out/$target"
  mkdir -p "$out/$target"
  (cd "$tests" && dotnet stryker --project "$project" --configuration Release --concurrency "$concurrency" \
    --test-case-filter "$filter" "${mutate[@]}" \
    --reporter json --reporter html "${progress[@]}" --output "$out/$target" --skip-version-check ${STRYKER_ARGS:-})
  python3 "$repo/build/mutation-summary.py" "$target" "$out/$target"
}

for target in "${targets[@]}"; do
  case "$target" in
    steering) run steering "$core_tests" Directer.Core.csproj \
      "FullyQualifiedName~Directer.Core.Tests.Steering|FullyQualifiedName~Directer.Core.Tests.Settings" \
      "**/Steering/**/*.cs" ;;
    generation) run generation "$core_tests" Directer.Core.csproj \
      "FullyQualifiedName~Directer.Core.Tests.Generation|FullyQualifiedName~Directer.Core.Tests.Settings|FullyQualifiedName~Directer.Core.Tests.Serving" \
      "**/Generation/**/*.cs" ;;
    modeling) run modeling "$core_tests" Directer.Core.csproj \
      "FullyQualifiedName~Directer.Core.Tests.Modeling|FullyQualifiedName~Directer.Core.Tests.Settings|FullyQualifiedName~Directer.Core.Tests.Steering.DirecterEquivalenceTests|FullyQualifiedName~Directer.Core.Tests.Serving" \
      "**/Modeling/**/*.cs" ;;
    text) run text "$core_tests" Directer.Core.csproj \
      "FullyQualifiedName~Directer.Core.Tests.Tokenization|FullyQualifiedName~Directer.Core.Tests.Templates|FullyQualifiedName~Directer.Core.Tests.Emphasis" \
      "**/Tokenization/**/*.cs" "**/Templates/**/*.cs" "**/Emphasis/**/*.cs" ;;
    settings) run settings tests/Directer.SemanticKernel.Tests Directer.SemanticKernel.csproj \
      "FullyQualifiedName~Settings|FullyQualifiedName~Configuration|FullyQualifiedName~ChatOptionsMapping" \
      "**/Directer*Options*.cs" "**/Directer*Settings*.cs" "**/DirecterRequest*.cs" "**/DirecterSettingKeys.cs" ;;
    ifeval) run ifeval tests/Directer.Evaluation.Tests Directer.Evaluation.csproj \
      "FullyQualifiedName~Directer.Evaluation.Tests.IfEval" \
      "**/IfEval/Checkers/*.cs" "**/IfEval/ComparisonRelation.cs" "**/IfEval/InstructionKwargs.cs" "**/IfEval/Text/PyText.cs" ;;
    *) echo "unknown target '$target' (steering generation modeling text settings ifeval)" >&2; exit 2 ;;
  esac
done
