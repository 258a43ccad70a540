namespace Directer.Evaluation.IfEval;

/// <summary><c>combination:repeat_prompt</c>: the stripped, lowercased response starts with the stripped, lowercased
/// <c>prompt_to_repeat</c>.</summary>
internal sealed class RepeatPromptChecker : IInstructionChecker
{
    private readonly string _prompt;

    public RepeatPromptChecker(InstructionKwargs kwargs)
        => _prompt = PyText.Lower(PyText.Strip(kwargs.String("prompt_to_repeat", nonEmpty: true)));

    public string InstructionId => IfEvalInstructions.CombinationRepeatPrompt;

    public bool IsFollowed(string response)
        => PyText.Lower(PyText.Strip(response)).StartsWith(_prompt, StringComparison.Ordinal);
}
