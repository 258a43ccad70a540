using System.Text;
using Directer.Core.Checkpoints;
using TorchSharp;

namespace Directer.Bench.Peer;

/// <summary>Weight encodings of a GGUF file the converter can write (ggml type ids).</summary>
internal enum GgufType : uint
{
    F32 = 0,
    F16 = 1,
    Q8_0 = 8,
    BF16 = 30,
}

/// <summary>
/// Converts a Llama checkpoint in Hugging Face layout (config.json + safetensors) to a GGUF v3 file
/// llama.cpp loads as architecture "llama", so the peer runs exactly our weights. Written from the
/// GGUF specification; the one non-obvious step is llama.cpp's rotary layout: it rotates adjacent
/// pairs (x[2i], x[2i+1]) where Hugging Face rotates halves (x[i], x[i+d/2]), so q and k rows are
/// interleaved per head (new row 2j+t = old row t·d/2+j), which leaves q·k unchanged.
/// The vocabulary is a placeholder (the bench feeds token ids, never text).
/// </summary>
internal static class GgufConverter
{
    private const int Alignment = 32;

    public static string EnsureConverted(string checkpoint, GgufType type, string folder)
    {
        string path = Path.Combine(folder, $"{Path.GetFileName(checkpoint)}-{type.ToString().ToLowerInvariant()}.gguf");
        if (!File.Exists(path))
        {
            Console.Error.WriteLine($"converting {checkpoint} to {path} ...");
            Directory.CreateDirectory(folder);
            Convert(checkpoint, type, path + ".part");
            File.Move(path + ".part", path, overwrite: true);
        }

        return path;
    }

    public static void Convert(string checkpoint, GgufType type, string path)
    {
        var config = ModelConfig.Load(Path.Combine(checkpoint, "config.json"));
        if (config.AttentionQkvBias || config.AttentionOutputBias || config.MlpBias || config.RopeScaling is not null)
        {
            throw new NotSupportedException("The bench's GGUF converter covers plain Llama (no biases, no rope scaling).");
        }

        using var weights = CheckpointWeights.Open(checkpoint);
        long hidden = config.HiddenSize;
        long inter = config.IntermediateSize;
        long q = (long)config.NumAttentionHeads * config.HeadDim;
        long kv = (long)config.NumKeyValueHeads * config.HeadDim;
        var tensors = new List<(string Name, string Source, long[] Shape, int PermuteHeads, bool Matrix)>
        {
            ("token_embd.weight", "model.embed_tokens.weight", new[] { (long)config.VocabSize, hidden }, 0, true),
            ("output_norm.weight", "model.norm.weight", new[] { hidden }, 0, false),
        };
        if (!config.TieWordEmbeddings)
        {
            tensors.Add(("output.weight", "lm_head.weight", new[] { (long)config.VocabSize, hidden }, 0, true));
        }

        for (int i = 0; i < config.NumHiddenLayers; i++)
        {
            string p = $"model.layers.{i}.";
            string b = $"blk.{i}.";
            tensors.Add((b + "attn_norm.weight", p + "input_layernorm.weight", new[] { hidden }, 0, false));
            tensors.Add((b + "attn_q.weight", p + "self_attn.q_proj.weight", new[] { q, hidden }, config.NumAttentionHeads, true));
            tensors.Add((b + "attn_k.weight", p + "self_attn.k_proj.weight", new[] { kv, hidden }, config.NumKeyValueHeads, true));
            tensors.Add((b + "attn_v.weight", p + "self_attn.v_proj.weight", new[] { kv, hidden }, 0, true));
            tensors.Add((b + "attn_output.weight", p + "self_attn.o_proj.weight", new[] { hidden, q }, 0, true));
            tensors.Add((b + "ffn_norm.weight", p + "post_attention_layernorm.weight", new[] { hidden }, 0, false));
            tensors.Add((b + "ffn_gate.weight", p + "mlp.gate_proj.weight", new[] { inter, hidden }, 0, true));
            tensors.Add((b + "ffn_up.weight", p + "mlp.up_proj.weight", new[] { inter, hidden }, 0, true));
            tensors.Add((b + "ffn_down.weight", p + "mlp.down_proj.weight", new[] { hidden, inter }, 0, true));
        }

        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        using var w = new BinaryWriter(file, Encoding.UTF8);
        w.Write(0x46554747u); // "GGUF"
        w.Write(3u);
        w.Write((ulong)tensors.Count);
        var kvs = Metadata(config, type);
        w.Write((ulong)kvs.Count);
        foreach (var (key, write) in kvs)
        {
            WriteString(w, key);
            write(w);
        }

        long offset = 0;
        var types = new List<GgufType>();
        foreach (var t in tensors)
        {
            var tt = t.Matrix ? type : GgufType.F32;
            types.Add(tt);
            WriteString(w, t.Name);
            w.Write((uint)t.Shape.Length);
            for (int d = t.Shape.Length - 1; d >= 0; d--)
            {
                w.Write((ulong)t.Shape[d]); // ne[0] is the innermost (contiguous) dimension
            }

            w.Write((uint)tt);
            w.Write((ulong)offset);
            offset = Align(offset + ByteSize(tt, t.Shape));
        }

        Pad(w);
        long dataStart = file.Position;
        for (int i = 0; i < tensors.Count; i++)
        {
            var t = tensors[i];
            using var tensor = weights.Read(t.Source, torch.ScalarType.Float32, t.Shape);
            float[] values = tensor.data<float>().ToArray();
            if (t.PermuteHeads > 0)
            {
                values = InterleaveRotaryRows(values, t.PermuteHeads, (int)(t.Shape[0] / t.PermuteHeads), (int)t.Shape[1]);
            }

            Encode(w, values, types[i], (int)t.Shape[^1]);
            while ((file.Position - dataStart) % Alignment != 0)
            {
                w.Write((byte)0);
            }
        }
    }

