using System.Diagnostics;
using Directer.Core.Checkpoints;
using Directer.Core.Modeling.Kernels;
using Directer.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace Directer.Core.Modeling;

/// <summary>
/// The Llama-family decoder (LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM,
/// Phi3ForCausalLM; SmolLM and TinyLlama share the layout) on TorchSharp, numerically following Hugging Face
/// transformers. Qwen3 adds an RMSNorm per query/key head before RoPE; Phi-3 stores q/k/v and gate/up fused
/// (loaded as they are: the fused layout is ours too) and may rotate only part of each head.
/// Not thread-safe: one forward pass at a time.
/// </summary>
public sealed class LlamaModel : IDisposable
{
    private readonly DecoderLayerWeights[] layers;
    private readonly Tensor embedding;
    private readonly Tensor finalNorm;
    private readonly Tensor lmHead;
    private readonly RotaryEmbedding rotary;
    private readonly ScalarType dtype;
    private readonly ScalarType attentionDtype;
    private readonly bool inOutLayout;
    private readonly int heads;
    private readonly int kvHeads;
    private readonly int headDim;
    private readonly double attentionScale;
    private readonly float rmsEps;
    private readonly CpuDecoder? decoder;

    private LlamaModel(ModelConfig config, ModelOptions options, DecoderLayerWeights[] layers, Tensor embedding, Tensor finalNorm, Tensor lmHead, int contextLength, Device device, bool inOutLayout, CpuDecoder? decoder, string? kernelsUnused)
    {
        Config = config;
        Options = options;
        this.layers = layers;
        this.embedding = embedding;
        this.finalNorm = finalNorm;
        this.lmHead = lmHead;
        Device = device;
        dtype = ToScalarType(options.DType);

        // CPU kernels for small bf16 batched matmuls are ~7x slower than float32 ones, so on CPU the
        // attention core (cache, scores, weighted values) runs in float32 whatever the weight dtype.
        attentionDtype = device.type == DeviceType.CPU ? ScalarType.Float32 : dtype;
        this.inOutLayout = inOutLayout;
        this.decoder = decoder;
        DecodeKernelsUnused = kernelsUnused;
        heads = config.NumAttentionHeads;
        kvHeads = config.NumKeyValueHeads;
        headDim = config.HeadDim;
        attentionScale = 1.0 / Math.Sqrt(headDim);
        rmsEps = (float)config.RmsNormEps;
        ContextLength = contextLength;
        rotary = new RotaryEmbedding(config, contextLength, dtype, device);
    }

    /// <summary>The parsed config.json.</summary>
    public ModelConfig Config { get; }

    /// <summary>Options the model was loaded with.</summary>
    public ModelOptions Options { get; }

    /// <summary>The torch device the weights live on.</summary>
    public Device Device { get; }

    /// <summary>Number of decoder layers.</summary>
    public int LayerCount => layers.Length;

    /// <summary>The layers' matrices (q/k/v, output, gate/up, down), as the kernels read them (tests).</summary>
    internal IEnumerable<Tensor> LayerMatrices => layers.SelectMany(l => new[] { l.QkvProjection, l.OutputProjection, l.GateUpProjection, l.DownProjection });

    /// <summary>Vocabulary size (rows of the output projection).</summary>
    public int VocabSize => Config.VocabSize;

    /// <summary>Longest sequence a cache of this model holds.</summary>
    public int ContextLength { get; }

    /// <summary>Whether passes of up to <see cref="CpuDecoder.MaxRows"/> rows run on the CPU decode kernels.</summary>
    internal bool UsesDecodeKernels => decoder is not null;

    /// <summary>Why the decode kernels are not used (null when they are).</summary>
    internal string? DecodeKernelsUnused { get; }

    /// <summary>Bytes of weights read for one decode step (all layers, final norm, output head).</summary>
    public long WeightBytesPerToken => layers.Sum(l => l.Bytes) + (finalNorm.NumberOfElements * finalNorm.ElementSize) + (lmHead.NumberOfElements * lmHead.ElementSize);

    /// <summary>Loads a Hugging Face checkpoint folder (config.json + safetensors).</summary>
    /// <exception cref="CheckpointException">The folder, config or a tensor is not what a supported model needs.</exception>
    public static LlamaModel Load(string directory, ModelOptions? options = null) => Load(directory, options, MatrixKernels.Best);

    /// <summary>Float32 elements of the buffer int8 weights are quantised through at load (4 MB).</summary>
    internal const long Int8RowBufferElements = 1L << 20;

