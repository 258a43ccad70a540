using Directer.Core.Steering;

namespace Directer.Core.Requests;

/// <summary>
/// The one table of request settings: each setting's snake_case key, CLI flag, configuration path, type, range and
/// message words. Every front end (SK execution settings, <c>ChatOptions</c>, CLI flags, configuration defaults) reads
/// through it, and the engine checks values it is handed directly (<see cref="SteeringSettings"/>,
/// <c>GenerationOptions</c>) against the same rows.
/// </summary>
public static class RequestSettings
{
    private static Dictionary<string, SteeringMethod> Methods { get; } = new(StringComparer.Ordinal)
    {
        ["none"] = SteeringMethod.None, ["directer"] = SteeringMethod.Directer, ["static"] = SteeringMethod.Static,
        ["pasta"] = SteeringMethod.Pasta, ["spotlight"] = SteeringMethod.SpotLight, ["instaboost"] = SteeringMethod.InstABoost,
    };

    private static Dictionary<string, SteeringStrategy> Strategies { get; } = new(StringComparer.Ordinal)
    {
        ["auto"] = SteeringStrategy.Auto, ["sequential"] = SteeringStrategy.Sequential,
        ["batched"] = SteeringStrategy.Batched, ["batched-after-gate"] = SteeringStrategy.BatchedAfterGate,
    };

    /// <summary>Most tokens to generate.</summary>
    public static RequestSetting MaxTokens { get; } = new(DirecterSettingKeys.MaxTokens, nameof(RequestOptions.MaxTokens), RequestSettingKind.Integer, "an integer >= 1",
        (o, v) => o with { MaxTokens = (int)v }, o => o.MaxTokens)
    {
        Minimum = 1, Maximum = int.MaxValue, CliFlag = "--max-new-tokens", Aliases = ["max_output_tokens", "num_predict"],
        Description = "Most tokens to generate.",
    };

    /// <summary>Sampling temperature.</summary>
    public static RequestSetting Temperature { get; } = new(DirecterSettingKeys.Temperature, nameof(RequestOptions.Temperature), RequestSettingKind.Number, "a finite number >= 0 (0 = greedy)",
        (o, v) => o with { Temperature = (float)(double)v }, o => o.Temperature)
    {
        SinglePrecision = true,
        Minimum = 0, CliFlag = "--temperature", Description = "Sampling temperature; 0 = greedy.",
    };

    /// <summary>Nucleus sampling mass.</summary>
    public static RequestSetting TopP { get; } = new(DirecterSettingKeys.TopP, nameof(RequestOptions.TopP), RequestSettingKind.Number, "in (0, 1]",
        (o, v) => o with { TopP = (float)(double)v }, o => o.TopP)
    {
        SinglePrecision = true,
        Minimum = 0, MinimumExclusive = true, Maximum = 1, CliFlag = "--top-p", Description = "Nucleus sampling mass; unset = off.",
    };

    /// <summary>Top-k sampling.</summary>
    public static RequestSetting TopK { get; } = new(DirecterSettingKeys.TopK, nameof(RequestOptions.TopK), RequestSettingKind.Integer, "an integer >= 1",
        (o, v) => o with { TopK = (int)v }, o => o.TopK)
    {
        Minimum = 1, Maximum = int.MaxValue, CliFlag = "--top-k", Description = "Sample among the k most probable tokens; unset = off.",
    };

    /// <summary>Sampling seed.</summary>
    public static RequestSetting Seed { get; } = new(DirecterSettingKeys.Seed, nameof(RequestOptions.Seed), RequestSettingKind.Integer, "an integer",
        (o, v) => o with { Seed = (long)v }, null)
    {
        CliFlag = "--seed", Description = "Sampler seed; unset = random.",
    };

    /// <summary>Strings that end the reply.</summary>
    public static RequestSetting StopSequences { get; } = new(DirecterSettingKeys.StopSequences, nameof(RequestOptions.StopSequences), RequestSettingKind.TextList, "a string or a list of strings",
        (o, v) => o with { StopSequences = (IReadOnlyList<string>)v }, o => o.StopSequences)
    {
        Aliases = ["stop"], CliFlag = "--stop", Description = "Strings that end the reply (not included in it).",
    };

