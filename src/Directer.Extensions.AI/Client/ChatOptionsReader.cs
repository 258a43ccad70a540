using Directer.Core.Requests;
using Microsoft.Extensions.AI;

namespace Directer.Extensions.AI;

/// <summary>
/// The Microsoft.Extensions.AI front end of the request settings: reads a <see cref="ChatOptions"/> (its typed sampling
/// properties and Directer's snake_case keys in <see cref="ChatOptions.AdditionalProperties"/>, see
/// <see cref="DirecterSettingKeys"/>) into one validated <see cref="RequestOptions"/>, through the shared table
/// (<see cref="RequestSettings"/>). Typed properties win over the same key in the additional properties.
/// </summary>
public static class ChatOptionsReader
{
    /// <summary>
    /// Reads <paramref name="options"/> over <paramref name="defaults"/>. Keys the table does not know go to
    /// <paramref name="unknown"/> when given.
    /// </summary>
    /// <exception cref="ArgumentException">A value has the wrong type or range; the message names the snake_case key.</exception>
    public static RequestOptions Read(ChatOptions? options, RequestOptions defaults, ICollection<string>? unknown = null)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        if (options is null)
        {
            return defaults;
        }

        var values = new List<KeyValuePair<string, object?>>();
        if (options.AdditionalProperties is { } properties)
        {
            values.AddRange(properties);
        }

        void Typed(string key, object? value)
        {
            if (value is not null)
            {
                values.Add(KeyValuePair.Create<string, object?>(key, value));
            }
        }

        Typed(DirecterSettingKeys.MaxTokens, options.MaxOutputTokens);
        Typed(DirecterSettingKeys.Temperature, options.Temperature);
        Typed(DirecterSettingKeys.TopP, options.TopP);
        Typed(DirecterSettingKeys.TopK, options.TopK);
        Typed(DirecterSettingKeys.Seed, options.Seed);
        Typed(DirecterSettingKeys.StopSequences, options.StopSequences);
        Typed(DirecterSettingKeys.FrequencyPenalty, options.FrequencyPenalty);
        Typed(DirecterSettingKeys.PresencePenalty, options.PresencePenalty);
        Typed(DirecterSettingKeys.ResponseFormat, ToRequestFormat(options.ResponseFormat));
        return RequestOptionsReader.Read(values, defaults, RequestSettingSource.Settings, unknown);
    }

    /// <summary>
    /// The request options a caller already parsed (Directer's SK service hands them over through
    /// <see cref="ChatOptions.RawRepresentationFactory"/>), else <see cref="Read"/>: each request is read once.
    /// </summary>
    internal static RequestOptions Resolve(ChatOptions? options, IChatClient client, RequestOptions defaults, ICollection<string>? unknown) =>
        options?.RawRepresentationFactory?.Invoke(client) is RequestOptions parsed ? parsed : Read(options, defaults, unknown);

    /// <summary>A Microsoft.Extensions.AI response format as the engine's; null stays null.</summary>
    public static RequestResponseFormat? ToRequestFormat(ChatResponseFormat? format) => format switch
    {
        null => null,
        ChatResponseFormatJson { Schema: { } schema } json => RequestResponseFormat.ForJsonSchema(schema, json.SchemaName, json.SchemaDescription),
        ChatResponseFormatJson => RequestResponseFormat.Json,
        _ => RequestResponseFormat.Text,
    };
}
