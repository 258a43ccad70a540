using System.Globalization;
using System.Text.Json;
using Directer.Core.Steering;
using Directer.Core.Emphasis;
using Microsoft.Extensions.AI;

namespace Directer.SemanticKernel;

/// <summary>
/// Reads a request's settings: Directer's keys (<see cref="DirecterSettingKeys"/>) from chat options' additional
/// properties and the sampling options, validating each. Errors are <see cref="ArgumentException"/>s that name
/// the snake_case key and the expected type or range.
/// </summary>
public static class DirecterChatOptions
{
    /// <summary>The emphasis, steering, budget and sampling a request asks for.</summary>
    /// <param name="Emphasis">What to emphasise.</param>
    /// <param name="Steering">How to steer.</param>
    /// <param name="MaxTokens">Most tokens to generate.</param>
    public sealed record Resolved(EmphasisRequest Emphasis, SteeringSettings Steering, int MaxTokens)
    {
        /// <summary>Sampling temperature (0 = greedy).</summary>
        public float Temperature { get; init; }

        /// <summary>Nucleus sampling mass; null = off.</summary>
        public float? TopP { get; init; }

        /// <summary>Top-k; null = off.</summary>
        public int? TopK { get; init; }

        /// <summary>Sampling seed; null = random.</summary>
        public long? Seed { get; init; }

        /// <summary>Strings that end the reply.</summary>
        public IReadOnlyList<string> StopSequences { get; init; } = [];

        /// <summary>The requested response format; null = text.</summary>
        public ChatResponseFormat? ResponseFormat { get; init; }

        /// <summary>Whether tool calls are constrained to the listed tools' grammar.</summary>
        public bool ConstrainToolCalls { get; init; }
    }

    /// <summary>Reads <paramref name="options"/> (sampling fields and additional properties) over <paramref name="defaults"/>.</summary>
    /// <exception cref="ArgumentException">A value has the wrong type or range; the message names the key.</exception>
    public static Resolved Read(ChatOptions? options, DirecterRequestDefaults defaults, bool hasSystemMessage = true) =>
        Read(options?.AdditionalProperties, defaults, hasSystemMessage, options?.MaxOutputTokens, options);

    /// <summary>Reads a property bag over <paramref name="defaults"/>.</summary>
    /// <param name="properties">Snake_case keys and values (typed, strings, or JSON elements).</param>
    /// <param name="defaults">What applies when a key is absent.</param>
    /// <param name="hasSystemMessage">Whether the conversation has a system message (to emphasise).</param>
    /// <param name="maxTokens">The token budget, overriding <c>max_tokens</c>.</param>
    /// <exception cref="ArgumentException">A value has the wrong type or range; the message names the key.</exception>
    public static Resolved Read(IReadOnlyDictionary<string, object?>? properties, DirecterRequestDefaults defaults, bool hasSystemMessage = true, int? maxTokens = null) =>
        Read(properties, defaults, hasSystemMessage, maxTokens, null);

    private static Resolved Read(IReadOnlyDictionary<string, object?>? properties, DirecterRequestDefaults defaults, bool hasSystemMessage, int? maxTokens, ChatOptions? options)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        properties ??= new Dictionary<string, object?>();
        var steering = ReadSteering(properties, defaults.Steering);
        var texts = Get(properties, DirecterSettingKeys.Emphasis) is { } list ? AsStrings(list, DirecterSettingKeys.Emphasis) : [];
        if (texts.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException($"Setting '{DirecterSettingKeys.Emphasis}' must hold non-empty strings; got an empty one.");
        }

        bool system = Get(properties, DirecterSettingKeys.EmphasizeSystemMessage) is { } s ? AsBool(s, DirecterSettingKeys.EmphasizeSystemMessage) : defaults.EmphasizeSystemMessage;
        bool inline = Get(properties, DirecterSettingKeys.InlineEmphasis) is not { } i || AsBool(i, DirecterSettingKeys.InlineEmphasis);
        bool ignore = false;
        if (Get(properties, DirecterSettingKeys.EmphasisNotFound) is { } policy)
        {
            ignore = AsString(policy, DirecterSettingKeys.EmphasisNotFound).Trim().ToLowerInvariant() switch
            {
                "error" => false,
                "ignore" => true,
                var other => throw new ArgumentException($"Setting '{DirecterSettingKeys.EmphasisNotFound}': '{other}' is not 'error' or 'ignore'."),
            };
        }

        var emphasis = new EmphasisRequest
        {
            Texts = texts,
            SystemMessage = system && hasSystemMessage,
            InlineOpenMarker = inline ? EmphasisRequest.DefaultOpenMarker : null,
            InlineCloseMarker = inline ? EmphasisRequest.DefaultCloseMarker : null,
            IgnoreNotFound = ignore,
        };

