using Directer.Core.Templates;

namespace Directer.Core.Tests.Templates;

/// <summary>Every renderer against the jinja2 reference (reference/template_reference.py), character for character.</summary>
public sealed class GoldenRenderingTests
{
    public static TheoryData<string, string> TemplateCases()
    {
        var data = new TheoryData<string, string>();
        foreach (var spec in TemplateFixtures.TemplateSpecs())
        {
            foreach (string name in TemplateFixtures.CaseNames())
            {
                data.Add(spec.GetProperty("id").GetString()!, name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(TemplateCases))]
    public void RendersLikeHuggingFace(string templateId, string caseName)
    {
        var spec = TemplateFixtures.Spec(templateId);
        var template = ChatTemplates.ByName(spec.GetProperty("renderer").GetString()!);
        var @case = TemplateFixtures.Case(caseName);
        var turns = TemplateFixtures.Turns(@case);
        var tools = TemplateFixtures.Tools(@case);
        bool addGenerationPrompt = @case.GetProperty("addGenerationPrompt").GetBoolean();
        var golden = TemplateFixtures.Golden(templateId, caseName);

        bool usesTools = tools.Count > 0 || turns.Any(t => t.ToolCalls.Count > 0);
        if (!template.SupportsTools && usesTools)
        {
            // Deliberate difference: the jinja template would drop the tools/tool calls silently (or refuse); we refuse.
            var refusal = Assert.Throws<ChatTemplateException>(() => template.Render(turns, tools, addGenerationPrompt));
            Assert.Contains("tool", refusal.Message, StringComparison.OrdinalIgnoreCase);
            return;
        }

        if (golden.TryGetProperty("error", out var error))
        {
            var thrown = Assert.Throws<ChatTemplateException>(() => template.Render(turns, tools, addGenerationPrompt));
            Assert.Contains(error.GetString()!, thrown.Message, StringComparison.Ordinal);
            return;
        }

        var rendered = template.Render(turns, tools, addGenerationPrompt);
        Assert.Equal(golden.GetProperty("text").GetString(), rendered.Text);
        Assert.Empty(rendered.EmphasisRanges);
    }

    [Fact]
    public void EveryTemplateAndCaseHasAGolden()
    {
        int templates = TemplateFixtures.TemplateSpecs().Count();
        int cases = TemplateFixtures.CaseNames().Count();
        Assert.Equal(templates * cases, TemplateFixtures.GoldenCount);
        Assert.True(templates >= 10 && cases >= 18);
    }
}
