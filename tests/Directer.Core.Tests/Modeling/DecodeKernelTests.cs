using Directer.Core.Checkpoints;
using Directer.Core.Modeling;
using Directer.Core.Modeling.Kernels;
using Directer.Core.Runtime;
using Directer.Core.Steering;
using Directer.Core.Steering.Baselines;
using Directer.Core.Tests.Support;
using Directer.Testing;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Modeling;

/// <summary>
/// The CPU decode kernels against the TorchSharp path of the same model: every generated checkpoint
/// plus odd-sized ones (columns not a multiple of any vector width, output counts not a multiple of
/// the 4-output block, GQA, biases, tied embeddings), every SIMD width this CPU runs, f32 and bf16.
/// </summary>
public sealed class DecodeKernelTests
{
    private static readonly long[] Prompt = { 1, 17, 42, 5, 88, 23, 9, 61, 30, 77, 4 };

    // hidden 72 = 2·32 + 8 and head_dim 12 exercise every tail; vocab 99 and MLP 53 leave 3 and 1 outputs after the 4-blocks.
    private static readonly TinyCheckpointSpec[] OddSpecs =
    [
        new() { Name = "odd-gqa-bias", HiddenSize = 72, IntermediateSize = 53, NumAttentionHeads = 6, NumKeyValueHeads = 2, VocabSize = 99, AttentionBias = true, MlpBias = true, Seed = 11 },
        new() { Name = "odd-qwen2-tied", Architecture = "Qwen2ForCausalLM", HiddenSize = 40, IntermediateSize = 67, NumAttentionHeads = 5, NumKeyValueHeads = 1, HeadDim = 8, VocabSize = 101, TieWordEmbeddings = true, DType = "BF16", Seed = 12 },
        // Qwen3 head norms over head_dim 12 with all four attention biases; Phi-3 rotating 6 of 12 dimensions (half 3) with LongRoPE.
        new() { Name = "odd-qwen3-bias", Architecture = "Qwen3ForCausalLM", HiddenSize = 72, IntermediateSize = 53, NumAttentionHeads = 6, NumKeyValueHeads = 2, HeadDim = 12, VocabSize = 99, AttentionBias = true, Seed = 14 },
        new()
        {
            Name = "odd-phi3-longrope", Architecture = "Phi3ForCausalLM", HiddenSize = 72, IntermediateSize = 53, NumAttentionHeads = 6, NumKeyValueHeads = 3, VocabSize = 99, PartialRotaryFactor = 0.5,
            LongRopeShortFactor = [1.0, 1.5, 2.5], LongRopeLongFactor = [1.0, 2.0, 4.0], OriginalMaxPositionEmbeddings = 32, DType = "BF16", Seed = 15,
        },
        // hidden 36 = 4·8 + 4: the residual adds and RMSNorms of a decode step end in their scalar tails; head_dim 6 < 8: every q·k dot product is scalar.
        new() { Name = "odd-hidden-36", HiddenSize = 36, IntermediateSize = 53, NumAttentionHeads = 6, NumKeyValueHeads = 3, VocabSize = 99, Seed = 16 },
    ];