    /// <summary>Repetition penalty (transformers' <c>repetition_penalty</c>).</summary>
    public static RequestSetting RepetitionPenalty { get; } = new(DirecterSettingKeys.RepetitionPenalty, nameof(RequestOptions.RepetitionPenalty), RequestSettingKind.Number, "a finite number > 0 (1 = off)",
        (o, v) => o with { RepetitionPenalty = (float)(double)v }, o => o.RepetitionPenalty)
    {
        SinglePrecision = true,
        Minimum = 0, MinimumExclusive = true, Aliases = ["repeat_penalty"], CliFlag = "--repetition-penalty",
        Description = "Divides positive (multiplies negative) logits of tokens already in prompt or reply; unset or 1 = off.",
    };

    /// <summary>Frequency penalty (OpenAI's <c>frequency_penalty</c>).</summary>
    public static RequestSetting FrequencyPenalty { get; } = new(DirecterSettingKeys.FrequencyPenalty, nameof(RequestOptions.FrequencyPenalty), RequestSettingKind.Number, "in [-2, 2] (0 = off)",
        (o, v) => o with { FrequencyPenalty = (float)(double)v }, o => o.FrequencyPenalty)
    {
        SinglePrecision = true,
        Minimum = -2, Maximum = 2, CliFlag = "--frequency-penalty", Description = "Lowers a token's logit by this times its count in the reply; unset or 0 = off.",
    };

    /// <summary>Presence penalty (OpenAI's <c>presence_penalty</c>).</summary>
    public static RequestSetting PresencePenalty { get; } = new(DirecterSettingKeys.PresencePenalty, nameof(RequestOptions.PresencePenalty), RequestSettingKind.Number, "in [-2, 2] (0 = off)",
        (o, v) => o with { PresencePenalty = (float)(double)v }, o => o.PresencePenalty)
    {
        SinglePrecision = true,
        Minimum = -2, Maximum = 2, CliFlag = "--presence-penalty", Description = "Lowers the logit of every token already in the reply by this; unset or 0 = off.",
    };

    /// <summary>Strings to emphasise.</summary>
    public static RequestSetting Emphasis { get; } = new(DirecterSettingKeys.Emphasis, nameof(RequestOptions.Emphasis), RequestSettingKind.TextList, "a string or a list of strings",
        (o, v) => o with { Emphasis = (IReadOnlyList<string>)v }, o => o.Emphasis)
    {
        CliFlag = "--emphasis", Description = "Strings to emphasise, wherever they occur in the messages.",
    };

    /// <summary>Emphasise the system message.</summary>
    public static RequestSetting EmphasizeSystemMessage { get; } = new(DirecterSettingKeys.EmphasizeSystemMessage, nameof(RequestOptions.EmphasizeSystemMessage), RequestSettingKind.Boolean, "true or false",
        (o, v) => o with { EmphasizeSystemMessage = (bool)v }, null)
    {
        CliFlag = "--emphasize-system", Description = "Emphasise the whole system message.",
    };

    /// <summary>Honour inline [[...]] markers.</summary>
    public static RequestSetting InlineEmphasis { get; } = new(DirecterSettingKeys.InlineEmphasis, nameof(RequestOptions.InlineEmphasis), RequestSettingKind.Boolean, "true or false",
        (o, v) => o with { InlineEmphasis = (bool)v }, null)
    {
        Description = "Honour inline [[...]] emphasis markers in trusted text.",
    };

    /// <summary>Steer inline markers in user and tool messages too.</summary>
    public static RequestSetting UntrustedInlineEmphasis { get; } = new(DirecterSettingKeys.UntrustedInlineEmphasis, nameof(RequestOptions.UntrustedInlineEmphasis), RequestSettingKind.Boolean, "true or false",
        (o, v) => o with { UntrustedInlineEmphasis = (bool)v }, null)
    {
        CliFlag = "--untrusted-inline-emphasis",
        Description = "Also steer inline [[...]] markers in user messages, such as --prompt (off: they stay text and only trusted text is emphasised).",
    };

    /// <summary>What to do when emphasised text is not in the prompt.</summary>
    public static RequestSetting EmphasisNotFound { get; } = new(DirecterSettingKeys.EmphasisNotFound, nameof(RequestOptions.IgnoreEmphasisNotFound), RequestSettingKind.Choice, "error or ignore",
        (o, v) => o with { IgnoreEmphasisNotFound = (string)v == "ignore" }, null)
    {
        Choices = ["error", "ignore"], Description = "error (default) or ignore when emphasised text is not in the prompt.",
    };

