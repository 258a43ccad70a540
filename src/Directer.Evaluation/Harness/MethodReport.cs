using Directer.Evaluation.IfEval;

namespace Directer.Evaluation.Harness;

/// <summary>One method's results over the rows of a run: accuracy, throughput and steering statistics.</summary>
public sealed record MethodReport
{
    /// <summary>The method's name.</summary>
    public required string Method { get; init; }

    /// <summary>The method's settings.</summary>
    public required IReadOnlyDictionary<string, string> Settings { get; init; }

    /// <summary>Rows scored (rows that ran; error rows are not counted here).</summary>
    public required int Rows { get; init; }

    /// <summary>Rows that could not be run (see <see cref="RowErrors"/>); left out of every figure below.</summary>
    public int Errors { get; init; }

    /// <summary>The reason each error row could not be run, by row key, in file order.</summary>
    public IReadOnlyDictionary<string, string> RowErrors { get; init; } = new Dictionary<string, string>();

    /// <summary>Prompt-level strict accuracy: share of rows whose every instruction was followed, in [0, 1].</summary>
    public required double PromptStrict { get; init; }

    /// <summary>Prompt-level loose accuracy.</summary>
    public required double PromptLoose { get; init; }

    /// <summary>Instruction-level strict accuracy: share of all instructions followed.</summary>
    public required double InstructionStrict { get; init; }

    /// <summary>Instruction-level loose accuracy.</summary>
    public required double InstructionLoose { get; init; }

    /// <summary>Accuracy per instruction type, by id.</summary>
    public required IReadOnlyDictionary<string, InstructionTally> PerInstruction { get; init; }

    /// <summary>Accuracy per instruction category (<c>keywords</c>, <c>detectable_format</c>...).</summary>
    public required IReadOnlyDictionary<string, InstructionTally> PerCategory { get; init; }

    /// <summary>Generated tokens over all rows.</summary>
    public required long CompletionTokens { get; init; }

    /// <summary>Mean generated tokens per row.</summary>
    public required double MeanCompletionTokens { get; init; }

    /// <summary>Generation time (prefill + decode) over all rows, in seconds.</summary>
    public required double GenerationSeconds { get; init; }

    /// <summary>Throughput: generated tokens per second of generation time (prefill included), the plot's x axis.</summary>
    public required double TokensPerSecond { get; init; }

    /// <summary>Decode throughput: generated tokens per second of decode time.</summary>
    public required double DecodeTokensPerSecond { get; init; }

    /// <summary>Pooled steering statistics; null for <c>none</c>.</summary>
    public SteeringStatistics? Steering { get; init; }

    /// <summary>Rows by where their emphasis came from (row, instructions, fallback).</summary>
    public required IReadOnlyDictionary<string, int> EmphasisSources { get; init; }

    /// <summary>Mean emphasised prompt tokens per row.</summary>
    public required double MeanEmphasisTokens { get; init; }
}
