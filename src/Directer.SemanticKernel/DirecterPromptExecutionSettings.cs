using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.AI;
using Microsoft.SemanticKernel;

namespace Directer.SemanticKernel;

/// <summary>
/// Execution settings of the Directer connector: sampling plus instruction emphasis and steering.
/// The same snake_case keys also work in a plain <see cref="PromptExecutionSettings.ExtensionData"/>.
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

    /// <summary>Strings to emphasise.</summary>
    [JsonPropertyName(DirecterSettingKeys.Emphasis)]
    public IList<string>? Emphasis { get => emphasis; set => Set(ref emphasis, value); }

    /// <summary>Emphasise the whole system message.</summary>
    [JsonPropertyName(DirecterSettingKeys.EmphasizeSystemMessage)]
    public bool? EmphasizeSystemMessage { get => emphasizeSystemMessage; set => Set(ref emphasizeSystemMessage, value); }

    /// <summary>Honour inline [[...]] markers (default true).</summary>
    [JsonPropertyName(DirecterSettingKeys.InlineEmphasis)]
    public bool? InlineEmphasis { get => inlineEmphasis; set => Set(ref inlineEmphasis, value); }

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

    /// <summary>
    /// <c>"text"</c>, <c>"json_object"</c>, or a JSON schema (a <see cref="JsonElement"/> object). JSON is asked for
    /// in the prompt (an emphasised system instruction), not enforced by constrained decoding: see docs/CONNECTOR.md.
    /// </summary>
    [JsonPropertyName(DirecterSettingKeys.ResponseFormat)]
    public object? ResponseFormat { get => responseFormat; set => Set(ref responseFormat, value); }

    /// <summary>
    /// Constrain tool calls to the grammar of the listed tools (names, argument names, required arguments, simple
    /// JSON types); the argument values are still the model's. Hermes-style templates only (qwen2.5); ignored when
    /// no tools are listed. Null = the connector's <see cref="DirecterRequestDefaults.ConstrainToolCalls"/>.
    /// </summary>
    [JsonPropertyName(DirecterSettingKeys.ConstrainToolCalls)]
    public bool? ConstrainToolCalls { get => constrainToolCalls; set => Set(ref constrainToolCalls, value); }

    /// <summary>
    /// Our settings from any settings object: returned as-is when already ours, otherwise read by a
    /// JSON round trip (so ExtensionData keys count) that keeps the FunctionChoiceBehavior. Values may be
    /// typed, strings (as prompt YAML gives them) or JSON elements.
    /// </summary>
    /// <exception cref="ArgumentException">A value is invalid; the message names the snake_case key and what is expected.</exception>
    public static DirecterPromptExecutionSettings FromExecutionSettings(PromptExecutionSettings? settings)
    {
        if (settings is DirecterPromptExecutionSettings ours)
        {
            ours.Validate();
            return ours;
        }

        if (settings is null)
        {
            return new DirecterPromptExecutionSettings();
        }

        // Check every key with the readers that name it, before the typed read below.
        var element = JsonSerializer.SerializeToElement(settings);
        var bag = element.ValueKind == JsonValueKind.Object
            ? element.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal)
            : [];
        DirecterChatOptions.Read(bag, new DirecterRequestDefaults());

        DirecterPromptExecutionSettings result;
        try
        {
            result = element.Deserialize<DirecterPromptExecutionSettings>(LenientJson)!;
        }
        catch (JsonException e)
        {
            string key = e.Path is { Length: > 2 } path ? path[2..].Split('.', '[')[0] : "?";
            throw new ArgumentException($"Setting '{key}' has a value of the wrong type: {e.Message}", nameof(settings), e);
        }

        result.FunctionChoiceBehavior = settings.FunctionChoiceBehavior;
        result.ServiceId = settings.ServiceId;
        result.ModelId = settings.ModelId;
        result.Validate();
        return result;
    }

    /// <summary>Checks every value; throws <see cref="ArgumentException"/> naming the snake_case key and the expected range.</summary>
    public void Validate()
    {
        var bag = new Dictionary<string, object?>(ToAdditionalProperties(), StringComparer.Ordinal)
        {
            [DirecterSettingKeys.Temperature] = Temperature,
            [DirecterSettingKeys.TopP] = TopP,
            [DirecterSettingKeys.TopK] = TopK,
            [DirecterSettingKeys.Seed] = Seed,
            [DirecterSettingKeys.MaxTokens] = MaxTokens,
            [DirecterSettingKeys.StopSequences] = StopSequences?.ToArray(),
            [DirecterSettingKeys.ResponseFormat] = ResponseFormat,
        };
        DirecterChatOptions.Read(bag, new DirecterRequestDefaults());
    }

    /// <inheritdoc />
    public override PromptExecutionSettings Clone() => new DirecterPromptExecutionSettings
    {
        ServiceId = ServiceId,
        ModelId = ModelId,
        FunctionChoiceBehavior = FunctionChoiceBehavior,
        ExtensionData = ExtensionData is null ? null : new Dictionary<string, object>(ExtensionData),
        Emphasis = Emphasis?.ToList(),
        EmphasizeSystemMessage = EmphasizeSystemMessage,
        InlineEmphasis = InlineEmphasis,
        EmphasisNotFound = EmphasisNotFound,
        Steering = Steering,
        Gate = Gate,
        Alpha = Alpha,
        Beta = Beta,
        MaxTrials = MaxTrials,
        Strategy = Strategy,
        Temperature = Temperature,
        TopP = TopP,
        TopK = TopK,
        Seed = Seed,
        MaxTokens = MaxTokens,
        StopSequences = StopSequences?.ToList(),
        ResponseFormat = ResponseFormat,
        ConstrainToolCalls = ConstrainToolCalls,
    };

    /// <inheritdoc />
    protected override void PrepareChatOptionsForRequest(ChatOptions options)
    {
        options.Temperature ??= Temperature;
        options.TopP ??= TopP;
        options.TopK ??= TopK;
        options.Seed ??= Seed;
        options.MaxOutputTokens ??= MaxTokens;
        if (StopSequences is { Count: > 0 })
        {
            options.StopSequences ??= StopSequences.ToList();
        }

        if (ResponseFormat is not null)
        {
            // Semantic Kernel reads a string or schema under this key itself; ours also takes "json" and typed formats.
            options.ResponseFormat = DirecterChatOptions.ParseResponseFormat(ResponseFormat);
        }

        options.AdditionalProperties ??= new AdditionalPropertiesDictionary();
        foreach (var (key, value) in ToAdditionalProperties())
        {
            options.AdditionalProperties[key] = value;
        }
    }

    /// <summary>The Directer-specific settings that are set, as ChatOptions additional properties.</summary>
    public AdditionalPropertiesDictionary ToAdditionalProperties()
    {
        var properties = new AdditionalPropertiesDictionary();
        void Add(string key, object? value)
        {
            if (value is not null)
            {
                properties[key] = value;
            }
        }

        if (ExtensionData is not null)
        {
            foreach (var (key, value) in ExtensionData)
            {
                properties[key] = value;
            }
        }

        Add(DirecterSettingKeys.Emphasis, Emphasis?.ToArray());
        Add(DirecterSettingKeys.EmphasizeSystemMessage, EmphasizeSystemMessage);
        Add(DirecterSettingKeys.InlineEmphasis, InlineEmphasis);
        Add(DirecterSettingKeys.EmphasisNotFound, EmphasisNotFound);
        Add(DirecterSettingKeys.Steering, Steering);
        Add(DirecterSettingKeys.Gate, Gate);
        Add(DirecterSettingKeys.Alpha, Alpha);
        Add(DirecterSettingKeys.Beta, Beta);
        Add(DirecterSettingKeys.MaxTrials, MaxTrials);
        Add(DirecterSettingKeys.Strategy, Strategy);
        Add(DirecterSettingKeys.ConstrainToolCalls, ConstrainToolCalls);
        return properties;
    }

    private static readonly JsonSerializerOptions LenientJson = new()
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        Converters = { new LenientBooleanConverter(), new StringListConverter() },
    };

    private void Set<T>(ref T field, T value)
    {
        ThrowIfFrozen();
        field = value;
    }
}
