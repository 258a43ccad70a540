using Directer.Core.Steering;
using Directer.Evaluation.IfEval;

namespace Directer.Evaluation.Harness;

/// <summary>The outcome of one (method, row) pair: one line of <c>results.jsonl</c>. Fields are only ever added.</summary>
public sealed record RowResult
{
    /// <summary>The method's canonical name.</summary>
    public required string Method { get; init; }

    /// <summary>The row's key.</summary>
    public required string Key { get; init; }

    /// <summary>The generated response (the full decoded text, as IFEval scores it).</summary>
    public required string Response { get; init; }

    /// <summary>Strict and loose result of each instruction, in the row's order.</summary>
    public required IReadOnlyList<InstructionResult> Instructions { get; init; }

    /// <summary>Prompt tokens (rendered chat prompt).</summary>
    public required int PromptTokens { get; init; }

    /// <summary>Generated tokens.</summary>
    public required int CompletionTokens { get; init; }

    /// <summary>Why generation stopped.</summary>
    public required string StopReason { get; init; }

    /// <summary>Prefill time in milliseconds.</summary>
    public required double PrefillMs { get; init; }

    /// <summary>Decode time in milliseconds.</summary>
    public required double DecodeMs { get; init; }

    /// <summary>Wall time of the whole row (render, tokenize, generate, score) in milliseconds.</summary>
    public required double RowMs { get; init; }

    /// <summary>The emphasised texts.</summary>
    public required IReadOnlyList<string> Emphasis { get; init; }

    /// <summary>Where the emphasis came from (row, instructions, fallback).</summary>
    public required EmphasisSource EmphasisSource { get; init; }

    /// <summary>Emphasised prompt tokens.</summary>
    public required int EmphasisTokens { get; init; }

    /// <summary>Steering statistics (null for <c>none</c>).</summary>
    public SteeringSummary? Steering { get; init; }

    /// <summary>
    /// Why the row could not be run (its prompt does not fit the context, its emphasis is not in the prompt...), or
    /// null when it ran. An error row has an empty response and no instruction results; reports count it and leave it
    /// out of the accuracy.
    /// </summary>
    public string? Error { get; init; }
}
