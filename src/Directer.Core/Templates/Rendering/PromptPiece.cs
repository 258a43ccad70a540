namespace Directer.Core.Templates;

/// <summary>Either scaffolding text or a whole turn's content; used where a template strips a concatenation.</summary>
internal readonly record struct PromptPiece(string Text, PreparedTurn? Turn)
{
    /// <summary>Template text.</summary>
    public static PromptPiece Scaffold(string text) => new(text, null);

    /// <summary>A turn's content.</summary>
    public static PromptPiece ContentOf(PreparedTurn turn) => new(turn.Content, turn);
}
