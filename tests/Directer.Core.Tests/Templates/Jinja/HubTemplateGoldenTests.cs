using System.Text.Json;
using Directer.Core.Templates;

namespace Directer.Core.Tests.Templates.Jinja;

/// <summary>The jinja engine on the chat templates of current models published in @huggingface/ollama-utils
/// (Fixtures/templates/hub, extracted and rendered by reference/hub_templates.py with transformers' jinja2
/// environment): every template on the hand-written conversations and seeded random ones, character for character.
/// Where jinja2 refuses, the engine refuses too: with the same message for the template's own raise_exception, with
/// its own line-numbered error where jinja2 raised a type or undefined error.</summary>
public sealed class HubTemplateGoldenTests
{
    private static readonly Lazy<JsonElement> Specs = new(() => TemplateFixtures.Load("hub_templates.json").GetProperty("templates"));

    private static readonly Lazy<JsonElement> Goldens = new(() => TemplateFixtures.Load("hub_goldens.json"));

    public static TheoryData<string> TemplateIds()
    {
        var data = new TheoryData<string>();
        foreach (var spec in Specs.Value.EnumerateArray())
        {
            data.Add(spec.GetProperty("id").GetString()!);
        }

        return data;
    }

    private static JinjaChatTemplate Compile(JsonElement spec, out string source)
    {
        string? Token(string name) => spec.GetProperty(name).ValueKind == JsonValueKind.String ? spec.GetProperty(name).GetString() : null;
        source = File.ReadAllText(Path.Combine(TemplateFixtures.Directory, spec.GetProperty("file").GetString()!));
        return JinjaChatTemplate.Create(spec.GetProperty("id").GetString()!, source, new ChatTemplateOptions
        {
            BosToken = Token("bos_token"),
            EosToken = Token("eos_token"),
            StrftimeNow = format => Directer.Core.Templates.Jinja.PythonStrftime.Format(new DateTime(2024, 7, 26, 12, 0, 0), format),
        });
    }

    [Theory]
    [MemberData(nameof(TemplateIds))]
    public void RendersLikeJinja2(string templateId)
    {
        var spec = Specs.Value.EnumerateArray().Single(s => s.GetProperty("id").GetString() == templateId);
        var template = Compile(spec, out string source);
        var randomCases = Goldens.Value.GetProperty("random_cases").EnumerateArray().ToDictionary(c => c.GetProperty("name").GetString()!);
        var failures = new List<string>();
        int compared = 0;
        int renderedEqual = 0;
        foreach (var golden in Goldens.Value.GetProperty("results").EnumerateArray())
        {
            if (golden.GetProperty("template").GetString() != templateId)
            {
                continue;
            }

            string caseName = golden.GetProperty("case").GetString()!;
            var @case = randomCases.TryGetValue(caseName, out var random) ? random : TemplateFixtures.Case(caseName);
            compared++;
            string? failure = JinjaGoldenRenderingTests.Check(template, @case, golden);
            if (failure is not null && golden.TryGetProperty("error", out var error) && !source.Contains(error.GetString()!, StringComparison.Ordinal)
                && failure.Contains("Chat template error at line", StringComparison.Ordinal))
            {
                failure = null; // jinja2 failed with a type/undefined error of its own wording; ours names the line instead
            }

            if (failure is not null)
            {
                failures.Add($"{caseName}: {failure}");
            }
            else if (!golden.TryGetProperty("error", out _))
            {
                renderedEqual++;
            }
        }

        Assert.True(compared >= 40, $"only {compared} goldens for {templateId}");
        Assert.True(failures.Count == 0, $"{failures.Count} of {compared} differ:\n" + string.Join("\n", failures.Take(5)));
    }

    [Fact]
    public void AtLeastNinetyTemplatesOfCurrentModelsAreCovered()
    {
        Assert.True(Specs.Value.GetArrayLength() >= 90);
        Assert.Empty(Goldens.Value.GetProperty("jinja2_compile_errors").EnumerateObject());
    }
}
