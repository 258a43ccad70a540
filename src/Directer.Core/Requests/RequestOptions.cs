using Directer.Core.Chat;
using Directer.Core.Emphasis;
using Directer.Core.Steering;

namespace Directer.Core.Requests;

/// <summary>
/// Everything a request asks for besides its messages and tools: limits, sampling, stops, penalties, emphasis,
/// steering, constraints and format. Built once per request by the front end's reader
/// (<see cref="RequestOptionsReader"/> over <see cref="RequestSettings"/>), which checks every value; configuration
/// binds it as connector defaults (property names are the keys, <c>Defaults:Steering:Alpha</c>).
/// </summary>
public sealed record RequestOptions
{
    /// <summary>Most tokens to generate, &gt;= 1 (default 512).</summary>
    public int MaxTokens { get; init; } = 512;

    /// <summary>Sampling temperature, &gt;= 0 (0 = greedy, the default).</summary>
    public float Temperature { get; init; }

    /// <summary>Nucleus sampling mass in (0, 1]; null = off.</summary>
    public float? TopP { get; init; }

    /// <summary>Top-k, &gt;= 1; null = off.</summary>
    public int? TopK { get; init; }

    /// <summary>Sampling seed; null = random.</summary>
    public long? Seed { get; init; }

    /// <summary>Strings that end the reply (not included in it).</summary>
    public IReadOnlyList<string> StopSequences { get; init; } = [];

    /// <summary>Repetition penalty, &gt; 0; null or 1 = off.</summary>
    public float? RepetitionPenalty { get; init; }

    /// <summary>Frequency penalty in [-2, 2]; null or 0 = off.</summary>
    public float? FrequencyPenalty { get; init; }

    /// <summary>Presence penalty in [-2, 2]; null or 0 = off.</summary>
    public float? PresencePenalty { get; init; }

    /// <summary>How to steer towards the emphasised text (default DIRECTER with the paper's settings).</summary>
    public SteeringSettings Steering { get; init; } = new();

    /// <summary>Strings to emphasise wherever they occur.</summary>
    public IReadOnlyList<string> Emphasis { get; init; } = [];

    /// <summary>
    /// Emphasise the system message when the conversation has one. Null (the default): where the model's template
    /// renders it, and when a template leaves it out of a prompt (Mistral 7B v0.3's after a tool result) nothing is
    /// steered for it and <see cref="Chat.ChatResult.SystemMessageNotRendered"/> says so. True (asked for explicitly):
    /// a prompt without it is an <see cref="Emphasis.EmphasisNotFoundException"/> (unless
    /// <see cref="IgnoreEmphasisNotFound"/>). False: not emphasised.
    /// </summary>
    public bool? EmphasizeSystemMessage { get; init; }

    /// <summary>Honour inline [[...]] markers in trusted text (default true).</summary>
    public bool InlineEmphasis { get; init; } = true;

    /// <summary>Also steer inline markers in user and tool messages (default false).</summary>
    public bool UntrustedInlineEmphasis { get; init; }

    /// <summary>Skip emphasis that is not in the prompt instead of failing (default false).</summary>
    public bool IgnoreEmphasisNotFound { get; init; }

    /// <summary>Constrain tool calls to the listed tools' grammar (default false; Hermes, Llama 3 JSON, Mistral and Granite formats).</summary>
    public bool ConstrainToolCalls { get; init; }

    /// <summary>The reply format; null = text.</summary>
    public RequestResponseFormat? ResponseFormat { get; init; }

    /// <summary>The chat template's <c>enable_thinking</c> variable; null = the template's default (Qwen3: thinking on).</summary>
    public bool? EnableThinking { get; init; }

    /// <summary>Every problem with these values, each naming the setting's property path after <paramref name="prefix"/>; empty when valid.</summary>
    public IReadOnlyList<string> GetValidationErrors(string? prefix = null) => RequestSettings.Errors(this, RequestSettingSource.Options, prefix);

    /// <summary>What to emphasise, given whether the conversation has a system message and extra texts (instructions the connector adds).</summary>
    public EmphasisRequest ToEmphasis(bool hasSystemMessage, IEnumerable<string>? extraTexts = null) => new()
    {
        Texts = extraTexts is null ? Emphasis : [.. Emphasis, .. extraTexts],
        SystemMessage = EmphasizeSystemMessage == true && hasSystemMessage,
        SystemMessageIfRendered = EmphasizeSystemMessage is null && hasSystemMessage,
        InlineOpenMarker = InlineEmphasis ? EmphasisRequest.DefaultOpenMarker : null,
        InlineCloseMarker = InlineEmphasis ? EmphasisRequest.DefaultCloseMarker : null,
        UntrustedInlineMarkers = UntrustedInlineEmphasis,
        IgnoreNotFound = IgnoreEmphasisNotFound,
    };

    /// <summary>The engine request for <paramref name="turns"/> and <paramref name="tools"/> with these options.</summary>
    public ChatRequest ToChatRequest(IReadOnlyList<ChatTurn> turns, IReadOnlyList<ToolDefinition>? tools = null, EmphasisRequest? emphasis = null) => new()
    {
        Turns = turns,
        Tools = tools ?? [],
        Emphasis = emphasis ?? ToEmphasis(turns.Any(t => t.Role == ChatRole.System)),
        Steering = Steering,
        MaxNewTokens = MaxTokens,
        Temperature = Temperature,
        TopP = TopP,
        TopK = TopK,
        Seed = Seed,
        StopStrings = StopSequences,
        RepetitionPenalty = RepetitionPenalty,
        FrequencyPenalty = FrequencyPenalty,
        PresencePenalty = PresencePenalty,
        ConstrainToolCalls = ConstrainToolCalls,
        EnableThinking = EnableThinking,
    };
}
