using Directer.Core.Templates;
using Directer.Core.Templates.Jinja;

namespace Directer.Core.Tests.Templates.Jinja;

/// <summary>Which characters of a rendered string are verbatim message content (<see cref="ContentRun"/>): the
/// knowledge that keeps control-token strings inside content from becoming special tokens, and that places emphasis.
/// A run must cover exactly the characters copied from content, never an escape that tojson wrote instead of one.
/// The JSON text itself is Python's <c>json.dumps</c> (the same strings are in jinja_syntax.json's tojson cases).</summary>
public sealed class JinjaContentTrackingTests
{
    private static readonly JinjaJson.Options Plain = new(Indent: null, ItemSeparator: ", ", KeySeparator: ": ", SortKeys: false, EnsureAscii: false);

    private static readonly JinjaJson.Options Ascii = Plain with { EnsureAscii = true };

    /// <summary>Every run's characters are the content characters it claims, so a wrong offset cannot pass.</summary>
    private static void AssertRunsCopyTheContent(TrackedString value, IReadOnlyDictionary<int, string> contents)
    {
        foreach (var run in value.Runs)
        {
            Assert.Equal(contents[run.Source].Substring(run.ContentStart, run.Length), value.Text.Substring(run.Offset, run.Length));
        }
    }

    [Fact]
    public void ToJsonOfContentTracksTheCharactersWrittenAsTheyAreAndNotTheEscapes()
    {
        const string content = "a\"é<";
        var json = Assert.IsType<TrackedString>(JinjaJson.Dumps(TrackedString.Content(content, 2), Plain, 1));
        Assert.Equal("\"a\\\"é<\"", json.Text);
        Assert.Equal([new ContentRun(2, 0, 1, 1), new ContentRun(2, 2, 4, 2)], json.Runs);
        AssertRunsCopyTheContent(json, new Dictionary<int, string> { [2] = content });
    }

    [Fact]
    public void ToJsonWithEnsureAsciiTurnsContentPastTildeIntoMarkup()
    {
        // json.dumps("a\"é<~\x7f", ensure_ascii=True) == '"a\\"\\u00e9<~\\u007f"': '~' is the last character kept.
        const string content = "a\"é<~\u007f";
        var json = Assert.IsType<TrackedString>(JinjaJson.Dumps(TrackedString.Content(content, 0), Ascii, 1));
        Assert.Equal("\"a\\\"\\u00e9<~\\u007f\"", json.Text);
        Assert.Equal([new ContentRun(0, 0, 1, 1), new ContentRun(0, 3, 10, 2)], json.Runs);
        AssertRunsCopyTheContent(json, new Dictionary<int, string> { [0] = content });
    }

    [Fact]
    public void RunsOfDifferentSourcesOrNonAdjacentContentStaySeparateAndAdjacentOnesMerge()
    {
        // "xabcy": a from message 0 (char 0), b from message 1 (char 5), c from message 1 (char 7), y untracked;
        // then "pq" from message 3, chars 4 and 5, held as two runs that meet: written as one; z after every run.
        var value = new TrackedString("xabcypqz",
        [
            new ContentRun(0, 0, 1, 1), new ContentRun(1, 5, 2, 1), new ContentRun(1, 7, 3, 1),
            new ContentRun(3, 4, 5, 1), new ContentRun(3, 5, 6, 1),
        ]);
        var json = Assert.IsType<TrackedString>(JinjaJson.Dumps(value, Plain, 1));
        Assert.Equal("\"xabcypqz\"", json.Text);
        Assert.Equal([new ContentRun(0, 0, 2, 1), new ContentRun(1, 5, 3, 1), new ContentRun(1, 7, 4, 1), new ContentRun(3, 4, 6, 2)], json.Runs);
    }

    [Fact]
    public void AnEscapeInsideARunSplitsItAndTheRestKeepsItsContentPositions()
    {
        // One run "ab\ncd" of message 4 starting at its character 10, after two untracked characters.
        var value = new TrackedString("__ab\ncd", [new ContentRun(4, 10, 2, 5)]);
        var json = Assert.IsType<TrackedString>(JinjaJson.Dumps(value, Plain, 1));
        Assert.Equal("\"__ab\\ncd\"", json.Text);
        Assert.Equal([new ContentRun(4, 10, 3, 2), new ContentRun(4, 13, 7, 2)], json.Runs);
    }

    [Fact]
    public void KeysOfConversationDataAreTrackedAsDataAndPlainKeysAreNot()
    {
        var data = new JinjaDict { KeysAreData = true };
        data.Set("<k>", 1L);
        data.Set(string.Empty, 2L);
        var json = Assert.IsType<TrackedString>(JinjaJson.Dumps(data, Plain, 1));
        Assert.Equal("{\"<k>\": 1, \"\": 2}", json.Text);
        Assert.Equal([new ContentRun(TrackedString.DataSource, 0, 2, 3)], json.Runs);

        var plain = new JinjaDict();
        plain.Set("<k>", 1L);
        Assert.Equal("{\"<k>\": 1}", Assert.IsType<string>(JinjaJson.Dumps(plain, Plain, 1)));
    }

    [Fact]
    public void ASliceKeepsOnlyTheRunsInsideItAndASliceOfNoContentIsAPlainString()
    {
        var value = new TrackedString("abcdef", [new ContentRun(5, 10, 1, 3)]); // "bcd" is content 10..12 of message 5
        var middle = Assert.IsType<TrackedString>(value.Slice(2, 3));
        Assert.Equal("cde", middle.Text);
        Assert.Equal([new ContentRun(5, 11, 0, 2)], middle.Runs);
        Assert.Equal("ef", Assert.IsType<string>(value.Slice(4, 2))); // starts where the run ends
        Assert.Equal("a", Assert.IsType<string>(value.Slice(0, 1))); // ends where the run starts
        Assert.Same(value, value.Slice(0, 6));
    }

    [Fact]
    public void EmptyContentHasNoRunsAndEmptyDataIsAPlainString()
    {
        Assert.Empty(TrackedString.Content(string.Empty, 3).Runs);
        Assert.Equal(string.Empty, Assert.IsType<string>(TrackedString.Data(string.Empty)));
        Assert.Equal([new ContentRun(TrackedString.DataSource, 0, 0, 2)], Assert.IsType<TrackedString>(TrackedString.Data("id")).Runs);
    }

    [Fact]
    public void CapturedOutputIsTrackedOnlyWhenItHoldsContent()
    {
        var output = new JinjaOutput();
        output.Append("ab");
        Assert.Equal("ab", Assert.IsType<string>(output.ToValue()));
        output.Write(TrackedString.Content("xy", 7));
        var captured = Assert.IsType<TrackedString>(output.ToValue());
        Assert.Equal("abxy", captured.Text);
        Assert.Equal([new ContentRun(7, 0, 2, 2)], captured.Runs);
    }

    [Fact]
    public void ABlockSetAndAMacroKeepTheContentTheyCapture()
    {
        var template = JinjaTemplate.Compile("{% set b %}<{{ m }}>{% endset %}{% macro w() %}[{{ m }}]{% endmacro %}{{ b }}{{ w() }}");
        var output = template.Render([new("m", TrackedString.Content("hi", 0))]);
        Assert.Equal("<hi>[hi]", output.ToString());
        Assert.Equal([new ContentRun(0, 0, 1, 2), new ContentRun(0, 0, 5, 2)], output.Runs);
    }
}
