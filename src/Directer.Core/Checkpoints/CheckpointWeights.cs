using System.Text.Json;
using TorchSharp;

namespace Directer.Core.Checkpoints;

/// <summary>
/// All weights of a Hugging Face checkpoint folder: a single <c>model.safetensors</c>, or shards listed in
/// <c>model.safetensors.index.json</c>. PyTorch pickle checkpoints (<c>*.bin</c>, <c>*.pt</c>, <c>*.pth</c>) are
/// refused, never unpickled.
/// </summary>
public sealed class CheckpointWeights : IDisposable
{
    /// <summary>The single-file weights name.</summary>
    public const string SingleFileName = "model.safetensors";

    /// <summary>The shard index name.</summary>
    public const string IndexFileName = "model.safetensors.index.json";

    private const string ConversionHint =
        "convert to safetensors, e.g. with `python -c \"from transformers import AutoModelForCausalLM as M; M.from_pretrained('IN').save_pretrained('OUT', safe_serialization=True)\"` on a machine where you trust the file, or use the safetensors conversion Space on the Hugging Face Hub";

    private readonly Dictionary<string, SafetensorsFile> fileOf;
    private readonly List<SafetensorsFile> files;

    private CheckpointWeights(string directory, Dictionary<string, SafetensorsFile> fileOf, List<SafetensorsFile> files)
    {
        Directory = directory;
        this.fileOf = fileOf;
        this.files = files;
        Names = fileOf.Keys.Order(StringComparer.Ordinal).ToArray();
    }

    /// <summary>The full path of the checkpoint folder.</summary>
    public string Directory { get; }

    /// <summary>The names of all tensors, sorted ordinally.</summary>
    public IReadOnlyCollection<string> Names { get; }

    /// <summary>The safetensors files of the checkpoint (one, or the shards).</summary>
    public IReadOnlyList<SafetensorsFile> Files => files;

    /// <summary>Opens the weights of a checkpoint folder and validates every file's header (and the shard index).</summary>
    /// <param name="directory">The checkpoint folder (the one holding config.json).</param>
    /// <exception cref="CheckpointException">
    /// The folder is missing, holds only pickle weights or no weights, a shard is missing, or a file is malformed.
    /// </exception>
    public static CheckpointWeights Open(string directory)
    {
        ArgumentNullException.ThrowIfNull(directory);
        string folder = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        if (!System.IO.Directory.Exists(folder))
        {
            throw new CheckpointException($"Checkpoint folder '{folder}' does not exist.", folder);
        }

        string index = Path.Combine(folder, IndexFileName);
        if (File.Exists(index))
        {
            return OpenSharded(folder, index);
        }

        string single = Path.Combine(folder, SingleFileName);
        if (File.Exists(single))
        {
            return OpenSingle(folder, single);
        }

        throw NoSafetensors(folder);
    }

    /// <summary>Whether the checkpoint holds a tensor of that name.</summary>
    /// <param name="name">The tensor name.</param>
    public bool Contains(string name) => fileOf.ContainsKey(name);

    /// <summary>The stored shape of a tensor.</summary>
    /// <param name="name">The tensor name.</param>
    /// <returns>A copy of the shape.</returns>
    /// <exception cref="CheckpointException">No such tensor.</exception>
    public long[] ShapeOf(string name) => (long[])Entry(name).Shape.Clone();

    /// <summary>The stored safetensors dtype string of a tensor, e.g. <c>BF16</c>.</summary>
    /// <param name="name">The tensor name.</param>
    /// <exception cref="CheckpointException">No such tensor.</exception>
    public string DTypeOf(string name) => Entry(name).DType;

    /// <summary>Reads one tensor into a new contiguous CPU tensor of type <paramref name="dtype"/>.</summary>
    /// <param name="name">The tensor name.</param>
    /// <param name="dtype">The type of the returned tensor.</param>
    /// <param name="expectedShape">The shape config.json implies; when given, a different stored shape is an error.</param>
    /// <returns>A new tensor owned by the caller.</returns>
    /// <exception cref="CheckpointException">The tensor is missing, has another shape, or an unsupported dtype.</exception>
    public torch.Tensor Read(string name, torch.ScalarType dtype, params long[] expectedShape)
    {
        RequireShape(name, expectedShape);
        return fileOf[name].Read(name, dtype);
    }

