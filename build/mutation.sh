#!/usr/bin/env bash
# Mutation testing (opt-in, slow; NOT part of .ci/run): Stryker.NET, pinned as a local tool in
# .config/dotnet-tools.json, on the folders issue 19 names, each against the fastest test project and
# filter that covers it.
#
#   build/mutation.sh                 # every target
#   build/mutation.sh steering generation
#   MUTATION_OUT=/tmp/m build/mutation.sh modeling
#
# Targets: steering generation generation-constraints modeling checkpoints text settings settings-ai ifeval
# Reports (html + json) go to $MUTATION_OUT/<target>/ (default: mutation-reports/ at the repo root, git-ignored),
# and build/mutation-summary.py prints the score and every surviving mutant of each. Run it under `nice` on a
# shared machine; CONCURRENCY (default 1) sets Stryker's parallel test runners; STRYKER_ARGS adds options (for example
# --disable-bail, so that the report lists every test that kills each mutant). MUTATE (space-separated globs, with
# Stryker's optional {from..to} line ranges) replaces a target's globs, to split a slow target into parts:
#   MUTATE='**/Generation/Rules/*.cs' MUTATION_OUT=/tmp/m-rules build/mutation.sh generation
# FILTER replaces a target's test filter (e.g. FILTER=full: the target's full covering filter, for re-running the
# survivors of a fast first pass, see below).
# ISA runs the tests as a CPU with fewer instructions runs them, so that the code for such CPUs is scored: ISA=avx2 exports
# DOTNET_EnableAVX512=0 (AVX2, no AVX-512: the 256-bit paths), ISA=scalar DOTNET_EnableAVX2=0 (no Vector256: the scalar
# paths); Stryker's test hosts inherit it (.ci/run runs the Core tests under both). Merge such a run into the machine's own
# with build/mutation-summary.py TARGET FIRST --union ISA_RUN (detected in either run counts detected):
#   ISA=avx2 MUTATE="$(build/mutation-survivors.py /tmp/m/modeling)" MUTATION_OUT=/tmp/m-avx2 build/mutation.sh modeling
#
# Cost, and what keeps it down. Stryker's VsTest runner starts a fresh test host (plus its coverage data collector)
# for every test run, i.e. for every mutant or group of mutants: the host loads the test assembly and TorchSharp and
# JITs the model code again before the first test, seconds on a loaded 2-core machine, and nothing in Stryker 5.1
# keeps a vstest host alive between runs (its MTP runner does, but needs the test projects on Microsoft Testing
# Platform instead of xunit v2 + vstest; not done). What the defaults already do and must stay: `perTest` coverage
# (each mutant runs only the tests that reach it; `perTestInIsolation` and `all`/`off` are slower) and mixed mutants
# (mutants reached by disjoint tests share one run; `disable-mix-mutants` would multiply the host starts). `--since`
# only helps after a code change. The lever left is the tests each mutant runs: a killed mutant stops at its first
# failing test, but a surviving one runs every test that reaches it, and in Generation those include whole
# constrained chats over every template and steering method (Generation.Constraints.FormatConstrainedChatTests:
# 60 of the 121 test-seconds of the full filter, measured 2026-12-03). So a slow target has a FAST filter for the
# first pass (its own unit tests), and its survivors are re-tested on the target's FULL filter
# (FILTER=full with MUTATE from build/mutation-survivors.py): a mutant that a test outside the fast filter kills
# is counted killed, exactly as a full-filter run would count it, and docs/TESTING.md says which tests killed it.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out="${MUTATION_OUT:-$repo/mutation-reports}"
concurrency="${CONCURRENCY:-1}"
targets=("$@")
[[ ${#targets[@]} -gt 0 ]] || targets=(steering generation generation-constraints modeling checkpoints text settings settings-ai ifeval)

dotnet tool restore >/dev/null
case "${ISA:-}" in
  "") ;;
  avx2) export DOTNET_EnableAVX512=0 ;;
  scalar) export DOTNET_EnableAVX2=0 ;;
  *) echo "ISA must be avx2 or scalar, not '$ISA'" >&2; exit 2 ;;
esac

