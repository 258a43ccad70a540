using Directer.Core.Chat;

namespace Directer.Core.Tests.Chat;

public sealed class ReasoningSplitterTests
{
    [Theory]
    [InlineData("<think>\nplan\n</think>\n\nanswer", false, "plan", "answer")]
    [InlineData("  \n<think>plan</think>answer\n", false, "plan", "answer\n")]
    [InlineData("<think>\n\n</think>\n\nanswer", false, "", "answer")]
    [InlineData("<think>\nplan cut off by max tokens\n", false, "plan cut off by max tokens", "")]
    [InlineData("plan only\n</think>\n\nanswer", true, "plan only", "answer")] // the prompt ended with <think>
    [InlineData("\nline 1\n\nline 2\n</think>answer", true, "line 1\n\nline 2", "answer")]
    [InlineData("answer without reasoning", false, null, "answer without reasoning")]
    [InlineData("  <thinking aloud> is text", false, null, "  <thinking aloud> is text")]
    [InlineData("answer, then <think>late</think>", false, null, "answer, then <think>late</think>")]
    [InlineData("", false, null, "")]
    [InlineData("<thi", false, null, "<thi")]
    public void SplitsLikeTheTemplateReadsItBack(string reply, bool openedByPrompt, string? reasoning, string answer)
    {
        Assert.Equal((reasoning, answer), ReasoningSplitter.Split(reply, openedByPrompt));
    }

    /// <summary>Whatever the piece boundaries (tags and newlines cut anywhere), the pieces join to the whole split.</summary>
    [Theory]
    [InlineData("<think>\nplan\n\n</think>\n\nanswer\n", false)]
    [InlineData(" <think>a</thin</think>b", false)]
    [InlineData("x\n</think\n</think>\n", true)]
    [InlineData("<thinking>", false)]
    public void StreamedPiecesJoinToTheWholeSplit(string reply, bool openedByPrompt)
    {
        var whole = ReasoningSplitter.Split(reply, openedByPrompt);
        for (int a = 0; a <= reply.Length; a++)
        {
            for (int b = a; b <= reply.Length; b++)
            {
                var splitter = new ReasoningSplitter(openedByPrompt);
                var pieces = splitter.Push(reply[..a]).Concat(splitter.Push(reply[a..b])).Concat(splitter.Push(reply[b..])).Concat(splitter.Finish()).ToList();
                string reasoning = string.Concat(pieces.Where(p => p.IsReasoning).Select(p => p.Text));
                string answer = string.Concat(pieces.Where(p => !p.IsReasoning).Select(p => p.Text));
                Assert.Equal(whole, (splitter.SawReasoning ? reasoning : null, answer));
                Assert.DoesNotContain(pieces, p => p.IsReasoning && p.Text.Contains("</think>", StringComparison.Ordinal));
            }
        }
    }

    [Theory]
    [InlineData("<|im_start|>assistant\n<think>\n", true)]
    [InlineData("<|im_start|>assistant\n<think>", true)]
    [InlineData("<|im_start|>assistant\n<think>\n\n</think>\n\n", false)]
    [InlineData("<|im_start|>assistant\n", false)]
    public void APromptOpensReasoningWhenItEndsWithTheOpeningTag(string prompt, bool opens)
    {
        Assert.Equal(opens, ReasoningSplitter.PromptOpensReasoning(prompt));
    }
}
