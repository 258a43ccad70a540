using Directer.Testing;

namespace Directer.Core.Tests.Hub;

/// <summary>Tiny generated checkpoints to serve from <see cref="FakeHubServer"/>, written once per test run.</summary>
internal static class HubTestCheckpoint
{
    private static readonly Lazy<string> Single = new(() => Write(TinyCheckpoints.Qwen2BiasTiedBf16 with { Name = "hub-chat", VocabSize = 288, DType = "F32", EosTokenIds = [270], MaxPositionEmbeddings = 512 }));

    private static readonly Lazy<string> Sharded = new(() => Write(TinyCheckpoints.LlamaSharded with { Name = "hub-sharded", VocabSize = 288 }));

    /// <summary>A Qwen2 checkpoint with the test tokenizer: config.json, generation_config.json, model.safetensors, tokenizer files.</summary>
    public static string Folder => Single.Value;

    /// <summary>A Llama checkpoint in shards with an index, plus the test tokenizer.</summary>
    public static string ShardedFolder => Sharded.Value;

    private static string Write(Directer.Testing.TinyCheckpointSpec spec)
    {
        string folder = Path.Combine(Path.GetTempPath(), $"directer-hub-{spec.Name}-{Environment.ProcessId}");
        TinyCheckpoints.Write(spec, folder);
        TinyTokenizer.Write(folder);
        return folder;
    }
}
