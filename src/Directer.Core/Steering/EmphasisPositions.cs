namespace Directer.Core.Steering;

/// <summary>
/// The emphasised prompt positions of one generation, validated against the prompt: several spans
/// at once, merged; an empty set or a span outside the prompt is an error, never a silent no-op.
/// </summary>
internal sealed class EmphasisPositions
{
    private EmphasisPositions(IReadOnlyList<TokenSpan> spans, int promptLength)
    {
        Spans = spans;
        PromptLength = promptLength;
        Positions = spans.SelectMany(s => Enumerable.Range(s.Start, s.Length)).ToArray();
    }

    /// <summary>The merged, sorted spans.</summary>
    public IReadOnlyList<TokenSpan> Spans { get; }

    /// <summary>Every emphasised position, ascending.</summary>
    public IReadOnlyList<int> Positions { get; }

    /// <summary>Length of the prompt the spans were checked against.</summary>
    public int PromptLength { get; }

    /// <summary>Validates and merges <paramref name="spans"/> for a prompt of <paramref name="promptLength"/> tokens.</summary>
    /// <exception cref="ArgumentException">No span, an empty or reversed span, or one outside the prompt.</exception>
    public static EmphasisPositions Create(IEnumerable<TokenSpan> spans, int promptLength)
    {
        var list = spans.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("Steering needs at least one emphasised token span; none was given (an emphasis that was not found in the prompt?).", nameof(spans));
        }

        foreach (var span in list)
        {
            if (span.Start < 0 || span.End <= span.Start || span.End > promptLength)
            {
                throw new ArgumentException($"Emphasis span {span} is not a non-empty range inside the prompt's {promptLength} tokens [0, {promptLength}).", nameof(spans));
            }
        }

        var merged = new List<TokenSpan>();
        foreach (var span in list.OrderBy(s => s.Start))
        {
            if (merged.Count > 0 && span.Start <= merged[^1].End)
            {
                merged[^1] = merged[^1] with { End = Math.Max(merged[^1].End, span.End) };
            }
            else
            {
                merged.Add(span);
            }
        }

        return new EmphasisPositions(merged, promptLength);
    }
}