    /// <summary>The steering method.</summary>
    public static RequestSetting Steering { get; } = new(DirecterSettingKeys.Steering, "Steering:Method", RequestSettingKind.Choice, "one of none, directer, static, pasta, spotlight, instaboost",
        (o, v) => o with { Steering = o.Steering with { Method = Methods[(string)v] } }, o => o.Steering.Method)
    {
        CliFlag = "--steering", Choices = ["none", "directer", "static", "pasta", "spotlight", "instaboost"],
        ChoiceAliases = new Dictionary<string, string>(StringComparer.Ordinal) { ["zero-shot"] = "none", ["off"] = "none" },
        Description = "The steering method.",
    };

    /// <summary>Wrap a baseline in the plausibility gate.</summary>
    public static RequestSetting Gate { get; } = new(DirecterSettingKeys.Gate, "Steering:Gate", RequestSettingKind.Boolean, "true or false",
        (o, v) => o with { Steering = o.Steering with { Gate = (bool)v } }, null)
    {
        CliFlag = "--gate", Description = "Wrap a baseline in DIRECTER's plausibility gate.",
    };

    /// <summary>DIRECTER's and static steering's key scale.</summary>
    public static RequestSetting Alpha { get; } = new(DirecterSettingKeys.Alpha, "Steering:Alpha", RequestSettingKind.Number, "a finite number > 0",
        (o, v) => o with { Steering = o.Steering with { Alpha = (double)v } }, o => o.Steering.Alpha)
    {
        Minimum = 0, MinimumExclusive = true, CliFlag = "--alpha", Description = "Key scale of emphasised positions (1 = no steering; the paper uses 100).",
    };

    /// <summary>The plausibility threshold.</summary>
    public static RequestSetting Beta { get; } = new(DirecterSettingKeys.Beta, "Steering:Beta", RequestSettingKind.Number, "in (0, 1]",
        (o, v) => o with { Steering = o.Steering with { Beta = (double)v } }, o => o.Steering.Beta)
    {
        Minimum = 0, MinimumExclusive = true, Maximum = 1, CliFlag = "--beta", Description = "Plausibility threshold (the paper uses 0.5).",
    };

    /// <summary>DIRECTER's most steered passes per token.</summary>
    public static RequestSetting MaxTrials { get; } = new(DirecterSettingKeys.MaxTrials, "Steering:MaxTrials", RequestSettingKind.Integer, "an integer >= 1",
        (o, v) => o with { Steering = o.Steering with { MaxTrials = (int)v } }, o => o.Steering.MaxTrials)
    {
        Minimum = 1, Maximum = int.MaxValue, CliFlag = "--max-trials", Description = "DIRECTER's most steered passes per token (the paper uses 10).",
    };

    /// <summary>How DIRECTER runs its candidate passes.</summary>
    public static RequestSetting Strategy { get; } = new(DirecterSettingKeys.Strategy, "Steering:Strategy", RequestSettingKind.Choice, "one of auto, sequential, batched, batched-after-gate",
        (o, v) => o with { Steering = o.Steering with { Strategy = Strategies[(string)v] } }, o => o.Steering.Strategy)
    {
        CliFlag = "--strategy", Choices = ["auto", "sequential", "batched", "batched-after-gate"],
        ChoiceAliases = new Dictionary<string, string>(StringComparer.Ordinal) { ["batchedaftergate"] = "batched-after-gate" },
        Description = "How DIRECTER runs its candidate passes (same tokens either way).",
    };

    /// <summary>Constrain tool calls to the listed tools' grammar.</summary>
    public static RequestSetting ConstrainToolCalls { get; } = new(DirecterSettingKeys.ConstrainToolCalls, nameof(RequestOptions.ConstrainToolCalls), RequestSettingKind.Boolean, "true or false",
        (o, v) => o with { ConstrainToolCalls = (bool)v }, null)
    {
        Description = "Constrain tool calls to the listed tools' grammar (Hermes, Llama 3 JSON, Mistral and Granite formats).",
    };

