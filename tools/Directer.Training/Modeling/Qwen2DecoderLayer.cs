using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Training.Modeling;

/// <summary>Pre-norm decoder layer: x + attn(norm(x)), then h + mlp(norm(h)).</summary>
internal sealed class Qwen2DecoderLayer : nn.Module<Tensor, RotaryTable, Tensor>
{
    private readonly RmsNorm input_layernorm;
    private readonly Qwen2Attention self_attn;
    private readonly RmsNorm post_attention_layernorm;
    private readonly Qwen2Mlp mlp;

    public Qwen2DecoderLayer(string name, Qwen2Shape shape, ScalarType compute)
        : base(name)
    {
        input_layernorm = new RmsNorm("input_layernorm", shape.HiddenSize, shape.RmsNormEps);
        self_attn = new Qwen2Attention("self_attn", shape, compute);
        post_attention_layernorm = new RmsNorm("post_attention_layernorm", shape.HiddenSize, shape.RmsNormEps);
        mlp = new Qwen2Mlp("mlp", shape, compute);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x, RotaryTable rotary)
    {
        using var scope = NewDisposeScope();
        var h = x + self_attn.forward(input_layernorm.forward(x), rotary);
        var output = h + mlp.forward(post_attention_layernorm.forward(h));
        return output.MoveToOuterDisposeScope();
    }
}
