namespace Directer.Core.Emphasis;

/// <summary>Text that was asked to be emphasised does not appear in the rendered prompt's message content.</summary>
public sealed class EmphasisNotFoundException : Exception
{
    /// <summary>Creates the exception.</summary>
    /// <param name="text">The text that was not found.</param>
    /// <param name="message">What was searched and why it was not found.</param>
    public EmphasisNotFoundException(string text, string message)
        : base(message)
    {
        Text = text;
    }

    /// <summary>The text that was not found.</summary>
    public string Text { get; }
}
