namespace Directer.Core.Text.Emphasis;

/// <summary>A half-open range <c>[Start, End)</c> of token positions in a prompt.</summary>
/// <param name="Start">The first token position.</param>
/// <param name="End">One past the last token position.</param>
public readonly record struct TokenSpan(int Start, int End)
{
    /// <summary>The number of tokens in the span.</summary>
    public int Length => End - Start;
}
