namespace Directer.Evaluation.HeldOut;

/// <summary>Verifiable instruction types the demo model is taught to follow.</summary>
public enum ConstraintKind
{
    /// <summary>No capital letters anywhere.</summary>
    Lowercase,

    /// <summary>No comma characters.</summary>
    NoCommas,

    /// <summary>The reply ends with a given phrase.</summary>
    EndWith,

    /// <summary>Exactly N lines that start with "- ".</summary>
    Bullets,

    /// <summary>The reply is a JSON object with given keys.</summary>
    Json,

    /// <summary>At most N words.</summary>
    WordLimit,

    /// <summary>A given word appears.</summary>
    Include,

    /// <summary>A given word does not appear.</summary>
    Avoid,
}
