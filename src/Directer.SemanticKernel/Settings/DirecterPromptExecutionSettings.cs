using System.Text.Json;
using System.Text.Json.Serialization;
using Directer.Core.Requests;
using Microsoft.SemanticKernel;

namespace Directer.SemanticKernel;

/// <summary>
/// Execution settings of the Directer connector: sampling plus instruction emphasis and steering, typed. The same
/// snake_case keys also work in a plain <see cref="PromptExecutionSettings.ExtensionData"/> and in other connectors'
/// settings; every form is read by <see cref="ExecutionSettingsReader"/> through one table
/// (<see cref="RequestSettings"/>), which holds the ranges and messages.
/// </summary>
public sealed class DirecterPromptExecutionSettings : PromptExecutionSettings
{
    private IList<string>? emphasis;
    private bool? emphasizeSystemMessage;
    private bool? inlineEmphasis;
    private string? emphasisNotFound;
    private string? steering;
    private bool? gate;
    private double? alpha;
    private double? beta;
    private int? maxTrials;
    private string? strategy;
    private float? temperature;
    private float? topP;
    private int? topK;
    private long? seed;
    private int? maxTokens;
    private IList<string>? stopSequences;
    private object? responseFormat;
    private bool? constrainToolCalls;
    private bool? enableThinking;
    private bool? untrustedInlineEmphasis;
    private float? repetitionPenalty;
    private float? frequencyPenalty;
    private float? presencePenalty;

    /// <summary>Strings to emphasise.</summary>
    [JsonPropertyName(DirecterSettingKeys.Emphasis)]
    public IList<string>? Emphasis { get => emphasis; set => Set(ref emphasis, value); }

    /// <summary>Emphasise the whole system message: true = always (a prompt whose template leaves it out is an error),
    /// false = never, null = the connector's default (where the template renders it; see
    /// <see cref="Directer.Core.Requests.RequestOptions.EmphasizeSystemMessage"/>).</summary>
    [JsonPropertyName(DirecterSettingKeys.EmphasizeSystemMessage)]
    public bool? EmphasizeSystemMessage { get => emphasizeSystemMessage; set => Set(ref emphasizeSystemMessage, value); }

    /// <summary>Honour inline [[...]] markers (default true).</summary>
    [JsonPropertyName(DirecterSettingKeys.InlineEmphasis)]
    public bool? InlineEmphasis { get => inlineEmphasis; set => Set(ref inlineEmphasis, value); }

    /// <summary>Also steer inline [[...]] markers in user and tool messages (default false).</summary>
    [JsonPropertyName(DirecterSettingKeys.UntrustedInlineEmphasis)]
    public bool? UntrustedInlineEmphasis { get => untrustedInlineEmphasis; set => Set(ref untrustedInlineEmphasis, value); }

    /// <summary>"error" (default) or "ignore".</summary>
    [JsonPropertyName(DirecterSettingKeys.EmphasisNotFound)]
    public string? EmphasisNotFound { get => emphasisNotFound; set => Set(ref emphasisNotFound, value); }

    /// <summary>none, directer, static, pasta, spotlight or instaboost.</summary>
    [JsonPropertyName(DirecterSettingKeys.Steering)]
    public string? Steering { get => steering; set => Set(ref steering, value); }

    /// <summary>Wrap a baseline in the plausibility gate.</summary>
    [JsonPropertyName(DirecterSettingKeys.Gate)]
    public bool? Gate { get => gate; set => Set(ref gate, value); }

    /// <summary>Key scale (&gt; 0, default 100).</summary>
    [JsonPropertyName(DirecterSettingKeys.Alpha)]
    public double? Alpha { get => alpha; set => Set(ref alpha, value); }

    /// <summary>Plausibility threshold in (0, 1] (default 0.5).</summary>
    [JsonPropertyName(DirecterSettingKeys.Beta)]
    public double? Beta { get => beta; set => Set(ref beta, value); }

    /// <summary>Most steered passes per token (default 10).</summary>
    [JsonPropertyName(DirecterSettingKeys.MaxTrials)]
    public int? MaxTrials { get => maxTrials; set => Set(ref maxTrials, value); }

    /// <summary>auto, sequential, batched or batched-after-gate.</summary>
    [JsonPropertyName(DirecterSettingKeys.Strategy)]
    public string? Strategy { get => strategy; set => Set(ref strategy, value); }

    /// <summary>Sampling temperature, &gt;= 0 (0 = greedy, the default).</summary>
    [JsonPropertyName(DirecterSettingKeys.Temperature)]
    public float? Temperature { get => temperature; set => Set(ref temperature, value); }

    /// <summary>Nucleus sampling mass in (0, 1].</summary>
    [JsonPropertyName(DirecterSettingKeys.TopP)]
    public float? TopP { get => topP; set => Set(ref topP, value); }

    /// <summary>Top-k sampling, &gt;= 1.</summary>
    [JsonPropertyName(DirecterSettingKeys.TopK)]
    public int? TopK { get => topK; set => Set(ref topK, value); }

    /// <summary>Sampling seed.</summary>
    [JsonPropertyName(DirecterSettingKeys.Seed)]
    public long? Seed { get => seed; set => Set(ref seed, value); }

    /// <summary>Most tokens to generate, &gt;= 1.</summary>
    [JsonPropertyName(DirecterSettingKeys.MaxTokens)]
    public int? MaxTokens { get => maxTokens; set => Set(ref maxTokens, value); }

