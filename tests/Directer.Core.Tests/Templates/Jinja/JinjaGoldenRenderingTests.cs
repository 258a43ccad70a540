using System.Text.Json;
using Directer.Core.Chat;
using Directer.Core.Templates;

namespace Directer.Core.Tests.Templates.Jinja;

/// <summary>The jinja engine on every real template of the fixtures against jinja2 as transformers configures it
/// (goldens written by reference/template_reference.py): the hand-written conversations and the seeded random
/// ones, character for character, and the same refusals (raise_exception messages) where jinja2 refuses.</summary>
public sealed class JinjaGoldenRenderingTests
{
    private static readonly Lazy<JsonElement> RandomCases = new(() => TemplateFixtures.Load("random_goldens.json").GetProperty("cases"));

    public static TheoryData<string> TemplateIds()
    {
        var data = new TheoryData<string>();
        foreach (var spec in TemplateFixtures.TemplateSpecs())
        {
            data.Add(spec.GetProperty("id").GetString()!);
        }

        return data;
    }

    internal static JinjaChatTemplate Compile(string templateId)
    {
        var spec = TemplateFixtures.Spec(templateId);
        string? Token(string name) => spec.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
        return JinjaChatTemplate.Create(templateId, TemplateFixtures.Jinja(templateId), new ChatTemplateOptions
        {
            BosToken = Token("bos_token"),
            EosToken = Token("eos_token"),
            StrftimeNow = format => Directer.Core.Templates.Jinja.PythonStrftime.Format(new DateTime(2024, 7, 26, 12, 0, 0), format),
        });
    }

    [Theory]
    [MemberData(nameof(TemplateIds))]
    public void HandWrittenConversationsRenderLikeJinja2(string templateId)
    {
        var template = Compile(templateId);
        var failures = new List<string>();
        int compared = 0;
        foreach (string caseName in TemplateFixtures.CaseNames())
        {
            var @case = TemplateFixtures.Case(caseName);
            string? failure = Check(template, @case, TemplateFixtures.Golden(templateId, caseName));
            compared++;
            if (failure is not null)
            {
                failures.Add($"{caseName}: {failure}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {compared} differ:\n" + string.Join("\n", failures.Take(6)));
    }

    [Theory]
    [MemberData(nameof(TemplateIds))]
    public void RandomConversationsRenderLikeJinja2(string templateId)
    {
        var template = Compile(templateId);
        var failures = new List<string>();
        int compared = 0;
        foreach (var @case in RandomCases.Value.EnumerateArray())
        {
            if (!@case.GetProperty("goldens").TryGetProperty(templateId, out var golden))
            {
                continue;
            }

            compared++;
            string? failure = Check(template, @case, golden);
            if (failure is not null)
            {
                failures.Add($"{@case.GetProperty("name").GetString()}: {failure}");
            }
        }

        Assert.True(compared >= 40, $"only {compared} random conversations have goldens for {templateId}");
        Assert.True(failures.Count == 0, $"{failures.Count} of {compared} differ:\n" + string.Join("\n", failures.Take(6)));
    }

    internal static string? Check(JinjaChatTemplate template, JsonElement @case, JsonElement golden)
    {
        var turns = TemplateFixtures.Turns(@case);
        var tools = TemplateFixtures.Tools(@case);
        bool addGenerationPrompt = @case.GetProperty("addGenerationPrompt").GetBoolean();
        string? text;
        try
        {
            text = template.Render(turns, tools, addGenerationPrompt, emphasis: null, refuseDropped: false).Text;
        }
        catch (ChatTemplateException error)
        {
            if (golden.TryGetProperty("error", out var expected))
            {
                return error.Message == template.RefusalMessage(expected.GetString()!) ? null : $"refused with \"{error.Message}\", jinja2 with \"{expected.GetString()}\"";
            }

            return $"refused (\"{error.Message}\") but jinja2 renders it";
        }

        if (golden.TryGetProperty("error", out var refusal))
        {
            return $"rendered but jinja2 refuses: {refusal.GetString()}";
        }

        string expectedText = golden.GetProperty("text").GetString()!;
        if (text == expectedText)
        {
            return null;
        }

        int at = 0;
        while (at < Math.Min(text.Length, expectedText.Length) && text[at] == expectedText[at])
        {
            at++;
        }

        string Around(string s) => JsonSerializer.Serialize(s.Substring(Math.Max(0, at - 30), Math.Min(s.Length - Math.Max(0, at - 30), 80)));
        return $"differs at {at}: ours {Around(text)} vs jinja2 {Around(expectedText)}";
    }
}
