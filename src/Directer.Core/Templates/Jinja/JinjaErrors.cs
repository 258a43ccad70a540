namespace Directer.Core.Templates.Jinja;

/// <summary>The engine's errors: every one names the template line, as jinja2's do.</summary>
internal static class JinjaErrors
{
    /// <summary>A syntax error, or a construct outside the supported subset.</summary>
    public static ChatTemplateException Syntax(int line, string message) =>
        new($"Chat template syntax error at line {line}: {message}");

    /// <summary>A construct jinja2 accepts but this engine does not implement.</summary>
    public static ChatTemplateException Unsupported(int line, string what) =>
        new($"Chat template line {line}: {what} is not supported by Directer's jinja engine (it implements the subset Hugging Face chat templates use).");

    /// <summary>An error while rendering (a type error, an undefined value used where jinja2 raises).</summary>
    public static ChatTemplateException Runtime(int line, string message) =>
        new($"Chat template error at line {line}: {message}");
}
