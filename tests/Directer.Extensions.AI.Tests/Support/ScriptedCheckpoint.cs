using System.Text.Json.Nodes;
using Directer.Core.Checkpoints;
using Directer.Core.Runtime;
using Directer.Core.Tokenization;
using Directer.Testing;

namespace Directer.Extensions.AI.Tests;

/// <summary>
/// A checkpoint that always writes the same reply: a one-layer Qwen2 whose layer adds nothing (zero weights), whose
/// embeddings are one-hot and whose LM head maps each token to the next one of a script, so greedy decoding after the
/// generation prompt's final newline emits the script's pieces in order and then &lt;|im_end|&gt;. Each piece is an added
/// (non-special) token of the test tokenizer, so replies are exact: valid or malformed tool calls, JSON, plain text.
/// </summary>
internal static class ScriptedCheckpoint
{
    private const int Vocab = 288;

    /// <summary>Writes the checkpoint for <paramref name="pieces"/> (distinct, non-empty) into a new temporary folder.</summary>
    public static string Write(params string[] pieces) => Write(pieces, "\n", []);

    /// <summary>Writes the checkpoint for <paramref name="pieces"/>, emitted after a prompt whose last token is that of
    /// <paramref name="after"/> (the end of the template's generation prompt: "\n" for ChatML and Llama 3, "]" for
    /// Mistral's "[/INST]"); pieces listed in <paramref name="special"/> are special tokens (such as Mistral's
    /// <c>[TOOL_CALLS]</c>), which the streamed text leaves out.</summary>
    public static string Write(string[] pieces, string after, string[] special)
    {
        TorchRuntime.EnsureInitialized();
        string folder = Directory.CreateTempSubdirectory("directer-scripted-").FullName;
        int firstAdded = TinyTokenizer.Vocab().Count + TinyTokenizer.Specials.Length;
        if (pieces.Length == 0 || pieces.Distinct().Count() != pieces.Length || firstAdded + pieces.Length > Vocab)
        {
            throw new ArgumentException("The script needs distinct pieces, at most " + (Vocab - firstAdded) + ".", nameof(pieces));
        }

        TinyTokenizer.Write(folder, edit: root =>
        {
            var added = (JsonArray)root["added_tokens"]!;
            for (int i = 0; i < pieces.Length; i++)
            {
                added.Add(new JsonObject
                {
                    ["id"] = firstAdded + i, ["content"] = pieces[i], ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = special.Contains(pieces[i]),
                });
            }
        });

        var spec = TinyCheckpoints.Qwen2BiasTiedBf16 with
        {
            Name = "scripted", VocabSize = Vocab, HiddenSize = Vocab, IntermediateSize = 8, NumHiddenLayers = 1, NumAttentionHeads = 4, NumKeyValueHeads = 2,
            TieWordEmbeddings = false, DType = "F32", MaxPositionEmbeddings = 2048, EosTokenIds = [firstAdded - 1],
        };
        string configJson = TinyCheckpoints.ConfigJson(spec);
        File.WriteAllText(Path.Combine(folder, "config.json"), configJson);
        var config = ModelConfig.Parse(configJson, Path.Combine(folder, "config.json"));

        var tokenizer = TextTokenizer.Load(folder);
        int start = tokenizer.Encode(after)[^1];
        int end = tokenizer.Encode("<|im_end|>").Single();
        var chain = new List<int> { start };
        chain.AddRange(Enumerable.Range(firstAdded, pieces.Length));
        chain.Add(end);

        ScriptedWeights.Write(folder, config, Vocab, chain);
        return folder;
    }
}
