namespace Directer.Evaluation.IfEval;

/// <summary><c>length_constraints:number_sentences</c>: the Punkt sentence count compared with <c>num_sentences</c>.</summary>
internal sealed class NumberOfSentencesChecker : IInstructionChecker
{
    private readonly int _threshold;
    private readonly ComparisonRelation _relation;

    public NumberOfSentencesChecker(InstructionKwargs kwargs)
    {
        _threshold = kwargs.Int("num_sentences");
        _relation = kwargs.Relation("relation");
    }

    public string InstructionId => IfEvalInstructions.LengthNumberSentences;

    public bool IsFollowed(string response) => _relation.Holds(PunktSentenceTokenizer.CountSentences(response), _threshold);
}
