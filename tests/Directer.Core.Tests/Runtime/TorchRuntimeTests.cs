using Directer.Core.Runtime;
using TorchSharp;

namespace Directer.Core.Tests.Runtime;

public sealed class TorchRuntimeTests
{
    [Fact]
    public void TorchSharpLoadsAndComputes()
    {
        TorchRuntime.EnsureInitialized();
        using var a = torch.arange(6, dtype: torch.float32).reshape(2, 3);
        using var b = a.matmul(a.T);
        Assert.Equal(new float[] { 5, 14, 14, 50 }, b.data<float>().ToArray());
    }

    [Fact]
    public void OutputCopiesOfLibTorchSharpNoLongerRequireGlibcxx332Strictly()
    {
        string version = ElfVersionNeedPatcher.TorchSharpMissingVersion;
        var copies = Directory.GetFiles(AppContext.BaseDirectory, "libLibTorchSharp.so", SearchOption.AllDirectories);
        Assert.NotEmpty(copies);
        if (ElfVersionNeedPatcher.SystemLibStdCxxProvides(version))
        {
            return; // Nothing to fix on this system: the fix is a no-op by design.
        }

        foreach (string copy in copies)
        {
            Assert.False(ElfVersionNeedPatcher.RequiresStrictly(copy, version), copy);
        }
    }
}
