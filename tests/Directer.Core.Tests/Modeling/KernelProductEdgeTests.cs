using Directer.Core.Modeling.Kernels;
using Directer.Core.Runtime;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Modeling;

/// <summary>
/// The float32, bfloat16 and int8 matrix products on the edges <see cref="MatrixKernelTests"/> and
/// <see cref="Int8WeightTests"/> leave out: an output range that starts and ends inside the matrix, an output row
/// stride wider than the range, 1..12 activation rows (every remainder of the four- and two-row blocks), rows shorter
/// than one vector step, and non-finite or all-zero blocks of int8 activations. Expected values are double-precision
/// products of the exact weights (bf16 widened exactly; for int8 the dequantised weights and the activations quantised
/// per block of 32 as the layout documents), computed here; elements outside the range must be left as they were.
/// </summary>
public sealed unsafe class KernelProductEdgeTests
{
    private const int MaxK = 12;

    public KernelProductEdgeTests() => TorchRuntime.EnsureInitialized();

    public static TheoryData<string, int, int, int, int> Ranges()
    {
        var data = new TheoryData<string, int, int, int, int>();

        // 11 outputs, range [1, 10): two blocks of four and one output after them; [2, 5): no block, three alone.
        // 1064 columns: one 1024-column chunk of the 256-bit many-row kernel and a 32-column one, then a tail of 8.
        foreach (string dtype in new[] { "f32", "bf16" })
        {
            data.Add(dtype, 11, 1064, 1, 10);
            data.Add(dtype, 11, 1064, 2, 5);
            data.Add(dtype, 6, 7, 1, 6); // fewer columns than one step: the tail alone
            data.Add(dtype, 6, 40, 0, 5); // one step and a tail
        }

        // int8: 11 or 6 outputs are plain rows alone (no whole tile of 16); 37 are two tiles and five plain rows, 53 three
        // tiles and five: a range over all, ranges that start or end inside tiles, one inside a single tile, and the last
        // tile with the plain rows.
        data.Add("int8", 11, 96, 1, 10);
        data.Add("int8", 11, 96, 2, 5);
        data.Add("int8", 6, 32, 0, 6);
        data.Add("int8", 37, 96, 0, 37);
        data.Add("int8", 37, 64, 3, 35);
        data.Add("int8", 37, 32, 5, 12);
        data.Add("int8", 37, 96, 16, 37);
        data.Add("int8", 37, 64, 16, 27); // starts on a tile, ends inside it
        data.Add("int8", 53, 64, 3, 50); // starts inside a tile with two whole tiles after it, ends in the plain rows
        data.Add("int8", 83, 64, 0, 83); // five tiles: one row takes four side by side, then the fifth, then the plain rows
        data.Add("int8", 83, 64, 3, 80); // starts inside a tile with four whole ones after it: no four side by side from there
        return data;
    }

    /// <summary>
    /// y[r·yStride + o] for o in [start, end) and r &lt; k is the product (within float32 rounding of the double one)
    /// and bitwise the element computed with k = 1; every other element of y, in the range's gaps and past it, keeps
    /// its NaN. At every width this CPU runs.
    /// </summary>
    [Theory]
    [MemberData(nameof(Ranges))]
    public void AnOutputRangeWithAStrideGetsTheProductAndNothingElseIsWritten(string dtype, int rows, int cols, int start, int end)
    {
        var random = new Random((rows * 131) + (cols * 7) + start);
        float[] source = Enumerable.Range(0, rows * cols).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        float[] x = Enumerable.Range(0, MaxK * cols).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        using var w = tensor(source).reshape(rows, cols);
        using var typed = Encode(w, dtype);
        byte* p = TensorMemory.Address(typed);
        double[] weights = ExactWeights(dtype, typed, p, rows, cols);
        double[] activations = dtype == "int8" ? QuantisedActivations(x, cols) : x.Select(v => (double)v).ToArray();
        int yStride = rows + 3;
        foreach (var width in new[] { KernelWidth.Vector512, KernelWidth.Vector256, KernelWidth.Scalar }.Where(v => v <= MatrixKernels.Best))
        {
            IWeightMatrix matrix = Matrix(dtype, p, rows, cols, width);
            var alone = Products(matrix, x, 1, cols, yStride, start, end, separately: true);
            for (int k = 1; k <= MaxK; k++)
            {
                float[] y = Products(matrix, x, k, cols, yStride, start, end, separately: false);
                for (int r = 0; r < MaxK; r++)
                {
                    for (int o = 0; o < yStride; o++)
                    {
                        float got = y[(r * yStride) + o];
                        if (r >= k || o < start || o >= end)
                        {
                            Assert.True(float.IsNaN(got), $"{dtype} {width} k={k}: y[{r}, {o}] outside the range was written ({got})");
                            continue;
                        }

                        double sum = 0, magnitude = 0;
                        for (int i = 0; i < cols; i++)
                        {
                            double term = weights[(o * cols) + i] * activations[(r * cols) + i];
                            sum += term;
                            magnitude += Math.Abs(term);
                        }

                        Assert.True(Math.Abs(got - sum) <= (2e-5 * magnitude) + 1e-30, $"{dtype} {width} k={k}: y[{r}, {o}] = {got} vs {sum}");
                        float single = alone[(r * yStride) + o];
                        Assert.True(BitConverter.SingleToInt32Bits(got) == BitConverter.SingleToInt32Bits(single), $"{dtype} {width} k={k}: y[{r}, {o}] = {got}, {single} alone");
                    }
                }
            }
        }
    }

