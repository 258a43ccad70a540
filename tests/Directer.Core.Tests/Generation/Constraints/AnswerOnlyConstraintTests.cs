using System.Text;
using System.Text.Json.Nodes;
using Directer.Core.Generation;
using Directer.Core.Generation.Constraints;
using Directer.Core.Tokenization;
using Directer.Testing;

namespace Directer.Core.Tests.Generation.Constraints;

/// <summary>
/// <see cref="AnswerOnlyConstraint"/> on its own, with an inner constraint that records what it is told: the reasoning
/// block (opened by the prompt, by the <c>&lt;think&gt;</c> token first, or by the reply's first non-whitespace text)
/// passes freely and is never fed to the inner constraint; after <c>&lt;/think&gt;</c> the inner one starts afresh, the
/// whitespace before the answer stays allowed and is not fed to it; a reply that does not open with the tag is all
/// answer. The tokenizer is the tiny byte-level one (a byte token's id is the byte) with Qwen3's tags as non-special
/// added tokens, a special token of three spaces and a vocabulary token that closes a block in its own bytes.
/// </summary>
public sealed class AnswerOnlyConstraintTests : IDisposable
{
    private const int Think = 271, EndThink = 272, SpecialSpaces = 273, ClosingRun = 274;
    private const int Newline = '\n', Space = ' ', Tab = '\t', Return = '\r', X = 'x';

    private readonly string directory = Directory.CreateTempSubdirectory("directer-answer-only-").FullName;
    private readonly TextTokenizer tokenizer;

    public AnswerOnlyConstraintTests()
    {
        tokenizer = TextTokenizer.Load(TinyTokenizer.Write(directory, edit: root =>
        {
            var added = root["added_tokens"]!.AsArray();
            added.Add(Added(Think, "<think>", special: false));
            added.Add(Added(EndThink, "</think>", special: false));
            added.Add(Added(SpecialSpaces, "   ", special: true));
            root["model"]!["vocab"]![string.Concat(Encoding.UTF8.GetBytes("k>ok</think>").Select(b => TinyTokenizer.ByteChar(b)))] = ClosingRun;
        }));
        Assert.Equal(275, tokenizer.VocabSize);
    }

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private static JsonObject Added(int id, string content, bool special) => new()
    {
        ["id"] = id, ["content"] = content, ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = false, ["special"] = special,
    };

    private int Vocab => tokenizer.VocabSize;

    /// <summary>A mask allowing only <paramref name="ids"/>.</summary>
    private static bool[] Only(int vocabSize, params int[] ids)
    {
        var mask = new bool[vocabSize];
        foreach (int id in ids)
        {
            mask[id] = true;
        }

        return mask;
    }

    private static int[] Allowed(bool[]? mask) => mask is null ? [] : Enumerable.Range(0, mask.Length).Where(i => mask[i]).ToArray();

