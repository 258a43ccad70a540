namespace Directer.Core.Generation;

/// <summary>
/// A decode step produced NaN or +∞ logits, so no token can be chosen honestly (without this check every step would
/// pick token 0). Usual causes: weights that hold NaN/∞ (load with <see cref="Modeling.ModelOptions.CheckWeights"/>
/// to find the tensor), or an activation that overflows in bfloat16/float16 (try <c>ComputeDType.Float32</c>).
/// </summary>
public sealed class NonFiniteLogitsException : Exception
{
    /// <summary>Creates the exception for decode step <paramref name="step"/> at <paramref name="position"/>.</summary>
    /// <param name="step">The decode step (0 = the first generated token).</param>
    /// <param name="position">The sequence position the step reads.</param>
    /// <param name="maximum">The largest logit found (NaN or +∞).</param>
    public NonFiniteLogitsException(int step, int position, float maximum)
        : base($"Decode step {step} (sequence position {position}) produced {(float.IsNaN(maximum) ? "NaN" : "infinite")} logits: " +
            "the model's numbers broke down, so no token can be chosen. Check the weights for NaN/Inf (ModelOptions.CheckWeights) " +
            "or compute in float32 if a bfloat16 activation overflowed.")
    {
        Step = step;
        Position = position;
    }

    /// <summary>Creates the exception with a custom message.</summary>
    /// <param name="message">The message.</param>
    public NonFiniteLogitsException(string message)
        : base(message)
    {
    }

    /// <summary>The decode step (0 = the first generated token).</summary>
    public int Step { get; }

    /// <summary>The sequence position the step read.</summary>
    public int Position { get; }
}
