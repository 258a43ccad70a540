using System.Text.Json.Nodes;

namespace Directer.Core.Tests.Support;

/// <summary>
/// Copies of the Mistral 7B v0.1 byte-fallback fixture (Fixtures/byte-fallback) with one edit each to their
/// <c>tokenizer.json</c>, every copy in its own folder of one temporary directory that <see cref="Dispose"/> removes.
/// </summary>
internal sealed class EditedByteFallbackFiles(string prefix) : IDisposable
{
    /// <summary>The unedited fixture's folder.</summary>
    public static readonly string Source = Path.Combine(AppContext.BaseDirectory, "Fixtures", "byte-fallback", "mistral-7b-v0.1");

    private readonly string directory = Directory.CreateTempSubdirectory(prefix).FullName;
    private int folders;

    /// <summary>A new folder holding the fixture's <c>tokenizer.json</c> after <paramref name="edit"/> and its <c>tokenizer_config.json</c>.</summary>
    public string Write(Action<JsonObject> edit)
    {
        string dir = Path.Combine(directory, $"t{folders++}");
        Directory.CreateDirectory(dir);
        var root = JsonNode.Parse(File.ReadAllText(Path.Combine(Source, "tokenizer.json")))!.AsObject();
        edit(root);
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), root.ToJsonString());
        File.Copy(Path.Combine(Source, "tokenizer_config.json"), Path.Combine(dir, "tokenizer_config.json"));
        return dir;
    }

    /// <inheritdoc />
    public void Dispose() => Directory.Delete(directory, recursive: true);
}
