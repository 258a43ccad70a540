using Directer.Core.Modeling;
using Directer.Core.Steering;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Steering;

/// <summary>
/// A deliberately naive DIRECTER, written straight from docs/DIRECTER.md: it deep-copies the KV
/// cache for every steered pass, multiplies the cached keys of the emphasised positions literally,
/// and runs one candidate at a time. The fast strategies must reproduce it exactly.
/// </summary>
internal static class NaiveDirecter
{
    public sealed record Result(List<int> Ids, List<int> Ranking, List<SteeringStep> Trace);

    public static Result Generate(LlamaModel model, int[] prompt, IReadOnlyList<TokenSpan> spans, double alpha, double beta, int maxTrials, int maxNew, RankingVariant variant = RankingVariant.Reference)
    {
        using var scope = NewDisposeScope();
        int layers = model.LayerCount;
        var emphasised = spans.SelectMany(s => Enumerable.Range(s.Start, s.End - s.Start)).Distinct().ToArray();
        using var cache = model.CreateCache(prompt.Length + maxNew + 1);
        if (prompt.Length > 1)
        {
            model.Forward(tensor(prompt.Take(prompt.Length - 1).Select(i => (long)i).ToArray()).unsqueeze(0), cache);
        }

        int input = prompt[^1];
        var ids = new List<int>();
        var trace = new List<SteeringStep>();
        List<int>? ranking = null;
        for (int step = 0; step < maxNew; step++)
        {
            int position = cache.Length;
            var raw = model.Forward(tensor(new long[] { input }).unsqueeze(0), cache).reshape(-1);
            float[] p = raw.softmax(-1).data<float>().ToArray();
            int rawToken = ArgMax(raw.data<float>().ToArray());
            float maxP = p.Max();

            if (step == 0)
            {
                ranking = Rank(model, cache, input, position, emphasised, alpha, variant);
            }
            else
            {
                var sorted = p.OrderByDescending(v => v).ToArray();
                if (sorted[1] < beta * sorted[0])
                {
                    trace.Add(Step(step, true, 0, 0, false, rawToken, rawToken, p));
                    ids.Add(rawToken);
                    input = rawToken;
                    continue;
                }
            }

            var lambda = Enumerable.Range(0, layers).ToList();
            int trial = 0;
            int chosen = -1;
            while (true)
            {
                trial++;
                if (lambda.Count == 1 || trial > maxTrials)
                {
                    trace.Add(Step(step, false, trial - 1, 0, true, rawToken, rawToken, p));
                    chosen = rawToken;
                    break;
                }

                using var copy = cache.DeepCopy();
                ScaleKeys(copy, lambda, emphasised.Where(e => e < position), alpha);
                var steered = model.Forward(tensor(new long[] { input }).unsqueeze(0), copy, new ForwardRequest { WriteCache = false, StartPosition = position }).reshape(-1);
                int c = ArgMax(steered.data<float>().ToArray());
                if (p[c] - (beta * maxP) > 0)
                {
                    trace.Add(Step(step, false, trial, lambda.Count, false, rawToken, c, p));
                    chosen = c;
                    break;
                }

                lambda = ranking!.Take(Math.Max(1, layers / (1 << trial))).ToList();
            }

            ids.Add(chosen);
            input = chosen;
        }

        return new Result(ids, ranking!, trace);
    }

    private static List<int> Rank(LlamaModel model, KvCache cache, int input, int position, int[] emphasised, double alpha, RankingVariant variant)
    {
        int layers = model.LayerCount;
        (double[][] In, double[][] Out) Probe(IEnumerable<int> steeredLayers)
        {
            using var copy = cache.DeepCopy();
            ScaleKeys(copy, steeredLayers, emphasised.Where(e => e < position), alpha);
            using var capture = new AttentionCapture(layers);
            model.Forward(tensor(new long[] { input }).unsqueeze(0), copy, new ForwardRequest { WriteCache = false, StartPosition = position, Capture = capture }).Dispose();
            return (capture.Inputs.Select(t => t!.reshape(-1).data<float>().Select(v => (double)v).ToArray()).ToArray(),
                    capture.Outputs.Select(t => t!.reshape(-1).data<float>().Select(v => (double)v).ToArray()).ToArray());
        }

        var (rawIn, rawOut) = Probe(Array.Empty<int>());
        var d = new double[layers, layers];
        for (int p = 0; p < layers; p++)
        {
            var (inP, outP) = Probe(new[] { p });
            for (int j = 0; j < layers; j++)
            {
                double value = (1 - Cos(rawIn[j], outP[j])) + (1 - Cos(rawOut[j], inP[j]));
                if (variant == RankingVariant.PaperDifference)
                {
                    value -= 2 * (1 - Cos(rawIn[j], rawOut[j]));
                }

                d[p, j] = Math.Max(0, value);
            }
        }

        var sensitivity = Enumerable.Range(0, layers).Select(j => Enumerable.Range(0, layers).Average(p => d[p, j])).ToArray();
        return Enumerable.Range(0, layers).OrderByDescending(j => sensitivity[j]).ThenBy(j => j).ToList();
    }

    private static void ScaleKeys(KvCache cache, IEnumerable<int> layers, IEnumerable<int> positions, double alpha)
    {
        var list = positions.ToArray();
        foreach (int layer in layers)
        {
            var keys = cache.LayerKeys(layer);
            foreach (int position in list)
            {
                using var slot = keys.narrow(2, position, 1);
                slot.mul_(alpha);
            }
        }
    }

    private static double Cos(double[] a, double[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }

        return dot / Math.Sqrt(na * nb);
    }

    private static int ArgMax(float[] v)
    {
        int best = 0;
        for (int i = 1; i < v.Length; i++)
        {
            if (v[i] > v[best])
            {
                best = i;
            }
        }

        return best;
    }

    private static SteeringStep Step(int index, bool gated, int trials, int layersUsed, bool fellBack, int raw, int chosen, float[] p) => new()
    {
        Index = index,
        Gated = gated,
        Trials = trials,
        LayersUsed = layersUsed,
        FellBack = fellBack,
        RawToken = raw,
        ChosenToken = chosen,
        RawProbabilityOfChosen = p[chosen],
        RawTopProbability = p.Max(),
    };
}
