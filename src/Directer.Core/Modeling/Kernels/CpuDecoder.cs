using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using Directer.Core.Checkpoints;
using Directer.Core.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Core.Modeling.Kernels;

/// <summary>
/// The decoder's forward pass for a few rows (decode steps, DIRECTER's candidate rows and ranking)
/// on Directer's own CPU kernels: matrix × few-rows products over the model's weights in place,
/// parallel across output features on one persistent worker per core; RMSNorm, rotary, SiLU and the
/// attention of the new tokens over the KV cache fused into plain loops. Same numerics as
/// <see cref="LlamaModel"/>'s TorchSharp path (float32 activations; bf16 weights widened exactly),
/// same cache, same steering hook and capture. Prefill and everything this does not cover stays on
/// TorchSharp.
/// </summary>
internal sealed unsafe class CpuDecoder : IDisposable
{
    /// <summary>Most rows (batch × new tokens) a pass may have; beyond this TorchSharp's GEMMs win.</summary>
    public const int MaxRows = 48;

    private static readonly HashSet<string> Architectures = new(StringComparer.Ordinal) { "LlamaForCausalLM", "MistralForCausalLM", "Qwen2ForCausalLM", "Qwen3ForCausalLM", "Phi3ForCausalLM" };

    private readonly DecodeLayer[] layers;
    private readonly IWeightMatrix embedding;
    private readonly IWeightMatrix head;
    private readonly float[] finalNorm;
    private readonly float[] cos;
    private readonly float[] sin;
    private readonly KernelThreads threads;
    private readonly MatrixJob matrixJob = new();
    private readonly AttentionJob attentionJob = new();
    private readonly Action<int, int> scoreWork;
    private readonly Action<int, int> mixWork;
    private readonly int hidden;
    private readonly int inter;
    private readonly int heads;
    private readonly int kvHeads;
    private readonly int headDim;
    private readonly int rotaryHalf;
    private readonly int qkvOut;
    private readonly float scale;
    private readonly float eps;
    private readonly float* x;
    private readonly float* h;
    private readonly float* qkv;
    private readonly float* attn;
    private readonly float* o;
    private readonly float* gateUp;
    private readonly float* act;
    private readonly byte* prepared;
    private Tensor? scoreStorage;
    private float* scores;
    private long scoreCapacity;

    // State of the pass in flight, read by the attention work items.
    private int passBatch;
    private int passTokens;
    private int passStart;
    private int passTotal;
    private float* passKeys;
    private float* passValues;
    private int cacheCapacity;
    private readonly bool[] rowScaled = new bool[MaxRows];

    // Rows of a single-cache pass that repeat row 0's input (see RowsByLayer): whether row r's token is row 0's, and per layer how many leading rows are computed.
    private readonly bool[] sameToken = new bool[MaxRows];
    private int[] rowsByLayer = [];

    // Rows of different sequences (ForwardSequences): row b reads and writes its own cache at its own position.
    private bool passSequences;
    private readonly int[] rowStart = new int[MaxRows];
    private readonly nint[] rowKeys = new nint[MaxRows];
    private readonly nint[] rowValues = new nint[MaxRows];
    private readonly int[] rowCapacity = new int[MaxRows];
    private readonly bool[] rowWrites = new bool[MaxRows];
    private readonly KvCache[] rowCaches = new KvCache[MaxRows];
    private readonly IScoreColumnScaling?[] rowScaling = new IScoreColumnScaling?[MaxRows];
    private readonly int[] rowScalingRow = new int[MaxRows];
    private readonly AttentionCapture?[] rowCapture = new AttentionCapture?[MaxRows];
    private readonly float[]?[] rowColumns = new float[]?[MaxRows];
    private readonly float[] rowFactor = new float[MaxRows];
    private float[]? scaledColumns;
    private float scaleFactor;

