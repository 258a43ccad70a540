using Directer.Core.Checkpoints;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Tests.Checkpoints;
using Directer.Testing;
using TorchSharp;

namespace Directer.Core.Tests.Runtime;

public sealed class HugePageTensorsTests : IDisposable
{
    private readonly TempFolder temp = new();

    public HugePageTensorsTests() => TorchRuntime.EnsureInitialized();

    public void Dispose() => temp.Dispose();

    [Fact]
    public unsafe void ATensorOfTwoMebibytesStartsOnAHugePageBoundaryInAMappingAdvisedForHugePages()
    {
        if (!OperatingSystem.IsLinux())
        {
            return; // huge-page advice is Linux-only; elsewhere Empty is torch.empty (next test's small case)
        }

        using var t = HugePageTensors.Empty([512, 1024], torch.ScalarType.Float32); // exactly 2 MiB
        long address = (long)Directer.Core.Modeling.Kernels.TensorMemory.Address(t);
        Assert.Equal(0, address % HugePageTensors.HugePageBytes);
        Assert.True(HugePageTensors.IsMapped((nint)address));
        Assert.Contains("hg", VmFlagsOfMappingAt(address)); // smaps' flag for MADV_HUGEPAGE
        Assert.Equal([512L, 1024L], t.shape);
        Assert.Equal(torch.ScalarType.Float32, t.dtype);
    }

    [Fact]
    public unsafe void UnderTwoMebibytesTheTensorIsTorchsOwn()
    {
        using var t = HugePageTensors.Empty([512, 1023], torch.ScalarType.Float32); // 4 KiB short of 2 MiB
        long address = (long)Directer.Core.Modeling.Kernels.TensorMemory.Address(t);
        Assert.False(HugePageTensors.IsMapped((nint)address));
    }

    [Theory]
    [InlineData(torch.ScalarType.Float32)]
    [InlineData(torch.ScalarType.BFloat16)]
    [InlineData(torch.ScalarType.Byte)]
    public unsafe void ItHoldsWhatIsWrittenAndItsMappingGoesWithTheLastTensorOverIt(torch.ScalarType dtype)
    {
        long rows = 3 * HugePageTensors.HugePageBytes / 1000; // not a whole number of pages: the tail is mapped too
        var t = HugePageTensors.Empty([rows, 1000], dtype);
        nint address = (nint)Directer.Core.Modeling.Kernels.TensorMemory.Address(t);
        using (var values = torch.arange(rows * 1000, dtype: torch.ScalarType.Int64).remainder(251).to_type(dtype).reshape(rows, 1000))
        {
            t.copy_(values);
        }

        var lastRow = t.narrow(0, rows - 1, 1);
        t.Dispose();
        Assert.Equal(OperatingSystem.IsLinux(), HugePageTensors.IsMapped(address)); // the view keeps the storage
        using (var expected = torch.arange((rows - 1) * 1000, rows * 1000, dtype: torch.ScalarType.Int64).remainder(251).to_type(dtype).reshape(1, 1000))
        {
            Assert.Equal(Floats(expected), Floats(lastRow));
        }

        lastRow.Dispose();
        Assert.False(HugePageTensors.IsMapped(address));
        if (OperatingSystem.IsLinux())
        {
            Assert.DoesNotContain(File.ReadLines("/proc/self/maps"), line => line.StartsWith($"{address:x}-", StringComparison.Ordinal));
        }
    }

    [Fact]
    public unsafe void TensorsReadFromAFileOfTwoMebibytesOrMoreAreOnHugePagesWithTheFilesValues()
    {
        var spec = LargeSpec("huge-read");
        string folder = TinyCheckpoints.Write(spec, Path.Combine(temp.Path, spec.Name));
        using var weights = CheckpointWeights.Open(folder);
        using var embedding = weights.Read("model.embed_tokens.weight", torch.ScalarType.Float32, spec.VocabSize, spec.HiddenSize);
        long address = (long)Directer.Core.Modeling.Kernels.TensorMemory.Address(embedding);
        Assert.Equal(OperatingSystem.IsLinux(), HugePageTensors.IsMapped((nint)address));

        // The same values as a plain torch tensor filled from the file's bytes (safetensors: 8-byte header length,
        // the JSON header, then the data at the header's offsets).
        using var file = SafetensorsFile.Open(Directory.GetFiles(folder, "*.safetensors").Single());
        using var plain = torch.empty([spec.VocabSize, spec.HiddenSize], torch.ScalarType.Float32);
        file.ReadInto("model.embed_tokens.weight", 0, plain);
        Assert.Equal(Floats(plain), Floats(embedding));
    }

    [Theory]
    [InlineData(ComputeDType.Float32)]
    [InlineData(ComputeDType.BFloat16)]
    public void AModelWhoseMatricesLiveOnHugePagesDecodesAsTheTorchSharpPathDoes(ComputeDType dtype)
    {
        var spec = LargeSpec($"huge-model-{dtype}");
        string folder = TinyCheckpoints.Write(spec, Path.Combine(temp.Path, spec.Name));
        using var kernels = LlamaModel.Load(folder, new ModelOptions { MaxSequenceLength = 32, DType = dtype, CpuDecodeKernels = true });
        using var torchPath = LlamaModel.Load(folder, new ModelOptions { MaxSequenceLength = 32, DType = dtype, CpuDecodeKernels = false });
        using var a = kernels.CreateCache();
        using var b = torchPath.CreateCache();
        long token = 7;
        for (int step = 0; step < 6; step++)
        {
            using var input = torch.tensor(new[] { token }).unsqueeze(0);
            using var fast = kernels.Forward(input, a).to_type(torch.ScalarType.Float32);
            using var reference = torchPath.Forward(input, b).to_type(torch.ScalarType.Float32);
            double scale = reference.abs().max().item<float>();
            double difference = (fast - reference).abs().max().item<float>();
            Assert.True(difference <= (dtype == ComputeDType.Float32 ? 1e-5 : 2e-2) * scale, $"step {step}: max |Δ| {difference} of max |logit| {scale}");
            using var best = reference.argmax(-1);
            token = best.item<long>();
        }
    }

    // Embedding, output head and the fused gate/up matrix of 2 MiB or more in float32 and in bfloat16 (8192 × 128, 2 × 4096 × 128).
    private static TinyCheckpointSpec LargeSpec(string name) => TinyCheckpoints.LlamaGqaF32 with
    {
        Name = name,
        VocabSize = 8192,
        HiddenSize = 128,
        IntermediateSize = 4096,
        NumHiddenLayers = 1,
    };

    private static float[] Floats(torch.Tensor t)
    {
        using var typed = t.to_type(torch.ScalarType.Float32);
        using var f = typed.contiguous();
        return f.data<float>().ToArray();
    }

    private static string VmFlagsOfMappingAt(long address)
    {
        bool inside = false;
        foreach (string line in File.ReadLines("/proc/self/smaps"))
        {
            if (char.IsAsciiHexDigit(line[0]) && line.Contains('-', StringComparison.Ordinal))
            {
                inside = line.StartsWith($"{address:x}-", StringComparison.Ordinal);
            }
            else if (inside && line.StartsWith("VmFlags:", StringComparison.Ordinal))
            {
                return line;
            }
        }

        throw new InvalidOperationException($"No mapping starts at {address:x}.");
    }
}
