using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Tests.Support;

namespace Directer.Core.Tests.Modeling;

/// <summary>
/// LongRoPE runs only where transformers uses the short factors (sequences up to original_max_position_embeddings):
/// the context is capped there, and asking for more is refused with the config keys named.
/// </summary>
public sealed class LongRopeContextTests
{
    public LongRopeContextTests() => TorchRuntime.EnsureInitialized();

    [Fact]
    public void TheContextStopsAtTheOriginalLength()
    {
        string path = GeneratedCheckpoints.PathOf("phi3-longrope-partial");
        using (var model = LlamaModel.Load(path))
        {
            Assert.Equal(32, model.ContextLength); // max_position_embeddings is 128
        }

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => LlamaModel.Load(path, new ModelOptions { MaxSequenceLength = 33 }));
        Assert.Contains("between 1 and 32", error.Message);
        Assert.Contains("original_max_position_embeddings (longrope: only the short-factor range is implemented)", error.Message);
    }
}
