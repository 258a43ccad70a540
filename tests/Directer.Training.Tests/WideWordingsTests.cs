using System.Text.RegularExpressions;
using Directer.Training.Data;

namespace Directer.Training.Tests;

/// <summary>
/// The additional training wordings (<c>--wordings wide</c>): drawn only when asked for, each one used, and none of them
/// carrying a held-out frame the original training wordings did not have. Their calls copy the request as every tool call
/// does (<see cref="ConversationGeneratorTests.ToolCallsNameAListedToolAndCopyArgumentsFromTheRequest"/>, wide too).
/// </summary>
public class WideWordingsTests
{
    private static readonly Regex Placeholder = new(@"\{(\w+)\}", RegexOptions.CultureInvariant);

    [Fact]
    public void EveryAdditionalWordingIsUsedOnlyWhenAskedFor()
    {
        var all = ToolCatalog.All.SelectMany(a => a.TrainRequests.Concat(a.MoreTrainRequests).Concat(a.EvalRequests))
            .Distinct(StringComparer.Ordinal).ToDictionary(t => t, Pattern, StringComparer.Ordinal);
        var more = ToolCatalog.All.SelectMany(a => a.MoreTrainRequests).ToHashSet(StringComparer.Ordinal);
        Assert.True(more.Count >= 100, $"expected at least 100 additional wordings, found {more.Count}");

        var usedWide = TemplatesUsed(new ConversationGenerator(9, DataSplit.Train, wideWordings: true), all, 5000);
        var usedBase = TemplatesUsed(new ConversationGenerator(9, DataSplit.Train), all, 2000);

        Assert.Empty(more.Except(usedWide));
        Assert.Empty(usedBase.Intersect(more));
    }

    [Fact]
    public void AdditionalWordingsNameEveryRequiredSlotAndNoUnknownPlaceholder()
    {
        foreach (var archetype in ToolCatalog.All)
        {
            var variables = archetype.Variables?.Invoke(new SeededRandom(1)).Keys ?? Enumerable.Empty<string>();
            var known = archetype.Slots.Select(s => s.Key).Concat(variables).ToHashSet(StringComparer.Ordinal);
            foreach (var template in archetype.MoreTrainRequests)
            {
                var named = Placeholder.Matches(template).Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);
                Assert.True(named.IsSubsetOf(known), $"{archetype.Id}: '{template}' names {string.Join(", ", named.Except(known))}, not a slot or variable");
                foreach (var slot in archetype.Slots.Where(s => s.Required))
                {
                    Assert.True(named.Contains(slot.Key), $"{archetype.Id}: '{template}' leaves out the required slot {{{slot.Key}}}");
                }

                Assert.DoesNotContain(template, archetype.TrainRequests);
                Assert.DoesNotContain(template, archetype.EvalRequests);
            }
        }
    }

    /// <summary>
    /// The held-out set measures wordings never trained on. A new wording may share a window of four words with a held-out
    /// one only where an original training wording already shares it (the slots' own frame, "from {origin} to
    /// {destination}"), so widening the data brings no held-out phrasing into training.
    /// </summary>
    [Fact]
    public void AdditionalWordingsBringNoHeldOutFrame()
    {
        foreach (var archetype in ToolCatalog.All)
        {
            var held = archetype.EvalRequests.SelectMany(Windows).ToHashSet(StringComparer.Ordinal);
            var alreadyTrained = archetype.TrainRequests.SelectMany(Windows).ToHashSet(StringComparer.Ordinal);
            foreach (var template in archetype.MoreTrainRequests)
            {
                var brought = Windows(template).Where(w => held.Contains(w) && !alreadyTrained.Contains(w)).ToList();
                Assert.True(brought.Count == 0, $"{archetype.Id}: '{template}' shares the held-out frame '{string.Join("' / '", brought)}'");
            }
        }

        // The check bites: a held-out wording itself would be refused.
        var timer = ToolCatalog.All.Single(a => a.Id == "timer");
        var trained = timer.TrainRequests.SelectMany(Windows).ToHashSet(StringComparer.Ordinal);
        Assert.Contains(Windows(timer.EvalRequests[0]), w => !trained.Contains(w));
    }

    private static HashSet<string> TemplatesUsed(ConversationGenerator generator, Dictionary<string, Regex> all, int count)
    {
        var used = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            var c = generator.Generate(i);
            if (c.Kind != ConversationKind.ToolUse)
            {
                continue;
            }

            string request = c.Messages[1].Content;

            // The template that reads as this request with the most literal text ("Add up {a} and {b}." over
            // "Add {a} and {b}."); a tie counts for neither.
            var best = all.Where(kv => kv.Value.IsMatch(request)).Select(kv => kv.Key)
                .GroupBy(t => Placeholder.Replace(t, string.Empty).Length).MaxBy(g => g.Key)?.ToList();
            if (best is [var template])
            {
                used.Add(template);
            }
        }

        return used;
    }

    private static Regex Pattern(string template) =>
        new("^" + Placeholder.Replace(Regex.Escape(template).Replace(@"\{", "{", StringComparison.Ordinal), "(.+)") + "$", RegexOptions.CultureInvariant);

    /// <summary>The windows of four words (a placeholder counts as one) of a request template.</summary>
    internal static IEnumerable<string> Windows(string template)
    {
        var words = Regex.Matches(template.ToLowerInvariant(), @"\{\w+\}|[a-z0-9']+").Select(m => m.Value).ToList();
        for (int i = 0; i + 4 <= words.Count; i++)
        {
            yield return string.Join(' ', words.Skip(i).Take(4));
        }
    }
}
