namespace Directer.Core.Templates;

/// <summary>A chat template could not be chosen, or refuses a conversation (the same conversations Hugging Face's
/// template rejects with <c>raise_exception</c>, and conversations whose tools or tool calls the template would
/// silently drop).</summary>
public sealed class ChatTemplateException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ChatTemplateException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}