    /// <summary>
    /// Reads elements <paramref name="firstElement"/>.. of a tensor (in storage order) into the contiguous CPU tensor
    /// <paramref name="destination"/>, as many as it holds, converting to its type (see <see cref="SafetensorsFile.ReadInto(string, long, torch.Tensor)"/>).
    /// </summary>
    /// <exception cref="CheckpointException">The tensor is missing, has another shape, or an unsupported dtype.</exception>
    internal void ReadInto(string name, long[] expectedShape, long firstElement, torch.Tensor destination)
    {
        RequireShape(name, expectedShape);
        fileOf[name].ReadInto(name, firstElement, destination);
    }

    /// <summary>
    /// Checks that every tensor <paramref name="config"/> needs (see <see cref="CheckpointLayout.For"/>) is present with
    /// the implied shape and a loadable dtype, reporting all problems at once.
    /// </summary>
    /// <param name="config">The model configuration.</param>
    /// <exception cref="CheckpointException">Some tensors are missing, mis-shaped or of an unsupported dtype.</exception>
    public void Validate(ModelConfig config)
    {
        var problems = new List<string>();
        foreach (ExpectedTensor expected in CheckpointLayout.For(config))
        {
            if (!fileOf.TryGetValue(expected.Name, out SafetensorsFile? file))
            {
                problems.Add($"'{expected.Name}' is missing");
                continue;
            }

            SafetensorsEntry entry = file.Entries[expected.Name];
            if (!expected.Shape.AsSpan().SequenceEqual(entry.Shape))
            {
                problems.Add($"'{expected.Name}' has shape {SafetensorsDType.FormatShape(entry.Shape)}, config.json implies {SafetensorsDType.FormatShape(expected.Shape)}");
            }

            if (SafetensorsDType.ToScalarType(entry.DType) is null)
            {
                problems.Add($"'{expected.Name}' has unsupported dtype {entry.DType} (supported: {SafetensorsDType.SupportedList})");
            }
        }

        if (problems.Count > 0)
        {
            const int shown = 10;
            string more = problems.Count > shown ? $"; and {problems.Count - shown} more" : string.Empty;
            throw new CheckpointException(
                $"Checkpoint '{Directory}' does not match {config.SourceName} ({config.Architecture}): {string.Join("; ", problems.Take(shown))}{more}.",
                Directory);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (SafetensorsFile file in files)
        {
            file.Dispose();
        }
    }

    private void RequireShape(string name, long[] expectedShape)
    {
        SafetensorsEntry entry = Entry(name);
        if (expectedShape is { Length: > 0 } && !expectedShape.AsSpan().SequenceEqual(entry.Shape))
        {
            throw new CheckpointException(
                $"Tensor '{name}' in checkpoint '{Directory}' has shape {SafetensorsDType.FormatShape(entry.Shape)}, but config.json implies {SafetensorsDType.FormatShape(expectedShape)}; the weights do not match config.json.",
                fileOf[name].FilePath,
                name);
        }
    }

    private SafetensorsEntry Entry(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return fileOf.TryGetValue(name, out SafetensorsFile? file)
            ? file.Entries[name]
            : throw new CheckpointException($"Tensor '{name}' is not in checkpoint '{Directory}'.", Directory, name);
    }

    private static CheckpointWeights OpenSingle(string folder, string path)
    {
        SafetensorsFile file = SafetensorsFile.Open(path);
        var fileOf = file.Entries.Keys.ToDictionary(name => name, _ => file, StringComparer.Ordinal);
        return new CheckpointWeights(folder, fileOf, [file]);
    }

    private static CheckpointWeights OpenSharded(string folder, string indexPath)
    {
        Dictionary<string, string> weightMap = ReadWeightMap(indexPath);
        var opened = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
        try
        {
            foreach (string shard in weightMap.Values.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                // Found by the parser fuzz tests: a NUL or other invalid path character made GetFullPath throw ArgumentException.
                if (shard.Length == 0 || shard.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
                {
                    throw new CheckpointException(
                        $"Shard index '{indexPath}' names shard '{shard.Replace("\0", "\\0", StringComparison.Ordinal)}', which is empty or holds characters invalid in a path; shards must be files in '{folder}'.",
                        indexPath);
                }

                string shardPath = Path.GetFullPath(Path.Combine(folder, shard));
                if (Path.GetDirectoryName(shardPath) != folder)
                {
                    throw new CheckpointException(
                        $"Shard index '{indexPath}' names shard '{shard}' outside the checkpoint folder; shards must be files in '{folder}'.",
                        indexPath);
                }

                if (!File.Exists(shardPath))
                {
                    string example = weightMap.First(pair => pair.Value == shard).Key;
                    throw new CheckpointException(
                        $"Shard '{shard}' listed in '{indexPath}' (for tensors such as '{example}') does not exist in '{folder}'.",
                        shardPath,
                        example);
                }

                opened.Add(shard, SafetensorsFile.Open(shardPath));
            }

            var fileOf = new Dictionary<string, SafetensorsFile>(StringComparer.Ordinal);
            foreach (var (tensor, shard) in weightMap)
            {
                SafetensorsFile file = opened[shard];
                if (!file.Entries.ContainsKey(tensor))
                {
                    throw new CheckpointException(
                        $"Tensor '{tensor}' is listed in '{indexPath}' as stored in shard '{shard}', but '{file.FilePath}' does not contain it.",
                        file.FilePath,
                        tensor);
                }

                fileOf.Add(tensor, file);
            }

            return new CheckpointWeights(folder, fileOf, opened.Values.ToList());
        }
        catch
        {
            foreach (SafetensorsFile file in opened.Values)
            {
                file.Dispose();
            }

            throw;
        }
    }

    private static Dictionary<string, string> ReadWeightMap(string indexPath)
    {
        JsonDocument document;
        try
        {
            byte[] bytes = File.ReadAllBytes(indexPath);
            if (Tokenization.Utf8Validation.FindInvalid(bytes) is long bad)
            {
                throw new CheckpointException($"Shard index '{indexPath}' is not valid UTF-8: invalid byte sequence at byte {bad}.", indexPath);
            }

            document = JsonDocument.Parse(bytes);
        }
        catch (JsonException e)
        {
            throw new CheckpointException($"Shard index '{indexPath}' is not valid JSON: {e.Message}", indexPath, inner: e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CheckpointException($"Shard index '{indexPath}' cannot be read: {e.Message}", indexPath, inner: e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("weight_map", out JsonElement map)
                || map.ValueKind != JsonValueKind.Object)
            {
                throw new CheckpointException(
                    $"Shard index '{indexPath}' has no 'weight_map' object; expected {{\"weight_map\": {{tensor name: shard file}}}}.", indexPath);
            }

            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (JsonProperty item in map.EnumerateObject())
            {
                if (item.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(item.Value.GetString()))
                {
                    throw new CheckpointException(
                        $"Shard index '{indexPath}' maps tensor '{item.Name}' to {item.Value.GetRawText()}; expected a shard file name.",
                        indexPath,
                        item.Name);
                }

                if (!result.TryAdd(item.Name, item.Value.GetString()!))
                {
                    throw new CheckpointException($"Shard index '{indexPath}' lists tensor '{item.Name}' twice.", indexPath, item.Name);
                }
            }

            if (result.Count == 0)
            {
                throw new CheckpointException($"Shard index '{indexPath}' has an empty 'weight_map'.", indexPath);
            }

            return result;
        }
    }

    private static CheckpointException NoSafetensors(string folder)
    {
        string[] names = System.IO.Directory.GetFiles(folder).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToArray();
        string? pickle = names.FirstOrDefault(n => n == "pytorch_model.bin.index.json")
            ?? names.FirstOrDefault(n => n == "pytorch_model.bin")
            ?? names.FirstOrDefault(n => n.EndsWith(".bin", StringComparison.OrdinalIgnoreCase)
                || n.EndsWith(".pt", StringComparison.OrdinalIgnoreCase)
                || n.EndsWith(".pth", StringComparison.OrdinalIgnoreCase));
        if (pickle is not null)
        {
            string path = Path.Combine(folder, pickle);
            return new CheckpointException(
                $"Checkpoint folder '{folder}' has PyTorch pickle weights ('{pickle}') and no {SingleFileName} or {IndexFileName}. PyTorch pickle checkpoints are not loaded (unpickling can run arbitrary code); {ConversionHint}.",
                path);
        }

        string? other = names.FirstOrDefault(n => n.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase));
        if (other is not null)
        {
            return new CheckpointException(
                $"Checkpoint folder '{folder}' has '{other}' but no {SingleFileName} or {IndexFileName}; expected the Hugging Face transformers layout (other layouts, such as Mistral's consolidated.safetensors or adapters, are not supported).",
                Path.Combine(folder, other));
        }

        return new CheckpointException(
            $"Checkpoint folder '{folder}' has no weights: expected {SingleFileName} or {IndexFileName} (safetensors).",
            folder);
    }
}