    /// <summary>The reply format.</summary>
    public static RequestSetting ResponseFormat { get; } = new(DirecterSettingKeys.ResponseFormat, nameof(RequestOptions.ResponseFormat), RequestSettingKind.ResponseFormat, "\"text\", \"json_object\" or a JSON schema object",
        (o, v) => o with { ResponseFormat = (RequestResponseFormat)v }, null)
    {
        Description = "text, json_object or a JSON schema (asked for in the prompt, checked, not enforced).",
    };

    /// <summary>Whether a reasoning model thinks before it answers (the template's <c>enable_thinking</c>).</summary>
    public static RequestSetting EnableThinking { get; } = new(DirecterSettingKeys.EnableThinking, nameof(RequestOptions.EnableThinking), RequestSettingKind.Boolean, "true or false",
        (o, v) => o with { EnableThinking = (bool)v }, null)
    {
        CliFlag = "--enable-thinking",
        Description = "The chat template's enable_thinking: whether a reasoning model (Qwen3) thinks before answering; unset = the template's default. The reasoning is returned apart from the reply.",
    };

    /// <summary>Every setting, in the order messages and docs list them.</summary>
    public static IReadOnlyList<RequestSetting> All { get; } =
    [
        MaxTokens, Temperature, TopP, TopK, Seed, StopSequences, RepetitionPenalty, FrequencyPenalty, PresencePenalty,
        Emphasis, EmphasizeSystemMessage, InlineEmphasis, UntrustedInlineEmphasis, EmphasisNotFound,
        Steering, Gate, Alpha, Beta, MaxTrials, Strategy, ConstrainToolCalls, ResponseFormat, EnableThinking,
    ];

    private static readonly Dictionary<string, RequestSetting> ByKey = All
        .SelectMany(s => s.Aliases.Prepend(s.Key).Select(k => KeyValuePair.Create(k, s)))
        .ToDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>The setting with key or alias <paramref name="key"/> (any case); null when there is none.</summary>
    public static RequestSetting? Find(string key) => ByKey.GetValueOrDefault(key);

    /// <summary>Parses a steering method name (any case; <c>zero-shot</c> and <c>off</c> mean none).</summary>
    /// <exception cref="ArgumentException">Not a method; the message lists them.</exception>
    public static SteeringMethod ParseMethod(string name, RequestSettingSource source = RequestSettingSource.Settings) =>
        ParseMethod(name, Steering.Subject(source));

    /// <summary>Parses a steering method name given under <paramref name="subject"/> (a flag such as <c>--methods</c>).</summary>
    /// <exception cref="ArgumentException">Not a method; the message names <paramref name="subject"/> and lists them.</exception>
    public static SteeringMethod ParseMethod(string name, string subject) => Methods[Steering.Choose(name, subject)];

    /// <summary>Parses a strategy name (any case; <c>batched_after_gate</c> and <c>batched-after-gate</c> alike).</summary>
    /// <exception cref="ArgumentException">Not a strategy; the message lists them.</exception>
    public static SteeringStrategy ParseStrategy(string name, RequestSettingSource source = RequestSettingSource.Settings) =>
        Strategies[Strategy.Choose(name, Strategy.Subject(source))];

    /// <summary>Every problem with <paramref name="options"/>' values, each naming the setting as <paramref name="source"/> does.</summary>
    public static IReadOnlyList<string> Errors(RequestOptions options, RequestSettingSource source = RequestSettingSource.Options, string? prefix = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Steering is null)
        {
            return [$"{prefix}Steering must not be null."];
        }

        return All.Select(s => s.Check(options, prefix + s.Subject(source))).OfType<string>().ToList();
    }

    /// <summary>Checks the steering numbers of settings handed to the engine directly.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the parameter name is the property's.</exception>
    public static void ThrowIfInvalid(SteeringSettings steering)
    {
        ArgumentNullException.ThrowIfNull(steering);
        ThrowIfOutOfRange(Alpha, steering.Alpha);
        ThrowIfOutOfRange(Beta, steering.Beta);
        ThrowIfOutOfRange(MaxTrials, steering.MaxTrials);
    }

    /// <summary>Checks one number against <paramref name="setting"/>'s range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Out of range; the parameter is <paramref name="name"/> (default the property's name).</exception>
    public static void ThrowIfOutOfRange(RequestSetting setting, double value, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(setting);
        name ??= setting.Property;
        if (setting.RangeError(value, name) is { } error)
        {
            throw new ArgumentOutOfRangeException(name, value, error);
        }
    }
}
