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
            case "le" or "<=": return JinjaValues.Compare(value, Arg0(), line, "<=") <= 0;
            case "gt" or "greaterthan" or ">": return JinjaValues.Compare(value, Arg0(), line, ">") > 0;
            case "ge" or ">=": return JinjaValues.Compare(value, Arg0(), line, ">=") >= 0;
            case "in": return JinjaRenderer.Contains(Arg0(), value, line);
            // jinja2: value % 2 == 1, value % 2 == 0, value % num == 0, with Python's % (2.5 is neither odd nor even).
            case "odd": return JinjaValues.PyEquals(JinjaRenderer.Arithmetic("%", value, 2L, line), 1L);
            case "even": return JinjaValues.PyEquals(JinjaRenderer.Arithmetic("%", value, 2L, line), 0L);
            case "divisibleby": return JinjaValues.PyEquals(JinjaRenderer.Arithmetic("%", value, Arg0(), line), 0L);
            // jinja2: str(value).islower() / .isupper(), so '123' is neither.
            case "lower": return (bool)JinjaMethods.Call(JinjaValues.ToStr(value), "islower", [], [], line)!;
            case "upper": return (bool)JinjaMethods.Call(JinjaValues.ToStr(value), "isupper", [], [], line)!;
            case "escaped": return false;
            default: throw JinjaErrors.Unsupported(line, $"the test '{name}'");
        }
    }
}
