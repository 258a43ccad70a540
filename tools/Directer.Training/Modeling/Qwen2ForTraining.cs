using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Directer.Training.Modeling;

/// <summary>
/// A trainable Qwen2ForCausalLM with tied embeddings (no lm_head: logits = h · embed_tokensᵀ).
/// <see cref="NamedWeights"/> yields the Hugging Face tensor names (<c>model.layers.0.self_attn.q_proj.weight</c>, ...).
/// </summary>
internal sealed class Qwen2ForTraining : nn.Module<Tensor, Tensor>
{
    /// <summary>Label value that is excluded from the loss (PyTorch's convention).</summary>
    public const long IgnoreIndex = -100;

    private readonly Embedding embed_tokens;
    private readonly ModuleList<Qwen2DecoderLayer> layers;
    private readonly RmsNorm norm;
    private readonly RotaryTable rotary;

    /// <param name="shape">Architecture.</param>
    /// <param name="compute">
    /// Matmul/attention dtype. Weights, norms, the residual stream and the loss stay float32; with BFloat16 the
    /// projections and attention run in bf16 (mixed precision, like autocast), which is about 2x faster on CPUs
    /// with AVX512_BF16.
    /// </param>
    public Qwen2ForTraining(Qwen2Shape shape, ScalarType compute = ScalarType.Float32)
        : base("model")
    {
        shape.Validate();
        Shape = shape;
        Compute = compute;
        embed_tokens = nn.Embedding(shape.VocabSize, shape.HiddenSize);
        layers = new ModuleList<Qwen2DecoderLayer>();
        for (int i = 0; i < shape.NumLayers; i++)
        {
            layers.Add(new Qwen2DecoderLayer($"layers.{i}", shape, compute));
        }

        norm = new RmsNorm("norm", shape.HiddenSize, shape.RmsNormEps);
        RegisterComponents();
        rotary = new RotaryTable(shape.HeadDim, shape.MaxPositions, shape.RopeTheta, compute);
    }

    /// <summary>Dtype of matmuls and attention (see the constructor).</summary>
    public ScalarType Compute { get; }

    /// <summary>The architecture hyper-parameters.</summary>
    public Qwen2Shape Shape { get; }

    /// <summary>
    /// Re-initialises every weight from the current torch seed: linear and embedding weights ~ N(0, std),
    /// output projections (o_proj, down_proj) scaled by 1/√(2·layers), biases 0, norm weights 1.
    /// </summary>
    public void InitializeWeights(double std = 0.02)
    {
        using var noGrad = no_grad();
        double residualStd = std / Math.Sqrt(2.0 * Shape.NumLayers);
        foreach (var (name, parameter) in named_parameters())
        {
            if (name.EndsWith("layernorm.weight", StringComparison.Ordinal) || name == "norm.weight")
            {
                parameter.fill_(1.0);
            }
            else if (name.EndsWith(".bias", StringComparison.Ordinal))
            {
                parameter.zero_();
            }
            else
            {
                bool residual = name.EndsWith("o_proj.weight", StringComparison.Ordinal) || name.EndsWith("down_proj.weight", StringComparison.Ordinal);
                nn.init.normal_(parameter, 0.0, residual ? residualStd : std);
            }
        }
    }

    /// <summary>Parameters with their Hugging Face names (prefixed with <c>model.</c>), in registration order.</summary>
    public IEnumerable<(string Name, Parameter Parameter)> NamedWeights()
        => named_parameters().Select(p => ("model." + p.name, p.parameter));

    /// <summary>Copies weights (Hugging Face names, as from <see cref="NamedWeights"/>) into the model.</summary>
    /// <exception cref="InvalidDataException">A weight is missing or has the wrong shape.</exception>
    public void LoadNamedWeights(IReadOnlyDictionary<string, Tensor> weights)
    {
        using var noGrad = no_grad();
        foreach (var (name, parameter) in NamedWeights())
        {
            if (!weights.TryGetValue(name, out var source))
            {
                throw new InvalidDataException($"Checkpoint lacks tensor '{name}'.");
            }

            if (!source.shape.SequenceEqual(parameter.shape))
            {
                throw new InvalidDataException($"Tensor '{name}' has shape [{string.Join(", ", source.shape)}], expected [{string.Join(", ", parameter.shape)}].");
            }

            parameter.copy_(source);
        }
    }

    /// <summary>Logits [vocab] for the token after the last of <paramref name="inputIds"/> [1, T].</summary>
    public Tensor NextTokenLogits(Tensor inputIds)
    {
        using var scope = NewDisposeScope();
        var h = forward(inputIds);
        var last = h[0, -1];
        return matmul(embed_tokens.weight!, last).MoveToOuterDisposeScope();
    }

    /// <summary>Final hidden states [B, T, hidden] for token ids [B, T].</summary>
    public override Tensor forward(Tensor inputIds)
    {
        using var scope = NewDisposeScope();
        var h = embed_tokens.forward(inputIds);
        foreach (var layer in layers)
        {
            h = layer.forward(h, rotary);
        }

        return norm.forward(h).MoveToOuterDisposeScope();
    }

    /// <summary>Logits [B, T, vocab] (tied head).</summary>
    public Tensor Logits(Tensor inputIds)
    {
        using var scope = NewDisposeScope();
        var h = forward(inputIds);
        return matmul(h, embed_tokens.weight!.t()).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// Mean next-token cross-entropy over the positions whose label is not <see cref="IgnoreIndex"/>.
    /// Only those positions go through the vocabulary projection.
    /// </summary>
    /// <param name="inputIds">Token ids [B, T].</param>
    /// <param name="labels">Target ids [B, T] (already shifted: label[t] is the token after input[t]).</param>
    public Tensor Loss(Tensor inputIds, Tensor labels)
    {
        using var scope = NewDisposeScope();
        var h = forward(inputIds).reshape(-1, Shape.HiddenSize);
        var flatLabels = labels.reshape(-1);
        var positions = nonzero(flatLabels.ne(IgnoreIndex)).squeeze(1);
        var selected = h.index_select(0, positions).to_type(Compute);
        var logits = matmul(selected, embed_tokens.weight!.to_type(Compute).t()).to_type(ScalarType.Float32);
        var loss = nn.functional.cross_entropy(logits, flatLabels.index_select(0, positions));
        return loss.MoveToOuterDisposeScope();
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            rotary.Dispose();
        }

        base.Dispose(disposing);
    }
}
