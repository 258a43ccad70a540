namespace Directer.Core.Steering;

/// <summary>What steering did at one decode step.</summary>
public sealed record SteeringStep
{
    /// <summary>Decode step index (0 = first generated token).</summary>
    public required int Index { get; init; }

    /// <summary>The gate found that no token but the raw choice could pass, so no steered pass ran.</summary>
    public required bool Gated { get; init; }

    /// <summary>Steered passes evaluated (in order) until one was accepted or the loop gave up.</summary>
    public required int Trials { get; init; }

    /// <summary>Layers steered in the accepted pass (0 when none was accepted).</summary>
    public required int LayersUsed { get; init; }

    /// <summary>Every trial was rejected (or none was possible): the raw choice was emitted.</summary>
    public required bool FellBack { get; init; }

    /// <summary>The unsteered choice (argmax of P, or the raw sample when sampling).</summary>
    public required int RawToken { get; init; }

    /// <summary>The emitted token.</summary>
    public required int ChosenToken { get; init; }

    /// <summary>P[chosen token] under the raw distribution.</summary>
    public required float RawProbabilityOfChosen { get; init; }

    /// <summary>max(P): the raw distribution's top probability (the plausibility test's reference).</summary>
    public required float RawTopProbability { get; init; }

    /// <summary>A steered choice was accepted (it may equal the raw one).</summary>
    public bool Steered => !Gated && !FellBack;

    /// <summary>At least one steered choice was rejected as implausible.</summary>
    public bool Rejected => !Gated && (FellBack ? Trials > 0 : Trials > 1);

    /// <summary>A step record; the probabilities are read from the raw distribution <paramref name="p"/>.</summary>
    public static SteeringStep Of(int index, bool gated, int trials, int layersUsed, bool fellBack, int rawToken, int chosenToken, float[] p) => new()
    {
        Index = index,
        Gated = gated,
        Trials = trials,
        LayersUsed = layersUsed,
        FellBack = fellBack,
        RawToken = rawToken,
        ChosenToken = chosenToken,
        RawProbabilityOfChosen = p[chosenToken],
        RawTopProbability = p.Max(),
    };
}