    private CpuDecoder(ModelConfig config, DecodeLayer[] layers, IWeightMatrix embedding, IWeightMatrix head, float[] finalNorm, float[] cos, float[] sin, int threadCount)
    {
        this.layers = layers;
        this.embedding = embedding;
        this.head = head;
        this.finalNorm = finalNorm;
        this.cos = cos;
        this.sin = sin;
        hidden = config.HiddenSize;
        inter = config.IntermediateSize;
        heads = config.NumAttentionHeads;
        kvHeads = config.NumKeyValueHeads;
        headDim = config.HeadDim;
        rotaryHalf = config.RotaryDim / 2;
        qkvOut = (heads + (2 * kvHeads)) * headDim;
        scale = (float)(1.0 / Math.Sqrt(headDim));
        eps = (float)config.RmsNormEps;
        threads = new KernelThreads(threadCount);
        scoreWork = ScoreRange;
        mixWork = MixRange;
        x = Alloc(MaxRows * hidden);
        h = Alloc(MaxRows * hidden);
        qkv = Alloc(MaxRows * qkvOut);
        attn = Alloc(MaxRows * heads * headDim);
        o = Alloc(MaxRows * hidden);
        gateUp = Alloc(MaxRows * 2 * inter);
        act = Alloc(MaxRows * inter);
        int preparedRow = layers.SelectMany(w => new[] { w.Qkv, w.Output, w.GateUp, w.Down }).Append(head).Max(m => m.PreparedRowBytes);
        prepared = (byte*)NativeMemory.AlignedAlloc((nuint)(((long)MaxRows * preparedRow) + 64), 64);
    }

    /// <summary>Why the kernels cannot run this model (null when they can). Any config feature not listed here keeps the TorchSharp path.</summary>
    public static string? Unsupported(ModelConfig config, ModelOptions options, Device device, ScalarType dtype)
    {
        if (!options.CpuDecodeKernels)
        {
            return "disabled by ModelOptions.CpuDecodeKernels";
        }

        if (device.type != DeviceType.CPU)
        {
            return $"device {device.type}";
        }

        if (!Architectures.Contains(config.Architecture))
        {
            return $"architecture {config.Architecture} is not implemented by the decode kernels";
        }

        if (config.HiddenAct != "silu")
        {
            return $"hidden_act {config.HiddenAct}";
        }

        if (config.HeadDim % 2 != 0)
        {
            return "odd head_dim";
        }

        if (dtype is not (ScalarType.Float32 or ScalarType.BFloat16))
        {
            return $"dtype {dtype}";
        }

        if (options.Int8Weights && !Int8Shapes(config))
        {
            return "int8 weights need hidden, intermediate and attention sizes that are multiples of 32";
        }

        return null;
    }

    /// <summary>Whether every matrix's input size is a multiple of the int8 block.</summary>
    public static bool Int8Shapes(ModelConfig config) =>
        config.HiddenSize % Int8Blocks.Block == 0 && config.IntermediateSize % Int8Blocks.Block == 0 && (config.NumAttentionHeads * config.HeadDim) % Int8Blocks.Block == 0;

    /// <summary>Quantises a float32 [out, in] weight to per-block int8 (a byte tensor [out, in/32·36] in <see cref="Int8Blocks"/>' tiles); the input is not kept.</summary>
    public static Tensor QuantizeInt8(Tensor weight)
    {
        using var typed = weight.to_type(ScalarType.Float32);
        using var f = typed.contiguous();
        var q = HugePageTensors.Empty([f.shape[0], Int8Blocks.RowBytes((int)f.shape[1])], ScalarType.Byte);
        QuantizeInt8Rows(f, q, 0);
        return q;
    }

    /// <summary>
    /// Quantises float32 rows [n, in] (contiguous) into rows <paramref name="firstRow"/>.. of an int8 weight made by
    /// <see cref="QuantizeInt8"/>'s layout; each row is quantised on its own, so a matrix quantised a few rows at a
    /// time is the same as quantised whole.
    /// </summary>
    public static void QuantizeInt8Rows(Tensor rows, Tensor target, long firstRow)
    {
        long n = rows.shape[0];
        int cols = (int)rows.shape[1];
        if (rows.dtype != ScalarType.Float32 || target.dtype != ScalarType.Byte || target.shape[1] != Int8Blocks.RowBytes(cols) || firstRow < 0 || firstRow + n > target.shape[0])
        {
            throw new ArgumentException($"Float32 rows [{n}, {cols}] do not fit at row {firstRow} of an int8 weight [{string.Join(", ", target.shape)}].", nameof(rows));
        }

        Int8Blocks.Quantize((float*)TensorMemory.Address(rows), (int)n, (int)firstRow, (int)target.shape[0], cols, TensorMemory.Address(target));
    }

