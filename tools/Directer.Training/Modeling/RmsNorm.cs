using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Directer.Training.Modeling;

/// <summary>Qwen2RMSNorm: x * rsqrt(mean(x²) + eps) * weight, computed in float32.</summary>
internal sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly double eps;

    private readonly Parameter weight;

    public RmsNorm(string name, long dim, double eps)
        : base(name)
    {
        this.eps = eps;
        weight = new Parameter(ones(dim));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = NewDisposeScope();
        var variance = x.pow(2).mean(new long[] { -1 }, keepdim: true);
        var normed = x * rsqrt(variance + eps);
        return (normed * weight).MoveToOuterDisposeScope();
    }
}