    /// <summary>
    /// As <see cref="Load(string, ModelOptions?)"/>, with the decode kernels at a given SIMD width and (tests) the
    /// int8 row buffer's size in float32 elements.
    /// </summary>
    internal static LlamaModel Load(string directory, ModelOptions? options, KernelWidth width, long int8RowBufferElements = Int8RowBufferElements)
    {
        options ??= new ModelOptions();
        CheckpointFolder.Require(directory);
        TorchRuntime.EnsureInitialized();
        if (options.Threads is int threads)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(threads, 1, nameof(ModelOptions.Threads));
            torch.set_num_threads(threads);
        }

        var device = ResolveDevice(options.Device);
        var config = ModelConfig.Load(Path.Combine(directory, "config.json"));
        int context = ContextFor(config, options);
        var dtype = ToScalarType(options.DType);
        using var weights = CheckpointWeights.Open(directory);

        long hidden = config.HiddenSize;
        long inter = config.IntermediateSize;
        long qOut = (long)config.NumAttentionHeads * config.HeadDim;
        long kvOut = (long)config.NumKeyValueHeads * config.HeadDim;

        // Every tensor passes through here; with CheckWeights it is checked in the dtype it is computed in.
        Tensor Load(string name, long[] shape)
        {
            var t = weights.Read(name, dtype, shape);
            if (options.CheckWeights)
            {
                RequireFiniteWeights(t, name, weights);
            }

            return t;
        }

        Tensor Read(string name, params long[] shape)
        {
            using var t = Load(name, shape);
            return t.to(device).DetachFromDisposeScope();
        }

        // Weight layout by measurement on CPU (bench/RESULTS.md): the decode kernels read [out, in]
        // rows. Without them, float32 batch-1 matmuls in libtorch are fastest with [in, out] weights and
        // plain mm (about 1.7x F.linear over [out, in]); bfloat16 with F.linear over [out, in].
        string? kernelsUnused = CpuDecoder.Unsupported(config, options, device, dtype);
        bool int8 = options.Int8Weights;
        if (int8 && (kernelsUnused is not null || dtype != ScalarType.Float32))
        {
            throw new ArgumentException(
                $"ModelOptions.Int8Weights needs the CPU decode kernels and DType Float32; here {kernelsUnused ?? $"DType is {options.DType}"}.", nameof(options));
        }

        // Every handle made on the way is disposed: an undisposed TorchSharp handle keeps its storage until the GC
        // finalizes it, which kept the float32 matrices read for int8 resident beside their quantised copies.
        Tensor Placed(Tensor laid)
        {
            using (laid)
            {
                using var dense = laid.contiguous();
                return dense.to(device).DetachFromDisposeScope();
            }
        }

        bool inOut = kernelsUnused is not null && device.type == DeviceType.CPU && dtype == ScalarType.Float32;

        // In place on the CPU ([out, in], the kernels' layout), the parts of a fused tensor are read straight into
        // their rows of one tensor: no tensor per part and no cat, whose freed parts fragmented the native heap
        // (about 75 MB more resident after loading the bench model in float32).
        // The matrices are packed (HugePageTensors): those under 2 MiB (bfloat16 and int8 q/k/v and output projections
        // of the bench model, and most matrices of small models) share huge-page slabs instead of sitting on 4 KiB
        // pages; the model's matrices live and die together. Bench model, 2 threads, the two loads in one process,
        // steps interleaved: int8 2.34 → 2.17 and 3.05 → 2.67 ms, bf16 4.47 → 4.05 and 5.39 → 5.25 ms.
        bool inPlace = !inOut && device.type == DeviceType.CPU;
        var packing = new HugePageTensors.Packing();
        Tensor Fuse(string[] names, long[][] shapes)
        {
            if (inPlace)
            {
                long[] shape = [.. shapes[0]];
                shape[0] = shapes.Sum(s => s[0]);
                var fused = HugePageTensors.Empty(shape, dtype, packing);
                try
                {
                    long row = 0;
                    for (int i = 0; i < names.Length; i++)
                    {
                        using var rows = fused.narrow(0, row, shapes[i][0]);
                        weights.ReadInto(names[i], shapes[i], 0, rows);
                        if (options.CheckWeights)
                        {
                            RequireFiniteWeights(rows, names[i], weights);
                        }

                        row += shapes[i][0];
                    }

                    return fused.DetachFromDisposeScope();
                }
                catch
                {
                    fused.Dispose();
                    throw;
                }
            }

            var parts = names.Select((n, i) => Load(n, shapes[i])).ToArray();
            try
            {
                using var joined = parts.Length == 1 ? parts[0].alias() : cat(parts, 0);
                return Placed(inOut && joined.dim() == 2 ? joined.t() : joined.alias());
            }
            finally
            {
                foreach (var p in parts)
                {
                    p.Dispose();
                }
            }
        }

