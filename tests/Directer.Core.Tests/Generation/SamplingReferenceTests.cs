using System.Text.Json;
using Directer.Core.Generation;
using Directer.Core.Runtime;
using static TorchSharp.torch;

namespace Directer.Core.Tests.Generation;

/// <summary>
/// The filtered, tempered sampling distribution against Hugging Face's logits warpers
/// (temperature, then top-k, then top-p), re-implemented in reference/sampling_reference.py from
/// transformers' generation/logits_process.py and run on generated logits.
/// </summary>
public sealed class SamplingReferenceTests
{
    public SamplingReferenceTests() => TorchRuntime.EnsureInitialized();

    public sealed record Case(string Name, float[] Logits, float Temperature, int? TopK, float? TopP, float[] Probabilities, int Kept)
    {
        public override string ToString() => Name;
    }

    public static TheoryData<Case> Cases()
    {
        var data = new TheoryData<Case>();
        foreach (var c in LoadCases())
        {
            data.Add(c);
        }

        return data;
    }

    private static List<Case> LoadCases()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "sampling", "distributions.json")));
        var data = new List<Case>();
        foreach (var c in json.RootElement.GetProperty("cases").EnumerateArray())
        {
            data.Add(new Case(
                c.GetProperty("name").GetString()!,
                c.GetProperty("logits").EnumerateArray().Select(e => e.GetSingle()).ToArray(),
                c.GetProperty("temperature").GetSingle(),
                c.GetProperty("top_k").ValueKind == JsonValueKind.Null ? null : c.GetProperty("top_k").GetInt32(),
                c.GetProperty("top_p").ValueKind == JsonValueKind.Null ? null : c.GetProperty("top_p").GetSingle(),
                c.GetProperty("probabilities").EnumerateArray().Select(e => e.GetSingle()).ToArray(),
                c.GetProperty("kept").GetInt32()));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void DistributionEqualsTheTransformersWarpers(Case c)
    {
        var options = new GenerationOptions { Temperature = c.Temperature, TopK = c.TopK, TopP = c.TopP };
        options.Validate();
        using var logits = tensor(c.Logits);
        using var distribution = new TokenSampler(options).Distribution(logits);
        float[] actual = distribution.data<float>().ToArray();

        Assert.Equal(c.Logits.Length, actual.Length);
        Assert.Equal(c.Kept, actual.Count(p => p > 0));
        // Equal logits make the kept set depend on the sort's tie order, not on the rule: compare as multisets.
        bool ties = c.Logits.Distinct().Count() < c.Logits.Length && c.TopP is not null;
        float[] expected = ties ? c.Probabilities.Order().ToArray() : c.Probabilities;
        float[] got = ties ? actual.Order().ToArray() : actual;
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(expected[i] == 0 ? got[i] == 0 : Math.Abs(expected[i] - got[i]) <= 1e-6 + (1e-5 * expected[i]), $"{c.Name}: p[{i}] = {got[i]}, transformers {expected[i]}");
        }
    }

    [Fact]
    public void TheFixtureCoversTheBoundaries()
    {
        var cases = LoadCases();
        Assert.Contains(cases, c => c.TopP == 1f);
        Assert.Contains(cases, c => c.Name.StartsWith("top-p-exact", StringComparison.Ordinal));
        Assert.Contains(cases, c => c.TopK is not null && c.TopP is not null && c.Temperature != 1f);
        Assert.True(cases.Count >= 50);
    }
}
