namespace Directer.Evaluation.IfEval;

/// <summary>Whether a response followed one instruction, under IFEval's strict and loose scoring.</summary>
/// <param name="InstructionId">The IFEval instruction id.</param>
/// <param name="Strict">Followed by the response as given.</param>
/// <param name="Loose">Followed by at least one of IFEval's loose variants of the response.</param>
public sealed record InstructionResult(string InstructionId, bool Strict, bool Loose);
