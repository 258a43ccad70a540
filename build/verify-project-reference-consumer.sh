#!/usr/bin/env bash
# Issue 13 item 5: an application OUTSIDE the repository that references Directer.SemanticKernel by
# ProjectReference must get the patched libLibTorchSharp.so (GLIBCXX_3.4.32 weak) in its build and publish
# output from the build itself, like a package consumer, so that it runs where the start-up fallback cannot
# write (read-only deployments). Checked before the app first runs, since running would apply the fallback.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/app"
cat > "$work/app/app.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings>
    <ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
  <ItemGroup><ProjectReference Include="$root/src/Directer.SemanticKernel/Directer.SemanticKernel.csproj" /></ItemGroup>
</Project>
XML
cat > "$work/app/Program.cs" <<'CS'
Directer.Core.Runtime.TorchRuntime.EnsureInitialized();
using var t = TorchSharp.torch.ones(3);
Console.WriteLine($"project-reference consumer: torch sum = {t.sum().item<float>()}");
CS
# Keep the repository's and this machine's build settings out: the app sees only what Directer ships.
for f in Directory.Build.props Directory.Build.targets Directory.Packages.props; do echo '<Project />' > "$work/app/$f"; done
needs_fix=true
grep -a GLIBCXX_3.4.32 /usr/lib/x86_64-linux-gnu/libstdc++.so.6 >/dev/null 2>&1 && needs_fix=false
check_weak() {
  local lib="$1/runtimes/linux-x64/native/libLibTorchSharp.so"
  [ -f "$lib" ] || { echo "project-reference consumer: $lib missing"; exit 1; }
  if $needs_fix; then
    readelf -V "$lib" | grep "GLIBCXX_3.4.32  Flags: WEAK" >/dev/null \
      || { echo "project-reference consumer: GLIBCXX_3.4.32 not weak in $lib"; exit 1; }
  fi
}
quiet() { "$@" >"$work/log" 2>&1 || { cat "$work/log"; exit 1; }; }
cd "$work/app"
quiet dotnet build -c Release -v q -nologo
check_weak "$work/app/bin/Release/net10.0"
quiet dotnet publish -c Release --no-build -o "$work/published" -v q -nologo
check_weak "$work/published"
$needs_fix && echo "project-reference consumer: build and publish output carry the fix (GLIBCXX_3.4.32 weak)"
dotnet "$work/published/app.dll"
