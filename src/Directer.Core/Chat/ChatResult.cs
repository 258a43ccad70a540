using Directer.Core.Generation;
using Directer.Core.Steering;
using Directer.Core.Templates;

namespace Directer.Core.Chat;

/// <summary>The model's reply to a <see cref="ChatRequest"/>.</summary>
public sealed record ChatResult
{
    /// <summary>Reply text with tool-call blocks (and the reasoning block, see <see cref="Reasoning"/>) removed.</summary>
    public required string Text { get; init; }

    /// <summary>
    /// The model's reasoning: the text of its <c>&lt;think&gt;…&lt;/think&gt;</c> block (newlines around it trimmed, as
    /// the templates trim it), kept out of <see cref="Text"/> and never searched for tool calls; null when the reply had
    /// none or the template does not use reasoning blocks. To keep it in the history, put it in the assistant turn's
    /// <see cref="ChatTurn.Reasoning"/>.
    /// </summary>
    public string? Reasoning { get; init; }

    /// <summary>
    /// The full generated text (reasoning and tool-call blocks included), with a format's special call marker kept
    /// (Mistral's <c>[TOOL_CALLS]</c>), which the streamed text leaves out.
    /// </summary>
    public required string RawText { get; init; }

    /// <summary>
    /// The generated text after the reasoning block, tool-call blocks included and untrimmed: the streamed text less
    /// <see cref="Reasoning"/> (special call markers left out, as streaming sends it).
    /// </summary>
    public string AnswerText { get => answerText ?? RawText; init => answerText = value; }

    private readonly string? answerText;

    /// <summary>Tool calls the model made (none when any tool-call output was malformed).</summary>
    public required IReadOnlyList<ToolCall> ToolCalls { get; init; }

    /// <summary>Text that looked like a tool call but could not be parsed; then <see cref="Text"/> is the whole reply.</summary>
    public required IReadOnlyList<MalformedToolCall> MalformedToolCalls { get; init; }

    /// <summary>Why generation ended.</summary>
    public required StopReason StopReason { get; init; }

    /// <summary>Prompt tokens.</summary>
    public required int PromptTokens { get; init; }

    /// <summary>Prompt tokens served from a kept KV cache (a shared prefix with an earlier request) rather than prefilled.</summary>
    public int CachedPromptTokens { get; init; }

    /// <summary>The most requests this one was decoded together with, itself included (1 = alone).</summary>
    public int PeakConcurrentRequests { get; init; } = 1;

    /// <summary>The most requests whose steered rows ran in one pass with this one's, itself included (0 = never shared).</summary>
    public int PeakSteeredBatchRequests { get; init; }

    /// <summary>Generated tokens.</summary>
    public required int CompletionTokens { get; init; }

    /// <summary>The emphasised token spans of the prompt.</summary>
    public required IReadOnlyList<TokenSpan> EmphasisSpans { get; init; }

    /// <summary>
    /// The request emphasised the system message by default (<see cref="Emphasis.EmphasisRequest.SystemMessageIfRendered"/>)
    /// but the model's own template did not render it into this prompt (Mistral 7B v0.3's template shows it only before
    /// the last user message, so not after a tool result): nothing of it was steered for this reply.
    /// </summary>
    public bool SystemMessageNotRendered { get; init; }

    /// <summary>Steering statistics; null without steering.</summary>
    public SteeringSummary? Steering { get; init; }

    /// <summary>Per-step steering trace; empty without steering.</summary>
    public IReadOnlyList<SteeringStep> SteeringTrace { get; init; } = [];

    /// <summary>Generation timings.</summary>
    public required GenerationResult Generation { get; init; }
}
