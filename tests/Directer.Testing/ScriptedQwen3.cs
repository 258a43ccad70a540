using System.Text.Json.Nodes;
using Directer.Core.Checkpoints;
using Directer.Core.Runtime;
using Directer.Core.Tokenization;

namespace Directer.Testing;

/// <summary>
/// A Qwen3 checkpoint with Qwen3's real chat template that always writes the same reply: one layer that adds nothing
/// (zero output and down projections), one-hot embeddings (hidden size = vocabulary) and an LM head that maps each token
/// to the next one of a script, so greedy decoding after the generation prompt's final newline emits the script's
/// pieces in order and then &lt;|im_end|&gt;. Each piece is an added, non-special token (as Qwen3's &lt;think&gt; and
/// &lt;/think&gt; are), so replies are exact. The Qwen3 parts run for real: per-head q/k norms, head_dim 32 ≠ hidden/heads.
/// </summary>
public static class ScriptedQwen3
{
    private const int Vocab = 288;

    /// <summary>Qwen3's chat template (Qwen/Qwen3-0.6B, the committed fixture).</summary>
    public static string ChatTemplate { get; } = ReadTemplate();

    /// <summary>Writes the checkpoint for <paramref name="pieces"/> (distinct, non-empty) into <paramref name="folder"/>; returns it.</summary>
    /// <param name="folder">The checkpoint folder (created).</param>
    /// <param name="pieces">The reply, token by token.</param>
    public static string Write(string folder, params string[] pieces)
    {
        ArgumentNullException.ThrowIfNull(pieces);
        TorchRuntime.EnsureInitialized();
        Directory.CreateDirectory(folder);
        int firstAdded = TinyTokenizer.Vocab().Count + TinyTokenizer.Specials.Length;
        if (pieces.Length == 0 || pieces.Distinct().Count() != pieces.Length || firstAdded + pieces.Length > Vocab)
        {
            throw new ArgumentException($"The script needs distinct pieces, at most {Vocab - firstAdded}.", nameof(pieces));
        }

        TinyTokenizer.Write(folder, edit: root =>
        {
            var added = (JsonArray)root["added_tokens"]!;
            for (int i = 0; i < pieces.Length; i++)
            {
                added.Add(new JsonObject
                {
                    ["id"] = firstAdded + i, ["content"] = pieces[i], ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = false,
                });
            }
        });
        var tokenizerConfig = new JsonObject { ["eos_token"] = "<|im_end|>", ["bos_token"] = null, ["add_bos_token"] = false, ["chat_template"] = ChatTemplate };
        File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), tokenizerConfig.ToJsonString());

        var spec = new TinyCheckpointSpec
        {
            Name = "scripted-qwen3", Architecture = "Qwen3ForCausalLM", VocabSize = Vocab, HiddenSize = Vocab, IntermediateSize = 8, NumHiddenLayers = 1,
            NumAttentionHeads = 4, NumKeyValueHeads = 2, HeadDim = 32, DType = "F32", MaxPositionEmbeddings = 2048, EosTokenIds = [firstAdded - 1], RmsNormEps = 1e-6,
        };
        string configJson = TinyCheckpoints.ConfigJson(spec);
        File.WriteAllText(Path.Combine(folder, "config.json"), configJson);
        var config = ModelConfig.Parse(configJson, Path.Combine(folder, "config.json"));

        var tokenizer = TextTokenizer.Load(folder);
        var chain = new List<int> { tokenizer.Encode("\n").Single() };
        chain.AddRange(Enumerable.Range(firstAdded, pieces.Length));
        chain.Add(tokenizer.Encode("<|im_end|>").Single());

        ScriptedWeights.Write(folder, config, Vocab, chain);
        return folder;
    }

    private static string ReadTemplate()
    {
        using var stream = typeof(ScriptedQwen3).Assembly.GetManifestResourceStream("qwen3-0.6b.jinja")
            ?? throw new InvalidOperationException("The embedded Qwen3 chat template is missing from Directer.Testing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