    /// <summary>Builds the kernels over the model's tensors ([out, in] layout, CPU, contiguous), which must outlive this.</summary>
    public static CpuDecoder Create(ModelConfig config, DecoderLayerWeights[] weights, Tensor embedding, Tensor finalNorm, Tensor lmHead, int contextLength, int threadCount, KernelWidth width)
    {
        var layers = weights.Select(w => new DecodeLayer
        {
            Qkv = Matrix(w.QkvProjection, width),
            Output = Matrix(w.OutputProjection, width),
            GateUp = Matrix(w.GateUpProjection, width),
            Down = Matrix(w.DownProjection, width),
            InputNorm = Floats(w.InputNorm)!,
            PostAttentionNorm = Floats(w.PostAttentionNorm)!,
            QkvBias = Floats(w.QkvBias),
            QueryKeyNorm = Floats(w.QueryKeyNorm),
            OutputBias = Floats(w.OutputBias),
            GateUpBias = Floats(w.GateUpBias),
            DownBias = Floats(w.DownBias),
        }).ToArray();

        // The float32 tables the TorchSharp path uses in float32 (same ops, so the same values).
        using var scope = NewDisposeScope();
        var invFreq = RotaryEmbedding.InverseFrequencies(config);
        var positions = arange(contextLength, dtype: ScalarType.Int64).to_type(ScalarType.Float32);
        var freqs = outer(positions, invFreq).contiguous();
        float attentionFactor = RotaryEmbedding.AttentionFactor(config);
        float[] cosTable = (freqs.cos() * attentionFactor).data<float>().ToArray();
        float[] sinTable = (freqs.sin() * attentionFactor).data<float>().ToArray();
        return new CpuDecoder(config, layers, Matrix(embedding, width), Matrix(lmHead, width), Floats(finalNorm)!, cosTable, sinTable, threadCount);
    }

    private static IWeightMatrix Matrix(Tensor t, KernelWidth width)
    {
        if (t.dim() != 2)
        {
            throw new ArgumentException($"Expected a 2-D weight, got [{string.Join(", ", t.shape)}].", nameof(t));
        }

        byte* p = TensorMemory.Address(t);
        int rows = (int)t.shape[0];
        int cols = (int)t.shape[1];
        return t.dtype switch
        {
            ScalarType.Byte => new Int8Matrix(p, rows, cols / Int8Blocks.BlockBytes * Int8Blocks.Block, width),
            ScalarType.Float32 => new WeightMatrix<F32Load>(p, rows, cols, width),
            ScalarType.BFloat16 => new WeightMatrix<BF16Load>(p, rows, cols, width),
            _ => throw new ArgumentException($"Decode kernels have no {t.dtype} weights.", nameof(t)),
        };
    }

    private static float[]? Floats(Tensor? t)
    {
        if (t is null)
        {
            return null;
        }

        using var f = t.to_type(ScalarType.Float32).contiguous();
        return f.data<float>().ToArray();
    }

    private static float* Alloc(long count) => (float*)NativeMemory.AlignedAlloc((nuint)(count * sizeof(float)), 64);

    /// <summary>Runs <paramref name="ids"/> ([batch, n] int64, batch·n ≤ <see cref="MaxRows"/>) after the cache's first <paramref name="start"/> positions.</summary>
    public Tensor Forward(Tensor ids, KvCache cache, int start, ForwardRequest request)
    {
        int batch = (int)ids.shape[0];
        int n = (int)ids.shape[1];
        int rows = batch * n;
        using (var cpuIds = ids.to(ScalarType.Int64, CPU).contiguous())
        {
            long* idp = (long*)TensorMemory.Address(cpuIds);
            for (int r = 0; r < rows; r++)
            {
                long id = idp[r];
                if (id < 0 || id >= embedding.Rows)
                {
                    throw new ArgumentOutOfRangeException(nameof(ids), id, $"Token id out of range [0, {embedding.Rows}).");
                }

                embedding.ReadRow((int)id, x + ((long)r * hidden));
                sameToken[r] = id == idp[0];
            }
        }

        passBatch = batch;
        passTokens = n;
        passStart = start;
        passTotal = start + n;
        cacheCapacity = cache.Capacity;
        return Run(batch, n, request, cache);
    }

