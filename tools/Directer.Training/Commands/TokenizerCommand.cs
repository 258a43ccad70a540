using System.Diagnostics;
using Directer.Training.Data;
using Directer.Training.Tokenization;

namespace Directer.Training.Commands;

/// <summary>`tokenizer`: trains the BPE vocabulary on generated conversations and writes the HF tokenizer files.</summary>
internal static class TokenizerCommand
{
    public const int DefaultVocabSize = 3072;
    public const int DefaultCorpusSize = 6000;
    public const int ModelMaxLength = 1024;

    public static int Run(Options options)
    {
        string outDir = options.Required("out");
        long seed = options.Long("seed", DataCommand.DefaultTrainSeed);
        int vocabSize = options.Int("vocab", DefaultVocabSize);
        int corpus = options.Int("corpus", DefaultCorpusSize);
        options.EnsureAllUsed();
        var vocab = Train(seed, vocabSize, corpus, Console.Out);
        HfTokenizerFiles.Write(outDir, vocab, ModelMaxLength);
        Console.WriteLine($"wrote tokenizer.json, tokenizer_config.json, generation_config.json to {outDir}");
        return 0;
    }

    /// <summary>Trains on the first <paramref name="corpus"/> training conversations of <paramref name="seed"/>, rendered with the chat template.</summary>
    public static BpeVocabulary Train(long seed, int vocabSize, int corpus, TextWriter log)
    {
        var sw = Stopwatch.StartNew();
        var generator = new ConversationGenerator(seed);
        var texts = Enumerable.Range(0, corpus).Select(i =>
        {
            var c = generator.Generate(i);
            return ChatMlRenderer.Render(c.Messages, c.Tools).Text;
        }).ToList();
        var vocab = BpeTrainer.Train(texts, vocabSize);
        long tokens = texts.Sum(t => (long)vocab.Encode(t).Count);
        long chars = texts.Sum(t => (long)t.Length);
        log.WriteLine($"tokenizer: {vocab.Count} tokens ({vocab.Merges.Count} merges) from {corpus} conversations in {sw.Elapsed.TotalSeconds:F1} s; "
            + $"{(double)chars / tokens:F2} chars/token, {(double)tokens / corpus:F0} tokens/conversation");
        return vocab;
    }
}
