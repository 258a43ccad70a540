namespace Directer.Core.Generation;

/// <summary>
/// A <see cref="ITokenConstraint"/> that sometimes has to pick one of a few whole continuations (for
/// example which listed tool a call names). Token-by-token masking would let the first token decide
/// (a model that wants <c>check_stock</c> but may only write <c>calculator_add</c> or
/// <c>inventory_get_stock</c> would be pushed into <c>calculator_add</c> by the shared <c>c</c>); instead the
/// generator scores each continuation by the model's probability of all its tokens (one read-only,
/// unsteered pass) and tells the constraint which one won. The following steps then write it, masked
/// as usual.
/// </summary>
public interface IChoiceConstraint : ITokenConstraint
{
    /// <summary>The continuations to choose between before the next step (token ids each), or an empty list.</summary>
    IReadOnlyList<IReadOnlyList<int>> PendingChoices();

    /// <summary>Restricts what follows to continuation <paramref name="index"/> of the last <see cref="PendingChoices"/>.</summary>
    void Choose(int index);
}
