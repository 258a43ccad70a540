#!/usr/bin/env bash
# Packs every packable project (the libraries and the `directer` tool) to a local feed, then, outside the
# repository, as a user would:
#   1. an app installs Directer.SemanticKernel (+ Microsoft.SemanticKernel and this machine's libtorch) from the
#      feed and runs a real chat request on the built-in demo model through a Semantic Kernel Kernel;
#   2. `dotnet tool install` puts `directer` in a temporary tool path and `directer eval --limit 3` runs from a
#      folder outside the repository, on the demo model shipped inside the tool package.
# Also checks the packages' contents (README, XML docs, build assets, symbols) and that the TorchSharp library fix
# reached both outputs (GLIBCXX_3.4.32 weak where the system libstdc++ lacks it).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
# A fresh version per run: the global package cache would otherwise serve an earlier run's package.
version="0.0.0-ci.$(date +%s)"
cleanup() { rm -rf "$work" "${NUGET_PACKAGES:-$HOME/.nuget/packages}"/directer.*/"$version"; }
trap cleanup EXIT
quiet() { "$@" >"$work/log" 2>&1 || { cat "$work/log"; echo "packages: failed: $*"; exit 1; }; }
needs_fix=true
grep -a GLIBCXX_3.4.32 /usr/lib/x86_64-linux-gnu/libstdc++.so.6 >/dev/null 2>&1 && needs_fix=false
check_weak() {
  [ -f "$1" ] || { echo "packages: $1 missing"; exit 1; }
  if $needs_fix; then
    readelf -V "$1" | grep "GLIBCXX_3.4.32  Flags: WEAK" >/dev/null || { echo "packages: GLIBCXX_3.4.32 not weak in $1"; exit 1; }
  fi
}
rid="$(dotnet --info | awk '/^ *RID:/{print $2; exit}')"
rid="${rid/debian*-/linux-}"; rid="${rid/ubuntu*-/linux-}"

start=$(date +%s)
quiet dotnet pack "$root/Directer.sln" -c Release -o "$work/feed" -p:Version="$version"
for id in Directer.Core Directer.SemanticKernel Directer.Cli; do
  [ -f "$work/feed/$id.$version.nupkg" ] || { echo "packages: $id.$version.nupkg missing"; exit 1; }
done
# Every library package (whatever src/ holds): README, XML docs, symbols, licence; none depends on a particular
# operating system's libtorch; Directer.Core carries the build assets.
for pkg in "$work/feed"/*."$version".nupkg; do
  id="$(basename "$pkg" ."$version".nupkg)"
  [ "$id" != Directer.Cli ] || continue
  [ -f "$work/feed/$id.$version.snupkg" ] || { echo "packages: $id has no symbols package"; exit 1; }
  files="$(unzip -Z1 "$pkg")"
  for f in README.md "lib/net10.0/$id.dll" "lib/net10.0/$id.xml"; do
    grep -qx "$f" <<<"$files" || { echo "packages: $id lacks $f"; exit 1; }
  done
  nuspec="$(unzip -p "$pkg" "$id.nuspec")"
  grep -q '<license type="expression">MIT</license>' <<<"$nuspec" || { echo "packages: $id has no licence"; exit 1; }
  grep -q '<readme>README.md</readme>' <<<"$nuspec" || { echo "packages: $id has no readme"; exit 1; }
  ! grep -qi 'libtorch' <<<"$nuspec" || { echo "packages: $id depends on a libtorch package"; exit 1; }
done
files="$(unzip -Z1 "$work/feed/Directer.Core.$version.nupkg")"
for f in buildTransitive/Directer.Core.props buildTransitive/Directer.Core.targets buildTransitive/ElfVersionNeedPatcher.cs; do
  grep -qx "$f" <<<"$files" || { echo "packages: Directer.Core lacks $f"; exit 1; }
done
echo "packages: packed in $(( $(date +%s) - start )) s:" $(cd "$work/feed" && du -h --apparent-size *.nupkg | awk '{printf "%s %s; ", $2, $1}')

# 1. An application outside the repository, from the feed.
mkdir -p "$work/app"
for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do echo '<Project />' > "$work/app/$f"; done
cat > "$work/app/nuget.config" <<XML
<configuration><packageSources><add key="directer-ci" value="$work/feed" /></packageSources></configuration>
XML
cat > "$work/app/app.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings>
    <Nullable>enable</Nullable><TreatWarningsAsErrors>true</TreatWarningsAsErrors>
    <!-- NU1603: this CI's package source serves a newer Azure.Core than SK's OpenAI connector asks for. -->
    <NoWarn>NU1603</NoWarn></PropertyGroup>
</Project>
XML
cat > "$work/app/Program.cs" <<'CS'
using Directer.SemanticKernel;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

var builder = Kernel.CreateBuilder();
builder.AddDirecterChatCompletion(args[0]);
var kernel = builder.Build();
var history = new ChatHistory("Answer in all lowercase letters.");
history.AddUserMessage("How many units of blue widget are in stock?");
var settings = new DirecterPromptExecutionSettings { Steering = "directer", MaxTokens = 12 };
var reply = await kernel.GetRequiredService<IChatCompletionService>().GetChatMessageContentAsync(history, settings, kernel);
if (string.IsNullOrWhiteSpace(reply.Content)) throw new InvalidOperationException("empty reply");
Console.WriteLine($"package consumer: reply \"{reply.Content}\"; steering {reply.Metadata?["directer.steering"]}");
CS
cd "$work/app"
quiet dotnet add package Directer.SemanticKernel --version "$version"
# Without a libtorch package the build must say which one to add (error DIRECTER0001), not fail at run time.
if dotnet build -v q -nologo >"$work/log" 2>&1; then echo "packages: built without libtorch"; exit 1; fi
grep -q "DIRECTER0001.*libtorch-cpu-$rid" "$work/log" || { cat "$work/log"; echo "packages: no DIRECTER0001 naming libtorch-cpu-$rid"; exit 1; }
quiet dotnet add package "libtorch-cpu-$rid" --version 2.10.0
# The full Semantic Kernel package next to ours: our dependency ranges must fit it (a downgrade is NU1605, an error).
quiet dotnet add package Microsoft.SemanticKernel --version 1.82.0
quiet dotnet build -v q -nologo
check_weak "$work/app/bin/Debug/net10.0/runtimes/linux-x64/native/libLibTorchSharp.so"
dotnet "$work/app/bin/Debug/net10.0/app.dll" "$root/models/directer-demo"

# 2. The tool, from the feed, run from a folder outside the repository.
quiet dotnet tool install Directer.Cli --version "$version" --tool-path "$work/tools" --add-source "$work/feed"
check_weak "$(find "$work/tools/.store" -name libLibTorchSharp.so -path '*linux-x64*' | head -1)"
mkdir -p "$work/elsewhere" && cd "$work/elsewhere"
[[ "$("$work/tools/directer" --version)" == "$version"* ]] || { echo "packages: directer --version does not print the package version"; exit 1; }
[[ "$("$work/tools/directer" --help)" == *eval-demo* ]] || { echo "packages: directer --help lists no eval-demo"; exit 1; }
"$work/tools/directer" eval --limit 3 --out "$work/elsewhere/eval"
echo "packages: all checks passed in $(( $(date +%s) - start )) s"
