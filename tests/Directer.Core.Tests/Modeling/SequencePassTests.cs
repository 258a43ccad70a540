using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Steering;
using Directer.Core.Tests.Support;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Modeling;

/// <summary>
/// A pass over several sequences (<c>LlamaModel.ForwardSequences</c> with <see cref="SequenceRow"/>s): raw rows that append
/// to their own caches, steered read-only rows (several over one cache, each with its own key scaling), and a request's
/// raw row with its candidates and an attention capture (DIRECTER's ranking). Every row's logits and captured rows are bit for bit what that request's own pass gives, on the CPU decode
/// kernels (one pass over the weights for all rows) and on the TorchSharp path; the caches end as the solo passes leave them.
/// </summary>
public sealed class SequencePassTests
{
    public SequencePassTests() => TorchRuntime.EnsureInitialized();

    public static TheoryData<string, bool> Cases()
    {
        var data = new TheoryData<string, bool>();
        foreach (string name in GeneratedCheckpoints.Names)
        {
            data.Add(name, true);
        }

        data.Add("llama-gqa-f32", false);
        data.Add("qwen2-bias-tied-bf16", false);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Raw_and_steered_rows_of_several_requests_in_one_pass_equal_each_requests_own_passes(string name, bool kernels)
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf(name), new ModelOptions { CpuDecodeKernels = kernels });
        int layers = model.LayerCount;
        var random = new Random(layers * 31);
        int[] Ids(int n) => Enumerable.Range(0, n).Select(_ => random.Next(4, model.VocabSize)).ToArray();
        int[] promptA = Ids(9), promptB = Ids(14), promptC = Ids(6);
        var emphasisA = EmphasisPositions.Create([new TokenSpan(1, 5)], promptA.Length);
        var emphasisB = EmphasisPositions.Create([new TokenSpan(3, 9)], promptB.Length);
        IReadOnlyList<IReadOnlySet<int>> candidatesA = [Enumerable.Range(0, layers).ToHashSet(), new HashSet<int> { layers - 1 }];
        IReadOnlyList<IReadOnlySet<int>> staticB = [new HashSet<int> { 0 }];
        IReadOnlyList<IReadOnlySet<int>> withRawC = [new HashSet<int>(), Enumerable.Range(0, layers).ToHashSet()];
        var emphasisC = EmphasisPositions.Create([new TokenSpan(0, 3)], promptC.Length);

        // Each request's own passes (what a request alone runs).
        using var soloA = Prefilled(model, promptA);
        using var soloB = Prefilled(model, promptB);
        using var soloC = Prefilled(model, promptC);
        int posA = soloA.Length, posB = soloB.Length, posC = soloC.Length;
        using var rawA = Pass(model, soloA, promptA[^1], 1, true, posA, null);
        using var rawB = Pass(model, soloB, promptB[^1], 1, true, posB, null);
        using var steeringA = new KeyScaleSteering(emphasisA, 16, candidatesA, posA, posA + 1, model.Device);
        using var steeringB = new KeyScaleSteering(emphasisB, 8, staticB, posB, posB + 1, model.Device);
        using var steeringC = new KeyScaleSteering(emphasisC, 32, withRawC, posC, posC + 1, model.Device);
        using var steeredA = Pass(model, soloA, promptA[^1], candidatesA.Count, false, posA, steeringA);
        using var steeredB = Pass(model, soloB, promptB[^1], 1, false, posB, steeringB);
        using var soloCapture = new AttentionCapture(layers);
        using var rawWithCandidatesC = Pass(model, soloC, promptC[^1], withRawC.Count, true, posC, steeringC, soloCapture);
        using var unsteeredA = Pass(model, soloA, promptA[^1], 1, false, posA, null);

        // The same passes as rows of passes over several sequences.
        using var cacheA = Prefilled(model, promptA);
        using var cacheB = Prefilled(model, promptB);
        using var cacheC = Prefilled(model, promptC);
        using var capture = new AttentionCapture(layers);
        using var raws = model.ForwardSequences([SequenceRow.Raw(promptA[^1], cacheA), SequenceRow.Raw(promptB[^1], cacheB)]);
        using var mixed = model.ForwardSequences(
        [
            new SequenceRow(promptA[^1], cacheA, posA, false, steeringA, 0),
            new SequenceRow(promptA[^1], cacheA, posA, false, steeringA, 1),
            new SequenceRow(promptC[^1], cacheC, posC, true, steeringC, 0, capture),
            new SequenceRow(promptC[^1], cacheC, posC, false, steeringC, 1, capture),
            new SequenceRow(promptB[^1], cacheB, posB, false, steeringB, 0),
        ]);

