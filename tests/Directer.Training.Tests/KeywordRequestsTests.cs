using System.Security.Cryptography;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Directer.Training.Data;

namespace Directer.Training.Tests;

/// <summary>
/// Keyword requests (<c>--keyword-requests P</c>): a training request that points at the wanted tool only through a word
/// of that tool's own name or description which no other listed tool has. Their calls copy the request like every call
/// (<see cref="ConversationGeneratorTests.ToolCallsNameAListedToolAndCopyArgumentsFromTheRequest"/> has a keyword case).
/// </summary>
public class KeywordRequestsTests
{
    [Fact]
    public void TheKeywordIsAWordOfTheCalledToolThatNoOtherListedToolHas()
    {
        var frames = KeywordRequests.Frames.Select(Pattern).ToList();
        var g = new ConversationGenerator(21, DataSplit.Train, novelShare: 0.5, wideWordings: true, keywordShare: 1);
        int toolUse = 0, keyworded = 0;
        for (int i = 0; i < 1500; i++)
        {
            var c = g.Generate(i);
            if (c.Kind != ConversationKind.ToolUse)
            {
                continue;
            }

            toolUse++;
            string request = c.Messages[1].Content;
            var match = frames.Select(f => f.Match(request)).FirstOrDefault(m => m.Success);
            if (match is null)
            {
                continue;
            }

            keyworded++;
            string keyword = match.Groups["kw"].Value.ToLowerInvariant();
            var called = c.Tools.Single(t => t.Name == c.Call!.Name);
            Assert.Contains(keyword, KeywordRequests.Words(called));
            Assert.All(c.Tools.Where(t => t != called), other => Assert.DoesNotContain(keyword, KeywordRequests.Words(other)));
        }

        // Nearly every tool request can be keyworded (a tool with no word of its own keeps its usual wording).
        Assert.True(keyworded > 0.8 * toolUse, $"{keyworded} of {toolUse} tool requests were keyword requests");
    }

    /// <summary>
    /// Stage 7 trained on this stream (seed 7001 and its mixture, `data --count 300` wrote it before keyword requests
    /// existed: SHA-256 below); share 0 must keep it bit for bit, and the held-out split never draws keyword requests.
    /// </summary>
    [Fact]
    public void AtShareZeroAndInTheHeldOutSplitTheStreamIsUnchanged()
    {
        var stage7 = new ConversationGenerator(7001, DataSplit.Train, 0.8, 0.4, 0.5, 0.2, wideWordings: true, keywordShare: 0);
        Assert.Equal("418d2b70b13ac431e0e5750a92382604632c6e8fdc6653bb10da451544b32ee9", Sha256OfDataFile(stage7, 300));

        var plain = new ConversationGenerator(5, DataSplit.Eval, novelShare: 0.8, drillShare: 0.4, longContextShare: 0.2);
        var keyed = new ConversationGenerator(5, DataSplit.Eval, novelShare: 0.8, drillShare: 0.4, longContextShare: 0.2, keywordShare: 1);
        Assert.Equal(Sha256OfDataFile(plain, 300), Sha256OfDataFile(keyed, 300));

        // ...while a share above zero does change the training stream.
        var keyedStage7 = new ConversationGenerator(7001, DataSplit.Train, 0.8, 0.4, 0.5, 0.2, wideWordings: true, keywordShare: 0.3);
        Assert.NotEqual(Sha256OfDataFile(stage7, 300), Sha256OfDataFile(keyedStage7, 300));
    }

    /// <summary>The frames share no window of four words with any held-out wording (<see cref="WideWordingsTests"/>' rule).</summary>
    [Fact]
    public void TheFramesBringNoHeldOutFrame()
    {
        var held = ToolCatalog.All.SelectMany(a => a.EvalRequests).SelectMany(WideWordingsTests.Windows).ToHashSet(StringComparer.Ordinal);
        foreach (string frame in KeywordRequests.Frames)
        {
            string asTemplate = frame.Replace("{kw}", "{x}", StringComparison.Ordinal).Replace("{args}", "{y}", StringComparison.Ordinal);
            Assert.DoesNotContain(WideWordingsTests.Windows(asTemplate), held.Contains);
        }
    }

    /// <summary>The SHA-256 of the first <paramref name="count"/> rows as the <c>data</c> command writes them.</summary>
    private static string Sha256OfDataFile(ConversationGenerator generator, int count)
    {
        string path = Path.Combine(Path.GetTempPath(), $"keyword-requests-{Guid.NewGuid():N}.jsonl");
        try
        {
            JsonlWriter.Write(path, Enumerable.Range(0, count).Select(i => (JsonNode)JsonlWriter.ConversationRow(i, generator.Generate(i))));
            return Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static Regex Pattern(string frame)
    {
        string escaped = Regex.Escape(frame).Replace(@"\{kw}", "(?<kw>[A-Za-z]+)", StringComparison.Ordinal)
            .Replace(@"\{args}", ".+", StringComparison.Ordinal);
        return new Regex("^" + escaped + "$", RegexOptions.CultureInvariant);
    }
}
