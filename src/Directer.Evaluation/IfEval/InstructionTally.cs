namespace Directer.Evaluation.IfEval;

/// <summary>How often a group of instructions (one id, one category, or all) was followed.</summary>
/// <param name="Count">Instructions in the group.</param>
/// <param name="StrictFollowed">Of those, followed under strict scoring.</param>
/// <param name="LooseFollowed">Of those, followed under loose scoring.</param>
public sealed record InstructionTally(int Count, int StrictFollowed, int LooseFollowed)
{
    /// <summary>Strict accuracy, <see cref="StrictFollowed"/> / <see cref="Count"/> (0 for an empty group).</summary>
    public double Strict => Count == 0 ? 0 : (double)StrictFollowed / Count;

    /// <summary>Loose accuracy, <see cref="LooseFollowed"/> / <see cref="Count"/> (0 for an empty group).</summary>
    public double Loose => Count == 0 ? 0 : (double)LooseFollowed / Count;
}
