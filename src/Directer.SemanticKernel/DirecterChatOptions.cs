using System.Globalization;
using System.Text.Json;
using Directer.Core.Steering;
using Directer.Core.Text.Emphasis;
using Microsoft.Extensions.AI;

namespace Directer.SemanticKernel;

/// <summary>Reads Directer's keys (<see cref="DirecterSettingKeys"/>) from chat options, validating each.</summary>
public static class DirecterChatOptions
{
    /// <summary>The emphasis, steering and budget a request asks for.</summary>
    public sealed record Resolved(EmphasisRequest Emphasis, SteeringSettings Steering, int MaxTokens);

    /// <summary>Reads <paramref name="options"/>' additional properties over <paramref name="defaults"/>.</summary>
    /// <exception cref="ArgumentException">A value has the wrong type or range; the message names the key.</exception>
    public static Resolved Read(ChatOptions? options, DirecterRequestDefaults defaults, bool hasSystemMessage = true) =>
        Read(options?.AdditionalProperties, defaults, hasSystemMessage, options?.MaxOutputTokens);

    /// <summary>Reads a property bag over <paramref name="defaults"/>.</summary>
    public static Resolved Read(IReadOnlyDictionary<string, object?>? properties, DirecterRequestDefaults defaults, bool hasSystemMessage = true, int? maxTokens = null)
    {
        properties ??= new Dictionary<string, object?>();
        var steering = defaults.Steering;
        if (Get(properties, DirecterSettingKeys.Steering) is { } method)
        {
            steering = steering with { Method = SteeringSettings.ParseMethod(AsString(method, DirecterSettingKeys.Steering)) };
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
            steering = steering with { MaxTrials = (int)AsDouble(trials, DirecterSettingKeys.MaxTrials) };
        }

        if (Get(properties, DirecterSettingKeys.Strategy) is { } strategy)
        {
            string text = AsString(strategy, DirecterSettingKeys.Strategy);
            steering = steering with
            {
                Strategy = text.ToLowerInvariant() switch
                {
                    "auto" => SteeringStrategy.Auto,
                    "sequential" => SteeringStrategy.Sequential,
                    "batched" => SteeringStrategy.Batched,
                    "batched-after-gate" or "batched_after_gate" => SteeringStrategy.BatchedAfterGate,
                    _ => throw new ArgumentException($"Setting '{DirecterSettingKeys.Strategy}': '{text}' is not one of auto, sequential, batched, batched-after-gate."),
                },
            };
        }

        // Validate the steering numbers now, with the key names users wrote.
        if (!(steering.Alpha > 0) || double.IsInfinity(steering.Alpha))
        {
            throw new ArgumentException($"Setting '{DirecterSettingKeys.Alpha}' must be a finite number > 0; got {steering.Alpha}.");
        }

        if (!(steering.Beta > 0 && steering.Beta <= 1))
        {
            throw new ArgumentException($"Setting '{DirecterSettingKeys.Beta}' must be in (0, 1]; got {steering.Beta}.");
        }

        if (steering.MaxTrials < 1)
        {
            throw new ArgumentException($"Setting '{DirecterSettingKeys.MaxTrials}' must be at least 1; got {steering.MaxTrials}.");
        }

        var texts = Get(properties, DirecterSettingKeys.Emphasis) is { } list ? AsStrings(list, DirecterSettingKeys.Emphasis) : [];
        bool system = Get(properties, DirecterSettingKeys.EmphasizeSystemMessage) is { } s ? AsBool(s, DirecterSettingKeys.EmphasizeSystemMessage) : defaults.EmphasizeSystemMessage;
        bool inline = Get(properties, DirecterSettingKeys.InlineEmphasis) is not { } i || AsBool(i, DirecterSettingKeys.InlineEmphasis);
        bool ignore = false;
        if (Get(properties, DirecterSettingKeys.EmphasisNotFound) is { } policy)
        {
            ignore = AsString(policy, DirecterSettingKeys.EmphasisNotFound).ToLowerInvariant() switch
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
        int budget = maxTokens ?? defaults.MaxTokens;
        if (budget < 1)
        {
            throw new ArgumentException($"Setting 'max_tokens' must be at least 1; got {budget}.");
        }

        return new Resolved(emphasis, steering, budget);
    }

    private static object? Get(IReadOnlyDictionary<string, object?> properties, string key) =>
        properties.TryGetValue(key, out var value) && value is not null && !(value is JsonElement { ValueKind: JsonValueKind.Null }) ? value : null;

    private static string AsString(object value, string key) => value switch
    {
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
        _ => throw new ArgumentException($"Setting '{key}' must be a string; got {Show(value)}."),
    };

    private static bool AsBool(object value, string key) => value switch
    {
        bool b => b,
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.False } => false,
        string s when bool.TryParse(s, out bool b) => b,
        _ => throw new ArgumentException($"Setting '{key}' must be true or false; got {Show(value)}."),
    };

    private static double AsDouble(object value, string key) => value switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        decimal m => (double)m,
        JsonElement { ValueKind: JsonValueKind.Number } e => e.GetDouble(),
        string s when double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) => d,
        _ => throw new ArgumentException($"Setting '{key}' must be a number; got {Show(value)}."),
    };

    private static IReadOnlyList<string> AsStrings(object value, string key) => value switch
    {
        string s => [s],
        JsonElement { ValueKind: JsonValueKind.String } e => [e.GetString()!],
        JsonElement { ValueKind: JsonValueKind.Array } e => e.EnumerateArray().Select(x => AsString(x, key)).ToList(),
        IEnumerable<string> strings => strings.ToList(),
        System.Collections.IEnumerable items => items.Cast<object>().Select(x => AsString(x, key)).ToList(),
        _ => throw new ArgumentException($"Setting '{key}' must be a string or a list of strings; got {Show(value)}."),
    };

    private static string Show(object value) => value is JsonElement e ? e.GetRawText() : $"{value} ({value.GetType().Name})";
}
