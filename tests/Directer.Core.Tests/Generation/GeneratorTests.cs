using Directer.Core.Generation;
using Directer.Core.Modeling;
using Directer.Core.Runtime;
using Directer.Core.Tests.Support;
using Directer.Core.Tokenization;
using Directer.Testing;

namespace Directer.Core.Tests.Generation;

public sealed class GeneratorTests : TinyGeneratorTests
{
    private static readonly int[] Prompt = { 1, 17, 42, 5, 88, 23 };

    private Task<GenerationResult> Greedy(int max, IReadOnlyList<int>? eos = null, IReadOnlyList<IReadOnlyList<int>>? stops = null) =>
        Generator.GenerateAsync(Prompt, new GenerationOptions { MaxNewTokens = max, EosTokenIds = eos ?? [], StopSequences = stops ?? [] });

    [Fact]
    public async Task StopsAtTheTokenBudget()
    {
        var result = await Greedy(12);
        Assert.Equal(12, result.Ids.Count);
        Assert.Equal(StopReason.MaxTokens, result.StopReason);
        Assert.Equal(12, result.DecodedTokens);
        Assert.Equal(Prompt.Length, result.PromptTokens);
    }

    [Fact]
    public async Task StopsAtAnyEosIdAndLeavesItOut()
    {
        var free = (await Greedy(12)).Ids;
        int eos = free[4];
        int firstAt = free.ToList().IndexOf(eos);
        var result = await Greedy(12, eos: new[] { 999_999, eos });
        Assert.Equal(StopReason.EndOfSequence, result.StopReason);
        Assert.Equal(free.Take(firstAt), result.Ids);
    }

    [Fact]
    public async Task StopsAtAStopSequenceAndCutsIt()
    {
        var free = (await Greedy(12)).Ids;
        var stop = new[] { free[5], free[6] };
        int at = Enumerable.Range(0, free.Count - 1).First(i => free[i] == stop[0] && free[i + 1] == stop[1]);
        var streamed = new List<int>();
        var result = await Generator.GenerateAsync(Prompt, new GenerationOptions { MaxNewTokens = 12, EosTokenIds = [], StopSequences = [stop] }, onToken: streamed.Add);
        Assert.Equal(StopReason.StopSequence, result.StopReason);
        Assert.Equal(free.Take(at), result.Ids);
        Assert.Equal(result.Ids, streamed); // the stream never showed the stop sequence's first token
    }

    [Fact]
    public async Task AStopStringEndsGenerationAfterTheTokenThatCompletedItAndCutsTheText()
    {
        string folder = Directory.CreateTempSubdirectory("directer-stop-").FullName;
        try
        {
            TinyTokenizer.Write(folder);
            var tokenizer = TextTokenizer.Load(folder);
            var options = new GenerationOptions { MaxNewTokens = 12, EosTokenIds = [], Tokenizer = tokenizer };
            var free = await Generator.GenerateAsync(Prompt, options);
            string text = free.Text!;
            Assert.True(text.Length > 6, $"too little text to test: '{text}'");
            string stop = text.Substring(3, 2);
            int at = text.IndexOf(stop, StringComparison.Ordinal);

            // Independent count: the shortest prefix of the ids whose decoded text holds the stop string.
            int needed = Enumerable.Range(1, free.Ids.Count).First(n => tokenizer.Decode(free.Ids.Take(n).ToList()).Contains(stop, StringComparison.Ordinal));
            var streamed = new List<string>();
            var stopped = await Generator.GenerateAsync(Prompt, options with { StopStrings = [stop] }, null, onToken: null, onText: streamed.Add);
            Assert.Equal(StopReason.StopString, stopped.StopReason);
            Assert.Equal(text[..at], stopped.Text);
            Assert.Equal(text[..at], string.Concat(streamed)); // the stream never showed the stop string
            Assert.Equal(free.Ids.Take(needed), stopped.Ids);
            Assert.Equal(needed, stopped.DecodedTokens);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task StreamingYieldsTheSameIdsAsOneShot()
    {
        var once = await Greedy(10);
        var streamed = new List<int>();
        await foreach (int id in Generator.StreamAsync(Prompt, new GenerationOptions { MaxNewTokens = 10, EosTokenIds = [] }))
        {
            streamed.Add(id);
        }

        Assert.Equal(once.Ids, streamed);
    }

    [Fact]
    public async Task SamplingIsReproducibleWithASeedAndVariesWithout()
    {
        var options = new GenerationOptions { MaxNewTokens = 16, EosTokenIds = [], Temperature = 1.5f, TopK = 40, TopP = 0.95f, Seed = 1234 };
        var a = await Generator.GenerateAsync(Prompt, options);
        var b = await Generator.GenerateAsync(Prompt, options);
        var c = await Generator.GenerateAsync(Prompt, options with { Seed = 99 });
        var greedy = await Greedy(16);
        Assert.Equal(a.Ids, b.Ids);
        Assert.NotEqual(a.Ids, c.Ids);
        Assert.NotEqual(greedy.Ids, a.Ids);
    }

    [Fact]
    public async Task TopKOfOneIsGreedy()
    {
        var sampled = await Generator.GenerateAsync(Prompt, new GenerationOptions { MaxNewTokens = 10, EosTokenIds = [], Temperature = 2f, TopK = 1, Seed = 7 });
        Assert.Equal((await Greedy(10)).Ids, sampled.Ids);
    }

    [Fact]
    public async Task CancellationStopsDecodingAndReleasesTheGenerator()
    {
        using var cts = new CancellationTokenSource();
        int seen = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (int _ in Generator.StreamAsync(Prompt, new GenerationOptions { MaxNewTokens = 50, EosTokenIds = [] }, cancellationToken: cts.Token))
            {
                if (++seen == 3)
                {
                    await cts.CancelAsync();
                }
            }
        });
        Assert.Equal(3, seen);

        // Cancelling inside the decode loop stops it: no more tokens are computed.
        using var inLoop = new CancellationTokenSource();
        int produced = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => Generator.GenerateAsync(
            Prompt, new GenerationOptions { MaxNewTokens = 50, EosTokenIds = [] }, onToken: _ => { if (++produced == 3) inLoop.Cancel(); }, cancellationToken: inLoop.Token));
        Assert.Equal(3, produced);

        var next = await Greedy(5); // the model is free again and the cache is reset
        Assert.Equal((await Greedy(5)).Ids, next.Ids);
    }

    [Fact]
    public async Task BadSettingsAndPromptsAreClearErrors()
    {
        var e1 = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Generator.GenerateAsync(Prompt, new GenerationOptions { TopP = 1.5f }));
        Assert.Contains("TopP", e1.Message);
        var e2 = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => Generator.GenerateAsync(new[] { 1, 5000 }));
        Assert.Contains("outside the vocabulary", e2.Message);
        await Assert.ThrowsAsync<ArgumentException>(() => Generator.GenerateAsync(Array.Empty<int>()));
        var e3 = await Assert.ThrowsAsync<ContextLengthExceededException>(() => Generator.GenerateAsync(Enumerable.Repeat(3, 65).ToArray()));
        Assert.Contains("context size of 64", e3.Message);
    }

    [Fact]
    public async Task AFullContextEndsGenerationWithContextFull()
    {
        var result = await Generator.GenerateAsync(Enumerable.Repeat(3, 60).ToArray(), new GenerationOptions { MaxNewTokens = 100, EosTokenIds = [] });
        Assert.Equal(StopReason.ContextFull, result.StopReason);
        Assert.Equal(5, result.DecodedTokens); // positions 59..63 are decode inputs: the cache holds 64
    }
}
