using System.Reflection;
using System.Runtime.CompilerServices;

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
    /// Compares <paramref name="assembly"/>'s public types with <c>PublicApi/&lt;assembly&gt;.txt</c> next to the calling
    /// test file; returns the differences as messages (empty when equal). With <see cref="UpdateVariable"/> set, writes the file.
    /// </summary>
    public static IReadOnlyList<string> Differences(Assembly assembly, [CallerFilePath] string caller = "")
    {
        string file = Path.Combine(Path.GetDirectoryName(caller)!, "PublicApi", assembly.GetName().Name + ".txt");
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
}
