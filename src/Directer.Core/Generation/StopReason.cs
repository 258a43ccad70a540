namespace Directer.Core.Generation;

/// <summary>Why a generation ended.</summary>
public enum StopReason
{
    /// <summary>An end-of-sequence / end-of-turn token was produced.</summary>
    EndOfSequence,

    /// <summary>A stop sequence was produced.</summary>
    StopSequence,

    /// <summary>A stop string appeared in the decoded text.</summary>
    StopString,

    /// <summary>The token budget was reached.</summary>
    MaxTokens,

    /// <summary>The context (KV cache capacity) is full.</summary>
    ContextFull,
}