    /// <summary>Each row read back (embedding lookups) is the stored weights widened exactly (int8: q·d rounded to float32), at every width, and nothing past the row is written; Bytes is the whole matrix as stored (float32 4, bfloat16 2 bytes a weight; int8 a 4-byte scale and 32 bytes per block of 32).</summary>
    [Theory]
    [InlineData("f32")]
    [InlineData("bf16")]
    [InlineData("int8")]
    public void ReadRowGivesTheStoredWeightsAsFloat32(string dtype)
    {
        const int rows = 21, cols = 96;
        var random = new Random(11);
        using var w = tensor(Enumerable.Range(0, rows * cols).Select(_ => (float)((random.NextDouble() * 4) - 2)).ToArray()).reshape(rows, cols);
        using var typed = Encode(w, dtype);
        byte* p = TensorMemory.Address(typed);
        double[] weights = ExactWeights(dtype, typed, p, rows, cols);
        foreach (var width in new[] { KernelWidth.Vector512, KernelWidth.Vector256, KernelWidth.Scalar }.Where(v => v <= MatrixKernels.Best))
        {
            IWeightMatrix matrix = Matrix(dtype, p, rows, cols, width);
            Assert.Equal(rows, matrix.Rows);
            Assert.Equal(cols, matrix.Columns);
            Assert.Equal(dtype switch { "f32" => 4L * cols * rows, "bf16" => 2L * cols * rows, _ => (4L + 32) * (cols / 32) * rows }, matrix.Bytes);
            var row = new float[cols + 1];
            for (int r = 0; r < rows; r++)
            {
                row[cols] = float.NaN;
                fixed (float* d = row)
                {
                    matrix.ReadRow(r, d);
                }

                for (int i = 0; i < cols; i++)
                {
                    Assert.True(row[i] == (float)weights[(r * cols) + i], $"{dtype} {width}: ({r}, {i}) = {row[i]} vs {weights[(r * cols) + i]}");
                }

                Assert.True(float.IsNaN(row[cols]), $"{dtype} {width}: row {r} wrote past its {cols} columns");
            }
        }
    }

