namespace Directer.Core.Steering;

/// <summary>DIRECTER's plausibility rules over the raw distribution P.</summary>
internal static class PlausibilityGate
{
    /// <summary>
    /// Whether any token but the raw argmax can pass the test: with x ≥ y the two largest values
    /// of P, steering can change the outcome only when y ≥ beta·x.
    /// </summary>
    public static bool SteeringCanChangeOutcome(ReadOnlySpan<float> p, double beta)
    {
        float x = float.NegativeInfinity, y = float.NegativeInfinity;
        foreach (float v in p)
        {
            if (v > x)
            {
                y = x;
                x = v;
            }
            else if (v > y)
            {
                y = v;
            }
        }

        return !(y < beta * x);
    }

    /// <summary>The test a steered choice <paramref name="candidate"/> must pass: P[c] − beta·max(P) &gt; 0.</summary>
    public static bool IsPlausible(ReadOnlySpan<float> p, int candidate, double beta, float maxP) => p[candidate] - (beta * maxP) > 0;
}
