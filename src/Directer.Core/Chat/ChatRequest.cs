using Directer.Core.Steering;
using Directer.Core.Emphasis;
using Directer.Core.Templates;

namespace Directer.Core.Chat;

/// <summary>One chat completion request to a <see cref="ChatModel"/>.</summary>
public sealed record ChatRequest
{
    /// <summary>The conversation so far.</summary>
    public required IReadOnlyList<ChatTurn> Turns { get; init; }

    /// <summary>Tools the model may call (rendered in the model family's format).</summary>
    public IReadOnlyList<ToolDefinition> Tools { get; init; } = [];

    /// <summary>What to emphasise; null = nothing.</summary>
    public EmphasisRequest? Emphasis { get; init; }

    /// <summary>How to steer towards the emphasised text; null or <see cref="SteeringMethod.None"/> = no steering.</summary>
    public SteeringSettings? Steering { get; init; }

    /// <summary>Most tokens to generate (default 512).</summary>
    public int MaxNewTokens { get; init; } = 512;

    /// <summary>0 = greedy (default).</summary>
    public float Temperature { get; init; }

    /// <summary>Nucleus sampling mass.</summary>
    public float? TopP { get; init; }

    /// <summary>Top-k sampling.</summary>
    public int? TopK { get; init; }

    /// <summary>
    /// Repetition penalty over prompt and reply (transformers' <c>repetition_penalty</c>): &gt; 0; null or 1 = off.
    /// See <see cref="Generation.GenerationOptions.RepetitionPenalty"/>.
    /// </summary>
    public float? RepetitionPenalty { get; init; }

    /// <summary>
    /// Frequency penalty over the reply's tokens (OpenAI's <c>frequency_penalty</c>): in [−2, 2]; null or 0 = off.
    /// See <see cref="Generation.GenerationOptions.FrequencyPenalty"/>.
    /// </summary>
    public float? FrequencyPenalty { get; init; }

    /// <summary>
    /// Presence penalty over the reply's tokens (OpenAI's <c>presence_penalty</c>): in [−2, 2]; null or 0 = off.
    /// See <see cref="Generation.GenerationOptions.PresencePenalty"/>.
    /// </summary>
    public float? PresencePenalty { get; init; }

    /// <summary>Sampling seed.</summary>
    public long? Seed { get; init; }

    /// <summary>Strings that end the reply (matched on text, cut from it).</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    /// <summary>
    /// Constrain the model's tool calls to the grammar of <see cref="Tools"/> (default false): inside a call, in the
    /// template's format, only tokens that keep the JSON a valid call of a listed tool, with that tool's argument names,
    /// required arguments and simple types, can be chosen. Text outside tool calls is untouched. Needs a template with
    /// Hermes, Llama 3 JSON, Mistral or Granite tool calls; ignored when <see cref="Tools"/> is empty.
    /// </summary>
    public bool ConstrainToolCalls { get; init; }

    /// <summary>Whether this request's tool calls will be constrained: <see cref="ConstrainToolCalls"/> with at least one tool.</summary>
    public bool ToolCallsConstrained => ConstrainToolCalls && Tools.Count > 0;

    /// <summary>
    /// With <see cref="ConstrainToolCalls"/>: the reply must begin with a tool call — of <see cref="RequiredToolName"/>
    /// when set, else of any listed tool (what Semantic Kernel's <c>FunctionChoiceBehavior.Required</c> and
    /// Microsoft.Extensions.AI's <c>ChatToolMode.RequireAny</c>/<c>RequireSpecific</c> ask for). Ignored without the constraint.
    /// </summary>
    public bool RequireToolCall { get; init; }

    /// <summary>
    /// The chat template's <c>enable_thinking</c> variable for this request; null = the model's template options
    /// (<see cref="Templates.ChatTemplateOptions.EnableThinking"/>), or the template's own default when those leave it unset.
    /// </summary>
    public bool? EnableThinking { get; init; }

    /// <summary>With <see cref="RequireToolCall"/>: the tool the first call must name (one of <see cref="Tools"/>); null = any.</summary>
    public string? RequiredToolName { get; init; }
}
