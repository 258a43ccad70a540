namespace Directer.Evaluation.IfEval;

/// <summary><c>length_constraints:number_words</c>: the number of <c>\w+</c> runs compared with <c>num_words</c>.</summary>
internal sealed class NumberOfWordsChecker : IInstructionChecker
{
    private readonly int _threshold;
    private readonly ComparisonRelation _relation;

    public NumberOfWordsChecker(InstructionKwargs kwargs)
    {
        _threshold = kwargs.Int("num_words");
        _relation = kwargs.Relation("relation");
    }

    public string InstructionId => IfEvalInstructions.LengthNumberWords;

    public bool IsFollowed(string response) => _relation.Holds(WordCounter.Count(response), _threshold);
}
