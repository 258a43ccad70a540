namespace Directer.Core.Templates.Jinja;

/// <summary>Variables of one level: the render call, a loop iteration or a macro call. Lookups fall back to the
/// enclosing levels; assignments stay in this one (jinja2's scoping: a <c>set</c> in a loop body does not leak out).</summary>
internal sealed class JinjaScope(JinjaScope? parent)
{
    private readonly Dictionary<string, object?> variables = new(StringComparer.Ordinal);

    /// <summary>Finds a variable here or in an enclosing level.</summary>
    public bool TryGet(string name, out object? value)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope.variables.TryGetValue(name, out value))
            {
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>The enclosing level.</summary>
    public JinjaScope? Parent => parent;

    /// <summary>Assigns in this level.</summary>
    public void Set(string name, object? value) => variables[name] = value;
}
