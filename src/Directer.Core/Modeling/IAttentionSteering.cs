using TorchSharp;

namespace Directer.Core.Modeling;

/// <summary>
/// Changes pre-softmax attention scores during one forward pass. This is the hook steering methods
/// build on: a pass that uses it reads the KV cache and (see <see cref="ForwardRequest.WriteCache"/>)
/// normally writes nothing to it, so the cache keeps raw keys and values.
/// </summary>
public interface IAttentionSteering
{
    /// <summary>Whether any row of the batch is steered in <paramref name="layer"/>; unsteered layers skip <see cref="Apply"/>.</summary>
    bool AffectsLayer(int layer);

    /// <summary>
    /// Modifies <paramref name="scores"/> in place. Shape [batch, kvHeads, groups, queries, keys]:
    /// attention head h is (h / groups, h % groups), as in Hugging Face's repeat_kv; key column j is
    /// absolute position j of the sequence. Scores are already scaled by 1/sqrt(head_dim) and causally
    /// masked (-inf), so a positive multiplier keeps masked entries masked.
    /// </summary>
    void Apply(int layer, torch.Tensor scores);
}