        int? fromBag = Get(properties, DirecterSettingKeys.MaxTokens) is { } m ? AsInt(m, DirecterSettingKeys.MaxTokens) : null;
        int budget = maxTokens ?? fromBag ?? defaults.MaxTokens;
        if (budget < 1)
        {
            throw new ArgumentException($"Setting '{DirecterSettingKeys.MaxTokens}' must be an integer >= 1; got {budget}.");
        }

        float temperature = options?.Temperature ?? (Get(properties, DirecterSettingKeys.Temperature) is { } t ? (float)AsDouble(t, DirecterSettingKeys.Temperature) : 0f);
        if (!(temperature >= 0) || float.IsInfinity(temperature))
        {
            throw new ArgumentException($"Setting '{DirecterSettingKeys.Temperature}' must be a finite number >= 0 (0 = greedy); got {Show(temperature)}.");
        }

        float? topP = options?.TopP ?? (Get(properties, DirecterSettingKeys.TopP) is { } p ? (float)AsDouble(p, DirecterSettingKeys.TopP) : null);
        if (topP is float nucleus && !(nucleus > 0 && nucleus <= 1))
        {
            throw new ArgumentException($"Setting '{DirecterSettingKeys.TopP}' must be in (0, 1]; got {Show(nucleus)}.");
        }

        int? topK = options?.TopK ?? (Get(properties, DirecterSettingKeys.TopK) is { } k ? AsInt(k, DirecterSettingKeys.TopK) : null);
        if (topK < 1)
        {
            throw new ArgumentException($"Setting '{DirecterSettingKeys.TopK}' must be an integer >= 1; got {topK}.");
        }

        long? seed = options?.Seed ?? (Get(properties, DirecterSettingKeys.Seed) is { } sd ? AsLong(sd, DirecterSettingKeys.Seed) : null);
        var stops = options?.StopSequences?.ToList() ?? (Get(properties, DirecterSettingKeys.StopSequences) is { } st ? AsStrings(st, DirecterSettingKeys.StopSequences).ToList() : []);
        if (stops.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException($"Setting '{DirecterSettingKeys.StopSequences}' must hold non-empty strings; got an empty one.");
        }

