namespace Directer.Core.Requests;

/// <summary>
/// Reads a request's settings, given as keys and values (typed, strings as prompt YAML gives them, or JSON elements),
/// over defaults, through the table (<see cref="RequestSettings"/>). Each front end turns its input into such pairs
/// and calls this once per request.
/// </summary>
public static class RequestOptionsReader
{
    /// <summary>
    /// <paramref name="defaults"/> with every known key of <paramref name="values"/> applied (keys and aliases, any case;
    /// null values count as absent). Unknown keys go to <paramref name="unknown"/> when given (the caller logs them).
    /// </summary>
    /// <exception cref="ArgumentException">A value has the wrong type or range; the message names the setting as <paramref name="source"/> does.</exception>
    public static RequestOptions Read(IEnumerable<KeyValuePair<string, object?>> values, RequestOptions defaults, RequestSettingSource source = RequestSettingSource.Settings, ICollection<string>? unknown = null)
    {
        ArgumentNullException.ThrowIfNull(values);
        ArgumentNullException.ThrowIfNull(defaults);
        var options = defaults;
        foreach (var (key, value) in values)
        {
            if (value is null or System.Text.Json.JsonElement { ValueKind: System.Text.Json.JsonValueKind.Null })
            {
                continue; // absent, whether known or not
            }

            if (RequestSettings.Find(key) is not { } setting)
            {
                unknown?.Add(key);
                continue;
            }

            options = setting.Apply(options, setting.Convert(value, setting.Subject(source)));
        }

        return options;
    }
}