    /// <summary>Strings that end the reply (not included in it).</summary>
    [JsonPropertyName(DirecterSettingKeys.StopSequences)]
    public IList<string>? StopSequences { get => stopSequences; set => Set(ref stopSequences, value); }

    /// <summary>Repetition penalty, &gt; 0 (null or 1 = off).</summary>
    [JsonPropertyName(DirecterSettingKeys.RepetitionPenalty)]
    public float? RepetitionPenalty { get => repetitionPenalty; set => Set(ref repetitionPenalty, value); }

    /// <summary>Frequency penalty in [-2, 2] (null or 0 = off).</summary>
    [JsonPropertyName(DirecterSettingKeys.FrequencyPenalty)]
    public float? FrequencyPenalty { get => frequencyPenalty; set => Set(ref frequencyPenalty, value); }

    /// <summary>Presence penalty in [-2, 2] (null or 0 = off).</summary>
    [JsonPropertyName(DirecterSettingKeys.PresencePenalty)]
    public float? PresencePenalty { get => presencePenalty; set => Set(ref presencePenalty, value); }

    /// <summary>
    /// <c>"text"</c>, <c>"json_object"</c>, or a JSON schema (a <see cref="JsonElement"/> object). JSON is asked for
    /// in the prompt (an emphasised system instruction), not enforced by constrained decoding: see docs/CONNECTOR.md.
    /// </summary>
    [JsonPropertyName(DirecterSettingKeys.ResponseFormat)]
    public object? ResponseFormat { get => responseFormat; set => Set(ref responseFormat, value); }

    /// <summary>
    /// Constrain tool calls to the grammar of the listed tools (names, argument names, required arguments, simple
    /// JSON types); the argument values are still the model's. Templates with Hermes, Llama 3 JSON, Mistral or Granite calls; ignored when
    /// no tools are listed. Null = the connector's default (<see cref="RequestOptions.ConstrainToolCalls"/>).
    /// </summary>
    [JsonPropertyName(DirecterSettingKeys.ConstrainToolCalls)]
    public bool? ConstrainToolCalls { get => constrainToolCalls; set => Set(ref constrainToolCalls, value); }

    /// <summary>
    /// The chat template's <c>enable_thinking</c>: whether a reasoning model (Qwen3) thinks before it answers. The
    /// reasoning comes back apart from the reply text (a <c>ReasoningContent</c> item), never as text. Null = the
    /// connector's default (<see cref="RequestOptions.EnableThinking"/>), and unset there the template's own default.
    /// </summary>
    [JsonPropertyName(DirecterSettingKeys.EnableThinking)]
    public bool? EnableThinking { get => enableThinking; set => Set(ref enableThinking, value); }

    /// <summary>
    /// Our settings from any settings object: returned as-is when already ours, otherwise by a JSON round trip of its
    /// runtime type (so ExtensionData keys and another connector's typed properties count) that keeps the function
    /// choice, service and model id. Values may be typed, strings (as prompt YAML gives them) or JSON elements.
    /// </summary>
    /// <exception cref="ArgumentException">A value is invalid; the message names the snake_case key and what is expected.</exception>
    public static DirecterPromptExecutionSettings FromExecutionSettings(PromptExecutionSettings? settings)
    {
        switch (settings)
        {
            case DirecterPromptExecutionSettings ours:
                ours.Validate();
                return ours;
            case null:
                return new DirecterPromptExecutionSettings();
        }

        // The table's checks first, so that a bad value is named as every front end names it.
        _ = ExecutionSettingsReader.Read(settings, new RequestOptions());
        var result = Copy(JsonSerializer.Serialize(settings, settings.GetType(), ExecutionSettingsReader.Json));
        result.FunctionChoiceBehavior = settings.FunctionChoiceBehavior;
        return result;
    }

    /// <summary>Checks every value; throws <see cref="ArgumentException"/> naming the snake_case key and the expected range.</summary>
    public void Validate() => _ = ToRequestOptions(new RequestOptions());

    /// <summary>These settings over <paramref name="defaults"/>, validated.</summary>
    /// <exception cref="ArgumentException">A value is invalid; the message names the snake_case key.</exception>
    public RequestOptions ToRequestOptions(RequestOptions defaults) => ExecutionSettingsReader.Read(this, defaults);

    /// <inheritdoc />
    public override PromptExecutionSettings Clone()
    {
        var clone = Copy(JsonSerializer.Serialize(this, ExecutionSettingsReader.Json));
        clone.FunctionChoiceBehavior = FunctionChoiceBehavior;
        return clone;
    }

    private static DirecterPromptExecutionSettings Copy(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<DirecterPromptExecutionSettings>(json, LenientJson)!;
        }
        catch (JsonException e)
        {
            // A net, not a path: the table runs first and accepts only what the typed properties hold. It was reached
            // twice by gaps since closed (12.0 for an integer, 1e39 for a float): a gap is then still named by key.
            string key = e.Path is { Length: > 2 } path ? path[2..].Split('.', '[')[0] : "?";
            throw new ArgumentException($"Setting '{key}' has a value of the wrong type: {e.Message}", e);
        }
    }

    private static readonly JsonSerializerOptions LenientJson = new()
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString | JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new LenientBooleanConverter(), new StringListConverter(), new IntegralNumberConverter<int>(), new IntegralNumberConverter<long>() },
    };

    private void Set<T>(ref T field, T value)
    {
        ThrowIfFrozen();
        field = value;
    }
}