    /// <summary>
    /// One new token for each of several sequences: row b over its own cache at its own start (a raw row appends its keys
    /// and values to its cache, the caller advances it; a read-only row leaves its cache as it is), steered by its own
    /// score-column scaling. Returns float32 logits [rows, 1, vocab]. Each row computes what the same row of a pass over
    /// its cache alone computes.
    /// </summary>
    /// <exception cref="NotSupportedException">A row's steering is not a score-column scaling.</exception>
    public Tensor ForwardSequences(IReadOnlyList<SequenceRow> sequences, int first, int rows)
    {
        if (rows > MaxRows || rows < 1 || first < 0 || first + rows > sequences.Count)
        {
            throw new ArgumentException($"{rows} sequence rows from {first} of {sequences.Count}: at most {MaxRows} in one pass.", nameof(sequences));
        }

        int longest = 0;
        for (int r = 0; r < rows; r++)
        {
            var row = sequences[first + r];
            if (row.Token < 0 || row.Token >= embedding.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(sequences), row.Token, $"Token id out of range [0, {embedding.Rows}).");
            }

            if (row.Steering is not null and not IScoreColumnScaling)
            {
                throw new NotSupportedException($"Row {first + r}'s steering ({row.Steering.GetType().Name}) is not a score-column scaling; the kernels' multi-sequence pass applies only those.");
            }

            embedding.ReadRow(row.Token, x + ((long)r * hidden));
            rowStart[r] = row.Start;
            rowCapacity[r] = row.Cache.Capacity;
            rowCaches[r] = row.Cache;
            rowWrites[r] = row.WriteCache;
            rowScaling[r] = row.Steering as IScoreColumnScaling;
            rowScalingRow[r] = row.SteeringRow;
            rowCapture[r] = row.Capture;
            rowColumns[r] = rowScaling[r]?.Columns;
            rowFactor[r] = rowScaling[r]?.Multiplier ?? 1f;
            longest = Math.Max(longest, row.Start + 1);
        }

