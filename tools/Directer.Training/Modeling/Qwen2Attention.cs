using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Directer.Training.Modeling;

/// <summary>
/// Qwen2 self-attention: q/k/v projections with biases, o_proj without, rotary positions, grouped-query
/// attention (key/value heads repeated to the query heads), causal softmax(QKᵀ/√d)V.
/// Field names are the Hugging Face tensor names.
/// </summary>
internal sealed class Qwen2Attention : nn.Module<Tensor, RotaryTable, Tensor>
{
    private readonly Linear q_proj;
    private readonly Linear k_proj;
    private readonly Linear v_proj;
    private readonly Linear o_proj;
    private readonly int heads;
    private readonly int kvHeads;
    private readonly int headDim;
    private readonly ScalarType compute;

    public Qwen2Attention(string name, Qwen2Shape shape, ScalarType compute)
        : base(name)
    {
        this.compute = compute;
        heads = shape.NumHeads;
        kvHeads = shape.NumKvHeads;
        headDim = shape.HeadDim;
        q_proj = nn.Linear(shape.HiddenSize, heads * headDim, hasBias: true);
        k_proj = nn.Linear(shape.HiddenSize, kvHeads * headDim, hasBias: true);
        v_proj = nn.Linear(shape.HiddenSize, kvHeads * headDim, hasBias: true);
        o_proj = nn.Linear(heads * headDim, shape.HiddenSize, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, RotaryTable rotary)
    {
        using var scope = NewDisposeScope();
        long b = x.shape[0];
        long t = x.shape[1];
        var xc = x.to_type(compute);
        var q = MixedPrecision.Linear(xc, q_proj, compute).view(b, t, heads, headDim).transpose(1, 2);
        var k = MixedPrecision.Linear(xc, k_proj, compute).view(b, t, kvHeads, headDim).transpose(1, 2);
        var v = MixedPrecision.Linear(xc, v_proj, compute).view(b, t, kvHeads, headDim).transpose(1, 2);
        q = rotary.Apply(q);
        k = rotary.Apply(k);
        if (kvHeads != heads)
        {
            int repeat = heads / kvHeads;
            k = k.repeat_interleave(repeat, dim: 1);
            v = v.repeat_interleave(repeat, dim: 1);
        }

        // Positional: TorchSharp 0.107 spells the causal flag "is_casual".
        var attended = nn.functional.scaled_dot_product_attention(q, k, v, null, 0.0, true);
        var merged = attended.transpose(1, 2).reshape(b, t, heads * headDim);
        return MixedPrecision.Linear(merged, o_proj, compute).to_type(x.dtype).MoveToOuterDisposeScope();
    }
}