        AssertSame(rawA, raws.narrow(0, 0, 1), "raw row of A");
        AssertSame(rawB, raws.narrow(0, 1, 1), "raw row of B");
        AssertSame(steeredA, mixed.narrow(0, 0, 2), "A's candidates");
        AssertSame(rawWithCandidatesC, mixed.narrow(0, 2, 2), "C's raw row with its candidate");
        AssertSame(steeredB, mixed.narrow(0, 4, 1), "B's static row");
        Assert.False(steeredA[0].eq(unsteeredA[0]).all().item<bool>(), "the steering changed nothing: the test would not see a lost scaling");
        Assert.Equal([posA + 1, posB + 1, posC + 1], [cacheA.Length, cacheB.Length, cacheC.Length]);
        for (int l = 0; l < layers; l++)
        {
            Assert.True(soloC.KeysPrefix(l, posC + 1).eq(cacheC.KeysPrefix(l, posC + 1)).all().item<bool>(), $"C's cached keys differ in layer {l}");
            Assert.True(soloC.ValuesPrefix(l, posC + 1).eq(cacheC.ValuesPrefix(l, posC + 1)).all().item<bool>(), $"C's cached values differ in layer {l}");
            AssertSame(soloCapture.Inputs[l]!, capture.Inputs[l]!, $"C's captured attention input, layer {l}");
            AssertSame(soloCapture.Outputs[l]!, capture.Outputs[l]!, $"C's captured attention output, layer {l}");
        }
    }

    /// <summary>
    /// A captured request after an odd number of rows without a capture (one static row, then the request's raw row and its
    /// candidate): the kernels' capture scan steps over uncaptured rows one at a time, so the capture still records both of
    /// the request's rows, bit for bit what the request's own pass records.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_captured_request_after_an_odd_number_of_uncaptured_rows_records_what_its_own_pass_records(bool kernels)
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"), new ModelOptions { CpuDecodeKernels = kernels });
        int layers = model.LayerCount;
        int[] promptB = [5, 9, 14, 22, 7, 31, 12], promptC = [8, 3, 27, 16, 11, 40];
        using var soloC = Prefilled(model, promptC);
        int posB = promptB.Length - 1, posC = promptC.Length - 1;
        IReadOnlyList<IReadOnlySet<int>> withRawC = [new HashSet<int>(), Enumerable.Range(0, layers).ToHashSet()];
        using var steeringB = new KeyScaleSteering(EmphasisPositions.Create([new TokenSpan(1, 4)], promptB.Length), 8, [new HashSet<int> { 0 }], posB, posB + 1, model.Device);
        using var steeringC = new KeyScaleSteering(EmphasisPositions.Create([new TokenSpan(0, 3)], promptC.Length), 32, withRawC, posC, posC + 1, model.Device);
        using var soloCapture = new AttentionCapture(layers);
        using var ownPass = Pass(model, soloC, promptC[^1], withRawC.Count, true, posC, steeringC, soloCapture);

        using var cacheB = Prefilled(model, promptB);
        using var cacheC = Prefilled(model, promptC);
        using var capture = new AttentionCapture(layers);
        using var pass = model.ForwardSequences(
        [
            new SequenceRow(promptB[^1], cacheB, posB, false, steeringB, 0),
            new SequenceRow(promptC[^1], cacheC, posC, true, steeringC, 0, capture),
            new SequenceRow(promptC[^1], cacheC, posC, false, steeringC, 1, capture),
        ]);

        AssertSame(ownPass, pass.narrow(0, 1, 2), "C's raw row with its candidate");
        for (int l = 0; l < layers; l++)
        {
            AssertSame(soloCapture.Inputs[l]!, capture.Inputs[l]!, $"C's captured attention input, layer {l}");
            AssertSame(soloCapture.Outputs[l]!, capture.Outputs[l]!, $"C's captured attention output, layer {l}");
        }
    }

    /// <summary>
    /// A captured request whose rows end a full kernel pass (46 read-only rows of another request, then the request's raw row
    /// and its candidate: 48 rows, the most one pass takes): the capture scan stops at the pass's last row, and the capture
    /// records both rows as the request's own pass does.
    /// </summary>
    [Fact]
    public void A_captured_request_ending_a_full_pass_of_forty_eight_rows_records_what_its_own_pass_records()
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"));
        Assert.True(model.UsesDecodeKernels, model.DecodeKernelsUnused);
        int layers = model.LayerCount;
        int[] promptA = [5, 9, 14, 22, 7, 31, 12], promptC = [8, 3, 27, 16, 11, 40];
        using var soloC = Prefilled(model, promptC);
        int posA = promptA.Length - 1, posC = promptC.Length - 1;
        IReadOnlyList<IReadOnlySet<int>> withRawC = [new HashSet<int>(), Enumerable.Range(0, layers).ToHashSet()];
        using var steeringC = new KeyScaleSteering(EmphasisPositions.Create([new TokenSpan(0, 3)], promptC.Length), 32, withRawC, posC, posC + 1, model.Device);
        using var soloCapture = new AttentionCapture(layers);
        using var ownPass = Pass(model, soloC, promptC[^1], withRawC.Count, true, posC, steeringC, soloCapture);

        using var cacheA = Prefilled(model, promptA);
        using var cacheC = Prefilled(model, promptC);
        using var capture = new AttentionCapture(layers);
        var rows = Enumerable.Range(0, 46).Select(r => new SequenceRow(4 + r, cacheA, posA, false)).ToList();
        rows.Add(new SequenceRow(promptC[^1], cacheC, posC, true, steeringC, 0, capture));
        rows.Add(new SequenceRow(promptC[^1], cacheC, posC, false, steeringC, 1, capture));
        using var pass = model.ForwardSequences(rows);

        Assert.Equal(48, pass.shape[0]);
        AssertSame(ownPass, pass.narrow(0, 46, 2), "C's raw row with its candidate");
        for (int l = 0; l < layers; l++)
        {
            AssertSame(soloCapture.Inputs[l]!, capture.Inputs[l]!, $"C's captured attention input, layer {l}");
            AssertSame(soloCapture.Outputs[l]!, capture.Outputs[l]!, $"C's captured attention output, layer {l}");
        }
    }

    [Fact]
    public void Rows_that_would_both_write_one_cache_or_start_past_its_end_are_refused()
    {
        using var model = LlamaModel.Load(GeneratedCheckpoints.PathOf("llama-gqa-f32"));
        using var cache = Prefilled(model, [5, 6, 7]);
        var twice = Assert.Throws<ArgumentException>(() => model.ForwardSequences([SequenceRow.Raw(4, cache), SequenceRow.Raw(5, cache)]));
        Assert.Contains("both write the same cache", twice.Message, StringComparison.Ordinal);
        var past = Assert.Throws<ArgumentException>(() => model.ForwardSequences([new SequenceRow(4, cache, cache.Length + 1, false)]));
        Assert.Contains("starts at 3 over a cache of length 2", past.Message, StringComparison.Ordinal);
    }

    /// <summary>A cache holding all of <paramref name="prompt"/> but its last token (the first decode step's input).</summary>
    private static KvCache Prefilled(LlamaModel model, int[] prompt)
    {
        var cache = model.CreateCache(Math.Min(64, model.ContextLength));
        using var ids = tensor(prompt[..^1].Select(i => (long)i).ToArray(), ScalarType.Int64).unsqueeze(0);
        using var logits = model.Forward(ids, cache, ForwardRequest.Raw);
        return cache;
    }

    private static Tensor Pass(LlamaModel model, KvCache cache, int token, int rows, bool write, int start, KeyScaleSteering? steering, AttentionCapture? capture = null)
    {
        using var input = full(new long[] { rows, 1 }, token, ScalarType.Int64);
        using var logits = model.Forward(input, cache, new ForwardRequest { WriteCache = write, StartPosition = start, LastPositionOnly = true, Steering = steering, Capture = capture });
        return logits.reshape(rows, -1).DetachFromDisposeScope();
    }

    private static void AssertSame(Tensor expected, Tensor actual, string what)
    {
        // Shapes first: eq broadcasts, so one recorded row would pass against two equal ones.
        Assert.True(expected.shape.SequenceEqual(actual.shape), $"{what}: shape [{string.Join(", ", actual.shape)}], the request's own pass [{string.Join(", ", expected.shape)}]");
        Assert.True(expected.eq(actual).all().item<bool>(), $"{what}: the pass over sequences differs from the request's own pass (max |Δ| {(expected - actual).abs().max().item<float>()})");
    }
}
