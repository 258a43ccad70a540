namespace Directer.Evaluation.IfEval;

/// <summary>IFEval's two relations: <c>less than</c> (actual &lt; threshold) and <c>at least</c> (actual &gt;= threshold).</summary>
internal enum ComparisonRelation
{
    /// <summary><c>less than</c>: strictly fewer than the threshold.</summary>
    LessThan,

    /// <summary><c>at least</c>: the threshold or more.</summary>
    AtLeast,
}

/// <summary>Parsing and evaluation of <see cref="ComparisonRelation"/>.</summary>
internal static class ComparisonRelations
{
    /// <summary>The relation named exactly <paramref name="text"/> (the official code compares case-sensitively), or null.</summary>
    public static ComparisonRelation? Parse(string text) => text switch
    {
        "less than" => ComparisonRelation.LessThan,
        "at least" => ComparisonRelation.AtLeast,
        _ => null,
    };

    /// <summary>Whether <paramref name="actual"/> satisfies the relation against <paramref name="threshold"/>.</summary>
    public static bool Holds(this ComparisonRelation relation, long actual, long threshold)
        => relation == ComparisonRelation.LessThan ? actual < threshold : actual >= threshold;
}
