using System.Text.Json.Nodes;
using Directer.Evaluation.IfEval;

namespace Directer.Evaluation.Tests.IfEval;

/// <summary>
/// Randomised cases whose expectations were computed by the reference Python implementation (the IFEval checkers of
/// lm-evaluation-harness, NLTK 3.8, langdetect 1.0.9) with Punkt given the same parameters as
/// <see cref="PunktEnglish"/>; see Goldens/README.md.
/// </summary>
public sealed class ReferenceGoldenTests
{
    private static JsonArray Load(string name)
    {
        using var stream = typeof(ReferenceGoldenTests).Assembly.GetManifestResourceStream("Goldens." + name)
            ?? throw new InvalidOperationException($"missing embedded golden file {name}");
        return (JsonArray)JsonNode.Parse(stream)!;
    }

    private static void AssertNoMismatch(List<string> mismatches, int total)
        => Assert.True(mismatches.Count == 0, $"{mismatches.Count} of {total} differ:\n" + string.Join("\n", mismatches.Take(15)));

    private static string Show(string s) => System.Text.Json.JsonSerializer.Serialize(s);

    [Fact]
    public void Checkers_strict_and_loose_match_the_reference()
    {
        var cases = Load("checker_goldens.json");
        var mismatches = new List<string>();
        foreach (var c in cases)
        {
            string id = c!["id"]!.GetValue<string>();
            var kwargs = (JsonObject)c["kwargs"]!.DeepClone();
            string response = c["response"]!.GetValue<string>();
            var row = new IfEvalRow("k", "prompt", [id], [kwargs], null);
            var result = IfEvalScorer.Score(row, response)[0];
            bool strict = c["strict"]!.GetValue<bool>(), loose = c["loose"]!.GetValue<bool>();
            if (result.Strict != strict || result.Loose != loose)
            {
                mismatches.Add($"{id} {kwargs.ToJsonString()} {Show(response)}: expected {strict}/{loose}, got {result.Strict}/{result.Loose}");
            }
        }
        AssertNoMismatch(mismatches, cases.Count);
    }

    [Fact]
    public void Punkt_sentences_match_the_reference()
    {
        var cases = Load("punkt_goldens.json");
        var mismatches = new List<string>();
        foreach (var c in cases)
        {
            string text = c!["text"]!.GetValue<string>();
            var expected = c["sentences"]!.AsArray().Select(s => s!.GetValue<string>()).ToList();
            var actual = PunktSentenceTokenizer.Tokenize(text);
            if (!expected.SequenceEqual(actual))
            {
                mismatches.Add($"{Show(text)}:\n  expected {string.Join(" | ", expected.Select(Show))}\n  actual   {string.Join(" | ", actual.Select(Show))}");
            }
        }
        AssertNoMismatch(mismatches, cases.Count);
    }

    [Fact]
    public void Word_tokens_and_word_counts_match_the_reference()
    {
        var cases = Load("word_tokenize_goldens.json");
        var mismatches = new List<string>();
        foreach (var c in cases)
        {
            string text = c!["text"]!.GetValue<string>();
            var expected = c["tokens"]!.AsArray().Select(s => s!.GetValue<string>()).ToList();
            var actual = TreebankWordTokenizer.WordTokenize(text);
            if (!expected.SequenceEqual(actual))
            {
                mismatches.Add($"{Show(text)}:\n  expected {string.Join(" ", expected.Select(Show))}\n  actual   {string.Join(" ", actual.Select(Show))}");
            }
            int count = c["count_words"]!.GetValue<int>();
            if (WordCounter.Count(text) != count) mismatches.Add($"count_words {Show(text)}: expected {count}, got {WordCounter.Count(text)}");
        }
        AssertNoMismatch(mismatches, cases.Count);
    }
}