    private static void AcceptText(AnswerOnlyConstraint constraint, string text)
    {
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            constraint.Accept(b);
        }
    }

    private static int[] Bytes(string text) => Encoding.UTF8.GetBytes(text).Select(b => (int)b).ToArray();

    [Fact]
    public void AReasoningBlockOpenedByThePromptIsFreeAndTheAnswerStartsTheInnerConstraintAfresh()
    {
        var inner = new Recorder { Mask = Only(Vocab, X), Choices = [[1, 2], [3]] };
        var constraint = new AnswerOnlyConstraint(inner, tokenizer, openedByPrompt: true);
        Assert.Same(inner, constraint.Inner);
        constraint.Begin();
        Assert.Equal(["Begin"], inner.Log);

        // Reasoning: nothing is masked, no choice is pending, and nothing reaches the inner constraint.
        Assert.Null(constraint.AllowedNext(Vocab));
        Assert.Empty(constraint.PendingChoices());
        Assert.Equal("No choice is pending while the model reasons.", Assert.Throws<InvalidOperationException>(() => constraint.Choose(0)).Message);
        AcceptText(constraint, "Maybe <tool_call>{\"name\": \"bogus\"}");
        Assert.Equal(["Begin"], inner.Log);

        // The closing tag: the inner constraint starts afresh; the whitespace before the answer is allowed besides its mask.
        constraint.Accept(EndThink);
        Assert.Equal(["Begin", "Begin"], inner.Log);
        var lead = constraint.AllowedNext(Vocab);
        Assert.Equal([Tab, Newline, Return, Space, X], Allowed(lead));
        Assert.NotSame(inner.Mask, lead);
        Assert.Equal([X], Allowed(inner.Mask));  // the inner constraint's array is left as it was
        Assert.Equal([Tab, Newline, Return, Space, X], Allowed(constraint.AllowedNext(Vocab)));
        constraint.Accept(Newline);
        constraint.Accept(Newline);
        Assert.Equal(["Begin", "Begin", "AllowedNext", "AllowedNext"], inner.Log);

        // The answer's first text goes to the inner constraint, and from then on everything does, whitespace too.
        constraint.Accept(X);
        Assert.Same(inner.Mask, constraint.AllowedNext(Vocab));
        constraint.Accept(Newline);
        Assert.Same(inner.Choices, constraint.PendingChoices());
        constraint.Choose(1);
        Assert.Equal(["Begin", "Begin", "AllowedNext", "AllowedNext", $"Accept {X}", "AllowedNext", $"Accept {Newline}", "Pending", "Choose 1"], inner.Log);
    }

    [Fact]
    public void BeforeTheAnswerAnInnerConstraintWithoutAMaskStaysWithout()
    {
        var inner = new Recorder();
        var constraint = new AnswerOnlyConstraint(inner, tokenizer, openedByPrompt: true);
        constraint.Begin();
        constraint.Accept(EndThink);
        Assert.Null(constraint.AllowedNext(Vocab));

        constraint = new AnswerOnlyConstraint(inner, tokenizer, openedByPrompt: false);
        constraint.Begin();
        Assert.Null(constraint.AllowedNext(Vocab));
    }

    /// <summary>The answer's whitespace tokens are found per vocabulary size: padding ids past the tokenizer are none, nor is a special token of spaces.</summary>
    [Fact]
    public void TheWhitespaceBeforeTheAnswerIsEveryPlainWhitespaceTokenOfTheModelsVocabulary()
    {
        var inner = new Recorder { Mask = Only(Vocab, X) };
        var constraint = new AnswerOnlyConstraint(inner, tokenizer, openedByPrompt: true);
        constraint.Begin();
        constraint.Accept(EndThink);
        Assert.Equal([Tab, Newline, Return, Space, X], Allowed(constraint.AllowedNext(Vocab)));
        Assert.DoesNotContain(SpecialSpaces, Allowed(constraint.AllowedNext(Vocab)));

        inner.Mask = Only(Vocab + 5, X, Vocab + 4);
        Assert.Equal([Tab, Newline, Return, Space, X, Vocab + 4], Allowed(constraint.AllowedNext(Vocab + 5)));
        inner.Mask = Only(200, X);
        Assert.Equal([Tab, Newline, Return, Space, X], Allowed(constraint.AllowedNext(200)));
    }

    [Fact]
    public void TheOpeningTagStaysAllowedAtTheStartOnlyAndIsNotFedToTheInnerConstraint()
    {
        var inner = new Recorder { Mask = Only(Vocab, X) };
        var constraint = new AnswerOnlyConstraint(inner, tokenizer, openedByPrompt: false);
        constraint.Begin();
        var first = constraint.AllowedNext(Vocab);
        Assert.Equal([X, Think], Allowed(first));
        Assert.Equal([X], Allowed(inner.Mask));  // a copy

        // A mask that allows the tag already is handed on as it is; so is one too short to hold the tag's id.
        inner.Mask = Only(Vocab, X, Think);
        Assert.Same(inner.Mask, constraint.AllowedNext(Vocab));
        inner.Mask = Only(Think, X);
        Assert.Same(inner.Mask, constraint.AllowedNext(Think));
        inner.Mask = Only(Think + 1, X);
        Assert.Equal([X, Think], Allowed(constraint.AllowedNext(Think + 1)));

        inner.Mask = Only(Vocab, X);
        inner.Log.Clear();
        Assert.Empty(constraint.PendingChoices());
        Assert.Equal(["Pending"], inner.Log);
        constraint.Accept(Think);
        Assert.Equal(["Pending"], inner.Log);
        Assert.Null(constraint.AllowedNext(Vocab));
        constraint.Accept(X);
        constraint.Accept(EndThink);
        Assert.Equal(["Pending", "Begin"], inner.Log);
    }

    [Fact]
    public void AReplyThatOpensWithOtherTextIsAllAnswer()
    {
        var inner = new Recorder { Mask = Only(Vocab, X, Think, EndThink, 'H', 'i') };
        var constraint = new AnswerOnlyConstraint(inner, tokenizer, openedByPrompt: false);
        constraint.Begin();
        AcceptText(constraint, " Hi");
        constraint.Accept(Think);
        constraint.Accept(EndThink);
        Assert.Same(inner.Mask, constraint.AllowedNext(Vocab));
        Assert.Equal(new[] { "Begin" }.Concat(Bytes(" Hi").Append(Think).Append(EndThink).Select(id => $"Accept {id}")).Append("AllowedNext"), inner.Log);

        // "<t" could still become the tag; "<tx" cannot.
        constraint.Begin();
        AcceptText(constraint, "<t");
        Assert.Same(inner.Mask, constraint.AllowedNext(Vocab));  // past the first token: the tag token is not added
        constraint.Accept(X);
        constraint.Accept(EndThink);
        Assert.Equal($"Accept {EndThink}", inner.Log[^1]);
    }

    /// <summary>The tag written as text after whitespace opens the block; the bytes after the tag are reasoning, and a closing tag among them ends it.</summary>
    [Fact]
    public void TheTagWrittenAsTextAfterWhitespaceOpensTheBlock()
    {
        var inner = new Recorder { Mask = Only(Vocab, X) };
        var constraint = new AnswerOnlyConstraint(inner, tokenizer, openedByPrompt: false);
        constraint.Begin();
        AcceptText(constraint, "\n <th");
        Assert.NotNull(constraint.AllowedNext(Vocab));
        AcceptText(constraint, "ink>");
        Assert.Null(constraint.AllowedNext(Vocab));
        Assert.Equal(new[] { "Begin" }.Concat(Bytes("\n <th").Select(id => $"Accept {id}")).Append("AllowedNext").Concat(Bytes("ink>").Select(id => $"Accept {id}")), inner.Log);

        // The closing tag in pieces, each a token.
        AcceptText(constraint, "so </th");
        Assert.Null(constraint.AllowedNext(Vocab));
        AcceptText(constraint, "ink");
        Assert.Null(constraint.AllowedNext(Vocab));
        int before = inner.Log.Count;
        AcceptText(constraint, ">");
        Assert.Equal("Begin", inner.Log[before]);
        Assert.NotNull(constraint.AllowedNext(Vocab));

        // The tag token after whitespace is text of the lead too.
        constraint.Begin();
        constraint.Accept(Newline);
        constraint.Accept(Think);
        Assert.Null(constraint.AllowedNext(Vocab));

        // One token that finishes the tag and holds the whole block: the answer starts after it.
        constraint.Begin();
        AcceptText(constraint, "\n<thin");
        inner.Log.Clear();
        constraint.Accept(ClosingRun);
        Assert.Equal([$"Accept {ClosingRun}", "Begin"], inner.Log);
        Assert.Equal([Tab, Newline, Return, Space, X], Allowed(constraint.AllowedNext(Vocab)));
    }

    /// <summary>The tag written as text at the very start of the reply, without whitespace before it, opens the block too.</summary>
    [Fact]
    public void TheTagWrittenAsTextAtTheVeryStartOpensTheBlock()
    {
        var inner = new Recorder { Mask = Only(Vocab, X) };
        var constraint = new AnswerOnlyConstraint(inner, tokenizer, openedByPrompt: false);
        constraint.Begin();
        AcceptText(constraint, "<th");
        Assert.Same(inner.Mask, constraint.AllowedNext(Vocab));
        AcceptText(constraint, "ink>");
        Assert.Null(constraint.AllowedNext(Vocab));
        constraint.Accept(EndThink);
        Assert.Equal("Begin", inner.Log[^1]);
    }

    /// <summary>A tokenizer without the tag as a token adds nothing to the first mask, and its first token is lead text like any other.</summary>
    [Fact]
    public void WithoutATagTokenTheFirstMaskIsTheInnerOnes()
    {
        var plain = TextTokenizer.Load(TinyTokenizer.Write(Path.Combine(directory, "plain")));
        Assert.Null(plain.TokenToId("<think>"));
        var inner = new Recorder { Mask = Only(plain.VocabSize, X) };
        var constraint = new AnswerOnlyConstraint(inner, plain, openedByPrompt: false);
        constraint.Begin();
        Assert.Same(inner.Mask, constraint.AllowedNext(plain.VocabSize));
        constraint.Accept(1);
        Assert.Equal(["Begin", "AllowedNext", "Accept 1"], inner.Log);
    }

    /// <summary>
    /// An id below 0 is no token: refused naming it, and nothing changes. Without a tag token (whose id then reads as −1)
    /// −1 used to open the reasoning block, so the inner constraint was never asked again.
    /// </summary>
    [Theory]
    [InlineData(-1)]
    [InlineData(-2)]
    public void AnIdBelowZeroIsRefusedNamingItAndChangesNothing(int id)
    {
        var plain = TextTokenizer.Load(TinyTokenizer.Write(Path.Combine(directory, $"below-zero{id}")));
        Assert.Null(plain.TokenToId("<think>"));
        var inner = new Recorder { Mask = Only(plain.VocabSize, X) };
        var constraint = new AnswerOnlyConstraint(inner, plain, openedByPrompt: false);
        constraint.Begin();
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => constraint.Accept(id));
        Assert.Equal("tokenId", error.ParamName);
        Assert.StartsWith($"Token id {id} is below 0; token ids start at 0.", error.Message, StringComparison.Ordinal);
        Assert.Same(inner.Mask, constraint.AllowedNext(plain.VocabSize));
        Assert.Equal(["Begin", "AllowedNext"], inner.Log);
    }

    /// <summary>The tag token may have id 0: it is added to the first mask and opens the block.</summary>
    [Fact]
    public void TheTagTokenMayHaveIdZero()
    {
        var first = TextTokenizer.Load(TinyTokenizer.Write(Path.Combine(directory, "think-first"), edit: root =>
        {
            root["model"]!["vocab"]![TinyTokenizer.ByteChar(0)] = 271;
            root["added_tokens"]!.AsArray().Add(Added(0, "<think>", special: false));
        }));
        Assert.Equal(0, first.TokenToId("<think>"));
        var inner = new Recorder { Mask = Only(first.VocabSize, X) };
        var constraint = new AnswerOnlyConstraint(inner, first, openedByPrompt: false);
        constraint.Begin();
        Assert.Equal([0, X], Allowed(constraint.AllowedNext(first.VocabSize)));
        constraint.Accept(0);
        Assert.Null(constraint.AllowedNext(first.VocabSize));
        Assert.Equal(["Begin", "AllowedNext"], inner.Log);
    }

    /// <summary>A long reasoning text keeps only what could still begin the closing tag; a tag split after many bytes still closes it.</summary>
    [Fact]
    public void AClosingTagSplitAcrossTokensAfterLongReasoningIsFound()
    {
        var inner = new Recorder();
        var constraint = new AnswerOnlyConstraint(inner, tokenizer, openedByPrompt: true);
        foreach (string split in new[] { "<", "</", "</t", "</th", "</thi", "</thin", "</think" })
        {
            constraint.Begin();
            inner.Log.Clear();
            AcceptText(constraint, new string('r', 40) + split);
            AcceptText(constraint, "</think>"[split.Length..]);
            Assert.Equal(["Begin"], inner.Log);
        }

        // Bytes that only look like the tag's start, then are not, keep the block open.
        constraint.Begin();
        inner.Log.Clear();
        AcceptText(constraint, "</thinx </think");
        Assert.Empty(inner.Log);
        AcceptText(constraint, ">");
        Assert.Equal(["Begin"], inner.Log);
    }

    /// <summary>Begin forgets the last generation: its lead, its reasoning tail and its phase.</summary>
    [Fact]
    public void BeginForgetsTheLastGeneration()
    {
        var inner = new Recorder { Mask = Only(Vocab, X) };
        var constraint = new AnswerOnlyConstraint(inner, tokenizer, openedByPrompt: false);
        constraint.Begin();
        AcceptText(constraint, "\n<thi");
        constraint.Begin();
        Assert.Equal([X, Think], Allowed(constraint.AllowedNext(Vocab)));  // the lead is empty again
        AcceptText(constraint, "nk>");
        Assert.Same(inner.Mask, constraint.AllowedNext(Vocab));             // "nk>" is answer text, not the rest of a tag

        var reasoning = new AnswerOnlyConstraint(inner, tokenizer, openedByPrompt: true);
        reasoning.Begin();
        AcceptText(reasoning, "</thi");
        reasoning.Begin();
        AcceptText(reasoning, "nk>");
        Assert.Null(reasoning.AllowedNext(Vocab));                          // the tail "</thi" was forgotten
        reasoning.Accept(EndThink);
        Assert.NotNull(reasoning.AllowedNext(Vocab));
        reasoning.Begin();
        Assert.Null(reasoning.AllowedNext(Vocab));                          // reasoning again, as the prompt says
    }

    private sealed class Recorder : IChoiceConstraint
    {
        public List<string> Log { get; } = [];

        public bool[]? Mask { get; set; }

        public IReadOnlyList<IReadOnlyList<int>> Choices { get; set; } = [];

        public void Begin() => Log.Add("Begin");

        public IReadOnlyList<IReadOnlyList<int>> PendingChoices()
        {
            Log.Add("Pending");
            return Choices;
        }

        public void Choose(int index) => Log.Add($"Choose {index}");

        public bool[]? AllowedNext(int vocabSize)
        {
            Log.Add("AllowedNext");
            return Mask;
        }

        public void Accept(int tokenId) => Log.Add($"Accept {tokenId}");
    }
}
