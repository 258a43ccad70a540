using System.Reflection;

namespace Directer.Training.Tokenization;

/// <summary>Qwen2.5-Instruct's chat template, verbatim (embedded from Templates/qwen2.5-chat-template.jinja).</summary>
internal static class QwenChatTemplate
{
    private static readonly Lazy<string> TextLazy = new(() =>
    {
        var assembly = typeof(QwenChatTemplate).Assembly;
        const string name = "Directer.Training.Templates.qwen2.5-chat-template.jinja";
        using var stream = assembly.GetManifestResourceStream(name) ?? throw new InvalidOperationException($"Embedded resource {name} is missing from {assembly.GetName().Name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    /// <summary>The template text (2507 characters).</summary>
    public static string Text => TextLazy.Value;
}
