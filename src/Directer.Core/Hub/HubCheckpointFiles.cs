using System.Text.Json;
using Directer.Core.Checkpoints;

namespace Directer.Core.Hub;

/// <summary>
/// Which files of a hub repository a Directer checkpoint needs (config, tokenizer, safetensors weights), and
/// whether a folder has them all. Only files at the repository's root count; other weights (ONNX, GGUF,
/// PyTorch pickles, <c>original/</c> folders) are never downloaded.
/// </summary>
public static class HubCheckpointFiles
{
    /// <summary>The model configuration.</summary>
    public const string Config = "config.json";

    /// <summary>Small text files fetched when the repository has them.</summary>
    public static IReadOnlyList<string> OptionalTextFiles { get; } =
        ["generation_config.json", "tokenizer_config.json", "special_tokens_map.json", "added_tokens.json", "chat_template.jinja", "chat_template.json"];

    /// <summary>
    /// The files to fetch from a repository whose root holds <paramref name="siblings"/>. A sharded checkpoint's
    /// shards are not listed here: read them from the index with <see cref="ShardsOf"/> once it is downloaded.
    /// </summary>
    /// <param name="repoId">The repository, for messages.</param>
    /// <param name="revision">The revision, for messages.</param>
    /// <param name="siblings">The repository's file paths (the hub's <c>siblings[].rfilename</c>).</param>
    /// <exception cref="HubException">The repository is not a checkpoint Directer can load; the message says why.</exception>
    public static IReadOnlyList<string> Select(string repoId, string revision, IReadOnlyCollection<string> siblings)
    {
        var root = new HashSet<string>(siblings.Where(s => !s.Contains('/', StringComparison.Ordinal)), StringComparer.Ordinal);
        string where = $"'{repoId}' at revision '{revision}'";
        var weights = new List<string>();
        if (root.Contains(CheckpointWeights.IndexFileName))
        {
            weights.Add(CheckpointWeights.IndexFileName);
        }
        else if (root.Contains(CheckpointWeights.SingleFileName))
        {
            weights.Add(CheckpointWeights.SingleFileName);
        }
        else
        {
            string? pickle = root.FirstOrDefault(n => n.EndsWith(".bin", StringComparison.OrdinalIgnoreCase) || n.EndsWith(".pt", StringComparison.OrdinalIgnoreCase) || n.EndsWith(".pth", StringComparison.OrdinalIgnoreCase));
            string? otherSafetensors = root.FirstOrDefault(n => n.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase));
            if (otherSafetensors is not null)
            {
                throw new HubException(
                    $"Hugging Face repository {where} has '{otherSafetensors}' but neither {CheckpointWeights.SingleFileName} nor {CheckpointWeights.IndexFileName}: " +
                    "Directer loads the transformers layout only (not Mistral's consolidated format, adapters or other layouts).", repoId, otherSafetensors);
            }

            if (pickle is not null)
            {
                throw new HubException(
                    $"Hugging Face repository {where} has only PyTorch pickle weights ('{pickle}'), no safetensors. Directer loads safetensors only (unpickling can run arbitrary code). " +
                    "Look for a revision with safetensors (the hub's conversion bot opens one as a pull request: use its 'refs/pr/N' as the revision), " +
                    "or convert the checkpoint with transformers (save_pretrained(..., safe_serialization=True)) and load the folder by path.", repoId, pickle);
            }

            throw new HubException($"Hugging Face repository {where} has no model weights at its root (expected {CheckpointWeights.SingleFileName} or {CheckpointWeights.IndexFileName}).", repoId);
        }

        if (!root.Contains(Config))
        {
            throw new HubException($"Hugging Face repository {where} has no {Config} at its root: it is not a transformers checkpoint.", repoId, Config);
        }

        var tokenizer = new[] { "tokenizer.json", "tokenizer.model" }.Where(root.Contains).ToList();
        if (tokenizer.Count == 0)
        {
            throw new HubException($"Hugging Face repository {where} has no tokenizer (expected tokenizer.json or a SentencePiece tokenizer.model at its root).", repoId, "tokenizer.json");
        }

        var files = new List<string> { Config };
        files.AddRange(OptionalTextFiles.Where(root.Contains));
        files.AddRange(tokenizer);
        files.AddRange(weights);
        return files;
    }

    /// <summary>The shard files a <c>model.safetensors.index.json</c> names, in order, each once.</summary>
    /// <param name="indexPath">The index file.</param>
    /// <exception cref="HubException">The index is not valid JSON or names no shards.</exception>
    public static IReadOnlyList<string> ShardsOf(string indexPath)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(indexPath));
            if (!document.RootElement.TryGetProperty("weight_map", out var map) || map.ValueKind != JsonValueKind.Object)
            {
                throw new HubException($"Shard index '{indexPath}' has no 'weight_map' object.", fileName: CheckpointWeights.IndexFileName);
            }

            var shards = map.EnumerateObject().Select(p => p.Value.GetString() ?? string.Empty).Distinct(StringComparer.Ordinal).ToList();
            if (shards.Count == 0 || shards.Any(s => s.Length == 0 || s.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(s) || s.Contains('\\')))
            {
                throw new HubException($"Shard index '{indexPath}' has an empty 'weight_map' or a shard name that is not a plain file name.", fileName: CheckpointWeights.IndexFileName);
            }

            return shards;
        }
        catch (JsonException e)
        {
            throw new HubException($"Shard index '{indexPath}' is not valid JSON: {e.Message}", fileName: CheckpointWeights.IndexFileName, innerException: e);
        }
        catch (InvalidOperationException e)
        {
            throw new HubException($"Shard index '{indexPath}' has a 'weight_map' value that is not a file name: {e.Message}", fileName: CheckpointWeights.IndexFileName, innerException: e);
        }
    }

    /// <summary>
    /// The files a checkpoint folder still lacks: <c>config.json</c>, a tokenizer, and the weights (the index and
    /// every shard it names, or <c>model.safetensors</c>). Empty when the folder can be loaded.
    /// </summary>
    /// <param name="folder">The checkpoint (snapshot) folder.</param>
    public static IReadOnlyList<string> Missing(string folder)
    {
        var missing = new List<string>();
        if (!Directory.Exists(folder))
        {
            return [Config, "tokenizer.json (or tokenizer.model)", $"{CheckpointWeights.SingleFileName} (or {CheckpointWeights.IndexFileName} and its shards)"];
        }

        bool Has(string name) => File.Exists(Path.Combine(folder, name));
        if (!Has(Config))
        {
            missing.Add(Config);
        }

        if (!Has("tokenizer.json") && !Has("tokenizer.model"))
        {
            missing.Add("tokenizer.json (or tokenizer.model)");
        }

        if (Has(CheckpointWeights.IndexFileName))
        {
            IReadOnlyList<string> shards;
            try
            {
                shards = ShardsOf(Path.Combine(folder, CheckpointWeights.IndexFileName));
            }
            catch (HubException)
            {
                missing.Add(CheckpointWeights.IndexFileName + " (unreadable)");
                return missing;
            }

            missing.AddRange(shards.Where(s => !Has(s)));
        }
        else if (!Has(CheckpointWeights.SingleFileName))
        {
            missing.Add($"{CheckpointWeights.SingleFileName} (or {CheckpointWeights.IndexFileName} and its shards)");
        }

        return missing;
    }
}
