using Directer.Core.Runtime;

namespace Directer.Core.Tests.Runtime;

public sealed class ElfVersionNeedPatcherTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("directer-elf-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static string PristineLibTorchSharp()
    {
        // The NuGet cache holds the unpatched original, which the build never edits.
        string home = Environment.GetEnvironmentVariable("NUGET_PACKAGES")
            ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        return Path.Combine(home, "torchsharp", "0.107.0", "runtimes", "linux-x64", "native", "libLibTorchSharp.so");
    }

    [Fact]
    public void MarksTheVersionWeakOnceAndBreaksHardLinks()
    {
        string original = PristineLibTorchSharp();
        Assert.True(File.Exists(original), original);
        Assert.True(ElfVersionNeedPatcher.RequiresStrictly(original, ElfVersionNeedPatcher.TorchSharpMissingVersion));

        string copy = Path.Combine(directory, "libLibTorchSharp.so");
        File.Copy(original, copy);
        byte[] before = File.ReadAllBytes(copy);

        Assert.Equal(ElfVersionNeedPatcher.Outcome.Patched, ElfVersionNeedPatcher.MakeVersionWeak(copy, ElfVersionNeedPatcher.TorchSharpMissingVersion));
        Assert.False(ElfVersionNeedPatcher.RequiresStrictly(copy, ElfVersionNeedPatcher.TorchSharpMissingVersion));
        Assert.Equal(ElfVersionNeedPatcher.Outcome.AlreadyWeak, ElfVersionNeedPatcher.MakeVersionWeak(copy, ElfVersionNeedPatcher.TorchSharpMissingVersion));

        byte[] after = File.ReadAllBytes(copy);
        Assert.Equal(before.Length, after.Length);
        int differing = before.Zip(after).Count(p => p.First != p.Second);
        Assert.Equal(1, differing); // one flag byte, nothing else

        // The pristine original is untouched.
        Assert.True(ElfVersionNeedPatcher.RequiresStrictly(original, ElfVersionNeedPatcher.TorchSharpMissingVersion));
    }

    [Fact]
    public void AVersionTheFileDoesNotNeedIsLeftAlone()
    {
        string copy = Path.Combine(directory, "lib.so");
        File.Copy(PristineLibTorchSharp(), copy);
        Assert.Equal(ElfVersionNeedPatcher.Outcome.NotRequired, ElfVersionNeedPatcher.MakeVersionWeak(copy, "GLIBCXX_9.9.99"));
    }

    [Fact]
    public void ANonElfFileIsAClearError()
    {
        string path = Path.Combine(directory, "not-elf.so");
        File.WriteAllText(path, "hello, world, this is not an ELF object at all but long enough to have a header........");
        var error = Assert.Throws<InvalidDataException>(() => ElfVersionNeedPatcher.MakeVersionWeak(path, "GLIBCXX_3.4.32"));
        Assert.Contains("not an ELF file", error.Message);
        Assert.Contains(path, error.Message);
    }
}
