using System.Text.Json;
using Directer.Core.Tests.Templates;
using Directer.Core.Emphasis;
using Directer.Core.Templates;
using Directer.Core.Chat;

namespace Directer.Core.Tests.Emphasis;

/// <summary>Emphasis properties over the seeded random conversations of random_goldens.json, for every template: the
/// rendered text does not change, every range is made of occurrences of the emphasised text, occurrences in
/// scaffolding are never emphasised, and text in a user turn (never trimmed or escaped by any template) is found.</summary>
public sealed class RandomEmphasisTests
{
    // Pieces the random contents are built from; "<|im_end|>", "[INST]", "[/INST]", "<<SYS>>" and "</s>" also occur
    // in the templates' scaffolding.
    private static readonly string[] Probes = ["Réponds", "日本語", "😀", "hello", "{{ x }}", "<|im_end|>", "[INST]", "[/INST]", "<<SYS>>", "</s>", "<tool_call>"];

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
    public void EmphasisedRangesAreOccurrencesInContentOnly(string templateId)
    {
        var template = ChatTemplates.ByName(TemplateFixtures.Spec(templateId).GetProperty("renderer").GetString()!);
        int checkedCases = 0;
        int found = 0;
        foreach (var @case in RandomCases.Value.EnumerateArray())
        {
            var golden = @case.GetProperty("goldens").GetProperty(templateId);
            if (!golden.TryGetProperty("text", out var textElement))
            {
                continue;
            }

            var turns = TemplateFixtures.Turns(@case);
            var tools = TemplateFixtures.Tools(@case);
            bool addGenerationPrompt = @case.GetProperty("addGenerationPrompt").GetBoolean();
            string name = @case.GetProperty("name").GetString()!;
            string text;
            try
            {
                text = template.Render(turns, tools, addGenerationPrompt).Text;
            }
            catch (ChatTemplateException)
            {
                continue; // a deliberate refusal (RandomGoldenRenderingTests checks which)
            }

            Assert.Equal(textElement.GetString(), text);
            checkedCases++;
            foreach (string probe in Probes)
            {
                var request = new EmphasisRequest { Texts = [probe], IgnoreNotFound = true, InlineOpenMarker = null, InlineCloseMarker = null };
                var rendered = template.Render(turns, tools, addGenerationPrompt, request);
                Assert.Equal(text, rendered.Text);

                int covered = 0;
                int previousEnd = -1;
                foreach (var range in rendered.EmphasisRanges)
                {
                    Assert.True(range.Start > previousEnd, $"{name}: ranges are not sorted, disjoint and merged");
                    previousEnd = range.End;
                    string emphasised = text[range.Start..range.End];
                    Assert.True(emphasised.Length % probe.Length == 0 && emphasised == string.Concat(Enumerable.Repeat(probe, emphasised.Length / probe.Length)),
                        $"{name}: range [{range.Start}, {range.End}) is \"{emphasised}\", not occurrences of \"{probe}\"");
                    covered += emphasised.Length / probe.Length;
                }

                int inContents = turns.Sum(t => Occurrences(t.Content, probe));
                Assert.True(covered <= inContents, $"{name}: {covered} occurrences of \"{probe}\" emphasised, but the contents hold only {inContents}");
                if (turns.Any(t => t.Role == ChatRole.User && t.Content.Contains(probe, StringComparison.Ordinal)))
                {
                    Assert.True(covered > 0, $"{name}: \"{probe}\" is in a user turn but was not found");
                    found++;
                }
            }
        }

        Assert.True(checkedCases >= 60 && found >= 30, $"only {checkedCases} conversations and {found} user-turn probes checked");
    }

    private static int Occurrences(string text, string probe)
    {
        int count = 0;
        for (int at = text.IndexOf(probe, StringComparison.Ordinal); at >= 0; at = text.IndexOf(probe, at + 1, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }
}