        var format = options?.ResponseFormat ?? (Get(properties, DirecterSettingKeys.ResponseFormat) is { } f ? ParseResponseFormat(f) : null);
        bool constrain = Get(properties, DirecterSettingKeys.ConstrainToolCalls) is { } c ? AsBool(c, DirecterSettingKeys.ConstrainToolCalls) : defaults.ConstrainToolCalls;
        return new Resolved(emphasis, steering, budget)
        {
            Temperature = temperature,
            TopP = topP,
            TopK = topK,
            Seed = seed,
            StopSequences = stops,
            ResponseFormat = format,
            ConstrainToolCalls = constrain,
        };
    }

    /// <summary>
    /// Reads a <c>response_format</c> value: "text", "json_object" (or "json"), or a JSON schema object.
    /// </summary>
    /// <exception cref="ArgumentException">The value is none of those; the message names the key.</exception>
    public static ChatResponseFormat ParseResponseFormat(object value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return value switch
        {
            ChatResponseFormat format => format,
            JsonElement { ValueKind: JsonValueKind.Object } schema => ChatResponseFormat.ForJsonSchema(schema),
            _ => AsString(value, DirecterSettingKeys.ResponseFormat, "\"text\", \"json_object\" or a JSON schema object").Trim().ToLowerInvariant() switch
            {
                "text" => ChatResponseFormat.Text,
                "json_object" or "json" => ChatResponseFormat.Json,
                var other => throw new ArgumentException($"Setting '{DirecterSettingKeys.ResponseFormat}': '{other}' is not \"text\", \"json_object\" or a JSON schema object."),
            },
        };
    }

    private static SteeringSettings ReadSteering(IReadOnlyDictionary<string, object?> properties, SteeringSettings steering)
    {
        if (Get(properties, DirecterSettingKeys.Steering) is { } method)
        {
            string name = AsString(method, DirecterSettingKeys.Steering);
            try
            {
                steering = steering with { Method = SteeringSettings.ParseMethod(name) };
            }
            catch (ArgumentException)
            {
                throw new ArgumentException($"Setting '{DirecterSettingKeys.Steering}': '{name}' is not one of none, directer, static, pasta, spotlight, instaboost.");
            }
        }

        if (Get(properties, DirecterSettingKeys.Gate) is { } gate)
        {
            steering = steering with { Gate = AsBool(gate, DirecterSettingKeys.Gate) };
        }

        if (Get(properties, DirecterSettingKeys.Alpha) is { } alpha)
        {
            steering = steering with { Alpha = AsDouble(alpha, DirecterSettingKeys.Alpha) };
        }

        if (Get(properties, DirecterSettingKeys.Beta) is { } beta)
        {
            steering = steering with { Beta = AsDouble(beta, DirecterSettingKeys.Beta) };
        }

        if (Get(properties, DirecterSettingKeys.MaxTrials) is { } trials)
        {
            steering = steering with { MaxTrials = AsInt(trials, DirecterSettingKeys.MaxTrials) };
        }

        if (Get(properties, DirecterSettingKeys.Strategy) is { } strategy)
        {
            string text = AsString(strategy, DirecterSettingKeys.Strategy);
            steering = steering with
            {
                Strategy = text.Trim().ToLowerInvariant() switch
                {
                    "auto" => SteeringStrategy.Auto,
                    "sequential" => SteeringStrategy.Sequential,
                    "batched" => SteeringStrategy.Batched,
                    "batched-after-gate" or "batched_after_gate" or "batchedaftergate" => SteeringStrategy.BatchedAfterGate,
                    _ => throw new ArgumentException($"Setting '{DirecterSettingKeys.Strategy}': '{text}' is not one of auto, sequential, batched, batched-after-gate."),
                },
            };
        }

        Check(steering);
        return steering;
    }

    /// <summary>Checks steering numbers, naming the keys users write.</summary>
    internal static void Check(SteeringSettings steering)
    {
        if (!(steering.Alpha > 0) || double.IsInfinity(steering.Alpha))
        {
            throw new ArgumentException($"Setting '{DirecterSettingKeys.Alpha}' must be a finite number > 0; got {Show(steering.Alpha)}.");
        }

        if (!(steering.Beta > 0 && steering.Beta <= 1))
        {
            throw new ArgumentException($"Setting '{DirecterSettingKeys.Beta}' must be in (0, 1]; got {Show(steering.Beta)}.");
        }

        if (steering.MaxTrials < 1)
        {
            throw new ArgumentException($"Setting '{DirecterSettingKeys.MaxTrials}' must be an integer >= 1; got {steering.MaxTrials}.");
        }
    }

    private static object? Get(IReadOnlyDictionary<string, object?> properties, string key) =>
        properties.TryGetValue(key, out var value) && value is not null && !(value is JsonElement { ValueKind: JsonValueKind.Null }) ? value : null;

    private static string AsString(object value, string key, string expected = "a string") => value switch
    {
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
        _ => throw new ArgumentException($"Setting '{key}' must be {expected}; got {Show(value)}."),
    };

    private static bool AsBool(object value, string key) => value switch
    {
        bool b => b,
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.False } => false,
        string s when bool.TryParse(s.Trim(), out bool b) => b,
        JsonElement { ValueKind: JsonValueKind.String } e when bool.TryParse(e.GetString()!.Trim(), out bool b) => b,
        _ => throw new ArgumentException($"Setting '{key}' must be true or false; got {Show(value)}."),
    };

    private static double AsDouble(object value, string key)
    {
        double number = value switch
        {
            double d => d,
            float f => f,
            int i => i,
            long l => l,
            decimal m => (double)m,
            JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
            string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
            JsonElement { ValueKind: JsonValueKind.String } e when double.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
            _ => throw new ArgumentException($"Setting '{key}' must be a number; got {Show(value)}."),
        };
        return double.IsNaN(number) ? throw new ArgumentException($"Setting '{key}' must be a number; got NaN.") : number;
    }

    private static long AsLong(object value, string key)
    {
        double number = AsDouble(value, key);
        if (number != Math.Floor(number) || number < long.MinValue || number > long.MaxValue)
        {
            throw new ArgumentException($"Setting '{key}' must be an integer; got {Show(value)}.");
        }

        return value is long l ? l : (long)number;
    }

    private static int AsInt(object value, string key)
    {
        long number = AsLong(value, key);
        return number is < int.MinValue or > int.MaxValue ? throw new ArgumentException($"Setting '{key}' must be a 32-bit integer; got {Show(value)}.") : (int)number;
    }

    private static IReadOnlyList<string> AsStrings(object value, string key) => value switch
    {
        string s => [s],
        JsonElement { ValueKind: JsonValueKind.String } e => [e.GetString()!],
        JsonElement { ValueKind: JsonValueKind.Array } e => e.EnumerateArray().Select(x => AsString(x, key, "a string or a list of strings")).ToList(),
        IEnumerable<string> strings => strings.ToList(),
        System.Collections.IEnumerable items => items.Cast<object>().Select(x => AsString(x, key, "a string or a list of strings")).ToList(),
        _ => throw new ArgumentException($"Setting '{key}' must be a string or a list of strings; got {Show(value)}."),
    };

    private static string Show(object value) => value switch
    {
        JsonElement e => e.GetRawText(),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        string s => $"\"{s}\"",
        _ => $"{value} ({value.GetType().Name})",
    };
}
