namespace Directer.Core.PythonCompat;

/// <summary>A JSON value as Python's <c>json.loads</c> holds it (dicts keep insertion order, a repeated key keeps
/// its first position and its last value, numbers are already in the text <c>json.dumps</c> writes for them).</summary>
internal abstract record PythonJsonValue;

/// <summary>A JSON object (Python dict).</summary>
internal sealed record PythonJsonObject(IReadOnlyList<KeyValuePair<string, PythonJsonValue>> Members) : PythonJsonValue;

/// <summary>A JSON array (Python list).</summary>
internal sealed record PythonJsonArray(IReadOnlyList<PythonJsonValue> Items) : PythonJsonValue;

/// <summary>A JSON string (Python str).</summary>
internal sealed record PythonJsonString(string Value) : PythonJsonValue;

/// <summary>A number, stored as the text Python's <c>json.dumps</c> writes for it (int digits or float repr).</summary>
internal sealed record PythonJsonNumber(string PythonText) : PythonJsonValue;

/// <summary>true, false or null.</summary>
internal sealed record PythonJsonLiteral(string Text) : PythonJsonValue;
