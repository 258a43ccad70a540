namespace Directer.Training.Modeling;

/// <summary>Named model shapes (the vocabulary size is filled in from the trained tokenizer).</summary>
internal static class ModelSizes
{
    /// <summary>The shipped demo model: 4 layers, width 256, 8 query heads of 32 over 2 key/value heads.</summary>
    public static Qwen2Shape Demo(int vocab) => new(vocab, HiddenSize: 256, IntermediateSize: 704, NumLayers: 4, NumHeads: 8, NumKvHeads: 2, MaxPositions: 1024);

    /// <summary>A very small shape for tests and smoke runs.</summary>
    public static Qwen2Shape Tiny(int vocab) => new(vocab, HiddenSize: 64, IntermediateSize: 128, NumLayers: 2, NumHeads: 4, NumKvHeads: 2, MaxPositions: 1024);

    public static Qwen2Shape ByName(string name, int vocab) => name switch
    {
        "demo" => Demo(vocab),
        "tiny" => Tiny(vocab),
        _ => throw new ArgumentException($"Unknown model size '{name}' (use demo or tiny)."),
    };
}
