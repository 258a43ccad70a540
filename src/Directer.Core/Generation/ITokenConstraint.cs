namespace Directer.Core.Generation;

/// <summary>
/// A rule on which token may come next, kept in step with the generated tokens (for example
/// <see cref="Constraints.ToolCallConstraint"/>). The generator masks the logits of every pass of a step
/// (raw and steered alike) with the same allowed set, so steering and sampling only ever choose among
/// allowed tokens. One instance serves one generation at a time.
/// </summary>
public interface ITokenConstraint
{
    /// <summary>Called once before the first step of a generation; forgets all earlier tokens.</summary>
    void Begin();

    /// <summary>
    /// The tokens allowed at the next step as a flag per model vocabulary id (length
    /// <paramref name="vocabSize"/>), or null when every token is allowed. The array may be reused and is
    /// valid until the next call of <see cref="Accept"/>. It allows at least one token.
    /// </summary>
    bool[]? AllowedNext(int vocabSize);

    /// <summary>Records the chosen token.</summary>
    void Accept(int tokenId);
}
