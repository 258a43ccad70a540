using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Directer.Training.Modeling;

/// <summary>Runs a float32 <see cref="Linear"/> layer in another dtype (weights cast per call, gradients flow back to float32).</summary>
internal static class MixedPrecision
{
    public static Tensor Linear(Tensor input, Linear layer, ScalarType compute)
    {
        if (compute == layer.weight!.dtype)
        {
            return layer.forward(input);
        }

        using var scope = NewDisposeScope();
        var w = layer.weight.to_type(compute);
        var b = layer.bias?.to_type(compute);
        return nn.functional.linear(input.to_type(compute), w, b).MoveToOuterDisposeScope();
    }
}