core_tests=tests/Directer.Core.Tests
# Stryker's progress bar crashes ("length -11") on a terminal of zero width (e.g. under `script`); only a real,
# reasonably wide terminal gets it; a pipe or log file gets the dots reporter (one character per mutant tested).
progress=(--reporter dots)
if [[ -t 1 ]] && (( $(tput cols 2>/dev/null || echo 0) >= 40 )); then progress=(--reporter progress); fi
run() { # target test-project source-project fast-filter full-filter mutate-globs...
  local target=$1 tests=$2 project=$3 filter=$4 full=$5
  shift 5
  [[ "${FILTER:-}" != full ]] || filter=$full
  [[ -z "${FILTER:-}" || "${FILTER:-}" == full ]] || filter=$FILTER
  local mutate=()
  local globs=("$@")
  [[ -z "${MUTATE:-}" ]] || read -r -a globs <<< "$MUTATE"
  for glob in "${globs[@]}"; do mutate+=(--mutate "$glob"); done
  echo "== $target: $project, tests $tests ($filter)${ISA:+, ISA=$ISA}"
  rm -rf "$out/$target"
  mkdir -p "$out/$target"
  (cd "$tests" && dotnet stryker --project "$project" --configuration Release --concurrency "$concurrency" \
    --test-case-filter "$filter" "${mutate[@]}" \
    --reporter json --reporter html "${progress[@]}" --output "$out/$target" --skip-version-check ${STRYKER_ARGS:-})
  python3 "$repo/build/mutation-summary.py" "$target" "$out/$target"
}

core='FullyQualifiedName~Directer.Core.Tests'
gen_full="$core.Generation|$core.Settings|$core.Serving"
for target in "${targets[@]}"; do
  case "$target" in
    steering) f="$core.Steering|$core.Settings"
      run steering "$core_tests" Directer.Core.csproj "$f" "$f" "**/Steering/**/*.cs" ;;
    # The generator, its sampling and its rules; the fast pass leaves out the constraint tests (whole constrained
    # chats, half of the filter's time), which the survivors' re-run on the full filter brings back.
    generation) run generation "$core_tests" Directer.Core.csproj \
      "($gen_full)&FullyQualifiedName!~Directer.Core.Tests.Generation.Constraints" "$gen_full" \
      "**/Generation/*.cs" "**/Generation/Rules/*.cs" ;;
    # The tool-call grammar: its own tests, the constrained chats included (they are what it exists for).
    generation-constraints) run generation-constraints "$core_tests" Directer.Core.csproj \
      "$core.Generation.Constraints" "$gen_full" "**/Generation/Constraints/*.cs" ;;
    modeling) f="$core.Modeling|$core.Settings|$core.Steering.DirecterEquivalenceTests|$core.Serving"
      run modeling "$core_tests" Directer.Core.csproj "$f" "$f" "**/Modeling/**/*.cs" ;;
    # Reading a checkpoint: config.json parsing and validation, the safetensors reader, the weight layout checks.
    checkpoints) f="$core.Checkpoints|$core.Settings"
      run checkpoints "$core_tests" Directer.Core.csproj "$f" "$f|$core.Modeling" "**/Checkpoints/*.cs" ;;
    text) f="$core.Tokenization|$core.Templates|$core.Emphasis"
      run text "$core_tests" Directer.Core.csproj "$f" "$f" \
      "**/Tokenization/**/*.cs" "**/Templates/**/*.cs" "**/Emphasis/**/*.cs" ;;
    # The Semantic Kernel settings type and the readers of execution settings.
    settings) f="FullyQualifiedName~Settings|FullyQualifiedName~Configuration|FullyQualifiedName~ChatOptionsMapping"
      run settings tests/Directer.SemanticKernel.Tests Directer.SemanticKernel.csproj "$f" "$f" "**/Settings/*.cs" ;;
    # The connector's options (validated ranges) and the mapping of ChatOptions onto a request.
    settings-ai) f="FullyQualifiedName~Directer.Extensions.AI.Tests.Requests|FullyQualifiedName~ChatOptionsMapping|FullyQualifiedName~ConnectorEdge|FullyQualifiedName~Options"
      run settings-ai tests/Directer.Extensions.AI.Tests Directer.Extensions.AI.csproj "$f" "$f" \
      "**/Options/*.cs" "**/Client/DirecterRequestMapper.cs" "**/Client/ChatOptionsReader.cs" ;;
    ifeval) f="FullyQualifiedName~Directer.Evaluation.Tests.IfEval"
      run ifeval tests/Directer.Evaluation.Tests Directer.Evaluation.csproj "$f" "$f" \
      "**/IfEval/Checkers/*.cs" "**/IfEval/ComparisonRelation.cs" "**/IfEval/InstructionKwargs.cs" "**/IfEval/Text/PyText.cs" ;;
    *) echo "unknown target '$target' (steering generation generation-constraints modeling checkpoints text settings settings-ai ifeval)" >&2; exit 2 ;;
  esac
done
