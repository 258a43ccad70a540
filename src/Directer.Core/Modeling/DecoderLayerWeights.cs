using TorchSharp;

namespace Directer.Core.Modeling;

/// <summary>
/// One decoder layer's weights in the compute dtype. q/k/v are fused into one projection and
/// gate/up into another, so each costs a single matmul per step (Phi-3 stores them fused already).
/// </summary>
internal sealed class DecoderLayerWeights : IDisposable
{
    public required torch.Tensor InputNorm { get; init; }
    public required torch.Tensor QkvProjection { get; init; }
    public torch.Tensor? QkvBias { get; init; }

    /// <summary>
    /// Qwen3's q_norm then k_norm weights stacked per head, [heads + kv_heads, head_dim], so one RMSNorm over the
    /// fused q/k heads applies both; null for the other architectures.
    /// </summary>
    public torch.Tensor? QueryKeyNorm { get; init; }
    public required torch.Tensor OutputProjection { get; init; }
    public torch.Tensor? OutputBias { get; init; }
    public required torch.Tensor PostAttentionNorm { get; init; }
    public required torch.Tensor GateUpProjection { get; init; }
    public torch.Tensor? GateUpBias { get; init; }
    public required torch.Tensor DownProjection { get; init; }
    public torch.Tensor? DownBias { get; init; }

    public long Bytes => All().Sum(t => t.NumberOfElements * t.ElementSize);

    private IEnumerable<torch.Tensor> All() =>
        new[] { InputNorm, QkvProjection, QkvBias, QueryKeyNorm, OutputProjection, OutputBias, PostAttentionNorm, GateUpProjection, GateUpBias, DownProjection, DownBias }
            .OfType<torch.Tensor>();

    public void Dispose()
    {
        foreach (var t in All())
        {
            t.Dispose();
        }
    }
}
