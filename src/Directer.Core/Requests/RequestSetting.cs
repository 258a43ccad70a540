using System.Collections;
using System.Globalization;
using System.Text.Json;

namespace Directer.Core.Requests;

/// <summary>
/// One row of the request-settings table (<see cref="RequestSettings"/>): a setting's names in every front end, its
/// type, its range and the words of its error messages. Every front end reads a value through <see cref="Convert"/>, so
/// a value is accepted or refused, with the same message, wherever it comes from.
/// </summary>
public sealed class RequestSetting
{
    private readonly Func<RequestOptions, object, RequestOptions> apply;
    private readonly Func<RequestOptions, object?>? read;

    internal RequestSetting(string key, string path, RequestSettingKind kind, string expected, Func<RequestOptions, object, RequestOptions> apply, Func<RequestOptions, object?>? read)
    {
        Key = key;
        Path = path;
        Kind = kind;
        Expected = expected;
        this.apply = apply;
        this.read = read;
    }

    /// <summary>The snake_case key (SK execution settings, prompt YAML, <c>ChatOptions.AdditionalProperties</c>).</summary>
    public string Key { get; }

    /// <summary>The property path in <see cref="RequestOptions"/> and in configuration (<c>Steering:Alpha</c>).</summary>
    public string Path { get; }

    /// <summary>The property name, the last part of <see cref="Path"/>.</summary>
    public string Property => Path[(Path.LastIndexOf(':') + 1)..];

    /// <summary>The command-line flag (<c>--max-new-tokens</c>); null = not on the command line.</summary>
    public string? CliFlag { get; init; }

    /// <summary>Other keys for the same setting, as other connectors' settings name it (<c>stop</c>, <c>num_predict</c>).</summary>
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>The value's type.</summary>
    public RequestSettingKind Kind { get; }

    /// <summary>What a valid value is, as the error messages say it ("in (0, 1]").</summary>
    public string Expected { get; }

    /// <summary>Smallest valid number; null = unbounded.</summary>
    public double? Minimum { get; init; }

    /// <summary>Whether <see cref="Minimum"/> itself is refused.</summary>
    public bool MinimumExclusive { get; init; }

    /// <summary>Largest valid number; null = any finite number.</summary>
    public double? Maximum { get; init; }

    /// <summary>Whether <see cref="Maximum"/> itself is refused.</summary>
    public bool MaximumExclusive { get; init; }

    /// <summary>Whether infinities are refused (numbers only).</summary>
    public bool Finite { get; init; } = true;

    /// <summary>
    /// Whether <see cref="RequestOptions"/> holds the number as a <see cref="float"/>: the range is then also checked on
    /// the number rounded to float, since a finite double can round to an infinity (1e39) or to a refused zero (1e-50).
    /// </summary>
    internal bool SinglePrecision { get; init; }

    /// <summary>The names a <see cref="RequestSettingKind.Choice"/> accepts, as listed in messages.</summary>
    public IReadOnlyList<string> Choices { get; init; } = [];

    /// <summary>Further spellings of a choice, mapped to one of <see cref="Choices"/> (<c>zero-shot</c> → <c>none</c>).</summary>
    public IReadOnlyDictionary<string, string> ChoiceAliases { get; init; } = new Dictionary<string, string>();

    /// <summary>What the setting does.</summary>
    public required string Description { get; init; }

    /// <summary>How a front end names this setting in messages.</summary>
    public string Subject(RequestSettingSource source) => source switch
    {
        RequestSettingSource.CommandLine => CliFlag ?? $"Setting '{Key}'",
        RequestSettingSource.Options => Path,
        _ => $"Setting '{Key}'",
    };

    /// <summary>
    /// Reads <paramref name="value"/> (typed, a string, or a JSON element) as this setting: an <see cref="int"/>,
    /// <see cref="long"/> (seed), <see cref="double"/>, <see cref="bool"/>, list of strings, canonical choice name or
    /// <see cref="RequestResponseFormat"/>, in range.
    /// </summary>
    /// <exception cref="ArgumentException">The value has the wrong type or is out of range; the message names <paramref name="subject"/>.</exception>
    public object Convert(object value, string subject)
    {
        ArgumentNullException.ThrowIfNull(value);
        switch (Kind)
        {
            case RequestSettingKind.Integer:
                long whole = AsInteger(value, subject);
                CheckRange(whole, subject);
                return Key == DirecterSettingKeys.Seed ? whole : (object)(int)whole;
            case RequestSettingKind.Number:
                double number = AsNumber(value, subject);
                CheckRange(number, subject, value as float?);
                if (SinglePrecision && RangeError((float)number, subject) is not null)
                {
                    // Named with the number as given: "got Infinity" for 1e39 would not say what was wrong.
                    throw new ArgumentException($"{subject} must be {Expected}; got {Show(number)}, which a 32-bit float holds as {Show((float)number)}.");
                }

                return number;
            case RequestSettingKind.Boolean:
                return AsBool(value, subject);
            case RequestSettingKind.TextList:
                var texts = AsStrings(value, subject);
                return texts.Any(string.IsNullOrEmpty) ? throw new ArgumentException($"{subject} must hold non-empty strings; got an empty one.") : texts;
            case RequestSettingKind.Choice:
                return Choose(AsString(value, subject, "a string"), subject);
            case RequestSettingKind.ResponseFormat:
                return AsFormat(value, subject);
            default:
                throw new InvalidOperationException($"Unknown setting kind {Kind}.");
        }
    }

