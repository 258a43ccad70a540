using Directer.Testing;

namespace Directer.Extensions.AI.Tests;

/// <summary>A tiny random Qwen2 checkpoint with the test tokenizer, written once per test run.</summary>
internal static class ChatCheckpoint
{
    private static readonly Lazy<string> Folder = new(() =>
    {
        string folder = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "directer-sk-tests-" + Environment.ProcessId);
        TinyCheckpoints.Write(TinyCheckpoints.Qwen2BiasTiedBf16 with { Name = "chat", VocabSize = 288, DType = "F32", MaxPositionEmbeddings = 512 }, folder);
        TinyTokenizer.Write(folder);
        return folder;
    });

    public static string Path => Folder.Value;
}
