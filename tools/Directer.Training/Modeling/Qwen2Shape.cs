namespace Directer.Training.Modeling;

/// <summary>
/// The hyper-parameters of a Qwen2-architecture decoder, named as in Hugging Face's Qwen2Config.
/// </summary>
/// <param name="VocabSize">Rows of the (tied) embedding matrix.</param>
/// <param name="HiddenSize">Model width.</param>
/// <param name="IntermediateSize">Width of the SiLU-gated MLP.</param>
/// <param name="NumLayers">Decoder layers.</param>
/// <param name="NumHeads">Query heads.</param>
/// <param name="NumKvHeads">Key/value heads (grouped-query attention); divides <paramref name="NumHeads"/>.</param>
/// <param name="MaxPositions">max_position_embeddings: the longest sequence the model is meant for.</param>
/// <param name="RopeTheta">RoPE base.</param>
/// <param name="RmsNormEps">RMSNorm epsilon.</param>
internal sealed record Qwen2Shape(
    int VocabSize,
    int HiddenSize,
    int IntermediateSize,
    int NumLayers,
    int NumHeads,
    int NumKvHeads,
    int MaxPositions,
    double RopeTheta = 10000.0,
    double RmsNormEps = 1e-6)
{
    /// <summary>Per-head width: hidden_size / num_attention_heads.</summary>
    public int HeadDim => HiddenSize / NumHeads;

    /// <summary>Checks the shape is self-consistent.</summary>
    /// <exception cref="ArgumentException">A dimension does not divide as the architecture requires.</exception>
    public void Validate()
    {
        if (VocabSize <= 0 || HiddenSize <= 0 || IntermediateSize <= 0 || NumLayers <= 0 || NumHeads <= 0 || NumKvHeads <= 0 || MaxPositions <= 0)
        {
            throw new ArgumentException($"Model shape has a non-positive dimension: {this}.");
        }

        if (HiddenSize % NumHeads != 0)
        {
            throw new ArgumentException($"hidden_size {HiddenSize} is not a multiple of num_attention_heads {NumHeads}.");
        }

        if (NumHeads % NumKvHeads != 0)
        {
            throw new ArgumentException($"num_attention_heads {NumHeads} is not a multiple of num_key_value_heads {NumKvHeads}.");
        }

        if (HeadDim % 2 != 0)
        {
            throw new ArgumentException($"head_dim {HeadDim} must be even for rotary embeddings.");
        }
    }

    /// <summary>Number of trainable parameters (embeddings counted once: they are tied).</summary>
    public long ParameterCount
    {
        get
        {
            long d = HiddenSize;
            long kv = (long)NumKvHeads * HeadDim;
            long attention = (d * d) + d + (2 * ((d * kv) + kv)) + (d * d);
            long mlp = 3 * d * IntermediateSize;
            long norms = 2 * d;
            return ((long)VocabSize * d) + (NumLayers * (attention + mlp + norms)) + d;
        }
    }
}