        // int8: quantised a few rows at a time straight from the file (rows are quantised independently, so the
        // result is the whole matrix's), so a matrix is never whole in float32 beside its int8 copy. One buffer
        // serves every matrix: a buffer per matrix, freed between the int8 matrices, left ~60 MB of heap holes.
        using var rowBuffer = empty(int8 ? Math.Max(int8RowBufferElements, Math.Max(hidden, Math.Max(inter, qOut))) : 0, ScalarType.Float32);
        Tensor Quantized(string[] names, long[][] shapes)
        {
            long columns = shapes[0][1];
            long chunk = Math.Max(1, int8RowBufferElements / columns);
            var q = HugePageTensors.Empty([shapes.Sum(s => s[0]), Int8Blocks.RowBytes((int)columns)], ScalarType.Byte, packing);
            try
            {
                using var flat = rowBuffer.narrow(0, 0, chunk * columns);
                using var buffer = flat.view(chunk, columns);
                long row = 0;
                for (int i = 0; i < names.Length; i++)
                {
                    long bad = 0;
                    for (long r = 0; r < shapes[i][0]; r += chunk)
                    {
                        using var rows = buffer.narrow(0, 0, Math.Min(chunk, shapes[i][0] - r));
                        weights.ReadInto(names[i], shapes[i], r * columns, rows);
                        bad += options.CheckWeights ? NonFiniteCount(rows) : 0;
                        CpuDecoder.QuantizeInt8Rows(rows, q, row + r);
                    }

                    if (bad > 0)
                    {
                        throw NonFiniteWeights(names[i], bad, shapes[i][0] * columns, weights);
                    }

                    row += shapes[i][0];
                }

                return q.DetachFromDisposeScope();
            }
            catch
            {
                q.Dispose();
                throw;
            }
        }

        Tensor Matrix(string[] names, long[][] shapes) => int8 ? Quantized(names, shapes) : Fuse(names, shapes);

        Tensor ReadProjection(string name, long outFeatures, long inFeatures) => Matrix([name], [[outFeatures, inFeatures]]);

        // Qwen3: q_norm repeated for every query head, then k_norm for every key head ([heads + kv, head_dim]).
        Tensor HeadNorms(string attention)
        {
            using var q = Load(attention + "q_norm.weight", [config.HeadDim]);
            using var k = Load(attention + "k_norm.weight", [config.HeadDim]);
            using var qs = q.unsqueeze(0).expand(config.NumAttentionHeads, -1);
            using var ks = k.unsqueeze(0).expand(config.NumKeyValueHeads, -1);
            return Placed(cat(new[] { qs, ks }, 0));
        }

        var layerWeights = new DecoderLayerWeights[config.NumHiddenLayers];
        for (int i = 0; i < layerWeights.Length; i++)
        {
            string p = $"model.layers.{i}.";
            string a = p + "self_attn.";
            string m = p + "mlp.";
            layerWeights[i] = new DecoderLayerWeights
            {
                InputNorm = Read(p + "input_layernorm.weight", hidden),
                QkvProjection = config.FusedProjections
                    ? Matrix(new[] { a + "qkv_proj.weight" }, new[] { new[] { qOut + (2 * kvOut), hidden } })
                    : Matrix(new[] { a + "q_proj.weight", a + "k_proj.weight", a + "v_proj.weight" }, new[] { new[] { qOut, hidden }, new[] { kvOut, hidden }, new[] { kvOut, hidden } }),
                QkvBias = config.AttentionQkvBias ? Fuse(new[] { a + "q_proj.bias", a + "k_proj.bias", a + "v_proj.bias" }, new[] { new[] { qOut }, new[] { kvOut }, new[] { kvOut } }) : null,
                QueryKeyNorm = config.QueryKeyNorm ? HeadNorms(a) : null,
                OutputProjection = ReadProjection(a + "o_proj.weight", hidden, qOut),
                OutputBias = config.AttentionOutputBias ? Read(a + "o_proj.bias", hidden) : null,
                PostAttentionNorm = Read(p + "post_attention_layernorm.weight", hidden),
                GateUpProjection = config.FusedProjections
                    ? Matrix(new[] { m + "gate_up_proj.weight" }, new[] { new[] { 2 * inter, hidden } })
                    : Matrix(new[] { m + "gate_proj.weight", m + "up_proj.weight" }, new[] { new[] { inter, hidden }, new[] { inter, hidden } }),
                GateUpBias = config.MlpBias ? Fuse(new[] { m + "gate_proj.bias", m + "up_proj.bias" }, new[] { new[] { inter }, new[] { inter } }) : null,
                DownProjection = ReadProjection(m + "down_proj.weight", hidden, inter),
                DownBias = config.MlpBias ? Read(m + "down_proj.bias", hidden) : null,
            };
        }

