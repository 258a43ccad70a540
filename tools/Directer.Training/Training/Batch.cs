using static TorchSharp.torch;

namespace Directer.Training.Training;

/// <summary>
/// A padded batch: input ids [B, T] and next-token labels [B, T] with -100 wherever the next token is not an
/// assistant token (or is padding).
/// </summary>
internal sealed class Batch : IDisposable
{
    public Batch(IReadOnlyList<TrainingExample> examples, int padId)
    {
        int b = examples.Count;
        int t = examples.Max(e => e.Length) - 1;
        var ids = new long[b * t];
        var labels = new long[b * t];
        Array.Fill(ids, padId);
        Array.Fill(labels, Modeling.Qwen2ForTraining.IgnoreIndex);
        for (int r = 0; r < b; r++)
        {
            var e = examples[r];
            for (int i = 0; i < e.Length - 1; i++)
            {
                ids[(r * t) + i] = e.Ids[i];
                if (e.Trainable[i + 1])
                {
                    labels[(r * t) + i] = e.Ids[i + 1];
                    TargetTokens++;
                }
            }

            RealTokens += e.Length - 1;
        }

        InputIds = tensor(ids, new long[] { b, t });
        Labels = tensor(labels, new long[] { b, t });
    }

    public Tensor InputIds { get; }

    public Tensor Labels { get; }

    /// <summary>Non-padding input tokens.</summary>
    public long RealTokens { get; }

    /// <summary>Tokens that carry a loss.</summary>
    public long TargetTokens { get; }

    public void Dispose()
    {
        InputIds.Dispose();
        Labels.Dispose();
    }
}