    private static readonly Lazy<string> OddRoot = new(() =>
    {
        TorchRuntime.EnsureInitialized();
        string root = Path.Combine(Path.GetTempPath(), "directer-kernel-tests-" + Environment.ProcessId);
        foreach (var spec in OddSpecs)
        {
            TinyCheckpoints.Write(spec, Path.Combine(root, spec.Name));
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(root, recursive: true);
            }
            catch (IOException)
            {
            }
        };
        return root;
    });

    public DecodeKernelTests() => TorchRuntime.EnsureInitialized();

    public static TheoryData<string, ComputeDType, string> Cases()
    {
        var data = new TheoryData<string, ComputeDType, string>();
        var widths = new[] { KernelWidth.Vector512, KernelWidth.Vector256, KernelWidth.Scalar }.Where(w => w <= MatrixKernels.Best).ToArray();
        foreach (string name in GeneratedCheckpoints.Names.Concat(OddSpecs.Select(s => s.Name)))
        {
            foreach (var dtype in new[] { ComputeDType.Float32, ComputeDType.BFloat16 })
            {
                // Every width on the odd shapes; the best one on the rest (keeps the suite short).
                foreach (var width in name.StartsWith("odd", StringComparison.Ordinal) ? widths : [MatrixKernels.Best])
                {
                    data.Add(name, dtype, width.ToString());
                }
            }
        }

        return data;
    }

    private static string PathOf(string name) =>
        name.StartsWith("odd", StringComparison.Ordinal) ? Path.Combine(OddRoot.Value, name) : GeneratedCheckpoints.PathOf(name);

    /// <summary>
    /// Prefill (one multi-token pass), then greedy decode steps: f32 logits within 1e-5 of the largest
    /// logit and identical greedy ids. bf16: the kernels keep activations in float32 where TorchSharp
    /// rounds each to bf16, so both are held to the f32 result: the kernels' error at most TorchSharp
    /// bf16's (plus 1e-3 of the largest logit for ties).
    /// </summary>
    [Theory]
    [MemberData(nameof(Cases))]
    public void KernelsGiveTheLogitsOfTheTorchSharpPath(string name, ComputeDType dtype, string widthName)
    {
        var width = Enum.Parse<KernelWidth>(widthName);
        string path = PathOf(name);
        using var fast = LlamaModel.Load(path, new ModelOptions { DType = dtype, MaxSequenceLength = 32 }, width);
        using var slow = LlamaModel.Load(path, new ModelOptions { DType = dtype, MaxSequenceLength = 32, CpuDecodeKernels = false });
        using var exact = LlamaModel.Load(path, new ModelOptions { DType = ComputeDType.Float32, MaxSequenceLength = 32, CpuDecodeKernels = false });
        Assert.True(fast.UsesDecodeKernels, fast.DecodeKernelsUnused);
        Assert.False(slow.UsesDecodeKernels);
        using var fastCache = fast.CreateCache();
        using var slowCache = slow.CreateCache();
        using var exactCache = exact.CreateCache();
        var all = new ForwardRequest { LastPositionOnly = false };
        using var ids = tensor(Prompt).unsqueeze(0);
        var steps = new List<(Tensor Fast, Tensor Slow, Tensor Exact)>
        {
            (fast.Forward(ids, fastCache, all), slow.Forward(ids, slowCache, all), exact.Forward(ids, exactCache, all)),
        };
        try
        {
            for (int i = 0; i < 8; i++)
            {
                long next = steps[^1].Exact.select(1, -1).argmax(-1).item<long>();
                if (dtype == ComputeDType.Float32)
                {
                    Assert.Equal(next, steps[^1].Fast.select(1, -1).argmax(-1).item<long>());
                }

                using var input = tensor(new[] { next }).unsqueeze(0);
                steps.Add((fast.Forward(input, fastCache), slow.Forward(input, slowCache), exact.Forward(input, exactCache)));
            }

            foreach (var (f, s, e) in steps)
            {
                double scale = e.abs().max().item<float>();
                double kernelError = (f - e).abs().max().item<float>();
                if (dtype == ComputeDType.Float32)
                {
                    double vsTorch = (f - s).abs().max().item<float>();
                    Assert.True(vsTorch <= 1e-5 * scale, $"{name} {width}: max |Δlogit| {vsTorch:G3} > 1e-5 × {scale:G3}");
                }
                else
                {
                    double torchError = (s - e).abs().max().item<float>();
                    Assert.True(kernelError <= torchError + (1e-3 * scale), $"{name} bf16 {width}: kernels' error {kernelError:G3} > TorchSharp bf16's {torchError:G3}");
                }
            }

            Assert.Equal(fastCache.Length, slowCache.Length);
        }
        finally
        {
            foreach (var (f, s, e) in steps)
            {
                f.Dispose();
                s.Dispose();
                e.Dispose();
            }
        }
    }

    /// <summary>
    /// A row's logits do not depend on the batch it is in (DIRECTER's strategies rely on it): bitwise equal for 1..9
    /// rows (every row block of the kernels: four, two and one rows), for every weight encoding.
    /// </summary>
    [Theory]
    [InlineData("llama-gqa-f32", "f32")]
    [InlineData("odd-gqa-bias", "f32")]
    [InlineData("llama-gqa-f32", "bf16")]
    [InlineData("odd-gqa-bias", "bf16")]
    [InlineData("llama-gqa-f32", "int8")]
    public void ARowsLogitsAreBitwiseTheSameInAnyBatch(string name, string weights)
    {
        var options = new ModelOptions { MaxSequenceLength = 32, DType = weights == "bf16" ? ComputeDType.BFloat16 : ComputeDType.Float32, Int8Weights = weights == "int8" };
        using var model = LlamaModel.Load(PathOf(name), options);
        Assert.True(model.UsesDecodeKernels);
        using var cache = model.CreateCache();
        using (var prefix = tensor(Prompt).unsqueeze(0))
        {
            model.Forward(prefix, cache).Dispose();
        }

        var readOnly = new ForwardRequest { WriteCache = false };
        using var single = model.Forward(tensor(new long[] { 33 }).unsqueeze(0), cache, readOnly);
        for (int rows = 2; rows <= 9; rows++)
        {
            var ids = Enumerable.Range(0, rows).Select(r => r == rows / 2 ? 33L : 40 + r).ToArray();
            using var batch = model.Forward(tensor(ids).unsqueeze(1), cache, readOnly);
            using var row = batch.narrow(0, rows / 2, 1);
            Assert.True(single.equal(row).all().item<bool>(), $"{rows} rows: row {rows / 2} differs from the single-row pass");
        }

        Assert.Equal(Prompt.Length, cache.Length);
    }

    /// <summary>
    /// A bfloat16 prefill longer than a kernel pass (100 tokens: chunks of 48, 48 and 4 where it runs on the kernels):
    /// every position's logits as close to float32 as TorchSharp bf16's; on CPUs without AVX-512 (where it runs on the
    /// kernels, libtorch's bf16 GEMM being slow there) bitwise what feeding the tokens one at a time gives.
    /// </summary>
    [Theory]
    [InlineData("llama-gqa-f32")]
    [InlineData("odd-qwen2-tied")]
    public void LongBFloat16PrefillMatchesTokenByTokenDecoding(string name)
    {
        string path = PathOf(name);
        using var fast = LlamaModel.Load(path, new ModelOptions { DType = ComputeDType.BFloat16, MaxSequenceLength = 128 });
        using var slow = LlamaModel.Load(path, new ModelOptions { DType = ComputeDType.BFloat16, MaxSequenceLength = 128, CpuDecodeKernels = false });
        using var exact = LlamaModel.Load(path, new ModelOptions { DType = ComputeDType.Float32, MaxSequenceLength = 128, CpuDecodeKernels = false });
        Assert.True(fast.UsesDecodeKernels, fast.DecodeKernelsUnused);
        long[] prompt = Enumerable.Range(0, 100).Select(i => (long)((i * 37) + 3) % fast.Config.VocabSize).ToArray();
        var all = new ForwardRequest { LastPositionOnly = false };
        using var ids = tensor(prompt).unsqueeze(0);
        using var fastCache = fast.CreateCache();
        using var slowCache = slow.CreateCache();
        using var exactCache = exact.CreateCache();
        using var f = fast.Forward(ids, fastCache, all);
        using var s = slow.Forward(ids, slowCache, all);
        using var e = exact.Forward(ids, exactCache, all);
        Assert.Equal(prompt.Length, fastCache.Length);
        double scale = e.abs().max().item<float>();
        double kernelError = (f - e).abs().max().item<float>();
        double torchError = (s - e).abs().max().item<float>();
        Assert.True(kernelError <= torchError + (1e-3 * scale), $"{name}: long bf16 prefill's error {kernelError:G3} > TorchSharp bf16's {torchError:G3}");
        if (!System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            AssertEqualsTokenByTokenDecoding(fast, prompt, f, name);
        }
    }

    /// <summary>
    /// A float32 prefill longer than a kernel pass (100 tokens): every position's logits within 1e-5 (relative to the
    /// largest) of TorchSharp's; on CPUs with AVX-512, where it runs on the kernels in chunks of 48, 48 and 4, bitwise what
    /// feeding the tokens one at a time gives (the softmax over exactly the positions a query sees, not the chunk's).
    /// </summary>
    [Theory]
    [InlineData("llama-gqa-f32")]
    [InlineData("odd-qwen2-tied")]
    public void LongFloat32PrefillMatchesTorchSharpAndTokenByTokenDecoding(string name)
    {
        string path = PathOf(name);
        using var fast = LlamaModel.Load(path, new ModelOptions { MaxSequenceLength = 128 });
        using var exact = LlamaModel.Load(path, new ModelOptions { MaxSequenceLength = 128, CpuDecodeKernels = false });
        Assert.True(fast.UsesDecodeKernels, fast.DecodeKernelsUnused);
        long[] prompt = Enumerable.Range(0, 100).Select(i => (long)((i * 37) + 3) % fast.Config.VocabSize).ToArray();
        var all = new ForwardRequest { LastPositionOnly = false };
        using var ids = tensor(prompt).unsqueeze(0);
        using var fastCache = fast.CreateCache();
        using var exactCache = exact.CreateCache();
        using var f = fast.Forward(ids, fastCache, all);
        using var e = exact.Forward(ids, exactCache, all);
        Assert.Equal(prompt.Length, fastCache.Length);
        double scale = e.abs().max().item<float>();
        double error = (f - e).abs().max().item<float>();
        Assert.True(error <= 1e-5 * scale, $"{name}: long f32 prefill max |Δlogit| {error:G3} > 1e-5 × {scale:G3}");
        if (System.Runtime.Intrinsics.X86.Avx512F.IsSupported)
        {
            AssertEqualsTokenByTokenDecoding(fast, prompt, f, name);
        }
    }

    /// <summary>
    /// A chunked prefill of exactly one or two whole chunks (48, 96 tokens; int8 weights always prefill in chunks, float32
    /// on CPUs with AVX-512): the last position's logits bitwise what feeding the tokens one at a time ends with, and the
    /// cache holds the prompt. An extra empty chunk after the last whole one (`offset &lt;= n`) would be the pass returned.
    /// On a CPU without AVX-512 a float32 prompt longer than one chunk goes through TorchSharp's GEMMs instead
    /// (<c>LlamaModel.PrefillOnKernels</c>), whose sums run in another order: there the logits agree to float32 rounding.
    /// </summary>
    [Theory]
    [InlineData(48, false)]
    [InlineData(96, false)]
    [InlineData(48, true)]
    [InlineData(96, true)]
    public void APrefillOfWholeChunksEndsWithTheLastTokensLogits(int length, bool int8)
    {
        using var model = LlamaModel.Load(PathOf("llama-gqa-f32"), new ModelOptions { MaxSequenceLength = 128, Int8Weights = int8 });
        long[] prompt = Enumerable.Range(0, length).Select(i => (long)((i * 29) + 5) % model.Config.VocabSize).ToArray();
        using var ids = tensor(prompt).unsqueeze(0);
        using var cache = model.CreateCache();
        using var last = model.Forward(ids, cache);
        Assert.Equal(length, cache.Length);
        Assert.Equal(new long[] { 1, 1, model.Config.VocabSize }, last.shape);
        using var stepCache = model.CreateCache();
        Tensor? step = null;
        try
        {
            foreach (long token in prompt)
            {
                step?.Dispose();
                using var one = tensor(new[] { token }).unsqueeze(0);
                step = model.Forward(one, stepCache);
            }

            if (int8 || model.PrefillOnKernels || length <= CpuDecoder.MaxRows)
            {
                Assert.True(step!.equal(last).all().item<bool>(), $"{length} tokens (int8: {int8}): the prefill's last logits differ from token-by-token decoding");
            }
            else
            {
                Assert.True(step!.allclose(last, rtol: 1e-4, atol: 1e-5), $"{length} tokens: the prefill's last logits differ from token-by-token decoding by more than float32 rounding");
            }
        }
        finally
        {
            step?.Dispose();
        }
    }

    /// <summary>A cache holding <see cref="Prompt"/>.</summary>
    private static KvCache PrefilledCache(LlamaModel model)
    {
        var cache = model.CreateCache();
        using var prefix = tensor(Prompt).unsqueeze(0);
        model.Forward(prefix, cache).Dispose();
        return cache;
    }

    /// <summary>The ranking pass's rows: the raw row (no layer), then one row steered in layer p for each p.</summary>
    private static List<IReadOnlySet<int>> RankingRows(int layers)
    {
        var rows = new List<IReadOnlySet<int>> { new HashSet<int>() };
        rows.AddRange(Enumerable.Range(0, layers).Select(l => (IReadOnlySet<int>)new HashSet<int> { l }));
        return rows;
    }

    /// <summary>Every position of a chunked prefill's logits bitwise what feeding the prompt one token at a time gives.</summary>
    private static void AssertEqualsTokenByTokenDecoding(LlamaModel model, long[] prompt, Tensor prefill, string name)
    {
        using var stepCache = model.CreateCache();
        for (int t = 0; t < prompt.Length; t++)
        {
            using var one = tensor(new[] { prompt[t] }).unsqueeze(0);
            using var step = model.Forward(one, stepCache);
            using var row = prefill.select(1, t).unsqueeze(1);
            Assert.True(step.equal(row).all().item<bool>(), $"{name}: position {t} of the chunked prefill differs from token-by-token decoding");
        }
    }

    /// <summary>Batched rows with several new tokens each, steered per row and captured, as TorchSharp computes them.</summary>
    private const float KeyScale = 50;

    [Theory]
    [InlineData("llama-gqa-f32")]
    [InlineData("odd-gqa-bias")]
    [InlineData("odd-qwen2-tied")]
    public void SteeredCapturedMultiTokenBatchesMatchTheTorchSharpPath(string name)
    {
        using var fast = LlamaModel.Load(PathOf(name), new ModelOptions { MaxSequenceLength = 32 });
        using var slow = LlamaModel.Load(PathOf(name), new ModelOptions { MaxSequenceLength = 32, CpuDecodeKernels = false });
        var results = new List<(Tensor Logits, AttentionCapture Capture)>();
        foreach (var model in new[] { fast, slow })
        {
            using var cache = model.CreateCache();
            using (var prefix = tensor(Prompt).unsqueeze(0))
            {
                model.Forward(prefix, cache).Dispose();
            }

            // Row 0 unsteered, row 1 steered in layer 0, row 2 in every layer; 3 new tokens per row.
            var layers = new IReadOnlySet<int>[] { new HashSet<int>(), new HashSet<int> { 0 }, Enumerable.Range(0, model.LayerCount).ToHashSet() };
            using var steering = new KeyScaleSteering(EmphasisPositions.Create(new[] { new TokenSpan(2, 6) }, Prompt.Length), KeyScale, layers, Prompt.Length, Prompt.Length + 3, model.Device);
            var capture = new AttentionCapture(model.LayerCount);
            using var ids = tensor(new long[] { 7, 8, 9, 7, 8, 9, 10, 11, 12 }).reshape(3, 3);
            var logits = model.Forward(ids, cache, new ForwardRequest { WriteCache = false, LastPositionOnly = false, Steering = steering, Capture = capture });
            results.Add((logits, capture));
        }

        try
        {
            var (f, s) = (results[0], results[1]);
            double scale = s.Logits.abs().max().item<float>();
            // Scaling a key by α scales the rounding error of its scores by α too, so a steered row's logits agree
            // to α times the unsteered bound (measured on AVX2: row 0 4e-7, layer-0 row 1.2e-6, all-layer row
            // 1.9e-5 relative at α = 50; the two paths sum in different orders).
            for (int r = 0; r < 3; r++)
            {
                double bound = 1e-5 * scale * (r == 0 ? 1 : KeyScale);
                float diff = (f.Logits[r] - s.Logits[r]).abs().max().item<float>();
                Assert.True(diff <= bound, $"{name}: row {r} logits differ by {diff} (bound {bound})");
            }

            Assert.False(f.Logits[0].equal(f.Logits[1]).all().item<bool>() || f.Logits[0].equal(f.Logits[2]).all().item<bool>(), "steering changed nothing");
            for (int l = 0; l < fast.LayerCount; l++)
            {
                Assert.True((f.Capture.Inputs[l]! - s.Capture.Inputs[l]!).abs().max().item<float>() <= 1e-5, $"{name}: capture input layer {l}");
                Assert.True((f.Capture.Outputs[l]! - s.Capture.Outputs[l]!).abs().max().item<float>() <= 1e-5, $"{name}: capture output layer {l}");
            }
        }
        finally
        {
            foreach (var (logits, capture) in results)
            {
                logits.Dispose();
                capture.Dispose();
            }
        }
    }

    /// <summary>
    /// The ranking's pass (a raw row, then one row steered in layer p for each p, all with the same token): the kernels
    /// compute a row only from the first layer where it differs from row 0 and copy row 0 before that. Each row's logits
    /// and captured attention input and output must be bitwise what the same row gives computed in every layer (alone
    /// in its pass, as row 0); a row that never differs (the last, steered in no layer) too.
    /// </summary>
    [Theory]
    [InlineData("llama-gqa-f32", "f32")]
    [InlineData("odd-gqa-bias", "f32")]
    [InlineData("odd-qwen2-tied", "bf16")]
    [InlineData("llama-gqa-f32", "int8")]
    public void RowsEqualToRowZeroUpToTheirSteeredLayerGiveTheBitsOfAFullPass(string name, string weights)
    {
        var options = new ModelOptions { MaxSequenceLength = 32, DType = weights == "bf16" ? ComputeDType.BFloat16 : ComputeDType.Float32, Int8Weights = weights == "int8" };
        using var model = LlamaModel.Load(PathOf(name), options);
        Assert.True(model.UsesDecodeKernels, model.DecodeKernelsUnused);
        using var cache = PrefilledCache(model);
        int layers = model.LayerCount;
        var emphasis = EmphasisPositions.Create(new[] { new TokenSpan(2, 6) }, Prompt.Length);
        var rowLayers = RankingRows(layers);
        rowLayers.Add(new HashSet<int>());
        long[] ids = rowLayers.Select(_ => 33L).ToArray();
        using var steering = new KeyScaleSteering(emphasis, KeyScale, rowLayers, Prompt.Length, Prompt.Length + 1, model.Device);
        using var capture = new AttentionCapture(layers);
        using var batch = model.Forward(tensor(ids).unsqueeze(1), cache, new ForwardRequest { WriteCache = false, Steering = steering, Capture = capture });
        for (int r = 0; r < rowLayers.Count; r++)
        {
            using var alone = new KeyScaleSteering(emphasis, KeyScale, new[] { rowLayers[r] }, Prompt.Length, Prompt.Length + 1, model.Device);
            using var aloneCapture = new AttentionCapture(layers);
            using var single = model.Forward(tensor(new[] { ids[r] }).unsqueeze(1), cache, new ForwardRequest { WriteCache = false, Steering = alone, Capture = aloneCapture });
            using var row = batch.narrow(0, r, 1);
            Assert.True(single.equal(row).all().item<bool>(), $"{name} {weights}: row {r}'s logits differ from the row computed alone");
            for (int l = 0; l < layers; l++)
            {
                using var input = capture.Inputs[l]!.narrow(0, r, 1);
                using var output = capture.Outputs[l]!.narrow(0, r, 1);
                Assert.True(aloneCapture.Inputs[l]!.equal(input).all().item<bool>(), $"{name} {weights}: row {r}'s captured input of layer {l}");
                Assert.True(aloneCapture.Outputs[l]!.equal(output).all().item<bool>(), $"{name} {weights}: row {r}'s captured output of layer {l}");
            }
        }

        using var raw = batch.narrow(0, 0, 1);
        using var steeredFirst = batch.narrow(0, 1, 1);
        Assert.False(raw.equal(steeredFirst).all().item<bool>(), "steering layer 0 changed nothing");
        Assert.Equal(Prompt.Length, cache.Length);
    }

    /// <summary>
    /// The ranking's pass with <see cref="ForwardRequest.FirstRowLogitsOnly"/>: row 0's logits and every row's captured
    /// attention input and output bitwise what the pass gives without it, the probe rows' logits zeros; on the kernels
    /// (which then skip the probe rows' last MLP and output head) and on the TorchSharp path.
    /// </summary>
    [Theory]
    [InlineData("llama-gqa-f32", "f32", true)]
    [InlineData("odd-qwen2-tied", "bf16", true)]
    [InlineData("llama-gqa-f32", "int8", true)]
    [InlineData("odd-gqa-bias", "f32", false)]
    public void ProbeRowsWithoutLogitsKeepRowZeroAndEveryCapture(string name, string weights, bool kernels)
    {
        var options = new ModelOptions { MaxSequenceLength = 32, DType = weights == "bf16" ? ComputeDType.BFloat16 : ComputeDType.Float32, Int8Weights = weights == "int8", CpuDecodeKernels = kernels };
        using var model = LlamaModel.Load(PathOf(name), options);
        Assert.Equal(kernels, model.UsesDecodeKernels);
        using var cache = PrefilledCache(model);
        int layers = model.LayerCount;
        var emphasis = EmphasisPositions.Create(new[] { new TokenSpan(2, 6) }, Prompt.Length);
        var rowLayers = RankingRows(layers);
        using var steering = new KeyScaleSteering(emphasis, KeyScale, rowLayers, Prompt.Length, Prompt.Length + 1, model.Device);
        using var ids = full(new long[] { rowLayers.Count, 1 }, 33L, ScalarType.Int64);
        using var fullCapture = new AttentionCapture(layers);
        using var probeCapture = new AttentionCapture(layers);
        using var whole = model.Forward(ids, cache, new ForwardRequest { WriteCache = false, Steering = steering, Capture = fullCapture });
        using var probes = model.Forward(ids, cache, new ForwardRequest { WriteCache = false, Steering = steering, Capture = probeCapture, FirstRowLogitsOnly = true });
        using var fullRow = whole.narrow(0, 0, 1);
        using var probeRow = probes.narrow(0, 0, 1);
        Assert.True(fullRow.equal(probeRow).all().item<bool>(), $"{name} {weights}: row 0's logits differ");
        using var rest = probes.narrow(0, 1, rowLayers.Count - 1);
        Assert.Equal(0f, rest.abs().max().item<float>());
        using var fullRest = whole.narrow(0, 1, rowLayers.Count - 1);
        Assert.True(fullRest.abs().max().item<float>() > 0, "the probe rows' own logits are not zero");
        for (int l = 0; l < layers; l++)
        {
            Assert.True(fullCapture.Inputs[l]!.equal(probeCapture.Inputs[l]!).all().item<bool>(), $"{name} {weights}: captured inputs of layer {l}");
            Assert.True(fullCapture.Outputs[l]!.equal(probeCapture.Outputs[l]!).all().item<bool>(), $"{name} {weights}: captured outputs of layer {l}");
        }

        Assert.Equal(Prompt.Length, cache.Length);
    }

    /// <summary>
    /// Several rows of several new tokens each with only their last positions' logits (<see cref="ForwardRequest.LastPositionOnly"/>):
    /// row r's last position is pass row r·n + n − 1, so each row must get its own last token's logits, as TorchSharp computes them.
    /// </summary>
    [Theory]
    [InlineData("llama-gqa-f32")]
    [InlineData("odd-gqa-bias")]
    public void LastPositionsOfAMultiTokenBatchMatchTheTorchSharpPath(string name)
    {
        using var ids = tensor(new long[] { 7, 8, 9, 10, 11, 12, 13, 14, 15 }).reshape(3, 3);
        var request = new ForwardRequest { WriteCache = false, LastPositionOnly = true };
        var (f, s) = OnBothPaths(name, (model, cache) => model.Forward(ids, cache, request));
        using (f)
        using (s)
        {
            Assert.Equal(new long[] { 3, 1, s.shape[2] }, f.shape);
            AssertClose(f, s, 1, $"{name}: last positions of a 3×3 batch");
            Assert.False(f[0].equal(f[1]).all().item<bool>() || f[1].equal(f[2]).all().item<bool>(), "two rows got the same logits");
        }
    }

    /// <summary>
    /// A key scaling whose only emphasised position is 0 (the first cached key; the kernels scale score columns from the last
    /// emphasised one down to column 0): as on the TorchSharp path, and the scaling moves the logits by more than the tolerance.
    /// </summary>
    [Theory]
    [InlineData("llama-gqa-f32")]
    [InlineData("odd-qwen2-tied")]
    public void AKeyScalingOfPositionZeroMatchesTheTorchSharpPath(string name)
    {
        using var ids = tensor(new long[] { 33 }).reshape(1, 1);
        var emphasis = EmphasisPositions.Create(new[] { new TokenSpan(0, 1) }, Prompt.Length);
        Tensor Steered(LlamaModel model, KvCache cache)
        {
            using var steering = new KeyScaleSteering(emphasis, KeyScale, new[] { Enumerable.Range(0, model.LayerCount).ToHashSet() }, Prompt.Length, Prompt.Length + 1, model.Device);
            return model.Forward(ids, cache, new ForwardRequest { WriteCache = false, Steering = steering });
        }

        AssertSteeredPassMatchesAndMoves(name, ids, Steered, KeyScale, $"{name}: position 0 scaled");
    }

    /// <summary>
    /// A steering that is not a score-column scaling (InstABoost: log M added to the emphasised columns, the baselines'
    /// pass through <c>LlamaModel.Forward</c>) runs on the kernels by torch ops on their score buffer, viewed as
    /// [batch, kvHeads, groups, queries, keys]: as on the TorchSharp path, for two rows over a GQA cache.
    /// </summary>
    [Theory]
    [InlineData("llama-gqa-f32")]
    [InlineData("odd-gqa-bias")]
    public void ASteeringThatIsNotAColumnScalingMatchesTheTorchSharpPath(string name)
    {
        using var ids = tensor(new long[] { 33, 40 }).reshape(2, 1);
        var emphasis = EmphasisPositions.Create(new[] { new TokenSpan(2, 6) }, Prompt.Length);
        Tensor Steered(LlamaModel model, KvCache cache) =>
            model.Forward(ids, cache, new ForwardRequest { WriteCache = false, Steering = new InstABoostSteering(10).ForPass(emphasis, Prompt.Length, Prompt.Length + 1, model.Device) });

        AssertSteeredPassMatchesAndMoves(name, ids, Steered, 1, $"{name}: InstABoost on two rows");
    }

    /// <summary>
    /// A steered pass over <paramref name="ids"/> within <see cref="AssertClose"/>'s bound of the TorchSharp path, and moving
    /// the TorchSharp logits away from the unsteered pass by more than 10× that bound (so the comparison is not vacuous).
    /// </summary>
    private static void AssertSteeredPassMatchesAndMoves(string name, Tensor ids, Func<LlamaModel, KvCache, Tensor> steered, float factor, string what)
    {
        var (f, s) = OnBothPaths(name, steered);
        var (rawF, rawS) = OnBothPaths(name, (model, cache) => model.Forward(ids, cache, new ForwardRequest { WriteCache = false }));
        using (f)
        using (s)
        using (rawF)
        using (rawS)
        {
            double bound = AssertClose(f, s, factor, what);
            Assert.True((rawS - s).abs().max().item<float>() > 10 * bound, $"{what}: the steering moves the logits by less than 10× the tolerance");
        }
    }

    /// <summary>What <paramref name="pass"/> gives over a cache holding <see cref="Prompt"/>, on the kernels and on the TorchSharp path of the same float32 checkpoint.</summary>
    private static (Tensor Kernels, Tensor TorchSharp) OnBothPaths(string name, Func<LlamaModel, KvCache, Tensor> pass)
    {
        using var fast = LlamaModel.Load(PathOf(name), new ModelOptions { MaxSequenceLength = 32 });
        using var slow = LlamaModel.Load(PathOf(name), new ModelOptions { MaxSequenceLength = 32, CpuDecodeKernels = false });
        Assert.True(fast.UsesDecodeKernels, fast.DecodeKernelsUnused);
        Assert.False(slow.UsesDecodeKernels);
        using var fastCache = PrefilledCache(fast);
        using var slowCache = PrefilledCache(slow);
        return (pass(fast, fastCache), pass(slow, slowCache));
    }

    /// <summary>Asserts the kernels' logits within 1e-5 × <paramref name="factor"/> of the largest TorchSharp logit; returns that bound.</summary>
    private static double AssertClose(Tensor kernels, Tensor torchSharp, float factor, string what)
    {
        Assert.Equal(torchSharp.shape, kernels.shape);
        double bound = 1e-5 * factor * torchSharp.abs().max().item<float>();
        float diff = (kernels - torchSharp).abs().max().item<float>();
        Assert.True(diff <= bound, $"{what}: logits differ by {diff} (bound {bound})");
        return bound;
    }

    [Fact]
    public void ConfigFeaturesTheKernelsDoNotImplementKeepTheTorchSharpPath()
    {
        var config = ModelConfig.Load(Path.Combine(GeneratedCheckpoints.PathOf("llama-gqa-f32"), "config.json"));
        Assert.Null(CpuDecoder.Unsupported(config, new ModelOptions(), CPU, ScalarType.Float32));
        Assert.Contains("GemmaForCausalLM", CpuDecoder.Unsupported(config with { Architecture = "GemmaForCausalLM" }, new ModelOptions(), CPU, ScalarType.Float32));
        foreach (string implemented in new[] { "Qwen3ForCausalLM", "Phi3ForCausalLM" })
        {
            Assert.Null(CpuDecoder.Unsupported(config with { Architecture = implemented }, new ModelOptions(), CPU, ScalarType.Float32));
        }
        Assert.NotNull(CpuDecoder.Unsupported(config, new ModelOptions { CpuDecodeKernels = false }, CPU, ScalarType.Float32));
        Assert.NotNull(CpuDecoder.Unsupported(config, new ModelOptions(), CPU, ScalarType.Float16));
    }
}
