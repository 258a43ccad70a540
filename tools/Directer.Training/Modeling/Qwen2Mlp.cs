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
    private readonly ScalarType compute;

    public Qwen2Mlp(string name, Qwen2Shape shape, ScalarType compute)
        : base(name)
    {
        this.compute = compute;
        gate_proj = nn.Linear(shape.HiddenSize, shape.IntermediateSize, hasBias: false);
        up_proj = nn.Linear(shape.HiddenSize, shape.IntermediateSize, hasBias: false);
        down_proj = nn.Linear(shape.IntermediateSize, shape.HiddenSize, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var xc = x.to_type(compute);
        var gated = nn.functional.silu(MixedPrecision.Linear(xc, gate_proj, compute)) * MixedPrecision.Linear(xc, up_proj, compute);
        return MixedPrecision.Linear(gated, down_proj, compute).to_type(x.dtype).MoveToOuterDisposeScope();
    }
}
