namespace Directer.Evaluation.IfEval;

/// <summary><c>change_case:capital_word_frequency</c>: the number of NLTK <c>word_tokenize</c> tokens for which
/// <c>str.isupper()</c> holds (see <see cref="TreebankWordTokenizer"/>) compared with <c>capital_frequency</c>.</summary>
internal sealed class CapitalWordFrequencyChecker : IInstructionChecker
{
    private readonly int _frequency;
    private readonly ComparisonRelation _relation;

    public CapitalWordFrequencyChecker(InstructionKwargs kwargs)
    {
        // The official code only replaces a missing frequency; a negative one is kept.
        _frequency = kwargs.Int("capital_frequency", min: null);
        _relation = kwargs.Relation("capital_relation");
    }

    public string InstructionId => IfEvalInstructions.ChangeCaseCapitalWordFrequency;

    public bool IsFollowed(string response)
        => _relation.Holds(TreebankWordTokenizer.WordTokenize(response).Count(PyText.IsUpper), _frequency);
}
