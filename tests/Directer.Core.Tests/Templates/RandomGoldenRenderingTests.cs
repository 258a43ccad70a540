using System.Text.Json;
using Directer.Core.Templates;
using Directer.Core.Chat;

namespace Directer.Core.Tests.Templates;

/// <summary>Every renderer against the jinja2 reference on seeded random conversations (random_goldens.json, written by
/// reference/template_reference.py): odd white space, scripts, template-looking text, random JSON schemas and
/// arguments in random spellings, some malformed conversations.</summary>
public sealed class RandomGoldenRenderingTests
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

    [Theory]
    [MemberData(nameof(TemplateIds))]
    public void RendersRandomConversationsLikeHuggingFace(string templateId)
    {
        var spec = TemplateFixtures.Spec(templateId);
        var template = ChatTemplates.ByName(spec.GetProperty("renderer").GetString()!);
        var failures = new List<string>();
        int rendered = 0;
        int refused = 0;
        foreach (var @case in RandomCases.Value.EnumerateArray())
        {
            string name = @case.GetProperty("name").GetString()!;
            var turns = TemplateFixtures.Turns(@case);
            var tools = TemplateFixtures.Tools(@case);
            bool addGenerationPrompt = @case.GetProperty("addGenerationPrompt").GetBoolean();
            var golden = @case.GetProperty("goldens").GetProperty(templateId);
            string? failure = Check(template, turns, tools, addGenerationPrompt, golden, ref rendered, ref refused);
            if (failure is not null)
            {
                failures.Add($"{name}: {failure}");
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} of {RandomCases.Value.GetArrayLength()} random conversations differ:\n" + string.Join("\n", failures.Take(8)));
        Assert.True(rendered >= 60, $"only {rendered} conversations rendered");
    }

    private static string? Check(IChatTemplate template, IReadOnlyList<ChatTurn> turns, IReadOnlyList<ToolDefinition> tools, bool addGenerationPrompt,
        JsonElement golden, ref int rendered, ref int refused)
    {
        bool usesTools = tools.Count > 0 || turns.Any(t => t.ToolCalls.Count > 0);
        RenderedPrompt result;
        try
        {
            result = template.Render(turns, tools, addGenerationPrompt);
        }
        catch (ChatTemplateException refusal)
        {
            refused++;
            if (DeliberateRefusal(template, turns, tools, usesTools))
            {
                return null;
            }

            if (golden.TryGetProperty("error", out var error))
            {
                return refusal.Message.Contains(error.GetString()!, StringComparison.Ordinal)
                    ? null
                    : $"threw \"{refusal.Message}\", jinja raised \"{error.GetString()}\"";
            }

            return DeliberateRefusal(template, turns, tools, usesTools) ? null : $"threw \"{refusal.Message}\", jinja rendered";
        }

        if (golden.TryGetProperty("error", out var expected))
        {
            return $"rendered, jinja raised \"{expected.GetString()}\"";
        }

        if (!template.SupportsTools && usesTools)
        {
            return "rendered a conversation with tools, which a template without a tool format must refuse";
        }

        rendered++;
        string want = golden.GetProperty("text").GetString()!;
        if (result.Text == want)
        {
            return null;
        }

        int at = 0;
        while (at < want.Length && at < result.Text.Length && want[at] == result.Text[at])
        {
            at++;
        }

        string Around(string s) => JsonSerializer.Serialize(s.Substring(Math.Max(0, at - 30), Math.Min(s.Length, at + 40) - Math.Max(0, at - 30)));
        return $"differs at {at}: got {Around(result.Text)}, want {Around(want)}";
    }

    // Deliberate differences from the jinja templates (see RenderingValidationTests), where the template would silently
    // drop or relabel part of the conversation: templates without a tool format refuse tools, tool calls and (Phi-3,
    // Llama 2) tool turns, Llama 2 a system turn after the first; Llama 3.1 refuses to put the tools into a first turn that is not a user turn.
    private static bool DeliberateRefusal(IChatTemplate template, IReadOnlyList<ChatTurn> turns, IReadOnlyList<ToolDefinition> tools, bool usesTools)
    {
        if (!template.SupportsTools)
        {
            return usesTools || turns.Any(t => t.Role == ChatRole.Tool)
                || (template.Name == "llama2" && turns.Skip(1).Any(t => t.Role == ChatRole.System));
        }

        if (template.Name == "llama3" && tools.Count > 0)
        {
            var first = turns.SkipWhile((t, i) => i == 0 && t.Role == ChatRole.System).FirstOrDefault();
            return first is not null && first.Role != ChatRole.User;
        }

        return false;
    }
}
