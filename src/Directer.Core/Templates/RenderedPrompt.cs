namespace Directer.Core.Templates;

/// <summary>The prompt text a chat template produced, and where the emphasised text ended up in it.</summary>
/// <param name="Text">The rendered prompt, exactly as Hugging Face's <c>apply_chat_template(..., tokenize=False)</c>
/// renders it. It already contains the BOS token string where the model's template renders one (Llama 2/3,
/// Mistral): tokenize it without adding special tokens, or the model sees a second BOS.</param>
/// <param name="EmphasisRanges">Sorted, merged, non-empty character ranges of <see cref="Text"/> to emphasise
/// (empty when no emphasis was requested).</param>
public sealed record RenderedPrompt(string Text, IReadOnlyList<CharRange> EmphasisRanges)
{
    /// <summary>The runs of <see cref="Text"/> that are verbatim message content (everything else is template
    /// markup), in output order.</summary>
    internal IReadOnlyList<ContentSegment> ContentSegments { get; init; } = [];
    /// <summary>Sorted, merged ranges of <see cref="Text"/> that are conversation data (message contents, tool names,
    /// schemas, arguments and call ids) rather than the template's markup. Tokenize the prompt with
    /// <see cref="Tokenization.TextTokenizer.EncodeWithOffsets(string, IReadOnlyList{CharRange})"/> and these ranges so
    /// that control-token strings in them stay text (<see cref="Chat.ChatModel.BuildPrompt"/> does).</summary>
    public IReadOnlyList<CharRange> LiteralRanges { get; init; } = [];

    /// <summary>The request asked for the system message's emphasis where the template renders it
    /// (<see cref="Emphasis.EmphasisRequest.SystemMessageIfRendered"/>), the conversation has a system turn, and the
    /// template rendered none of it into this prompt: nothing of it is emphasised.</summary>
    public bool SystemMessageNotRendered { get; init; }
}