    /// <summary>Per head, row 2j+t of the result is row t·(d/2)+j of the input (llama.cpp's convert permute).</summary>
    internal static float[] InterleaveRotaryRows(float[] values, int heads, int headDim, int columns)
    {
        var result = new float[values.Length];
        int half = headDim / 2;
        for (int h = 0; h < heads; h++)
        {
            for (int j = 0; j < half; j++)
            {
                for (int t = 0; t < 2; t++)
                {
                    int from = (h * headDim) + (t * half) + j;
                    int to = (h * headDim) + (2 * j) + t;
                    Array.Copy(values, (long)from * columns, result, (long)to * columns, columns);
                }
            }
        }

        return result;
    }

    private static List<(string Key, Action<BinaryWriter> Write)> Metadata(ModelConfig config, GgufType type)
    {
        // Placeholder vocabulary: <unk>, <s>, </s>, the 256 byte tokens, then plain pieces.
        var tokens = new string[config.VocabSize];
        var kinds = new int[config.VocabSize];
        for (int i = 0; i < tokens.Length; i++)
        {
            (tokens[i], kinds[i]) = i switch
            {
                0 => ("<unk>", 2),
                1 => ("<s>", 3),
                2 => ("</s>", 3),
                < 259 => ($"<0x{i - 3:X2}>", 6),
                _ => ($"▁t{i}", 1),
            };
        }

        uint fileType = type switch { GgufType.F32 => 0, GgufType.F16 => 1, GgufType.Q8_0 => 7, GgufType.BF16 => 32, _ => 0 };
        return new()
        {
            ("general.architecture", w => WriteString(w, 8, "llama")),
            ("general.name", w => WriteString(w, 8, config.SourceName)),
            ("general.file_type", w => U32(w, fileType)),
            ("general.alignment", w => U32(w, Alignment)),
            ("llama.context_length", w => U32(w, (uint)config.MaxPositionEmbeddings)),
            ("llama.embedding_length", w => U32(w, (uint)config.HiddenSize)),
            ("llama.block_count", w => U32(w, (uint)config.NumHiddenLayers)),
            ("llama.feed_forward_length", w => U32(w, (uint)config.IntermediateSize)),
            ("llama.rope.dimension_count", w => U32(w, (uint)config.HeadDim)),
            ("llama.attention.head_count", w => U32(w, (uint)config.NumAttentionHeads)),
            ("llama.attention.head_count_kv", w => U32(w, (uint)config.NumKeyValueHeads)),
            ("llama.attention.key_length", w => U32(w, (uint)config.HeadDim)),
            ("llama.attention.value_length", w => U32(w, (uint)config.HeadDim)),
            ("llama.attention.layer_norm_rms_epsilon", w => { w.Write(6u); w.Write((float)config.RmsNormEps); }),
            ("llama.rope.freq_base", w => { w.Write(6u); w.Write((float)config.RopeTheta); }),
            ("llama.vocab_size", w => U32(w, (uint)config.VocabSize)),
            ("tokenizer.ggml.model", w => WriteString(w, 8, "llama")),
            ("tokenizer.ggml.tokens", w =>
            {
                w.Write(9u);
                w.Write(8u);
                w.Write((ulong)tokens.Length);
                foreach (var t in tokens)
                {
                    WriteString(w, t);
                }
            }),
            ("tokenizer.ggml.scores", w =>
            {
                w.Write(9u);
                w.Write(6u);
                w.Write((ulong)tokens.Length);
                for (int i = 0; i < tokens.Length; i++)
                {
                    w.Write(-(float)i);
                }
            }),
            ("tokenizer.ggml.token_type", w =>
            {
                w.Write(9u);
                w.Write(5u);
                w.Write((ulong)kinds.Length);
                foreach (int k in kinds)
                {
                    w.Write(k);
                }
            }),
            ("tokenizer.ggml.unknown_token_id", w => U32(w, 0)),
            ("tokenizer.ggml.bos_token_id", w => U32(w, 1)),
            ("tokenizer.ggml.eos_token_id", w => U32(w, 2)),
            ("tokenizer.ggml.add_bos_token", w => { w.Write(7u); w.Write((byte)0); }),
        };
    }

