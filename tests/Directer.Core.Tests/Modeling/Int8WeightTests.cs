using Directer.Core.Modeling;
using Directer.Core.Modeling.Kernels;
using Directer.Core.Runtime;
using Directer.Core.Tests.Support;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Modeling;

/// <summary>The per-block int8 weight option: the quantiser, its kernels at every width, and a whole model against float32.</summary>
public sealed unsafe class Int8WeightTests
{
    public Int8WeightTests() => TorchRuntime.EnsureInitialized();

    /// <summary>
    /// The quantiser keeps each weight within half a step of its block; the kernels, at every width, compute
    /// Σ_blocks d_w·d_x·Σ q_w·q_x with the activations quantised per block of 32 (scale amax/32767, round half to
    /// even, int16 values), recomputed here independently in double precision.
    /// </summary>
    [Fact]
    public void EachWeightIsWithinHalfAStepOfItsBlockAndTheKernelsMultiplyBlockQuantisedActivations()
    {
        const int rows = 37, cols = 96, k = 11;
        var random = new Random(3);
        using var w = tensor(Enumerable.Range(0, rows * cols).Select(_ => (float)((random.NextDouble() * 2) - 1) * (random.Next(3) + 1)).ToArray()).reshape(rows, cols);
        using var q = CpuDecoder.QuantizeInt8(w);
        float[] weights = w.data<float>().ToArray();
        byte* p = TensorMemory.Address(q);
        var dequantised = new float[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < cols; i++)
            {
                float value = Int8Blocks.Weight(p, rows, cols, r, i);
                dequantised[(r * cols) + i] = value;
                float blockMax = Enumerable.Range((i / 32) * 32, 32).Max(j => Math.Abs(weights[(r * cols) + j]));
                Assert.True(Math.Abs(value - weights[(r * cols) + i]) <= (blockMax / 127 / 2) + 1e-7, $"weight ({r}, {i})");
            }
        }

        float[] x = Enumerable.Range(0, k * cols).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var xq = new double[k * cols];
        for (int b = 0; b < k * cols; b += 32)
        {
            float amax = Enumerable.Range(b, 32).Max(j => Math.Abs(x[j]));
            float d = amax / 32767f;
            for (int j = b; j < b + 32; j++)
            {
                xq[j] = Math.Round(x[j] * (1f / d), MidpointRounding.ToEven) * d;
                Assert.True(Math.Abs(xq[j] - x[j]) <= (d / 2) + 1e-7, $"activation {j}");
            }
        }

        foreach (var width in new[] { KernelWidth.Vector512, KernelWidth.Vector256, KernelWidth.Scalar }.Where(v => v <= MatrixKernels.Best))
        {
            IWeightMatrix matrix = new Int8Matrix(p, rows, cols, width);
            var y = new float[k * rows];
            fixed (float* xp = x, yp = y)
            {
                matrix.MultiplyRows(xp, k, yp, rows, 0, rows);
            }

            for (int r = 0; r < k; r++)
            {
                for (int o = 0; o < rows; o++)
                {
                    double expected = Enumerable.Range(0, cols).Sum(i => (double)dequantised[(o * cols) + i] * xq[(r * cols) + i]);
                    Assert.True(Math.Abs(expected - y[(r * rows) + o]) <= 1e-4, $"{width} y[{r}, {o}] = {y[(r * rows) + o]} vs {expected}");
                }
            }
        }
    }

    /// <summary>
    /// A whole model: int8 logits stay within 5% of the largest float32 logit and agree on most greedy
    /// ids (random tiny models have flat distributions, so some near-ties flip); a 40-token prefill in
    /// chunks of the kernel limit gives the logits of the same tokens decoded one by one.
    /// </summary>
    [Fact]
    public void Int8ModelsStayCloseToFloat32AndPrefillInChunks()
    {
        string path = GeneratedCheckpoints.PathOf("llama-gqa-f32");
        using var exact = LlamaModel.Load(path, new ModelOptions { MaxSequenceLength = 64 });
        using var int8 = LlamaModel.Load(path, new ModelOptions { MaxSequenceLength = 64, Int8Weights = true });
        Assert.True(int8.WeightBytesPerToken < exact.WeightBytesPerToken / 3.4);
        var ids = Enumerable.Range(0, 60).Select(i => (long)((i * 37) + 5) % exact.VocabSize).ToArray();
        using var input = tensor(ids).unsqueeze(0);
        using var exactCache = exact.CreateCache();
        using var int8Cache = int8.CreateCache();
        var all = new ForwardRequest { LastPositionOnly = false };
        using var reference = exact.Forward(input, exactCache, all);
        using var chunked = int8.Forward(input, int8Cache, all); // 60 rows > CpuDecoder.MaxRows: chunked
        Assert.Equal(60, int8Cache.Length);
        double scale = reference.abs().max().item<float>();
        double error = (reference - chunked).abs().max().item<float>();
        Assert.True(error <= 0.05 * scale, $"int8 max |Δlogit| {error:G3} vs largest logit {scale:G3}");
        using var agree = reference.argmax(-1).eq(chunked.argmax(-1)).to_type(ScalarType.Float32).mean();
        Assert.True(agree.item<float>() >= 0.8, $"greedy agreement {agree.item<float>():P0}");

        using var stepCache = int8.CreateCache();
        for (int i = 0; i < ids.Length; i++)
        {
            using var one = tensor(new[] { ids[i] }).unsqueeze(0);
            using var step = int8.Forward(one, stepCache);
            using var expected = chunked.narrow(1, i, 1);
            Assert.True((step - expected).abs().max().item<float>() <= 1e-4, $"position {i}");
        }
    }

    /// <summary>
    /// int8 weights are quantised at load a few rows at a time straight from the file; a row buffer of one row (every
    /// part of the fused q/k/v and gate/up matrices crossing chunk boundaries) gives bitwise the logits of the
    /// default buffer, which holds each part of this model whole.
    /// </summary>
    [Fact]
    public void QuantisingAtLoadInRowChunksGivesTheSameModel()
    {
        string path = GeneratedCheckpoints.PathOf("llama-gqa-f32");
        var options = new ModelOptions { MaxSequenceLength = 64, Int8Weights = true };
        using var whole = LlamaModel.Load(path, options);
        using var rows = LlamaModel.Load(path, options, MatrixKernels.Best, int8RowBufferElements: 1);
        using var input = tensor(Enumerable.Range(0, 9).Select(i => (long)((i * 29) + 3) % whole.VocabSize).ToArray()).unsqueeze(0);
        using var wholeCache = whole.CreateCache();
        using var rowsCache = rows.CreateCache();
        var all = new ForwardRequest { LastPositionOnly = false };
        using var expected = whole.Forward(input, wholeCache, all);
        using var actual = rows.Forward(input, rowsCache, all);
        using var same = expected.eq(actual).all();
        Assert.True(same.item<bool>(), "row-chunked int8 load changed the logits");
    }

    [Fact]
    public void Int8NeedsTheKernelsAndFloat32Activations()
    {
        string path = GeneratedCheckpoints.PathOf("llama-gqa-f32");
        var e = Assert.Throws<ArgumentException>(() => LlamaModel.Load(path, new ModelOptions { Int8Weights = true, CpuDecodeKernels = false }));
        Assert.Contains("Int8Weights", e.Message);
        Assert.Throws<ArgumentException>(() => LlamaModel.Load(path, new ModelOptions { Int8Weights = true, DType = ComputeDType.BFloat16 }));
    }
}