        passBatch = rows;
        passTokens = 1;
        passStart = 0;
        passTotal = longest; // the score rows' stride; each row reads its own length
        passSequences = true;
        try
        {
            return Run(rows, 1, ForwardRequest.Raw, null);
        }
        finally
        {
            passSequences = false;
            Array.Clear(rowCaches, 0, rows);
            Array.Clear(rowScaling, 0, rows);
            Array.Clear(rowColumns, 0, rows);
            Array.Clear(rowCapture, 0, rows);
        }
    }

    /// <summary>
    /// How many leading rows each layer computes: a row with row 0's token over the same cache is the same as row 0 up to
    /// the first layer where its score scaling differs from row 0's, so up to there it is copied from row 0 instead of
    /// computed (DIRECTER's ranking: row p + 1 is steered in layer p only, so layer l computes l + 2 rows, not L + 1).
    /// The kernels give a row the same bits in any batch, so the copy is bitwise what computing it gives. Every row in
    /// every layer for several tokens per row, sequences of their own, or a steering other than score-column scaling
    /// (its hook sees every row's scores).
    /// </summary>
    private int[]? RowsByLayer(int batch, int n, ForwardRequest request)
    {
        if (passSequences || n != 1 || batch < 2 || (request.Steering is not null && request.Steering is not IScoreColumnScaling))
        {
            return null;
        }

        if (rowsByLayer.Length != layers.Length)
        {
            rowsByLayer = new int[layers.Length];
        }

        var scaling = request.Steering as IScoreColumnScaling;
        bool Scaled(int layer, int row) => scaling is not null && request.Steering!.AffectsLayer(layer) && scaling.IsRowScaled(layer, row);
        int computed = 1;
        for (int l = 0; l < layers.Length; l++)
        {
            for (int r = computed; r < batch; r++)
            {
                if (!sameToken[r] || Scaled(l, r) != Scaled(l, 0))
                {
                    computed = r + 1;
                }
            }

            rowsByLayer[l] = computed;
        }

        return rowsByLayer;
    }

    /// <summary>Copies row 0 of a [rows, width] buffer into rows [from, to).</summary>
    private static void CopyRowZero(float* buffer, int width, int from, int to)
    {
        long bytes = width * sizeof(float);
        for (int r = from; r < to; r++)
        {
            Buffer.MemoryCopy(buffer, buffer + ((long)r * width), bytes, bytes);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private Tensor Run(int batch, int n, ForwardRequest request, KvCache? cache)
    {
        int rows = batch * n;
        int start = passStart;
        bool probesEnd = request.FirstRowLogitsOnly && !passSequences && n == 1 && batch > 1;
        EnsureScores((long)rows * heads * passTotal);
        var byLayer = RowsByLayer(batch, n, request);
        int computed = byLayer?[0] ?? rows;
        for (int l = 0; l < layers.Length; l++)
        {
            var w = layers[l];
            if (byLayer is not null && byLayer[l] > computed)
            {
                // Rows that part from row 0 in this layer start from row 0's hidden state.
                CopyRowZero(x, hidden, computed, byLayer[l]);
                computed = byLayer[l];
            }

            int live = computed;
            int heads3 = live * heads;
            RmsNorm(x, w.InputNorm, h, live);
            Multiply(w.Qkv, h, live, qkv, qkvOut, w.QkvBias);
            if (w.QueryKeyNorm is { } qkNorm)
            {
                HeadNorm(live, qkNorm);
            }

            Rotate(live, n, start);
            if (!passSequences)
            {
                passKeys = (float*)TensorMemory.Address(cache!.LayerKeys(l));
                passValues = (float*)TensorMemory.Address(cache.LayerValues(l));
            }
            else
            {
                for (int r = 0; r < rows; r++)
                {
                    rowKeys[r] = (nint)TensorMemory.Address(rowCaches[r].LayerKeys(l));
                    rowValues[r] = (nint)TensorMemory.Address(rowCaches[r].LayerValues(l));
                    rowScaled[r] = rowScaling[r] is { } rs && rs.IsRowScaled(l, rowScalingRow[r]);
                }
            }

            var steering = request.Steering is { } st && st.AffectsLayer(l) ? st : null;
            scaledColumns = null;
            if (steering is IScoreColumnScaling scaling)
            {
                // Applied inside the score loop (no torch op per layer).
                scaledColumns = scaling.Columns;
                scaleFactor = scaling.Multiplier;
                for (int b = 0; b < batch; b++)
                {
                    rowScaled[b] = scaling.IsRowScaled(l, b);
                }

                steering = null;
            }

            attentionJob.Set(heads3, scoreWork);
            threads.Run(attentionJob);
            if (steering is not null)
            {
                using var view = scoreStorage!.narrow(0, 0, (long)heads3 * passTotal);
                using var shaped = view.view(batch, kvHeads, heads / kvHeads, n, passTotal);
                steering.Apply(l, shaped);
            }

            attentionJob.Set(heads3, mixWork);
            threads.Run(attentionJob);
            if (passSequences)
            {
                WriteSequences(rows);
            }
            else if (request.WriteCache)
            {
                WriteCache(n, start);
            }

            Multiply(w.Output, attn, live, o, hidden, w.OutputBias);
            if (request.Capture is { } capture)
            {
                // Rows still equal to row 0 record row 0's attention input and output.
                CopyRowZero(h, hidden, live, rows);
                CopyRowZero(o, hidden, live, rows);
                capture.RecordLastPositions(l, h, o, batch, n, hidden);
            }

            if (passSequences)
            {
                CaptureSequences(l, rows);
            }

            if (probesEnd && l == layers.Length - 1)
            {
                // The probe rows are recorded; only row 0 goes on to its logits.
                live = 1;
            }

            Add(x, o, live * hidden);
            RmsNorm(x, w.PostAttentionNorm, h, live);
            Multiply(w.GateUp, h, live, gateUp, 2 * inter, w.GateUpBias);
            SiluGate(live);
            Multiply(w.Down, act, live, o, hidden, w.DownBias);
            Add(x, o, live * hidden);
        }

        // Rows equal to row 0 through every layer end as row 0 did (not needed when only row 0 goes on to logits).
        if (!probesEnd)
        {
            CopyRowZero(x, hidden, computed, rows);
        }

        int outRows = probesEnd ? 1 : request.LastPositionOnly ? batch : rows;
        for (int r = 0; r < outRows; r++)
        {
            int from = request.LastPositionOnly ? (r * n) + n - 1 : r;
            Buffer.MemoryCopy(x + ((long)from * hidden), o + ((long)r * hidden), hidden * sizeof(float), hidden * sizeof(float));
        }

        RmsNorm(o, finalNorm, h, outRows);
        var logits = empty(new long[] { batch, request.LastPositionOnly ? 1 : n, head.Rows }, ScalarType.Float32);
        float* output = (float*)TensorMemory.Address(logits);
        Multiply(head, h, outRows, output, head.Rows, null);
        if (probesEnd)
        {
            new Span<float>(output + head.Rows, (batch - 1) * head.Rows).Clear();
        }
        return logits.DetachFromDisposeScope();
    }

    private void Multiply(IWeightMatrix w, float* input, int rows, float* output, int stride, float[]? bias)
    {
        byte* x = (byte*)input;
        if (w.PreparedRowBytes > 0)
        {
            w.Prepare(input, rows, prepared);
            x = prepared;
        }

        matrixJob.Set(w, x, rows, output, stride);
        threads.Run(matrixJob);
        if (bias is not null)
        {
            for (int r = 0; r < rows; r++)
            {
                float* y = output + ((long)r * stride);
                for (int i = 0; i < bias.Length; i++)
                {
                    y[i] += bias[i];
                }
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void RmsNorm(float* input, float[] weight, float* output, int rows)
    {
        for (int r = 0; r < rows; r++)
        {
            float* xr = input + ((long)r * hidden);
            float* yr = output + ((long)r * hidden);
            float inv = 1f / MathF.Sqrt((Dot(xr, xr, hidden) / hidden) + eps);
            int i = 0;
            fixed (float* wp = weight)
            {
                if (Vector256.IsHardwareAccelerated)
                {
                    var scaleBy = Vector256.Create(inv);
                    for (; i + 8 <= hidden; i += 8)
                    {
                        (Vector256.Load(wp + i) * (Vector256.Load(xr + i) * scaleBy)).Store(yr + i);
                    }
                }

                for (; i < hidden; i++)
                {
                    yr[i] = wp[i] * (xr[i] * inv);
                }
            }
        }
    }

    /// <summary>Qwen3's RMSNorm over each query and key head of every row, in place (as <see cref="RmsNorm"/>, per head).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void HeadNorm(int rows, float[] weight)
    {
        for (int r = 0; r < rows; r++)
        {
            float* row = qkv + ((long)r * qkvOut);
            for (int hh = 0; hh < heads + kvHeads; hh++)
            {
                float* v = row + (hh * headDim);
                float sum = 0;
                for (int i = 0; i < headDim; i++)
                {
                    sum += v[i] * v[i];
                }

                float inv = 1f / MathF.Sqrt((sum / headDim) + eps);
                int offset = hh * headDim;
                for (int i = 0; i < headDim; i++)
                {
                    v[i] = weight[offset + i] * (v[i] * inv);
                }
            }
        }
    }

    /// <summary>
    /// Rotates the queries and keys of every row in place (rotate-half convention, as transformers), over the
    /// leading rotary dimensions of each head (all of them unless the model has a partial rotary factor).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Rotate(int rows, int n, int start)
    {
        int half = rotaryHalf;
        for (int r = 0; r < rows; r++)
        {
            int position = (passSequences ? rowStart[r] : start) + (r % n);
            float* row = qkv + ((long)r * qkvOut);
            fixed (float* c = &cos[position * half], s = &sin[position * half])
            {
                for (int hh = 0; hh < heads + kvHeads; hh++)
                {
                    float* v = row + (hh * headDim);
                    for (int i = 0; i < half; i++)
                    {
                        float a = v[i];
                        float b = v[i + half];
                        v[i] = (a * c[i]) + (b * -s[i]);
                        v[i + half] = (b * c[i]) + (a * s[i]);
                    }
                }
            }
        }
    }

    /// <summary>
    /// Scaled scores of (row, head) items [first, end) into the [batch, kvHeads, groups, n, total]
    /// buffer the steering hook sees: the cached prefix, then the row's own new tokens (causal).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ScoreRange(int first, int end)
    {
        int groups = heads / kvHeads;
        int n = passTokens;
        int total = passTotal;
        for (int item = first; item < end; item++)
        {
            int r = item / heads;
            int hh = item % heads;
            int b = r / n;
            int t = r % n;
            int kv = hh / groups;
            int g = hh % groups;
            float* q = qkv + ((long)r * qkvOut) + (hh * headDim);
            float* s = scores + ((((((long)b * kvHeads) + kv) * groups + g) * n + t) * total);
            int start = passSequences ? rowStart[b] : passStart;
            float* keys = passSequences ? (float*)rowKeys[b] + ((long)kv * rowCapacity[b] * headDim) : passKeys + ((long)kv * cacheCapacity * headDim);
            for (int j = 0; j < start; j++)
            {
                s[j] = Dot(q, keys + ((long)j * headDim), headDim) * scale;
            }

            if ((passSequences ? rowColumns[b] : scaledColumns) is { } columns && rowScaled[b])
            {
                float factor = passSequences ? rowFactor[b] : scaleFactor;
                for (int j = Math.Min(start, columns.Length) - 1; j >= 0; j--)
                {
                    if (columns[j] != 0)
                    {
                        s[j] *= factor;
                    }
                }
            }

            for (int j = 0; j < n; j++)
            {
                float* k = qkv + ((long)((b * n) + j) * qkvOut) + ((heads + kv) * headDim);
                s[start + j] = j <= t ? Dot(q, k, headDim) * scale : float.NegativeInfinity;
            }
        }
    }

    /// <summary>Softmax of each (row, head)'s scores and the weighted sum of values into the attention output.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void MixRange(int first, int end)
    {
        int groups = heads / kvHeads;
        int n = passTokens;
        int total = passTotal;
        for (int item = first; item < end; item++)
        {
            int r = item / heads;
            int hh = item % heads;
            int b = r / n;
            int t = r % n;
            int kv = hh / groups;
            int g = hh % groups;
            float* s = scores + ((((((long)b * kvHeads) + kv) * groups + g) * n + t) * total);
            int start = passSequences ? rowStart[b] : passStart;
            // The positions this query sees: the cached ones and the new ones up to itself (the later ones are masked). Not
            // the buffer's stride (total, longer across sequences) nor start + n: a token's softmax then has the same
            // length, so the same bits, whether it comes alone or in a chunk of a prefill.
            int count = start + t + 1;
            float inv = 1f / Exponentiate(s, count);
            float* output = attn + ((long)r * heads * headDim) + (hh * headDim);
            new Span<float>(output, headDim).Clear();
            float* values = passSequences ? (float*)rowValues[b] + ((long)kv * rowCapacity[b] * headDim) : passValues + ((long)kv * cacheCapacity * headDim);
            for (int j = 0; j < start; j++)
            {
                Axpy(s[j] * inv, values + ((long)j * headDim), output, headDim);
            }

            for (int j = 0; j <= t; j++)
            {
                float* v = qkv + ((long)((b * n) + j) * qkvOut) + (((heads + kvHeads) + kv) * headDim);
                Axpy(s[start + j] * inv, v, output, headDim);
            }
        }
    }

    /// <summary>
    /// Replaces scores[0, count) by exp(score − max) and returns their sum: the softmax before its division. Vectorized
    /// (the exponential of 16 or 8 scores per instruction sequence): at a few hundred positions a scalar exp per score was
    /// the largest part of a small model's attention. A row's values depend only on its own scores and count, never on
    /// the rows beside it, so a row's bits stay the same in any batch.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Exponentiate(float* scores, int count)
    {
        int j = 0;
        float max = float.NegativeInfinity;
        if (Vector512.IsHardwareAccelerated && count >= 16)
        {
            var m = Vector512.Create(float.NegativeInfinity);
            for (; j + 16 <= count; j += 16)
            {
                m = Vector512.Max(m, Vector512.Load(scores + j));
            }

            for (int i = 0; i < Vector512<float>.Count; i++)
            {
                max = MathF.Max(max, m.GetElement(i));
            }
        }
        else if (Vector256.IsHardwareAccelerated && count >= 8)
        {
            var m = Vector256.Create(float.NegativeInfinity);
            for (; j + 8 <= count; j += 8)
            {
                m = Vector256.Max(m, Vector256.Load(scores + j));
            }

            for (int i = 0; i < Vector256<float>.Count; i++)
            {
                max = MathF.Max(max, m.GetElement(i));
            }
        }

        for (; j < count; j++)
        {
            max = MathF.Max(max, scores[j]);
        }

        j = 0;
        float sum = 0;
        if (Vector512.IsHardwareAccelerated && count >= 16)
        {
            var shift = Vector512.Create(max);
            var acc = Vector512<float>.Zero;
            for (; j + 16 <= count; j += 16)
            {
                var e = Vector512.Exp(Vector512.Load(scores + j) - shift);
                e.Store(scores + j);
                acc += e;
            }

            sum = Vector512.Sum(acc);
        }
        else if (Vector256.IsHardwareAccelerated && count >= 8)
        {
            var shift = Vector256.Create(max);
            var acc = Vector256<float>.Zero;
            for (; j + 8 <= count; j += 8)
            {
                var e = Vector256.Exp(Vector256.Load(scores + j) - shift);
                e.Store(scores + j);
                acc += e;
            }

            sum = Vector256.Sum(acc);
        }

        for (; j < count; j++)
        {
            float e = MathF.Exp(scores[j] - max);
            scores[j] = e;
            sum += e;
        }

        return sum;
    }

    /// <summary>Each run of consecutive rows with one capture records its rows' attention input and output (one request's rows).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void CaptureSequences(int layer, int rows)
    {
        for (int r = 0; r < rows;)
        {
            // Not a pattern variable (`is not { } capture`): Stryker cannot compile mutants of one (CS0165).
            var capture = rowCapture[r];
            int count = 1;
            if (capture is not null)
            {
                while (r + count < rows && ReferenceEquals(rowCapture[r + count], capture))
                {
                    count++;
                }

                capture.RecordLastPositions(layer, h + ((long)r * hidden), o + ((long)r * hidden), count, 1, hidden);
            }

            r += count;
        }
    }

    /// <summary>Each writing row's new key (rotated) and value go to its own cache at its own position.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteSequences(int rows)
    {
        int bytes = headDim * sizeof(float);
        for (int r = 0; r < rows; r++)
        {
            if (!rowWrites[r])
            {
                continue; // a read-only (steered) row
            }

            float* row = qkv + ((long)r * qkvOut);
            float* keys = (float*)rowKeys[r];
            float* values = (float*)rowValues[r];
            for (int kv = 0; kv < kvHeads; kv++)
            {
                long slot = (((long)kv * rowCapacity[r]) + rowStart[r]) * headDim;
                Buffer.MemoryCopy(row + ((heads + kv) * headDim), keys + slot, bytes, bytes);
                Buffer.MemoryCopy(row + ((heads + kvHeads + kv) * headDim), values + slot, bytes, bytes);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void WriteCache(int n, int start)
    {
        // Row 0 of the batch is the raw row; its new keys (rotated) and values go to the cache.
        int bytes = headDim * sizeof(float);
        for (int t = 0; t < n; t++)
        {
            float* row = qkv + ((long)t * qkvOut);
            for (int kv = 0; kv < kvHeads; kv++)
            {
                long slot = (((long)kv * cacheCapacity) + start + t) * headDim;
                Buffer.MemoryCopy(row + ((heads + kv) * headDim), passKeys + slot, bytes, bytes);
                Buffer.MemoryCopy(row + ((heads + kvHeads + kv) * headDim), passValues + slot, bytes, bytes);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void SiluGate(int rows)
    {
        for (int r = 0; r < rows; r++)
        {
            float* g = gateUp + ((long)r * 2 * inter);
            float* u = g + inter;
            float* a = act + ((long)r * inter);
            int i = 0;
            if (Vector256.IsHardwareAccelerated)
            {
                // Vectorised exp: a scalar MathF.Exp per element cost ~1 ms of serial time per 8-row pass of the bench model.
                for (; i + 8 <= inter; i += 8)
                {
                    var v = Vector256.Load(g + i);
                    (v / (Vector256<float>.One + Vector256.Exp(-v)) * Vector256.Load(u + i)).Store(a + i);
                }
            }

            for (; i < inter; i++)
            {
                float v = g[i];
                a[i] = v / (1f + MathF.Exp(-v)) * u[i];
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(float* target, float* addend, int count)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; i + 8 <= count; i += 8)
            {
                (Vector256.Load(target + i) + Vector256.Load(addend + i)).Store(target + i);
            }
        }

        for (; i < count; i++)
        {
            target[i] += addend[i];
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Dot(float* a, float* b, int count)
    {
        int i = 0;
        float sum = 0;
        if (Vector256.IsHardwareAccelerated && count >= 8)
        {
            var acc = Vector256<float>.Zero;
            for (; i + 8 <= count; i += 8)
            {
                acc = Vector256.FusedMultiplyAdd(Vector256.Load(a + i), Vector256.Load(b + i), acc);
            }

            sum = Vector256.Sum(acc);
        }

        for (; i < count; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Axpy(float alpha, float* v, float* output, int count)
    {
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var a = Vector256.Create(alpha);
            for (; i + 8 <= count; i += 8)
            {
                Vector256.FusedMultiplyAdd(a, Vector256.Load(v + i), Vector256.Load(output + i)).Store(output + i);
            }
        }

        for (; i < count; i++)
        {
            output[i] += alpha * v[i];
        }
    }

    private void EnsureScores(long count)
    {
        if (count <= scoreCapacity)
        {
            return;
        }

        // A torch tensor, so that the steering hook can modify the scores in place through its usual API.
        scoreStorage?.Dispose();
        scoreCapacity = Math.Max(count, scoreCapacity * 2);
        scoreStorage = empty(scoreCapacity, ScalarType.Float32).DetachFromDisposeScope();
        scores = (float*)TensorMemory.Address(scoreStorage);
    }

    public void Dispose()
    {
        threads.Dispose();
        scoreStorage?.Dispose();
        foreach (var p in new[] { x, h, qkv, attn, o, gateUp, act })
        {
            NativeMemory.AlignedFree(p);
        }

        NativeMemory.AlignedFree(prepared);
    }
}
