using System.Text;
using Directer.Core.Tests.Generation.Constraints;
using Directer.Core.Tokenization;
using Directer.Testing;

namespace Directer.Core.Tests.Tokenization;

/// <summary>
/// Added (special) tokens are matched in text exactly, as Hugging Face <c>tokenizers</c> matches non-normalized added
/// tokens: a case variant or a near miss (<c>&lt;|IM_END|&gt;</c>, <c>&lt;|im_end|</c>, <c>&lt;| im_end |&gt;</c>, ...)
/// is ordinary text, encoded without any added-token id and decoded back unchanged. Every tokenizer family: byte-level
/// BPE tokenizer.json (Qwen2, Llama 3, GPT-2 and digit pre-tokenizers, the trained demo tokenizer) and SentencePiece.
/// </summary>
public sealed class SpecialTokenLookAlikeTests : IDisposable
{
    private readonly string directory = Directory.CreateTempSubdirectory("directer-lookalike-").FullName;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    public static TheoryData<string> Families() => ["qwen2", "llama3", "gpt2", "digits", "demo", "sentencepiece"];

    private (TextTokenizer Tokenizer, string[] Added) Load(string family) => family switch
    {
        "demo" => (ConstraintFixtures.DemoTokenizer, ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<tool_call>", "</tool_call>"]),
        "sentencepiece" => (TextTokenizer.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers", "sentencepiece")), ["<s>", "</s>"]),
        _ => (TextTokenizer.Load(TinyTokenizer.Write(Path.Combine(directory, family), preTokenizer: TinyTokenizer.PreTokenizer(family))), TinyTokenizer.Specials),
    };

    /// <summary>Case variants and near misses of <paramref name="token"/>, none equal to it.</summary>
    internal static IEnumerable<string> LookAlikes(string token)
    {
        string inner = token.Trim('<', '>', '|', '/');
        yield return token.ToUpperInvariant();
        yield return ToggleFirstLetter(token);
        yield return ToggleLastLetter(token);
        yield return token[..^1];                                  // "<|im_end|"
        yield return token[1..];                                   // "|im_end|>"
        yield return token.Insert(1, " ");                         // "< |im_end|>"
        yield return token.Insert(token.Length - 1, " ");          // "<|im_end| >"
        yield return token.Replace(inner, $" {inner} ");           // "<| im_end |>"
        yield return token.Replace(inner, inner + "\u200b");       // zero-width space inside
        yield return token.Replace("|", "\uff5c");                 // fullwidth bars (DeepSeek style), or the token unchanged
        yield return token.Replace(inner, inner.Replace('_', '-'));
    }

    private static string ToggleFirstLetter(string s) => Toggle(s, s.IndexOf(s.First(char.IsLetter)));

    private static string ToggleLastLetter(string s) => Toggle(s, s.LastIndexOf(s.Last(char.IsLetter)));

    private static string Toggle(string s, int i)
    {
        var b = new StringBuilder(s);
        b[i] = char.IsUpper(b[i]) ? char.ToLowerInvariant(b[i]) : char.ToUpperInvariant(b[i]);
        return b.ToString();
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void LookAlikesAreOrdinaryText(string family)
    {
        var (tokenizer, added) = Load(family);
        var addedIds = added.Select(a => tokenizer.TokenToId(a) ?? throw new InvalidOperationException($"{family}: no id for {a}")).ToHashSet();
        int checkedCount = 0;
        foreach (string token in added)
        {
            foreach (string lookAlike in LookAlikes(token).Where(l => !added.Contains(l)).Distinct())
            {
                foreach (string text in new[] { lookAlike, $"say {lookAlike} now", $"x{lookAlike}{lookAlike}y" })
                {
                    var ids = tokenizer.Encode(text);
                    Assert.True(!ids.Any(addedIds.Contains), $"{family}: '{text}' encoded with an added-token id: {string.Join(",", ids)}");
                    Assert.True(!ids.Any(tokenizer.IsSpecial), $"{family}: '{text}' encoded with a special id: {string.Join(",", ids)}");
                    Assert.Equal(NoSpaces(text), NoSpaces(tokenizer.Decode(ids)));
                    checkedCount++;
                }
            }
        }

        Assert.True(checkedCount >= 30 * added.Length / 2, $"{family}: only {checkedCount} look-alikes checked");
    }

    [Theory]
    [MemberData(nameof(Families))]
    public void TheExactTokenNextToALookAlikeIsStillOneId(string family)
    {
        var (tokenizer, added) = Load(family);
        foreach (string token in added)
        {
            int id = tokenizer.TokenToId(token)!.Value;
            string upper = token.ToUpperInvariant();
            var ids = tokenizer.Encode($"a{upper}{token}b");
            Assert.Equal(1, ids.Count(i => i == id));
            Assert.Equal($"a{upper}{token}b", NoSpaces(tokenizer.Decode(ids)));
        }
    }

    // Prefix spaces (ByteLevel add_prefix_space, SentencePiece's dummy prefix after a special token) are the
    // families' own decoding rules; the characters must survive.
    private static string NoSpaces(string s) => s.Replace(" ", "", StringComparison.Ordinal);

    [Fact]
    public void LookAlikesDifferFromTheirToken()
    {
        foreach (string token in TinyTokenizer.Specials.Concat(["<s>", "</s>", "<tool_call>"]))
        {
            var variants = LookAlikes(token).ToList();
            Assert.Contains(token.ToUpperInvariant(), variants);
            Assert.True(variants.Count(v => v != token) >= 9, token);
        }
    }
}
