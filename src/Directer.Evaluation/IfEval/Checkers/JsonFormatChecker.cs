namespace Directer.Evaluation.IfEval;

/// <summary><c>detectable_format:json_format</c>: after stripping, removing one leading <c>```json</c>,
/// <c>```Json</c>, <c>```JSON</c> (each tried in turn, as the official chain of <c>removeprefix</c> calls does), one
/// leading <c>```</c> and one trailing <c>```</c>, and stripping again, the text parses with Python's
/// <c>json.loads</c> rules (see <see cref="Directer.Core.PythonCompat.PythonJsonSyntax"/>).</summary>
internal sealed class JsonFormatChecker : IInstructionChecker
{
    public JsonFormatChecker(InstructionKwargs kwargs) { }

    public string InstructionId => IfEvalInstructions.FormatJsonFormat;

    public bool IsFollowed(string response)
    {
        string value = PyText.Strip(response);
        value = RemovePrefix(value, "```json");
        value = RemovePrefix(value, "```Json");
        value = RemovePrefix(value, "```JSON");
        value = RemovePrefix(value, "```");
        if (value.EndsWith("```", StringComparison.Ordinal)) value = value[..^3];
        return Directer.Core.PythonCompat.PythonJsonSyntax.IsValid(PyText.Strip(value));
    }

    private static string RemovePrefix(string s, string prefix)
        => s.StartsWith(prefix, StringComparison.Ordinal) ? s[prefix.Length..] : s;
}
