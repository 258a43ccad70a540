namespace Directer.Evaluation.Harness;

/// <summary>Where a row's emphasised text came from.</summary>
public enum EmphasisSource
{
    /// <summary>The row's own <c>emphasis</c> field.</summary>
    Row,

    /// <summary>Derived: every instruction was found in a sentence of the prompt or system message.</summary>
    Instructions,

    /// <summary>Derived, but at least one instruction matched no sentence, so the prompt's last sentence stood in for it.</summary>
    Fallback,
}
