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

    static LlamaCppPeer()
    {
        // llama.cpp logs every load to stderr; the report is the output here. Must precede the native load.
        NativeLibraryConfig.All.WithLogCallback((_, _) => { });
    }

    public LlamaCppPeer(string gguf, int threads, int contextSize)
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
