namespace Directer.Core.Checkpoints;

/// <summary>A tensor a checkpoint must contain for a given <see cref="ModelConfig"/>, with the shape config.json implies.</summary>
/// <param name="Name">The Hugging Face tensor name, e.g. <c>model.layers.0.mlp.down_proj.weight</c>.</param>
/// <param name="Shape">The shape (a Linear weight is <c>[out, in]</c>).</param>
public sealed record ExpectedTensor(string Name, long[] Shape);
