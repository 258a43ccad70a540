using System.Reflection;

namespace Directer.Testing;

/// <summary>
/// The public-API listing check: an assembly's public types against a committed list, so that a type made public by
/// accident (or dropped) fails a test. To accept a change, regenerate the lists and review the diff:
/// <c>DIRECTER_UPDATE_PUBLIC_API=1 dotnet test Directer.sln -c Release --filter "FullyQualifiedName~PublicApi"</c>.
/// </summary>
public static class PublicApi
{
    /// <summary>The environment variable that rewrites the committed lists instead of comparing.</summary>
    public const string UpdateVariable = "DIRECTER_UPDATE_PUBLIC_API";

    /// <summary>The assembly's public types, one full name a line, sorted.</summary>
    public static IReadOnlyList<string> Types(Assembly assembly) =>
        [.. assembly.GetExportedTypes().Select(t => t.FullName!.Replace('+', '.')).Order(StringComparer.Ordinal)];

    /// <summary>
    /// Compares <paramref name="assembly"/>'s public types with <c>tests/&lt;assembly&gt;.Tests/PublicApi/&lt;assembly&gt;.txt</c>
    /// of the repository; returns the differences as messages (empty when equal). With <see cref="UpdateVariable"/> set,
    /// writes the file. The file is found from the test's output folder, not the compiler's source path, which CI builds
    /// map to <c>/_/</c> (deterministic builds).
    /// </summary>
    public static IReadOnlyList<string> Differences(Assembly assembly)
    {
        string name = assembly.GetName().Name!;
        string file = Path.Combine(RepositoryRoot(), "tests", name + ".Tests", "PublicApi", name + ".txt");
        var actual = Types(assembly);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(file)!);
            File.WriteAllLines(file, actual);
            return [];
        }

        var committed = File.Exists(file) ? File.ReadAllLines(file).Where(l => l.Length > 0).ToList() : [];
        var added = actual.Except(committed, StringComparer.Ordinal).Select(t => $"newly public: {t} (make it internal, or accept it: {UpdateVariable}=1)");
        var removed = committed.Except(actual, StringComparer.Ordinal).Select(t => $"no longer public: {t} (accept it: {UpdateVariable}=1)");
        return [.. added, .. removed];
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Directer.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Directer.sln above {AppContext.BaseDirectory}: the public-API lists live in the repository.");
    }
}
