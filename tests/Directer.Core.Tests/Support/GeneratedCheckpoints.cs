using Directer.Core.Runtime;
using Directer.Testing;

namespace Directer.Core.Tests.Support;

/// <summary>
/// The tiny Hugging Face-layout checkpoints of <see cref="TinyCheckpoints"/>, written once per test
/// run into a temporary folder.
/// </summary>
internal static class GeneratedCheckpoints
{
    private static readonly Lazy<string> Root = new(() =>
    {
        TorchRuntime.EnsureInitialized();
        string root = Path.Combine(Path.GetTempPath(), "directer-tests-" + Environment.ProcessId);
        foreach (var spec in TinyCheckpoints.All)
        {
            TinyCheckpoints.Write(spec, Path.Combine(root, spec.Name));
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return root;
    });

    public static IEnumerable<string> Names => TinyCheckpoints.All.Select(s => s.Name);

    public static string PathOf(string name) => Path.Combine(Root.Value, name);

    public static TheoryData<string> All()
    {
        var data = new TheoryData<string>();
        foreach (string name in Names)
        {
            data.Add(name);
        }

        return data;
    }
}
