using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Directer.Training.Modeling;

/// <summary>Qwen2 MLP: down_proj(silu(gate_proj(x)) * up_proj(x)), no biases.</summary>
internal sealed class Qwen2Mlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear gate_proj;
    private readonly Linear up_proj;
    private readonly Linear down_proj;

    public Qwen2Mlp(string name, Qwen2Shape shape)
        : base(name)
    {
        gate_proj = nn.Linear(shape.HiddenSize, shape.IntermediateSize, hasBias: false);
        up_proj = nn.Linear(shape.HiddenSize, shape.IntermediateSize, hasBias: false);
        down_proj = nn.Linear(shape.IntermediateSize, shape.HiddenSize, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var gated = nn.functional.silu(gate_proj.forward(x)) * up_proj.forward(x);
        return down_proj.forward(gated).MoveToOuterDisposeScope();
    }
}