    private static void Encode(BinaryWriter w, float[] values, GgufType type, int rowLength)
    {
        switch (type)
        {
            case GgufType.F32:
                foreach (float v in values)
                {
                    w.Write(v);
                }

                break;
            case GgufType.F16:
                foreach (float v in values)
                {
                    w.Write((Half)v);
                }

                break;
            case GgufType.BF16:
                foreach (float v in values)
                {
                    w.Write(ToBFloat16(v));
                }

                break;
            case GgufType.Q8_0:
                if (rowLength % 32 != 0)
                {
                    throw new NotSupportedException($"Q8_0 needs rows of a multiple of 32 values; got {rowLength}.");
                }

                for (int b = 0; b < values.Length; b += 32)
                {
                    float amax = 0;
                    for (int j = 0; j < 32; j++)
                    {
                        amax = Math.Max(amax, Math.Abs(values[b + j]));
                    }

                    float d = amax / 127f;
                    float id = d != 0 ? 1f / d : 0f;
                    w.Write((Half)d);
                    for (int j = 0; j < 32; j++)
                    {
                        w.Write((sbyte)MathF.Round(values[b + j] * id, MidpointRounding.AwayFromZero));
                    }
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, null);
        }
    }

    /// <summary>Round to nearest even, as torch's float32 → bfloat16 cast.</summary>
    internal static ushort ToBFloat16(float value)
    {
        uint bits = BitConverter.SingleToUInt32Bits(value);
        if (float.IsNaN(value))
        {
            return (ushort)((bits >> 16) | 0x40);
        }

        uint rounding = 0x7FFF + ((bits >> 16) & 1);
        return (ushort)((bits + rounding) >> 16);
    }

    private static long ByteSize(GgufType type, long[] shape)
    {
        long n = shape.Aggregate(1L, (a, b) => a * b);
        return type switch
        {
            GgufType.F32 => n * 4,
            GgufType.F16 or GgufType.BF16 => n * 2,
            GgufType.Q8_0 => n / 32 * 34,
            _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
        };
    }

    private static long Align(long offset) => (offset + Alignment - 1) / Alignment * Alignment;

    private static void Pad(BinaryWriter w)
    {
        while (w.BaseStream.Position % Alignment != 0)
        {
            w.Write((byte)0);
        }
    }

    private static void U32(BinaryWriter w, uint value)
    {
        w.Write(4u);
        w.Write(value);
    }

    private static void WriteString(BinaryWriter w, uint typeTag, string value)
    {
        w.Write(typeTag);
        WriteString(w, value);
    }

    private static void WriteString(BinaryWriter w, string value)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(value);
        w.Write((ulong)bytes.Length);
        w.Write(bytes);
    }
}
