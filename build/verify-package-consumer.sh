#!/usr/bin/env bash
# Packs Directer.Core, builds a throwaway app that consumes the package from a local source, and
# checks that the package's build targets made TorchSharp loadable (GLIBCXX_3.4.32 weak) there.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
dotnet pack "$root/src/Directer.Core" -c Release -o "$work/feed" -p:PackageVersion=0.0.0-ci >/dev/null
mkdir -p "$work/app"
cat > "$work/app/app.csproj" <<XML
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings>
    <RestorePackagesPath>$work/packages</RestorePackagesPath><ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup>
  <ItemGroup><PackageReference Include="Directer.Core" Version="0.0.0-ci" /></ItemGroup>
</Project>
XML
cat > "$work/app/Program.cs" <<'CS'
Directer.Core.Runtime.TorchRuntime.EnsureInitialized();
using var t = TorchSharp.torch.ones(3);
Console.WriteLine($"package consumer: torch sum = {t.sum().item<float>()}");
CS
cat > "$work/app/nuget.config" <<XML
<configuration><packageSources><add key="local" value="$work/feed" /></packageSources></configuration>
XML
cat > "$work/app/Directory.Build.props" <<'XML'
<Project />
XML
cp "$work/app/Directory.Build.props" "$work/app/Directory.Build.targets"
cp "$work/app/Directory.Build.props" "$work/app/Directory.Packages.props"
( cd "$work/app" && dotnet build -v q -nologo >/dev/null )
lib="$work/app/bin/Debug/net10.0/runtimes/linux-x64/native/libLibTorchSharp.so"
if ! grep -a GLIBCXX_3.4.32 /usr/lib/x86_64-linux-gnu/libstdc++.so.6 >/dev/null 2>&1; then
  readelf -V "$lib" | grep "GLIBCXX_3.4.32  Flags: WEAK" >/dev/null || { echo "package consumer: GLIBCXX_3.4.32 not weak in $lib"; exit 1; }
fi
dotnet "$work/app/bin/Debug/net10.0/app.dll"
