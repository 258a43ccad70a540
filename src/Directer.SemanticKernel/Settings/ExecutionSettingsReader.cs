using System.Text.Json;
using System.Text.Json.Serialization;
using Directer.Core.Requests;
using Microsoft.SemanticKernel;

namespace Directer.SemanticKernel;

/// <summary>
/// The Semantic Kernel front end of the request settings: reads any <see cref="PromptExecutionSettings"/> (ours,
/// the base type with <see cref="PromptExecutionSettings.ExtensionData"/>, or another connector's subclass such as
/// OpenAI's, Azure OpenAI's or Ollama's) into one validated <see cref="RequestOptions"/>. The settings are serialised
/// as their runtime type, so a subclass's typed properties (<c>max_tokens</c>, <c>temperature</c>, <c>top_p</c>,
/// <c>seed</c>, <c>stop_sequences</c>, <c>response_format</c>, penalties) count; names the table does not know are
/// returned to be logged, never silently dropped.
/// </summary>
public static class ExecutionSettingsReader
{
    /// <summary>Keys Semantic Kernel itself handles (routing, tools, instructions), not request settings.</summary>
    private static readonly HashSet<string> HandledBySemanticKernel = new(StringComparer.OrdinalIgnoreCase)
    {
        "service_id", "model_id", "function_choice_behavior", "chat_system_prompt", "chat_developer_prompt",
    };

    /// <summary>How settings are serialised to be read: infinities and NaN as names, so the table refuses them by name.</summary>
    internal static readonly JsonSerializerOptions Json = new()
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new NamedFloatConverter(), new NamedSingleConverter() },
    };

    /// <summary>Reads <paramref name="settings"/> over <paramref name="defaults"/>.</summary>
    /// <param name="settings">Any execution settings; null = the defaults.</param>
    /// <param name="defaults">What applies when a setting is absent (the connector's defaults).</param>
    /// <param name="unmapped">Receives the settings' keys Directer cannot honour (to log).</param>
    /// <exception cref="ArgumentException">A value has the wrong type or range; the message names the snake_case key.</exception>
    public static RequestOptions Read(PromptExecutionSettings? settings, RequestOptions defaults, ICollection<string>? unmapped = null)
    {
        ArgumentNullException.ThrowIfNull(defaults);
        if (settings is null)
        {
            return defaults;
        }

        var values = Values(settings).Where(p => !HandledBySemanticKernel.Contains(p.Key));
        return RequestOptionsReader.Read(values, defaults, RequestSettingSource.Settings, unmapped);
    }

    /// <summary>The settings' snake_case keys and values, typed properties of the runtime type and extension data alike.</summary>
    /// <remarks>Settings always serialise to a JSON object (every <see cref="PromptExecutionSettings"/> is a class of properties).</remarks>
    internal static IEnumerable<KeyValuePair<string, object?>> Values(PromptExecutionSettings settings) =>
        JsonSerializer.SerializeToElement(settings, settings.GetType(), Json).EnumerateObject()
            .Select(p => KeyValuePair.Create(p.Name, (object?)p.Value)).ToList();
}
