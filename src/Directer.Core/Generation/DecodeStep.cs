using Directer.Core.Modeling;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Generation;

/// <summary>
/// One decode step as a <see cref="ITokenSelector"/> sees it: the input token at
/// <see cref="Position"/>, not yet in the cache. The selector must run exactly one raw pass that
/// appends the input's keys and values (row 0 of a writing <see cref="LlamaModel.Forward"/>), and
/// may run any number of read-only passes. Tensors created during the step are disposed after it.
/// </summary>
public sealed class DecodeStep
{
    internal DecodeStep(LlamaModel model, KvCache cache, TokenSampler sampler, IReadOnlyList<int> promptIds)
    {
        Model = model;
        Cache = cache;
        Sampler = sampler;
        PromptIds = promptIds;
    }

    /// <summary>The model.</summary>
    public LlamaModel Model { get; }

    /// <summary>The sequence's KV cache (raw keys and values only).</summary>
    public KvCache Cache { get; }

    /// <summary>The sampler configured for this generation.</summary>
    public TokenSampler Sampler { get; }

    /// <summary>The prompt of this generation.</summary>
    public IReadOnlyList<int> PromptIds { get; }

    /// <summary>0 for the first decode step (input = the last prompt token).</summary>
    public int Index { get; internal set; }

    /// <summary>The token this step reads.</summary>
    public int InputToken { get; internal set; }

    /// <summary>Absolute position of <see cref="InputToken"/> (the cache length before this step).</summary>
    public int Position { get; internal set; }

    /// <summary>Runs the plain raw pass of the input token (appending it to the cache); returns float32 logits [vocab].</summary>
    public Tensor RunRawPass()
    {
        using var input = tensor(new long[] { InputToken }, ScalarType.Int64).unsqueeze(0);
        using var logits = Model.Forward(input, Cache, ForwardRequest.Raw);
        return logits.reshape(-1);
    }

    /// <summary>
    /// Runs <paramref name="rows"/> copies of the input token in one batched pass at
    /// <see cref="Position"/>; returns float32 logits [rows, vocab].
    /// </summary>
    public Tensor RunBatch(int rows, ForwardRequest request)
    {
        using var input = full(new long[] { rows, 1 }, InputToken, ScalarType.Int64);
        using var logits = Model.Forward(input, Cache, request with { StartPosition = Position, LastPositionOnly = true });
        return logits.reshape(rows, -1);
    }
}