    /// <summary>The message for a number outside the range, or null when it is in range.</summary>
    /// <param name="value">The number.</param>
    /// <param name="subject">How the front end names the setting.</param>
    /// <param name="shown">The value as given, when it is a <see cref="float"/> (shown as 1.001, not its double expansion).</param>
    public string? RangeError(double value, string subject, float? shown = null)
    {
        bool bad = double.IsNaN(value)
            || (Finite && double.IsInfinity(value))
            || (Minimum is double min && (MinimumExclusive ? value <= min : value < min))
            || (Maximum is double max && (MaximumExclusive ? value >= max : value > max));
        return bad ? $"{subject} must be {Expected}; got {(shown is float f ? Show(f) : Show(value))}." : null;
    }

    /// <summary>A choice's canonical name: trimmed, lower case, '_' read as '-', aliases resolved.</summary>
    /// <exception cref="ArgumentException">Not one of <see cref="Choices"/>.</exception>
    public string Choose(string text, string subject)
    {
        ArgumentNullException.ThrowIfNull(text);
        string name = text.Trim().ToLowerInvariant().Replace('_', '-');
        return Choices.Contains(name, StringComparer.Ordinal) ? name
            : ChoiceAliases.TryGetValue(name, out string? canonical) ? canonical
            : throw new ArgumentException($"{subject}: '{text}' is not one of {string.Join(", ", Choices)}.");
    }

    /// <summary>Validates this setting's current value in <paramref name="options"/>; null when valid or unchecked.</summary>
    internal string? Check(RequestOptions options, string subject)
    {
        object? value = read?.Invoke(options);
        return value switch
        {
            null => null,
            IReadOnlyList<string> texts => texts.Any(string.IsNullOrEmpty) ? $"{subject} must hold non-empty strings; got an empty one." : null,
            bool => null,
            Enum e => Enum.IsDefined(e.GetType(), e) ? null : $"{subject}: '{e}' is not one of {string.Join(", ", Choices)}.",
            float f => RangeError(f, subject, f),
            IConvertible number => RangeError(number.ToDouble(CultureInfo.InvariantCulture), subject),
            _ => null,
        };
    }

    /// <summary>Sets this setting in <paramref name="options"/> to <paramref name="value"/> (a <see cref="Convert"/> result).</summary>
    internal RequestOptions Apply(RequestOptions options, object value) => apply(options, value);

    // The number as read is shown, so that "2", 2 and 2.0 are refused with the same words by every front end.
    private void CheckRange(double number, string subject, float? shown = null)
    {
        if (RangeError(number, subject, shown) is { } error)
        {
            throw new ArgumentException(error);
        }
    }

    private static string AsString(object value, string subject, string expected) => value switch
    {
        string s => s,
        JsonElement { ValueKind: JsonValueKind.String } e => e.GetString()!,
        _ => throw new ArgumentException($"{subject} must be {expected}; got {Show(value)}."),
    };

    private static bool AsBool(object value, string subject) => value switch
    {
        bool b => b,
        JsonElement { ValueKind: JsonValueKind.True } => true,
        JsonElement { ValueKind: JsonValueKind.False } => false,
        string s when bool.TryParse(s.Trim(), out bool b) => b,
        JsonElement { ValueKind: JsonValueKind.String } e when bool.TryParse(e.GetString()!.Trim(), out bool b) => b,
        _ => throw new ArgumentException($"{subject} must be true or false; got {Show(value)}."),
    };

    private static double AsNumber(object value, string subject)
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
            _ => throw new ArgumentException($"{subject} must be a number; got {Show(value)}."),
        };
        return double.IsNaN(number) ? throw new ArgumentException($"{subject} must be a number; got NaN.") : number;
    }

    private static long AsInteger(object value, string subject)
    {
        if (value is long l)
        {
            return l;
        }

        double number = AsNumber(value, subject);
        if (number != Math.Floor(number) || number < long.MinValue || number >= 9.2233720368547758E18)
        {
            throw new ArgumentException($"{subject} must be an integer; got {Show(number)}.");
        }

        return (long)number;
    }

    private static List<string> AsStrings(object value, string subject) => value switch
    {
        string s => [s],
        JsonElement { ValueKind: JsonValueKind.String } e => [e.GetString()!],
        JsonElement { ValueKind: JsonValueKind.Array } e => e.EnumerateArray().Select(x => AsString(x, subject, "a string or a list of strings")).ToList(),
        IEnumerable<string> strings => strings.ToList(),
        IEnumerable items => items.Cast<object>().Select(x => AsString(x, subject, "a string or a list of strings")).ToList(),
        _ => throw new ArgumentException($"{subject} must be a string or a list of strings; got {Show(value)}."),
    };

    private static RequestResponseFormat AsFormat(object value, string subject)
    {
        const string expected = "\"text\", \"json_object\" or a JSON schema object";
        if (value is RequestResponseFormat format)
        {
            return format;
        }

        if (value is JsonElement { ValueKind: JsonValueKind.Object } schema)
        {
            return RequestResponseFormat.ForJsonSchema(schema);
        }

        string text = AsString(value, subject, expected);
        return text.Trim().ToLowerInvariant() switch
        {
            "text" => RequestResponseFormat.Text,
            "json_object" or "json" => RequestResponseFormat.Json,
            _ => throw new ArgumentException($"{subject}: '{text}' is not {expected}."),
        };
    }

    /// <summary>A value as messages show it (invariant numbers, quoted strings, raw JSON).</summary>
    internal static string Show(object value) => value switch
    {
        JsonElement e => e.GetRawText(),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        int or long => System.Convert.ToString(value, CultureInfo.InvariantCulture)!,
        string s => $"\"{s}\"",
        _ => $"{value} ({value.GetType().Name})",
    };
}