    /// <summary>
    /// Int8 activations: a block of zeros has scale 0 and contributes 0 (not 0·∞); a block holding an infinity or a NaN
    /// gets a non-finite scale, so that row's outputs are not finite while the other rows' are; a weight block of
    /// zeros is stored as scale 0 and zeros. At every width and for one, two and five rows.
    /// </summary>
    [Fact]
    public void Int8ZeroBlocksGiveZeroAndNonFiniteActivationsReachTheOutputs()
    {
        const int rows = 21, cols = 64;
        var random = new Random(5);
        float[] source = Enumerable.Range(0, rows * cols).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
        Array.Clear(source, (2 * cols) + 32, 32); // row 2's second block (in the tile)
        Array.Clear(source, (18 * cols) + 32, 32); // row 18's second block (a plain row)
        using var w = tensor(source).reshape(rows, cols);
        using var q = CpuDecoder.QuantizeInt8(w);
        byte* p = TensorMemory.Address(q);
        foreach (int zeroRow in new[] { 2, 18 })
        {
            var (scale, values) = StoredInt8(p, rows, cols, zeroRow, 1);
            Assert.Equal(0f, scale);
            Assert.All(values, v => Assert.Equal(0, v));
        }

        foreach (float bad in new[] { float.PositiveInfinity, float.NegativeInfinity, float.NaN })
        {
            // Row 0: first block zeros; row 1: one non-finite value in its second block; rows 2-4 ordinary.
            float[] x = Enumerable.Range(0, 5 * cols).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
            Array.Clear(x, 0, 32);
            x[cols + 40] = bad;
            double[] weights = ExactWeights("int8", q, p, rows, cols);
            double[] activations = QuantisedActivations(x, cols);
            foreach (var width in new[] { KernelWidth.Vector512, KernelWidth.Vector256, KernelWidth.Scalar }.Where(v => v <= MatrixKernels.Best))
            {
                IWeightMatrix matrix = new Int8Matrix(p, rows, cols, width);
                foreach (int k in new[] { 1, 2, 5 })
                {
                    float[] y = Products(matrix, x, k, cols, rows, 0, rows, separately: false);
                    for (int o = 0; o < rows; o++)
                    {
                        double expected = Enumerable.Range(0, cols).Sum(i => weights[(o * cols) + i] * activations[i]);
                        Assert.True(Math.Abs(y[o] - expected) <= 1e-4, $"{bad} {width} k={k}: row 0 (a zero block) output {o} = {y[o]} vs {expected}");
                        if (k >= 2)
                        {
                            Assert.False(float.IsFinite(y[rows + o]), $"{bad} {width} k={k}: row 1 holds {bad} but output {o} = {y[rows + o]}");
                        }

                        for (int r = 2; r < k; r++)
                        {
                            Assert.True(float.IsFinite(y[(r * rows) + o]), $"{bad} {width} k={k}: row {r} output {o} = {y[(r * rows) + o]}");
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// Any width may be asked for, whatever this CPU runs: an int8 matrix asked for one the CPU lacks (the 512-bit kernel
    /// calls AVX-512 BW directly, the 256-bit one AVX2) runs the next narrower one and gives the product. On an AVX-512
    /// machine the fallback runs only under DOTNET_EnableAVX512=0 or DOTNET_EnableAVX2=0 (.ci/run runs the Core tests
    /// under both, build/mutation.sh with ISA=avx2 or ISA=scalar): the other tests ask only for widths up to
    /// <see cref="MatrixKernels.Best"/>.
    /// </summary>
    [Fact]
    public void AnInt8MatrixAskedForAWidthTheCpuLacksGivesTheProductOnANarrowerOne()
    {
        const int rows = 22, cols = 96, k = 3;
        var random = new Random(23);
        using var w = tensor(Enumerable.Range(0, rows * cols).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray()).reshape(rows, cols);
        using var q = CpuDecoder.QuantizeInt8(w);
        byte* p = TensorMemory.Address(q);
        float[] x = Enumerable.Range(0, k * cols).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        double[] weights = ExactWeights("int8", q, p, rows, cols);
        double[] activations = QuantisedActivations(x, cols);
        foreach (var width in new[] { KernelWidth.Vector512, KernelWidth.Vector256, KernelWidth.Scalar })
        {
            float[] y = Products(new Int8Matrix(p, rows, cols, width), x, k, cols, rows, 0, rows, separately: false);
            for (int r = 0; r < k; r++)
            {
                for (int o = 0; o < rows; o++)
                {
                    double sum = 0, magnitude = 0;
                    for (int i = 0; i < cols; i++)
                    {
                        double term = weights[(o * cols) + i] * activations[(r * cols) + i];
                        sum += term;
                        magnitude += Math.Abs(term);
                    }

                    float got = y[(r * rows) + o];
                    Assert.True(Math.Abs(got - sum) <= (2e-5 * magnitude) + 1e-30, $"{width} asked for (best here {MatrixKernels.Best}): y[{r}, {o}] = {got} vs {sum}");
                }
            }
        }
    }

    /// <summary>
    /// Every int8 width computes each element exactly as the layout documents, one block at a time in order: the exact
    /// integer dot product of the 32 weight and activation values, converted to float32, fused-multiply-added times
    /// d_w·d_x into the sum: bitwise that float32 sequence, recomputed here from the stored blocks (tiles and plain rows,
    /// read by this test's own reader) and the activations quantised as documented (amax/32767, half to even).
    /// </summary>
    [Fact]
    public void EveryInt8WidthIsTheDocumentedFloat32SequenceBitForBit()
    {
        const int rows = 22, cols = 96, k = 3;
        var random = new Random(17);
        using var w = tensor(Enumerable.Range(0, rows * cols).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray()).reshape(rows, cols);
        using var q = CpuDecoder.QuantizeInt8(w);
        byte* p = TensorMemory.Address(q);
        float[] x = Enumerable.Range(0, k * cols).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        foreach (var width in new[] { KernelWidth.Vector512, KernelWidth.Vector256, KernelWidth.Scalar }.Where(v => v <= MatrixKernels.Best))
        {
            float[] y = Products(new Int8Matrix(p, rows, cols, width), x, k, cols, rows, 0, rows, separately: false);
            for (int r = 0; r < k; r++)
            {
                for (int o = 0; o < rows; o++)
                {
                    float sum = 0;
                    for (int b = 0; b < cols / 32; b++)
                    {
                        var (scale, values) = StoredInt8(p, rows, cols, o, b);
                        int start = (r * cols) + (b * 32);
                        float amax = Enumerable.Range(start, 32).Max(j => Math.Abs(x[j]));
                        float d = amax / 32767f;
                        float inverse = 1f / d;
                        int dot = 0;
                        for (int j = 0; j < 32; j++)
                        {
                            dot += values[j] * (int)Math.Round(x[start + j] * inverse, MidpointRounding.ToEven);
                        }

                        sum = MathF.FusedMultiplyAdd(dot, scale * d, sum);
                    }

                    Assert.True(BitConverter.SingleToInt32Bits(sum) == BitConverter.SingleToInt32Bits(y[(r * rows) + o]), $"{width} y[{r}, {o}] = {y[(r * rows) + o]} vs {sum}");
                }
            }
        }
    }

    private static IWeightMatrix Matrix(string dtype, byte* p, int rows, int cols, KernelWidth width) => dtype switch
    {
        "bf16" => new WeightMatrix<BF16Load>(p, rows, cols, width),
        "int8" => new Int8Matrix(p, rows, cols, width),
        _ => new WeightMatrix<F32Load>(p, rows, cols, width),
    };

    /// <summary>The weight matrix as the kernels read it: float32, bfloat16 or int8 blocks.</summary>
    private static Tensor Encode(Tensor w, string dtype) => dtype switch
    {
        "bf16" => w.to_type(ScalarType.BFloat16).contiguous(),
        "int8" => CpuDecoder.QuantizeInt8(w),
        _ => w.contiguous(),
    };

    /// <summary>
    /// The weights as stored, in double: float32 as is, bf16 as its upper 16 bits, int8 from the block layout read
    /// here (a float32 scale d, then 32 signed bytes q; weight q·d).
    /// </summary>
    private static double[] ExactWeights(string dtype, Tensor typed, byte* p, int rows, int cols)
    {
        if (dtype != "int8")
        {
            using var exact = typed.to_type(ScalarType.Float32).contiguous();
            return exact.data<float>().ToArray().Select(v => (double)v).ToArray();
        }

        var weights = new double[rows * cols];
        for (int r = 0; r < rows; r++)
        {
            for (int i = 0; i < cols; i++)
            {
                var (scale, q) = StoredInt8(p, rows, cols, r, i / 32);
                weights[(r * cols) + i] = (double)q[i % 32] * scale;
            }
        }

        return weights;
    }

    /// <summary>
    /// Block <paramref name="b"/> of output <paramref name="o"/> as stored, read here from the layout as documented: outputs
    /// in whole tiles of 16 have, per block, the tile's 16 scales (float32) and then 16 column pairs of the 16 outputs' two
    /// bytes; the rows past the last whole tile are plain (the scale, then 32 bytes).
    /// </summary>
    internal static (float Scale, sbyte[] Q) StoredInt8(byte* p, int rows, int cols, int o, int b)
    {
        long rowBytes = cols / 32 * 36L;
        var q = new sbyte[32];
        int tiled = rows / 16 * 16;
        if (o >= tiled)
        {
            byte* block = p + (o * rowBytes) + (b * 36);
            for (int j = 0; j < 32; j++)
            {
                q[j] = ((sbyte*)(block + 4))[j];
            }

            return (*(float*)block, q);
        }

        byte* tile = p + (o / 16 * 16 * rowBytes) + (b * 16 * 36);
        int lane = o % 16;
        for (int j = 0; j < 32; j++)
        {
            q[j] = ((sbyte*)(tile + 64))[(j / 2 * 32) + (lane * 2) + (j % 2)];
        }

        return (((float*)tile)[lane], q);
    }

    /// <summary>Activations quantised per block of 32: scale amax/32767 (float32), values rounded half to even.</summary>
    private static double[] QuantisedActivations(float[] x, int cols)
    {
        var q = new double[x.Length];
        for (int b = 0; b < x.Length; b += 32)
        {
            float amax = Enumerable.Range(b, 32).Max(j => Math.Abs(x[j]));
            float d = amax / 32767f;
            for (int j = b; j < b + 32; j++)
            {
                q[j] = d == 0 ? 0 : Math.Round(x[j] * (1f / d), MidpointRounding.ToEven) * d;
            }
        }

        return q;
    }

    /// <summary>y (MaxK rows of yStride, NaN outside what is written) for k rows at once, or each row alone.</summary>
    private static float[] Products(IWeightMatrix matrix, float[] x, int k, int cols, int yStride, int start, int end, bool separately)
    {
        var y = Enumerable.Repeat(float.NaN, MaxK * yStride).ToArray();
        fixed (float* xp = x, yp = y)
        {
            if (separately)
            {
                for (int r = 0; r < x.Length / cols && r < MaxK; r++)
                {
                    matrix.MultiplyRows(xp + ((long)r * cols), 1, yp + ((long)r * yStride), yStride, start, end);
                }
            }
            else
            {
                matrix.MultiplyRows(xp, k, yp, yStride, start, end);
            }
        }

        return y;
    }
}
