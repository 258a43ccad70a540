using Directer.Core.Modeling;

namespace Directer.Core.Steering;

/// <summary>
/// The one-time layer sensitivity ranking: how much steering a single layer p moves the attention
/// sub-block of every layer j, averaged over p; layers ranked most sensitive first.
/// </summary>
public sealed record LayerRanking(IReadOnlyList<int> Order, IReadOnlyList<double> Sensitivity)
{
    /// <summary>The first <paramref name="count"/> layers of the ranking.</summary>
    public IReadOnlySet<int> Top(int count) => Order.Take(count).ToHashSet();

    /// <summary>
    /// Computes the ranking from the raw pass's attention inputs and outputs per layer
    /// (<paramref name="rawInputs"/>, <paramref name="rawOutputs"/>) and one <paramref name="probe"/>
    /// per layer p, whose pass steers only layer p.
    /// </summary>
    public static LayerRanking Compute(float[][] rawInputs, float[][] rawOutputs, Func<int, (float[][] Inputs, float[][] Outputs)> probe, RankingVariant variant)
    {
        int layers = rawInputs.Length;
        var sensitivity = new double[layers];
        var baseline = new double[layers];
        for (int j = 0; j < layers; j++)
        {
            baseline[j] = 2 * (1 - Cosine(rawInputs[j], rawOutputs[j]));
        }

        for (int p = 0; p < layers; p++)
        {
            var (inputs, outputs) = probe(p);
            for (int j = 0; j < layers; j++)
            {
                double d = (1 - Cosine(rawInputs[j], outputs[j])) + (1 - Cosine(rawOutputs[j], inputs[j]));
                if (variant == RankingVariant.PaperDifference)
                {
                    d -= baseline[j];
                }

                sensitivity[j] += Math.Max(0, d);
            }
        }

        for (int j = 0; j < layers; j++)
        {
            sensitivity[j] /= layers;
        }

        // Highest first; equal values keep layer order (stable sort).
        var order = Enumerable.Range(0, layers).OrderByDescending(j => sensitivity[j]).ToArray();
        return new LayerRanking(order, sensitivity);
    }

    /// <summary>Row <paramref name="row"/> of every layer of <paramref name="capture"/> as float arrays.</summary>
    public static (float[][] Inputs, float[][] Outputs) Row(AttentionCapture capture, int row)
    {
        float[] Take(TorchSharp.torch.Tensor? t)
        {
            using var r = t!.select(0, row);
            return r.data<float>().ToArray();
        }

        return (capture.Inputs.Select(Take).ToArray(), capture.Outputs.Select(Take).ToArray());
    }

    /// <summary>Cosine similarity in double precision (0 when a vector is zero).</summary>
    public static double Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            na += (double)a[i] * a[i];
            nb += (double)b[i] * b[i];
        }

        return na == 0 || nb == 0 ? 0 : dot / Math.Sqrt(na * nb);
    }
}
