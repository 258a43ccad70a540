using Directer.Training.Modeling;
using Directer.Training.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace Directer.Training.Evaluation;

/// <summary>Greedy decoding with the training model (full recompute per token; fine for a tiny model).</summary>
internal static class GreedyDecoder
{
    /// <summary>Generates after <paramref name="prompt"/> until &lt;|im_end|&gt;/&lt;|endoftext|&gt; or <paramref name="maxNewTokens"/>; returns the text without the stop token.</summary>
    public static string Generate(Qwen2ForTraining model, BpeVocabulary vocab, string prompt, int maxNewTokens)
    {
        var ids = vocab.Encode(prompt);
        int imEnd = vocab.SpecialIds[SpecialTokens.ImEnd];
        int eot = vocab.SpecialIds[SpecialTokens.EndOfText];
        var generated = new List<int>();
        using var noGrad = no_grad();
        for (int i = 0; i < maxNewTokens && ids.Count < model.Shape.MaxPositions; i++)
        {
            using var scope = NewDisposeScope();
            var input = tensor(ids.Select(x => (long)x).ToArray(), new long[] { 1, ids.Count });
            int next = (int)model.NextTokenLogits(input).argmax().item<long>();
            if (next == imEnd || next == eot)
            {
                break;
            }

            ids.Add(next);
            generated.Add(next);
        }

        return vocab.Decode(generated);
    }
}
