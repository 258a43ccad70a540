namespace Directer.Training.Training;

/// <summary>Everything that determines a training run (same options ⇒ same weights on the same thread count).</summary>
internal sealed record TrainOptions
{
    public long Seed { get; init; } = 1234;

    /// <summary>Optimizer steps; null with <see cref="Minutes"/> set means "fit the run into that time".</summary>
    public long? Steps { get; init; } = 3000;

    public double? Minutes { get; init; }

    public int BatchSize { get; init; } = 16;

    public int MaxLength { get; init; } = 512;

    public double PeakLearningRate { get; init; } = 3e-3;

    public long WarmupSteps { get; init; } = 100;

    public double WeightDecay { get; init; } = 0.1;

    public double GradClip { get; init; } = 1.0;

    public int Threads { get; init; } = 2;

    public string Size { get; init; } = "demo";

    public int VocabSize { get; init; } = 2048;

    public int TokenizerCorpus { get; init; } = 6000;

    public int LogEvery { get; init; } = 10;

    public long SaveEvery { get; init; } = 500;

    /// <summary>Held-out rows per group evaluated greedily at the end (0: skip).</summary>
    public int EvalPerGroup { get; init; } = 10;

    /// <summary>Run matmuls and attention in bf16 (mixed precision; weights and optimizer stay float32).</summary>
    public bool ComputeBf16 { get; init; } = true;

    /// <summary>Store weights as BF16 (half the size) instead of F32.</summary>
    public bool Bf16 { get; init; }

    /// <summary>
    /// Continue from this checkpoint folder (its weights and its tokenizer) instead of training a tokenizer and
    /// starting from random weights: the second, "copy" stage of the demo model.
    /// </summary>
    public string? InitFrom { get; init; }

    /// <summary>
    /// Share of tool-use conversations whose tool names and string argument values are made up (see
    /// <see cref="Data.NovelNames"/>), so that copying from the context is the only way to get them right.
    /// </summary>
    public double NovelShare { get; init; }

    /// <summary>Share of copy drills (<see cref="Data.CopyDrills"/>) in the data; null = a quarter of <see cref="NovelShare"/>.</summary>
    public double? DrillShare { get; init; }

    /// <summary>
    /// Share of drills that echo a random letter string instead of a made-up word (<see cref="Data.CopyDrills"/>): text
    /// no word statistics can predict, so only copying gets it right. 0 keeps the drill stream bit for bit.
    /// </summary>
    public double RandomCopyShare { get; init; }

    /// <summary>
    /// Share of conversations set in a long agent context (<see cref="Data.AgentContext"/>: earlier turns, pasted
    /// documents, long tool results between the system constraints and the reply). 0 keeps the stream bit for bit.
    /// </summary>
    public double LongContextShare { get; init; }

    /// <summary>
    /// Training requests also drawn from the archetypes' additional wordings (<see cref="Data.ToolArchetype.MoreTrainRequests"/>;
    /// <c>--wordings wide</c>). False keeps the stream bit for bit.
    /// </summary>
    public bool WideWordings { get; init; }

    /// <summary>
    /// Share of training tool requests written with a word of the wanted tool's own name or description
    /// (<see cref="Data.KeywordRequests"/>; <c>--keyword-requests P</c>). 0 keeps the stream bit for bit.
    /// </summary>
    public double KeywordShare { get; init; }
}
