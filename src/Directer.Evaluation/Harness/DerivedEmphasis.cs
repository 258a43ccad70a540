namespace Directer.Evaluation.Harness;

/// <summary>The texts to emphasise for one row and how they were chosen.</summary>
/// <param name="Texts">Exact substrings of the row's prompt or system message, in prompt order, distinct.</param>
/// <param name="Source">Where they came from.</param>
public sealed record DerivedEmphasis(IReadOnlyList<string> Texts, EmphasisSource Source);
