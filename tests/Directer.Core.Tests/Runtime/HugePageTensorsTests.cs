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
    [InlineData(torch.ScalarType.Float16)]
    [InlineData(torch.ScalarType.Int64)]
    [InlineData(torch.ScalarType.Float64)]
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

    /// <summary>
    /// Tensors packed together from 64 KiB up to 2 MiB share one 2 MiB-aligned, huge-page-advised slab, each 4 KiB-aligned,
    /// one after the other, each holding its own values; the slab goes with the last tensor over it (a view keeps it), and
    /// a later packed tensor opens a new one. Under 64 KiB a packed tensor is torch's own; from 2 MiB it has its own mapping.
    /// </summary>
    [Fact]
    public unsafe void PackedTensorsUnderTwoMebibytesShareAHugePageSlabThatGoesWithTheLastOfThem()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var packing = new HugePageTensors.Packing();
        var a = HugePageTensors.Empty([300, 1000], torch.ScalarType.Float32, packing); // 1.2 MB
        var b = HugePageTensors.Empty([17, 4096], torch.ScalarType.Byte, packing); // 68 KiB
        var after = HugePageTensors.Empty([17, 1024], torch.ScalarType.Float32, packing); // 68 KiB again
        using (var small = HugePageTensors.Empty([16, 1000], torch.ScalarType.Float32, packing))
        using (var big = HugePageTensors.Empty([512, 1024], torch.ScalarType.Float32, packing))
        {
            Assert.Equal(0, HugePageTensors.SlabOf((nint)Directer.Core.Modeling.Kernels.TensorMemory.Address(small)));
            Assert.False(HugePageTensors.IsMapped((nint)Directer.Core.Modeling.Kernels.TensorMemory.Address(small)));
            long bigAddress = (long)Directer.Core.Modeling.Kernels.TensorMemory.Address(big);
            Assert.Equal(0, HugePageTensors.SlabOf((nint)bigAddress));
            Assert.True(HugePageTensors.IsMapped((nint)bigAddress));
        }

        nint aAddress = (nint)Directer.Core.Modeling.Kernels.TensorMemory.Address(a);
        nint bAddress = (nint)Directer.Core.Modeling.Kernels.TensorMemory.Address(b);
        nint slab = HugePageTensors.SlabOf(aAddress);
        Assert.NotEqual(0, slab);
        Assert.Equal(slab, HugePageTensors.SlabOf(bAddress));
        Assert.Equal(0, slab % HugePageTensors.HugePageBytes);
        Assert.True(HugePageTensors.IsMapped(slab));
        Assert.Contains("hg", VmFlagsOfMappingAt(slab));
        Assert.Equal(((300 * 1000 * 4) + 4095) / 4096 * 4096, bAddress - aAddress); // next 4 KiB boundary after a
        Assert.Equal(17 * 4096, (nint)Directer.Core.Modeling.Kernels.TensorMemory.Address(after) - bAddress); // b: whole pages, none added
        after.Dispose();
        using (var va = torch.arange(300 * 1000, dtype: torch.ScalarType.Float32).reshape(300, 1000))
        using (var vb = torch.arange(17 * 4096, dtype: torch.ScalarType.Int64).remainder(256).to_type(torch.ScalarType.Byte).reshape(17, 4096))
        {
            a.copy_(va);
            b.copy_(vb);
            Assert.Equal(Floats(va), Floats(a));
            Assert.Equal(Floats(vb), Floats(b));
        }

        var view = b.narrow(0, 16, 1);
        a.Dispose();
        b.Dispose();
        Assert.True(HugePageTensors.IsMapped(slab)); // the view keeps b, and with it the slab
        view.Dispose();
        Assert.False(HugePageTensors.IsMapped(slab));
        Assert.DoesNotContain(File.ReadLines("/proc/self/maps"), line => line.StartsWith($"{slab:x}-", StringComparison.Ordinal));
        Assert.Equal(0, HugePageTensors.SlabOf(aAddress));

        using var c = HugePageTensors.Empty([300, 1000], torch.ScalarType.Float32, packing);
        nint cSlab = HugePageTensors.SlabOf((nint)Directer.Core.Modeling.Kernels.TensorMemory.Address(c));
        Assert.NotEqual(0, cSlab);
        Assert.True(HugePageTensors.IsMapped(cSlab));
    }

    /// <summary>A slab holds packed tensors until the next would not fit (the last one that fits fills it exactly); that one opens a new slab, and each slab goes with its own last tensor.</summary>
    [Fact]
    public unsafe void APackedTensorThatDoesNotFitTheOpenSlabOpensANewOne()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var packing = new HugePageTensors.Packing();
        long perSlab = HugePageTensors.SlabBytes / (HugePageTensors.HugePageBytes / 2); // tensors of 1 MiB fill a slab exactly
        var tensors = Enumerable.Range(0, (int)perSlab + 1).Select(_ => HugePageTensors.Empty([HugePageTensors.HugePageBytes / 8], torch.ScalarType.Float32, packing)).ToList();
        try
        {
            var slabs = tensors.Select(t => HugePageTensors.SlabOf((nint)Directer.Core.Modeling.Kernels.TensorMemory.Address(t))).ToList();
            Assert.DoesNotContain((nint)0, slabs);
            Assert.Single(slabs.Take((int)perSlab).Distinct());
            Assert.NotEqual(slabs[0], slabs[^1]);
            tensors[^1].Dispose();
            Assert.False(HugePageTensors.IsMapped(slabs[^1]));
            Assert.True(HugePageTensors.IsMapped(slabs[0]));
            foreach (var t in tensors.Take((int)perSlab))
            {
                t.Dispose();
            }

            Assert.False(HugePageTensors.IsMapped(slabs[0]));
        }
        finally
        {
            foreach (var t in tensors)
            {
                t.Dispose();
            }
        }
    }

    /// <summary>With huge pages off (the bench's 4 KiB-page rows), every tensor is torch's own, packed or not.</summary>
    [Fact]
    public unsafe void WithHugePagesOffEveryTensorIsTorchsOwn()
    {
        HugePageTensors.Enabled = false;
        try
        {
            var packing = new HugePageTensors.Packing();
            using var big = HugePageTensors.Empty([512, 1024], torch.ScalarType.Float32);
            using var packed = HugePageTensors.Empty([300, 1000], torch.ScalarType.Float32, packing);
            Assert.False(HugePageTensors.IsMapped((nint)Directer.Core.Modeling.Kernels.TensorMemory.Address(big)));
            Assert.Equal(0, HugePageTensors.SlabOf((nint)Directer.Core.Modeling.Kernels.TensorMemory.Address(packed)));
        }
        finally
        {
            HugePageTensors.Enabled = true;
        }
    }

    /// <summary>A model's matrices on the kernels are packed: an int8 model's matrices of 64 KiB up to 2 MiB are in slabs, the others not.</summary>
    [Fact]
    public unsafe void AnInt8ModelsSmallMatricesArePackedIntoSlabs()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var spec = LargeSpec("packed-int8");
        string folder = TinyCheckpoints.Write(spec, Path.Combine(temp.Path, spec.Name));
        using var model = LlamaModel.Load(folder, new ModelOptions { MaxSequenceLength = 32, Int8Weights = true });
        int packed = 0;
        foreach (var t in model.LayerMatrices)
        {
            Assert.Equal(torch.ScalarType.Byte, t.dtype);
            nint address = (nint)Directer.Core.Modeling.Kernels.TensorMemory.Address(t);
            long bytes = t.NumberOfElements;
            bool packable = bytes >= HugePageTensors.PackedMinimumBytes && bytes < HugePageTensors.HugePageBytes;
            Assert.Equal(packable, HugePageTensors.SlabOf(address) != 0);
            packed += packable ? 1 : 0;
        }

        Assert.Equal(2, packed); // gate/up (8192 × 144 bytes) and down (128 × 4608); q/k/v and output are under 64 KiB
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
