using Directer.Core.Checkpoints;
using TorchSharp;

namespace Directer.Testing;

/// <summary>
/// The weights of a scripted checkpoint: layers that add nothing (zero projections, unit norms), one-hot embeddings
/// (hidden size = vocabulary) and an LM head that maps each token of a chain to the next, so greedy decoding that
/// reaches the chain's first token emits the rest of it in order.
/// </summary>
public static class ScriptedWeights
{
    /// <summary>Writes <c>model.safetensors</c> for <paramref name="config"/> into <paramref name="folder"/>.</summary>
    /// <param name="folder">The checkpoint folder.</param>
    /// <param name="config">The checkpoint's config (its hidden size must equal <paramref name="vocab"/>).</param>
    /// <param name="vocab">The vocabulary size.</param>
    /// <param name="chain">Token ids in the order greedy decoding must emit them (each maps to the next).</param>
    public static void Write(string folder, ModelConfig config, int vocab, IReadOnlyList<int> chain)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = new List<KeyValuePair<string, torch.Tensor>>();
        foreach (var expected in CheckpointLayout.For(config))
        {
            torch.Tensor tensor = expected.Name switch
            {
                CheckpointLayout.EmbedTokens => torch.eye(vocab, vocab, torch.float32),
                CheckpointLayout.LmHead => Successors(vocab, chain),
                _ when expected.Name.EndsWith("norm.weight", StringComparison.Ordinal) => torch.ones(expected.Shape, torch.float32),
                _ => torch.zeros(expected.Shape, torch.float32),
            };
            tensors.Add(new(expected.Name, tensor));
        }

        SafetensorsWriter.Write(Path.Combine(folder, CheckpointWeights.SingleFileName), tensors, new Dictionary<string, string> { ["format"] = "pt" });
    }

    private static torch.Tensor Successors(int vocab, IReadOnlyList<int> chain)
    {
        var head = torch.zeros(vocab, vocab, torch.float32);
        for (int i = 0; i + 1 < chain.Count; i++)
        {
            head[chain[i + 1], chain[i]].fill_(1f);
        }

        return head;
    }
}
