namespace Directer.Core.Templates;

/// <summary>A model reply contained something that looked like a tool call but could not be parsed.</summary>
public sealed class ToolCallFormatException : Exception
{
    /// <summary>Creates the exception from the parse result that had malformed fragments.</summary>
    public ToolCallFormatException(string templateName, ToolCallParseResult result)
        : base(BuildMessage(templateName, result))
    {
        Result = result;
    }

    /// <summary>The full parse result, including the calls that did parse.</summary>
    public ToolCallParseResult Result { get; }

    private static string BuildMessage(string templateName, ToolCallParseResult result)
    {
        var first = result.Malformed[0];
        string fragment = first.Fragment.Length > 200 ? first.Fragment[..200] + "…" : first.Fragment;
        return $"The reply contains {result.Malformed.Count} malformed {templateName} tool call(s); first: {first.Reason} in: {fragment}";
    }
}
