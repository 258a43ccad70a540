using Directer.Core.Modeling.Kernels;
using Directer.Core.Runtime;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Modeling;

/// <summary>
/// The float32 and bfloat16 matrix kernels alone, on rows long enough for the column chunks of the many-row blocks
/// (several chunks and a short last one, plus a scalar tail), which the tiny checkpoints of
/// <see cref="DecodeKernelTests"/> never reach: every width, 1..9 rows, against a double-precision product.
/// </summary>
public sealed unsafe class MatrixKernelTests
{
    public MatrixKernelTests() => TorchRuntime.EnsureInitialized();

    public static TheoryData<string, int, int> Shapes()
    {
        var data = new TheoryData<string, int, int>();
        foreach (string dtype in new[] { "f32", "bf16" })
        {
            // Columns: 2600 = two chunks of 1024, a short one of 544 and a tail of 8; 1040 = a chunk and one step; 4103 = four
            // whole chunks and a tail of 7. Outputs: 9, 6 and 7 leave 1, 2 and 3 after the 4-output blocks.
            data.Add(dtype, 9, 2600);
            data.Add(dtype, 6, 1040);
            data.Add(dtype, 7, 4103);
        }

        return data;
    }

    /// <summary>
    /// y = W·x for every row count and width: within float32 rounding of the double-precision product of the exact
    /// weights (bf16 widened exactly), and each row bitwise equal to the same row multiplied alone (the property the
    /// DIRECTER strategies' identical outputs rest on).
    /// </summary>
    [Theory]
    [MemberData(nameof(Shapes))]
    public void EveryRowCountGivesTheProductAndTheSameBitsAsOneRow(string dtype, int rows, int cols)
    {
        var random = new Random((rows * 31) + cols);
        using var w = tensor(Enumerable.Range(0, rows * cols).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray()).reshape(rows, cols);
        using var typed = dtype == "bf16" ? w.to_type(TorchSharp.torch.ScalarType.BFloat16).contiguous() : w.contiguous();
        using var exact = typed.to_type(TorchSharp.torch.ScalarType.Float32).contiguous();
        float[] weights = exact.data<float>().ToArray();
        const int maxK = 9;
        float[] x = Enumerable.Range(0, maxK * cols).Select(_ => (float)(random.NextDouble() - 0.5)).ToArray();
        byte* p = TensorMemory.Address(typed);
        foreach (var width in new[] { KernelWidth.Vector512, KernelWidth.Vector256, KernelWidth.Scalar }.Where(v => v <= MatrixKernels.Best))
        {
            IWeightMatrix matrix = dtype == "bf16" ? new WeightMatrix<BF16Load>(p, rows, cols, width) : new WeightMatrix<F32Load>(p, rows, cols, width);
            var alone = new float[maxK * rows];
            fixed (float* xp = x, ap = alone)
            {
                for (int r = 0; r < maxK; r++)
                {
                    matrix.MultiplyRows(xp + ((long)r * cols), 1, ap + ((long)r * rows), rows, 0, rows);
                }
            }

            for (int k = 1; k <= maxK; k++)
            {
                var y = new float[k * rows];
                fixed (float* xp = x, yp = y)
                {
                    matrix.MultiplyRows(xp, k, yp, rows, 0, rows);
                }

                for (int r = 0; r < k; r++)
                {
                    for (int o = 0; o < rows; o++)
                    {
                        double sum = 0, magnitude = 0;
                        for (int i = 0; i < cols; i++)
                        {
                            double term = (double)weights[(o * cols) + i] * x[(r * cols) + i];
                            sum += term;
                            magnitude += Math.Abs(term);
                        }

                        float got = y[(r * rows) + o];
                        Assert.True(Math.Abs(got - sum) <= 1e-5 * magnitude, $"{width} k={k} row {r} output {o}: {got} vs {sum} (Σ|terms| {magnitude})");
                        Assert.True(BitConverter.SingleToInt32Bits(got) == BitConverter.SingleToInt32Bits(alone[(r * rows) + o]), $"{width} k={k} row {r} output {o}: {got} in a {k}-row pass, {alone[(r * rows) + o]} alone");
                    }
                }
            }
        }
    }
}
