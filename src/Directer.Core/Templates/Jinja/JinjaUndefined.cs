namespace Directer.Core.Templates.Jinja;

/// <summary>jinja2's default <c>Undefined</c>: prints as nothing, is false, iterates as empty, equals only another
/// undefined, and raises when an attribute or item of it is used or it takes part in arithmetic.</summary>
internal sealed class JinjaUndefined
{
    /// <summary>Creates an undefined value with jinja2's hint.</summary>
    public JinjaUndefined(string hint) => Hint = hint;

    /// <summary>jinja2's message when it is used: "'x' is undefined" or "'dict object' has no attribute 'x'".</summary>
    public string Hint { get; }

    /// <inheritdoc />
    public override string ToString() => string.Empty;
}
