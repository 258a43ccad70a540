namespace Directer.Training.Tokenization;

/// <summary>The added tokens of the demo vocabulary, in id order after the BPE tokens (as in Qwen2.5).</summary>
internal static class SpecialTokens
{
    public const string EndOfText = "<|endoftext|>";
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";
    public const string ToolCallOpen = "<tool_call>";
    public const string ToolCallClose = "</tool_call>";

    /// <summary>(content, special): tool-call tags are added tokens but not "special", as in Qwen2.5, so decoding keeps them.</summary>
    public static readonly (string Content, bool Special)[] All =
    [
        (EndOfText, true),
        (ImStart, true),
        (ImEnd, true),
        (ToolCallOpen, false),
        (ToolCallClose, false),
    ];
}