        var embedding = ReadProjection("model.embed_tokens.weight", config.VocabSize, hidden);
        var norm = Read("model.norm.weight", hidden);
        Tensor head;
        if (config.TieWordEmbeddings)
        {
            // As transformers: tied means the embedding is the output head, even if lm_head.weight is
            // stored. One copy serves both (in the [in, out] layout lookups gather its columns).
            head = embedding.alias().DetachFromDisposeScope();
        }
        else if (weights.Contains("lm_head.weight"))
        {
            head = ReadProjection("lm_head.weight", config.VocabSize, hidden);
        }
        else
        {
            throw new CheckpointException(
                $"The checkpoint in '{directory}' has no 'lm_head.weight' and config.json does not set tie_word_embeddings: true.",
                directory, "lm_head.weight");
        }

        var decoder = kernelsUnused is null
            ? CpuDecoder.Create(config, layerWeights, embedding, norm, head, context, options.Threads ?? Environment.ProcessorCount, width)
            : null;
        return new LlamaModel(config, options, layerWeights, embedding, norm, head, context, device, inOut, decoder, kernelsUnused);
    }

    /// <summary>Recent wall time of one-token passes on the CPU decode kernels, per row count (DIRECTER's <see cref="Steering.SteeringStrategy.Auto"/> reads it).</summary>
    internal DecodePassCosts DecodePassCosts { get; } = new();

    /// <summary>A new, empty KV cache sized for <see cref="ContextLength"/> (or fewer positions).</summary>
    public KvCache CreateCache(int? capacity = null)
    {
        int size = capacity ?? ContextLength;
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1, nameof(capacity));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(size, ContextLength, nameof(capacity));
        return new KvCache(layers.Length, kvHeads, headDim, size, attentionDtype, Device);
    }

    /// <summary>
    /// Runs the decoder over <paramref name="tokenIds"/> ([batch, n] int64) placed after the
    /// <paramref name="cache"/>'s current content. Returns float32 logits [batch, 1 or n, vocab].
    /// </summary>
    public Tensor Forward(Tensor tokenIds, KvCache cache, ForwardRequest? request = null)
    {
        request ??= ForwardRequest.Raw;
        if (tokenIds.dim() != 2)
        {
            throw new ArgumentException($"Token ids must be [batch, n]; got [{string.Join(", ", tokenIds.shape)}].", nameof(tokenIds));
        }

        long batch = tokenIds.shape[0];
        int n = (int)tokenIds.shape[1];
        int start = request.StartPosition ?? cache.Length;
        if (start < 0 || start > cache.Length || (request.WriteCache && start != cache.Length))
        {
            throw new ArgumentException(
                $"StartPosition {start} is invalid for a cache of length {cache.Length}: a read-only pass may start at or before the end, a writing pass only at the end.",
                nameof(request));
        }

        if (start + n > cache.Capacity)
        {
            throw new ContextLengthExceededException(start, n, cache.Capacity);
        }

        if (decoder is not null && batch * n <= CpuDecoder.MaxRows)
        {
            long started = Stopwatch.GetTimestamp();
            var fast = decoder.Forward(tokenIds, cache, start, request);
            if (n == 1 && request.Capture is null)
            {
                DecodePassCosts.Record((int)batch, Stopwatch.GetTimestamp() - started);
            }

            if (request.WriteCache)
            {
                cache.Advance(n);
            }

            return fast;
        }

        if (Options.Int8Weights || (decoder is not null && PrefillOnKernels && batch == 1 && request.WriteCache && request.Steering is null && request.Capture is null))
        {
            return ForwardInChunks(tokenIds, cache, start, request);
        }

        using var scope = NewDisposeScope();
        using var noGrad = torch.no_grad();
        var ids = tokenIds.to(ScalarType.Int64, Device);
        var x = (inOutLayout ? embedding.index_select(1, ids.reshape(-1)).t() : embedding.index_select(0, ids.reshape(-1))).reshape(batch, n, -1);
        for (int l = 0; l < layers.Length; l++)
        {
            // Each layer's intermediates are freed when the layer ends: held to the end of the pass, they added
            // ~140 MB to the resident set during a 128-token prefill of the bench model.
            using var layerScope = NewDisposeScope();
            var w = layers[l];
            var h = RmsNorm(x, w.InputNorm);
            var attention = Attention(l, w, h, cache, start, request);
            var o = Project(attention, w.OutputProjection, w.OutputBias);
            request.Capture?.Record(l, h, o);
            x = x + o;
            var h2 = RmsNorm(x, w.PostAttentionNorm);
            var gateUp = Project(h2, w.GateUpProjection, w.GateUpBias);
            var gate = gateUp.narrow(-1, 0, gateUp.shape[^1] / 2);
            var up = gateUp.narrow(-1, gateUp.shape[^1] / 2, gateUp.shape[^1] / 2);
            var mlp = Project(F.silu(gate) * up, w.DownProjection, w.DownBias);
            x = (x + mlp).MoveToOuterDisposeScope();
        }

        if (request.LastPositionOnly)
        {
            x = x.narrow(1, n - 1, 1);
        }

        x = RmsNorm(x, finalNorm);
        var logits = Project(x, lmHead, null).to_type(ScalarType.Float32);
        if (request.FirstRowLogitsOnly && batch > 1)
        {
            logits.narrow(0, 1, batch - 1).zero_();
        }

        if (request.WriteCache)
        {
            cache.Advance(n);
        }

        return logits.DetachFromDisposeScope();
    }

    /// <summary>
    /// One token for each of several rows (continuous batching), each over its own cache at its own start, writing (a raw
    /// row, appended and advanced: row r is then what a one-token <see cref="Forward"/> over its cache gives) or read-only (a steered row, which may share its cache with other rows), each with its own steering.
    /// Returns float32 logits [rows, vocab]; row r is what the same row of a pass over its cache alone gives. On the CPU
    /// decode kernels (score-column steerings only) the rows share one pass over the weights, in passes of up to
    /// <see cref="CpuDecoder.MaxRows"/> rows; elsewhere each request's rows run as that request's own pass, one after another.
    /// </summary>
    internal Tensor ForwardSequences(IReadOnlyList<SequenceRow> rows)
    {
        if (rows.Count == 0)
        {
            throw new ArgumentException("A pass over sequences needs at least one row.", nameof(rows));
        }

        for (int r = 0; r < rows.Count; r++)
        {
            var row = rows[r];
            if (row.Start < 0 || row.Start > row.Cache.Length || (row.WriteCache && row.Start != row.Cache.Length))
            {
                throw new ArgumentException(
                    $"Row {r} starts at {row.Start} over a cache of length {row.Cache.Length}: a read-only row may start at or before the end, a writing row only at the end.",
                    nameof(rows));
            }

            if (row.Start + 1 > row.Cache.Capacity)
            {
                throw new ContextLengthExceededException(row.Start, 1, row.Cache.Capacity);
            }

            for (int other = 0; other < r && row.WriteCache; other++)
            {
                if (rows[other].WriteCache && ReferenceEquals(row.Cache, rows[other].Cache))
                {
                    throw new ArgumentException($"Rows {other} and {r} both write the same cache; each sequence appends its own.", nameof(rows));
                }
            }

        }

        // Rows are taken a request's rows at a time (a group: one cache, start and steering, its rows 0, 1, … in order; only
        // the first may write; else a single row). On the kernels, whole groups are packed into passes of up to MaxRows
        // rows (a group's capture records all its rows in one pass). A group the kernels cannot take (too many rows, or a
        // steering they do not apply) runs as the request's own pass, as it would alone; so does every group elsewhere.
        var outputs = new List<Tensor>();
        try
        {
            for (int first = 0; first < rows.Count;)
            {
                int end = first;
                while (decoder is not null && end < rows.Count && rows[end].Steering is null or IScoreColumnScaling
                    && GroupLength(rows, end) is var g && g <= CpuDecoder.MaxRows && end - first + g <= CpuDecoder.MaxRows)
                {
                    end += g;
                }

                if (end > first)
                {
                    outputs.Add(decoder!.ForwardSequences(rows, first, end - first).reshape(end - first, -1).DetachFromDisposeScope());
                    for (int r = first; r < end; r++)
                    {
                        if (rows[r].WriteCache)
                        {
                            rows[r].Cache.Advance(1);
                        }
                    }

                    first = end;
                    continue;
                }

                var head = rows[first];
                int count = GroupLength(rows, first);
                using var input = full(new long[] { count, 1 }, head.Token, ScalarType.Int64);
                using var logits = Forward(input, head.Cache, new ForwardRequest { WriteCache = head.WriteCache, StartPosition = head.Start, LastPositionOnly = true, Steering = head.Steering, Capture = head.Capture });
                outputs.Add(logits.reshape(count, -1).DetachFromDisposeScope());
                first += count;
            }

            return (outputs.Count == 1 ? outputs[0].alias() : cat(outputs, 0)).DetachFromDisposeScope();
        }
        finally
        {
            foreach (var output in outputs)
            {
                output.Dispose();
            }
        }
    }

    /// <summary>How many rows from <paramref name="first"/> one request would pass together (see <see cref="ForwardSequences(IReadOnlyList{SequenceRow})"/>).</summary>
    private static int GroupLength(IReadOnlyList<SequenceRow> rows, int first)
    {
        var head = rows[first];
        if (head.SteeringRow != 0)
        {
            throw new ArgumentException($"Row {first} is row {head.SteeringRow} of its steering without the rows before it; a request's steered rows come together, in order.", nameof(rows));
        }

        int count = 1;
        while (head.Steering is not null && first + count < rows.Count && rows[first + count] is var next
            && ReferenceEquals(next.Steering, head.Steering) && ReferenceEquals(next.Cache, head.Cache)
            && next.Start == head.Start && next.Token == head.Token && !next.WriteCache && next.SteeringRow == count
            && ReferenceEquals(next.Capture, head.Capture))
        {
            count++;
        }

        return count;
    }

    /// <summary>
    /// Whether a plain prefill runs on the decode kernels in chunks instead of TorchSharp's GEMMs. bfloat16 on CPUs without
    /// AVX-512: libtorch multiplies bfloat16 on a slow generic path there (a 128-token prefill of the bench model ran at
    /// 119 tokens/s against 665 in float32), while the kernels read the weights widened in registers. float32 on CPUs with
    /// AVX-512: the chunks were as fast or faster on an idle Zen 4 (bench model: 128 tokens 175 against 186–215 ms, 1,000
    /// tokens 1.65 against 2.02 s; demo model: 100 / 300 / 600 tokens 11.7 / 31.8 / 77.9 against 11.8 / 29.0 / 94.8 ms)
    /// and 3–8× faster beside other busy processes (libtorch's worker threads wait on each other through every operation);
    /// a chunked prefill also gives a prompt's tokens the bits of decoding them one at a time. bfloat16 with AVX-512 stays on
    /// TorchSharp (libtorch's bfloat16 GEMM: 83 against 175 ms for the bench model's 128 tokens).
    /// </summary>
    internal bool PrefillOnKernels => System.Runtime.Intrinsics.X86.Avx512F.IsSupported ? dtype == ScalarType.Float32 : dtype == ScalarType.BFloat16;

    /// <summary>
    /// int8 weights exist only for the decode kernels, so a long pass (prefill) runs on them in chunks
    /// of up to <see cref="CpuDecoder.MaxRows"/> tokens, each appending to the cache; so does a plain prefill where the
    /// chunks are faster than TorchSharp's GEMMs (<see cref="PrefillOnKernels"/>).
    /// </summary>
    private Tensor ForwardInChunks(Tensor tokenIds, KvCache cache, int start, ForwardRequest request)
    {
        long batch = tokenIds.shape[0];
        int n = (int)tokenIds.shape[1];
        if (batch != 1 || !request.WriteCache)
        {
            throw new NotSupportedException(
                $"With int8 weights a pass of more than {CpuDecoder.MaxRows} rows must be a single cache-writing row (prefill); got batch {batch} × {n} tokens{(request.WriteCache ? string.Empty : ", read-only")}.");
        }

        var parts = new List<Tensor>();
        try
        {
            for (int offset = 0; offset < n; offset += CpuDecoder.MaxRows)
            {
                int count = Math.Min(CpuDecoder.MaxRows, n - offset);
                using var chunk = tokenIds.narrow(1, offset, count);
                parts.Add(decoder!.Forward(chunk, cache, start + offset, request));
                cache.Advance(count);
            }

            return request.LastPositionOnly ? parts[^1].alias().DetachFromDisposeScope() : cat(parts, 1).DetachFromDisposeScope();
        }
        finally
        {
            foreach (var p in parts)
            {
                p.Dispose();
            }
        }
    }

    /// <summary>x·Wᵀ (+ b) for a weight in this model's layout; x is [..., in].</summary>
    private Tensor Project(Tensor x, Tensor weight, Tensor? bias)
    {
        if (!inOutLayout)
        {
            return F.linear(x, weight, bias);
        }

        var flat = x.reshape(-1, x.shape[^1]);
        var y = flat.mm(weight);
        if (bias is not null)
        {
            y.add_(bias);
        }

        var shape = x.shape.ToArray();
        shape[^1] = weight.shape[1];
        return y.view(shape);
    }

    private Tensor AsAttentionType(Tensor t) => t.dtype == attentionDtype ? t : t.to_type(attentionDtype);

    private Tensor RmsNorm(Tensor x, Tensor weight)
    {
        // As transformers: normalise in float32, cast back, then scale.
        bool wide = x.dtype == ScalarType.Float32;
        var x32 = wide ? x : x.to_type(ScalarType.Float32);
        var variance = x32.pow(2).mean(new long[] { -1 }, keepdim: true);
        var normed = x32 * torch.rsqrt(variance.add_(rmsEps));
        return weight * (wide ? normed : normed.to_type(x.dtype));
    }

    private Tensor Attention(int layer, DecoderLayerWeights w, Tensor h, KvCache cache, int start, ForwardRequest request)
    {
        long batch = h.shape[0];
        long n = h.shape[1];
        int groups = heads / kvHeads;
        var qkv = Project(h, w.QkvProjection, w.QkvBias);

        // Queries and keys are normalised (Qwen3) and rotated together (one set of ops for both).
        var qk = qkv.narrow(-1, 0, (heads + kvHeads) * headDim).view(batch, n, heads + kvHeads, headDim);
        if (w.QueryKeyNorm is { } qkNorm)
        {
            qk = RmsNorm(qk, qkNorm);
        }

        qk = qk.transpose(1, 2);
        qk = AsAttentionType(rotary.Apply(qk, start));
        var q = qk.narrow(1, 0, heads);
        var k = qk.narrow(1, heads, kvHeads);
        var v = AsAttentionType(qkv.narrow(-1, (heads + kvHeads) * headDim, kvHeads * headDim).view(batch, n, kvHeads, headDim).transpose(1, 2));

        // Queries of every row and head group share the cached prefix: fold them into one matrix
        // per KV head so the prefix is read once and never copied or broadcast per row.
        // q: [B, KV, g, n, d] -> [KV, B*g*n, d]
        long rows = batch * groups * n;
        var qFolded = q.reshape(batch, kvHeads, groups, n, headDim).permute(1, 0, 2, 3, 4).reshape(kvHeads, rows, headDim);
        var scoreParts = new List<Tensor>(2);
        Tensor? prefixValues = null;
        if (start > 0)
        {
            var prefixKeys = cache.KeysPrefix(layer, start).squeeze(0);
            prefixValues = cache.ValuesPrefix(layer, start).squeeze(0);
            scoreParts.Add(torch.matmul(qFolded, prefixKeys.transpose(1, 2)));
        }

        // Fresh keys belong to their own row: [B, KV, g*n, d] x [B, KV, d, n] -> [KV, B*g*n, n].
        var qRows = q.reshape(batch, kvHeads, groups * n, headDim);
        var fresh = torch.matmul(qRows, k.transpose(2, 3)).permute(1, 0, 2, 3).reshape(kvHeads, rows, n);
        scoreParts.Add(fresh);
        var scores = (scoreParts.Count == 1 ? scoreParts[0] : cat(scoreParts, -1)) * attentionScale;
        long total = start + n;
        var scores5 = scores.view(kvHeads, batch, groups, n, total).permute(1, 0, 2, 3, 4);
        if (n > 1)
        {
            var causal = ones(n, n, dtype: ScalarType.Bool, device: Device).triu(1);
            var mask = cat(new[] { zeros(n, start, dtype: ScalarType.Bool, device: Device), causal }, 1);
            scores5.masked_fill_(mask, double.NegativeInfinity);
        }

        if (request.Steering is { } steering && steering.AffectsLayer(layer))
        {
            steering.Apply(layer, scores5);
        }

        var probs = AsAttentionType(scores.softmax(-1, ScalarType.Float32));
        Tensor output;
        var freshProbs = probs.narrow(-1, start, n).view(kvHeads, batch, groups * n, n).permute(1, 0, 2, 3);
        var freshOut = torch.matmul(freshProbs, v).permute(1, 0, 2, 3).reshape(kvHeads, rows, headDim);
        if (prefixValues is not null)
        {
            output = torch.matmul(probs.narrow(-1, 0, start), prefixValues) + freshOut;
        }
        else
        {
            output = freshOut;
        }

        if (request.WriteCache)
        {
            // Row 0 is the raw row; attention above already used the fresh keys directly.
            cache.Write(layer, start, batch == 1 ? k : k.narrow(0, 0, 1), batch == 1 ? v : v.narrow(0, 0, 1));
        }

        // [KV, B, g, n, d] -> [B, n, KV*g*d]
        var merged = output.view(kvHeads, batch, groups, n, headDim).permute(1, 3, 0, 2, 4).reshape(batch, n, heads * headDim);
        return merged.dtype == dtype ? merged : merged.to_type(dtype);
    }

    private static int ContextFor(ModelConfig config, ModelOptions options)
    {
        int limit = config.MaxPositionEmbeddings;
        string limitSource = "config.json max_position_embeddings";
        if (config.RopeScaling is { Type: "longrope", OriginalMaxPositionEmbeddings: int original } && original < limit)
        {
            // transformers switches LongRoPE to its long factors (and recomputes the whole cache) past this length;
            // Directer runs only the short-factor regime, exactly, and refuses longer sequences.
            limit = original;
            limitSource = "config.json original_max_position_embeddings (longrope: only the short-factor range is implemented)";
        }

        if (config.SlidingWindow is int window && window < limit)
        {
            // Sliding-window attention is exact full attention within the window; beyond it we refuse.
            limit = window;
            limitSource = "config.json sliding_window";
        }

        if (options.MaxSequenceLength is int requested)
        {
            if (requested < 1 || requested > limit)
            {
                throw new ArgumentOutOfRangeException(nameof(options), requested,
                    $"ModelOptions.MaxSequenceLength must be between 1 and {limit} ({limitSource}).");
            }

            return requested;
        }

        return Math.Min(limit, 4096);
    }

    internal static ScalarType ToScalarType(ComputeDType dtype) => dtype switch
    {
        ComputeDType.Float32 => ScalarType.Float32,
        ComputeDType.BFloat16 => ScalarType.BFloat16,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, "Supported compute dtypes: Float32, BFloat16."),
    };

    private static void RequireFiniteWeights(Tensor tensor, string name, CheckpointWeights weights)
    {
        long bad = NonFiniteCount(tensor);
        if (bad > 0)
        {
            throw NonFiniteWeights(name, bad, tensor.numel(), weights);
        }
    }

    private static long NonFiniteCount(Tensor tensor)
    {
        using var finite = tensor.isfinite();
        using var all = finite.all();
        if (all.item<bool>())
        {
            return 0;
        }

        using var notFinite = finite.logical_not();
        using var bad = notFinite.sum();
        return bad.item<long>();
    }

    private static CheckpointException NonFiniteWeights(string name, long bad, long count, CheckpointWeights weights) => new(
        $"Tensor '{name}' holds {bad} NaN or infinite value(s) of {count}: the checkpoint in '{weights.Directory}' is broken (ModelOptions.CheckWeights).",
        weights.Directory,
        name);

    /// <summary>Whether this build carries the CUDA backend (<c>-p:DirecterBackend=cuda</c>).</summary>
