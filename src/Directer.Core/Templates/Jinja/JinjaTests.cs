namespace Directer.Core.Templates.Jinja;

/// <summary>jinja2's tests (<c>x is defined</c>, <c>x is string</c>, ...).</summary>
internal static class JinjaTests
{
    /// <summary>Applies a test.</summary>
    public static bool Apply(string name, object? value, object?[] args, int line)
    {
        object? Arg0() => args.Length > 0 ? args[0] : throw JinjaErrors.Runtime(line, $"the test '{name}' needs an argument.");
        switch (name)
        {
            case "defined": return value is not JinjaUndefined;
            case "undefined": return value is JinjaUndefined;
            case "none": return value is null;
            case "boolean": return value is bool;
            case "true": return value is true;
            case "false": return value is false;
            case "integer": return value is long or System.Numerics.BigInteger;
            case "float": return value is double;
            case "number": return value is long or double or bool or System.Numerics.BigInteger;
            case "string": return JinjaValues.IsString(value);
            case "mapping": return value is JinjaDict;
            case "iterable": return value is IList<object?> or JinjaDict or string or TrackedString or JinjaUndefined;
            case "sequence": return value is IList<object?> or JinjaDict or string or TrackedString or JinjaUndefined;
            case "callable": return value is JinjaFunction;
            case "sameas":
                object? other = Arg0();
                return (value is null && other is null) || (value is bool a && other is bool b && a == b)
                    || (value is long la && other is long lb && la == lb && la is >= -5 and <= 256) || (value is not null && ReferenceEquals(value, other));
            case "eq" or "equalto" or "==": return JinjaValues.PyEquals(value, Arg0());
            case "ne" or "!=": return !JinjaValues.PyEquals(value, Arg0());
            case "lt" or "lessthan" or "<": return JinjaValues.Compare(value, Arg0(), line) < 0;
            case "le" or "<=": return JinjaValues.Compare(value, Arg0(), line) <= 0;
            case "gt" or "greaterthan" or ">": return JinjaValues.Compare(value, Arg0(), line) > 0;
            case "ge" or ">=": return JinjaValues.Compare(value, Arg0(), line) >= 0;
            case "in": return JinjaRenderer.Contains(Arg0(), value, line);
            case "odd": return Integer(value, name, line) % 2 != 0;
            case "even": return Integer(value, name, line) % 2 == 0;
            case "divisibleby": return Integer(value, name, line) % Integer(Arg0(), name, line) == 0;
            case "lower": return JinjaValues.AsString(value) is { } lower && lower == lower.ToLowerInvariant();
            case "upper": return JinjaValues.AsString(value) is { } upper && upper == upper.ToUpperInvariant();
            case "escaped": return false;
            default: throw JinjaErrors.Unsupported(line, $"the test '{name}'");
        }
    }

    private static long Integer(object? value, string test, int line) => value switch
    {
        long l => l,
        bool b => b ? 1 : 0,
        double d when d == Math.Floor(d) => (long)d,
        _ => throw JinjaErrors.Runtime(line, $"the test '{test}' needs an integer, got {JinjaValues.TypeName(value)}."),
    };
}
