namespace Directer.Evaluation.Harness;

/// <summary>Where a run stands, reported after every (method, row).</summary>
/// <param name="Done">Pairs finished, including those resumed from earlier sessions.</param>
/// <param name="Total">Pairs in the run (rows × methods).</param>
/// <param name="Resumed">Pairs found finished when the run started.</param>
/// <param name="Elapsed">Time spent generating in this session.</param>
/// <param name="GeneratedTokens">Tokens generated in this session.</param>
/// <param name="Method">The method of the pair just finished (or about to start).</param>
/// <param name="Key">The row of the pair just finished (or about to start).</param>
public sealed record EvalProgress(int Done, int Total, int Resumed, TimeSpan Elapsed, long GeneratedTokens, string Method, string Key)
{
    /// <summary>Pairs computed in this session.</summary>
    public int ComputedThisSession => Done - Resumed;

    /// <summary>Estimated time to finish from this session's pace; null before the first computed pair.</summary>
    public TimeSpan? Remaining => ComputedThisSession > 0 ? Elapsed / ComputedThisSession * (Total - Done) : null;
}
