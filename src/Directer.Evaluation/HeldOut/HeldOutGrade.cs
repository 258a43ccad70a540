namespace Directer.Evaluation.HeldOut;

/// <summary>How one reply did on its held-out row.</summary>
/// <param name="Valid">tool_call rows: the reply holds a well-formed tool call (JSON name and argument object);
/// other rows: always true.</param>
/// <param name="Listed">tool_call rows: the call names one of the listed tools; other rows: always true.</param>
/// <param name="Correct">tool_call: right tool and exactly the right arguments; tool_answer: repeats every required
/// value of the tool result and meets the constraints; constraint: the constraint is met.</param>
/// <param name="RightTool">tool_call rows: the call names the expected tool (whatever its arguments); other rows: always true.</param>
public sealed record HeldOutGrade(bool Valid, bool Listed, bool Correct, bool RightTool);
