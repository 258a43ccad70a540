using System.Diagnostics;
using LLama;
using LLama.Common;
using LLama.Native;

namespace Directer.Bench.Peer;

/// <summary>
/// llama.cpp (through LLamaSharp's CPU backend) running a GGUF converted from the bench checkpoint:
/// greedy decoding over token ids with the same thread count as Directer. Flash attention is off and
/// the KV cache is f32 so that its f32 results are comparable to ours id for id.
/// </summary>
internal sealed class LlamaCppPeer : IDisposable
{
    private readonly LLamaWeights weights;
    private readonly LLamaContext context;
    private readonly LLamaBatch batch = new();
    private readonly int vocab;
    private int prefixLength;

    static LlamaCppPeer()
    {
        // llama.cpp logs every load to stderr; the report is the output here. Must precede the native load.
        NativeLibraryConfig.All.WithLogCallback((_, _) => { });
    }

    /// <param name="gguf">The converted weights.</param>
    /// <param name="threads">Threads for decode and batches.</param>
    /// <param name="contextSize">Cache cells (all sequences together).</param>
    /// <param name="sequences">Sequences the cache holds: more than one for <see cref="RowPass"/>, in one unified cache
    /// so that the rows share the prompt's cells as Directer's k-row passes share one cache.</param>
    public LlamaCppPeer(string gguf, int threads, int contextSize, int sequences = 1)
    {
        var parameters = new ModelParams(gguf)
        {
            ContextSize = (uint)contextSize,
            Threads = threads,
            BatchThreads = threads,
            BatchSize = (uint)contextSize,
            UBatchSize = (uint)contextSize,
            GpuLayerCount = 0,
            FlashAttention = false,
            TypeK = GGMLType.GGML_TYPE_F32,
            TypeV = GGMLType.GGML_TYPE_F32,
            SeqMax = (uint)sequences,
            KVUnified = sequences > 1,
        };
        weights = LLamaWeights.LoadFromFile(parameters);
        context = weights.CreateContext(parameters);
        vocab = weights.Vocab.Count;
    }

    /// <summary>Generates <paramref name="newTokens"/> greedy ids after <paramref name="prompt"/>; times prefill and decode.</summary>
    public (int[] Ids, double PrefillSeconds, double DecodeSeconds) Greedy(IReadOnlyList<int> prompt, int newTokens)
    {
        context.NativeHandle.MemoryClear(true);
        var ids = new int[newTokens];
        var clock = Stopwatch.StartNew();
        batch.Clear();
        for (int i = 0; i < prompt.Count; i++)
        {
            batch.Add((LLamaToken)prompt[i], i, LLamaSeqId.Zero, i == prompt.Count - 1);
        }

        Decode();
        ids[0] = ArgMax(context.NativeHandle.GetLogitsIth(batch.TokenCount - 1));
        double prefill = clock.Elapsed.TotalSeconds;
        clock.Restart();
        for (int t = 1; t < newTokens; t++)
        {
            batch.Clear();
            batch.Add((LLamaToken)ids[t - 1], prompt.Count + t - 1, LLamaSeqId.Zero, true);
            Decode();
            ids[t] = ArgMax(context.NativeHandle.GetLogitsIth(0));
        }

        return (ids, prefill, clock.Elapsed.TotalSeconds);
    }

    /// <summary>Prefills <paramref name="prompt"/> once into sequences 0..<paramref name="rows"/>-1 (shared cells), for <see cref="RowPass"/>.</summary>
    public void PrepareRows(IReadOnlyList<int> prompt, int rows)
    {
        context.NativeHandle.MemoryClear(true);
        var all = Enumerable.Range(0, rows).Select(i => (LLamaSeqId)i).ToArray();
        batch.Clear();
        for (int i = 0; i < prompt.Count; i++)
        {
            batch.Add((LLamaToken)prompt[i], i, all, i == prompt.Count - 1);
        }

        Decode();
        prefixLength = prompt.Count;
    }

    /// <summary>
    /// One read-only pass of k rows, as Directer's k-row table measures: token 100 + i in sequence i at the position
    /// after the prepared prompt, logits for every row; the new cells are removed after the clock stops. Seconds.
    /// </summary>
    public double RowPass(int k)
    {
        batch.Clear();
        for (int i = 0; i < k; i++)
        {
            batch.Add((LLamaToken)(100 + i), prefixLength, (LLamaSeqId)i, true);
        }

        var clock = Stopwatch.StartNew();
        Decode();
        double seconds = clock.Elapsed.TotalSeconds;
        for (int i = 0; i < k; i++)
        {
            context.NativeHandle.MemorySequenceRemove((LLamaSeqId)i, prefixLength, -1);
        }

        return seconds;
    }

    private void Decode()
    {
        var result = context.NativeHandle.Decode(batch);
        if (result != DecodeResult.Ok)
        {
            throw new InvalidOperationException($"llama_decode failed: {result}.");
        }
    }

    private int ArgMax(Span<float> logits)
    {
        int best = 0;
        for (int i = 1; i < vocab; i++)
        {
            if (logits[i] > logits[best])
            {
                best = i;
            }
        }

        return best;
    }

    public void Dispose()
    {
        context.Dispose();
        weights.Dispose();
    }
}
