namespace Directer.Evaluation.Harness;

/// <summary>Accuracy of one method on one instruction type.</summary>
/// <param name="InstructionId">The IFEval instruction id.</param>
/// <param name="Count">Instructions of this type scored.</param>
/// <param name="Strict">Share followed (strict), in [0, 1].</param>
/// <param name="Loose">Share followed (loose), in [0, 1].</param>
public sealed record InstructionTypeAccuracy(string InstructionId, int Count, double Strict, double Loose);
