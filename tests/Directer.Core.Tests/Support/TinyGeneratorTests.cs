using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;

namespace Directer.Core.Tests.Support;

/// <summary>
/// Test classes that run a <see cref="TokenGenerator"/> over the generated <c>llama-gqa-f32</c> checkpoint (64 positions),
/// loaded per test and disposed after it.
/// </summary>
public abstract class TinyGeneratorTests : IDisposable
{
    /// <summary>Loads the checkpoint and starts the generator.</summary>
    protected TinyGeneratorTests()
    {
        TorchRuntime.EnsureInitialized();
        Model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"), new ModelOptions { MaxSequenceLength = 64 });
        Generator = new TokenGenerator(Model);
    }

    /// <summary>The tiny model.</summary>
    protected LlamaModel Model { get; }

    /// <summary>The generator over <see cref="Model"/>.</summary>
    protected TokenGenerator Generator { get; }

    /// <inheritdoc />
    public void Dispose()
    {
        Generator.Dispose();
        Model.Dispose();
        GC.SuppressFinalize(this);
    }
}
