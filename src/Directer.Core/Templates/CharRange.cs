namespace Directer.Core.Templates;

/// <summary>A half-open range <c>[Start, End)</c> of UTF-16 character offsets in a string.</summary>
/// <param name="Start">The first character in the range.</param>
/// <param name="End">One past the last character in the range.</param>
public readonly record struct CharRange(int Start, int End)
{
    /// <summary>The number of characters in the range.</summary>
    public int Length => End - Start;
}