#if DIRECTER_CUDA
    internal static readonly bool CudaBuild = true;
#else
    internal static readonly bool CudaBuild = false;
#endif

    internal static Device ResolveDevice(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var match = System.Text.RegularExpressions.Regex.Match(name, @"^(cpu|cuda)(?::([0-9]{1,3}))?$");
        if (!match.Success || (match.Groups[1].Value == "cpu" && match.Groups[2].Success))
        {
            throw new ArgumentException($"Unknown device '{name}': the accepted forms are \"cpu\", \"cuda\" and \"cuda:N\" (N = GPU index, e.g. \"cuda:0\").", nameof(ModelOptions.Device));
        }

        if (match.Groups[1].Value == "cuda")
        {
            if (!CudaBuild)
            {
                throw new ArgumentException(
                    $"Device '{name}': CUDA is not available in this build, which carries the CPU backend (TorchSharp-cpu). " +
                    "To run on a GPU, build Directer with `dotnet build -p:DirecterBackend=cuda` (TorchSharp-cuda-linux) on a machine with an NVIDIA driver; or use \"cpu\".",
                    nameof(ModelOptions.Device));
            }

            if (!torch.cuda.is_available())
            {
                throw new ArgumentException($"Device '{name}': this is a CUDA build, but no CUDA device is visible (check the NVIDIA driver and CUDA_VISIBLE_DEVICES).", nameof(ModelOptions.Device));
            }

            int index = match.Groups[2].Success ? int.Parse(match.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
            if (index >= torch.cuda.device_count())
            {
                throw new ArgumentException($"Device '{name}': there are only {torch.cuda.device_count()} CUDA device(s) (cuda:0 to cuda:{torch.cuda.device_count() - 1}).", nameof(ModelOptions.Device));
            }
        }

        return torch.device(name);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        decoder?.Dispose(); // reads the tensors below in place
        foreach (var layer in layers)
        {
            layer.Dispose();
        }

        embedding.Dispose();
        finalNorm.Dispose();
        lmHead.Dispose(); // a separate handle also when tied (an alias of the embedding)

        rotary.Dispose();
    }

    /// <summary>The CPU decode kernels when this model runs on them (null otherwise); tests reach the kernels' own guards through it.</summary>
    internal CpuDecoder? Decoder => decoder;
}
