namespace Directer.Core.Steering;

/// <summary>A half-open range [Start, End) of prompt token positions to emphasise.</summary>
public readonly record struct TokenSpan(int Start, int End)
{
    /// <summary>Number of positions.</summary>
    public int Length => End - Start;

    /// <inheritdoc />
    public override string ToString() => $"[{Start}, {End})";
}
