namespace Directer.Core.Templates.Jinja;

/// <summary>Something a template can call: a global function, a macro, a bound string or dict method.</summary>
internal abstract class JinjaFunction
{
    /// <summary>The name used in error messages.</summary>
    public abstract string Name { get; }

    /// <summary>Calls it.</summary>
    public abstract object? Invoke(JinjaRenderer renderer, object?[] args, (string Name, object? Value)[] named, int line);
}

/// <summary>A function implemented in C#.</summary>
internal sealed class JinjaBuiltin(string name, Func<JinjaRenderer, object?[], (string Name, object? Value)[], int, object?> body) : JinjaFunction
{
    /// <inheritdoc />
    public override string Name => name;

    /// <inheritdoc />
    public override object? Invoke(JinjaRenderer renderer, object?[] args, (string Name, object? Value)[] named, int line) =>
        body(renderer, args, named, line);
}

/// <summary>A method of a value, looked up by name (<c>text.strip</c>, <c>dict.items</c>).</summary>
internal sealed class JinjaBoundMethod(object target, string name) : JinjaFunction
{
    /// <inheritdoc />
    public override string Name => name;

    /// <summary>The value the method belongs to.</summary>
    public object Target => target;

    /// <inheritdoc />
    public override object? Invoke(JinjaRenderer renderer, object?[] args, (string Name, object? Value)[] named, int line) =>
        JinjaMethods.Call(target, name, args, named, line);
}

/// <summary><c>namespace(...)</c>: the one object whose attributes templates may assign.</summary>
internal sealed class JinjaNamespace
{
    /// <summary>The attributes.</summary>
    public JinjaDict Attributes { get; } = new();
}

/// <summary>The <c>loop</c> variable of a for loop.</summary>
internal sealed class JinjaLoop
{
    /// <summary>The items iterated (after the loop's filter).</summary>
    public required IReadOnlyList<object?> Items { get; init; }

    /// <summary>The current position, from 0.</summary>
    public int Index0 { get; set; }

    /// <summary>The nesting depth, from 1.</summary>
    public int Depth { get; init; } = 1; // jinja2: always 1 outside recursive loops

    /// <summary>An attribute of the loop, or null when it has none of that name.</summary>
    public bool TryGet(string name, out object? value)
    {
        int n = Items.Count;
        value = name switch
        {
            "index0" => (long)Index0,
            "index" => (long)(Index0 + 1),
            "revindex0" => (long)(n - Index0 - 1),
            "revindex" => (long)(n - Index0),
            "first" => Index0 == 0,
            "last" => Index0 == n - 1,
            "length" => (long)n,
            "depth" => (long)Depth,
            "depth0" => (long)(Depth - 1),
            "previtem" => Index0 > 0 ? Items[Index0 - 1] : new JinjaUndefined("there is no previous item"),
            "nextitem" => Index0 < n - 1 ? Items[Index0 + 1] : new JinjaUndefined("there is no next item"),
            "cycle" => new JinjaBuiltin("loop.cycle", (_, args, _, line) =>
                args.Length == 0 ? throw JinjaErrors.Runtime(line, "no items for cycling given.") : args[Index0 % args.Length]),
            _ => null,
        };
        return value is not null; // previtem/nextitem past the ends are undefined values, not missing attributes
    }
}
