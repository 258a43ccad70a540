using Directer.Core.Tokenization.PreTokenization;

namespace Directer.Core.Tests.Tokenization;

/// <summary>
/// The translation of Hugging Face's <c>Split</c> regexes (Oniguruma, Ruby syntax, as the Rust <c>tokenizers</c> compiles
/// them) into .NET regexes, checked by what the translated pattern matches: every expectation is Oniguruma's documented
/// behaviour (doc/RE of Oniguruma 6.9: possessive <c>?+ *+ ++</c>, <c>{n,m}+</c> read as a repeat of the interval in the
/// Ruby syntax, <c>\h</c> a hexadecimal digit, <c>\w</c> Letter | Mark | Decimal_Number | Connector_Punctuation,
/// property names compared ignoring case, spaces, <c>_</c> and <c>-</c>, <c>^</c>/<c>$</c> line anchors), and every
/// construct that cannot be carried over faithfully is refused with the product's exact message (the loader wraps it
/// into the tokenizer.json error).
/// </summary>
public sealed class OnigurumaPatternTests
{
    private static string[] Matches(string pattern, string text)
    {
        var ranges = new List<(int Start, int End)>();
        new CodePointRegex(OnigurumaPatternTranslator.Compile(pattern)).Matches(text, ranges);
        return ranges.Select(r => text[r.Start..r.End]).ToArray();
    }

    private static string Refusal(string pattern) =>
        Assert.Throws<NotSupportedException>(() => OnigurumaPatternTranslator.Compile(pattern)).Message;

    [Theory]
    [InlineData("a++a", "aaa", new string[0])]           // possessive: the a+ keeps every a, the last a never matches
    [InlineData("a*+a", "aaa", new string[0])]
    [InlineData("a?+a", "a", new string[0])]
    [InlineData("a?+b", "ab b", new[] { "ab", "b" })]
    [InlineData("a+a", "aaa", new[] { "aaa" })]          // the greedy form backtracks
    [InlineData("a+?", "aaa", new[] { "a", "a", "a" })]  // lazy stays lazy
    [InlineData("a+?b", "aab", new[] { "aab" })]
    [InlineData("ba*?", "baa", new[] { "b" })]
    [InlineData("a{1,", "a{1,", new[] { "a{1," })]        // an interval cut at the end of the pattern is a literal
    [InlineData("a??b", "ab", new[] { "ab" })]
    [InlineData("(?:ab)++b", "ababb", new[] { "ababb" })] // a possessive group: nothing to give back, the b follows
    [InlineData("[ab]++b", "abab", new string[0])]
    [InlineData(@"\p{L}++\p{L}", "abc", new string[0])]
    [InlineData("a{2}", "aaaaa", new[] { "aa", "aa" })]
    [InlineData("a{2}+", "aaaaa", new[] { "aaaa" })]      // Ruby syntax: (a{2})+, not a possessive {2}
    [InlineData("a{1,2}+a", "aaaa", new[] { "aaaa" })]    // (a{1,2})+ then a: it backtracks
    [InlineData("a{2,}", "a aaa", new[] { "aaa" })]
    [InlineData("ba{,2}", "b baaa", new[] { "b", "baa" })] // {,m} is {0,m}
    [InlineData("a{1,2}?", "aa", new[] { "a", "a" })]
    [InlineData("a{x", "a{x", new[] { "a{x" })]          // a brace that starts no interval is a literal
    [InlineData("a{,}", "a{,}", new[] { "a{,}" })]
    [InlineData("a{2", "aa{2", new[] { "a{2" })]
    [InlineData("{", "{{", new[] { "{", "{" })]
    [InlineData("{+", "{{", new[] { "{{" })]             // the literal brace is an atom that a quantifier repeats
    public void QuantifiersMeanWhatTheyMeanInOniguruma(string pattern, string text, string[] expected)
    {
        Assert.Equal(expected, Matches(pattern, text));
    }

    [Theory]
    [InlineData("(?:ab)+", "abab", new[] { "abab" })]
    [InlineData("(ab)+", "abab", new[] { "abab" })]
    [InlineData("a(?=b)", "ab ac", new[] { "a" })]
    [InlineData("a(?!b)", "ab ac", new[] { "a" })]
    [InlineData("(?>a+)a", "aaa", new string[0])]
    [InlineData("(?<=a)b", "ab cb", new[] { "b" })]
    [InlineData("(?<!a)b", "ab cb", new[] { "b" })]
    [InlineData("(?<n>a)+", "aa", new[] { "aa" })]
    [InlineData("(?'n'a)+", "aa", new[] { "aa" })]
    [InlineData("(?#a comment)b+", "bb", new[] { "bb" })]
    [InlineData("(?i)ab", "AB ab", new[] { "AB", "ab" })]
    [InlineData("(?i:a)b", "Ab AB", new[] { "Ab" })]
    [InlineData("(?i-x:a)+", "aA", new[] { "aA" })]
    [InlineData("(?i)a|(?-i)b", "AB", new[] { "A" })]
    public void GroupsAndOptionsCarryOver(string pattern, string text, string[] expected)
    {
        Assert.Equal(expected, Matches(pattern, text));
    }

    [Theory]
    [InlineData(@"\p{L}+", "ab1", new[] { "ab" })]
    [InlineData(@"\pL+", "ab1", new[] { "ab" })]
    [InlineData(@"\PL+", "ab12", new[] { "12" })]
    [InlineData(@"\p{^L}+", "ab12", new[] { "12" })]
    [InlineData(@"\P{^L}+", "ab12", new[] { "ab" })]
    [InlineData(@"\p{Letter}+", "aé1", new[] { "aé" })]
    [InlineData(@"\p{Uppercase_Letter}+", "ABc", new[] { "AB" })]
    [InlineData(@"\p{uppercase letter}+", "ABc", new[] { "AB" })]
    [InlineData(@"\p{Uppercase-Letter}+", "ABc", new[] { "AB" })]
    [InlineData(@"\p{lu}+", "ABc", new[] { "AB" })]
    [InlineData(@"\p{N}+", "a12²", new[] { "12²" })]
    [InlineData(@"\p{Nd}+", "a12²", new[] { "12" })]
    [InlineData(@"\p{Combining_Mark}", "e\u0301", new[] { "\u0301" })]
    [InlineData(@"\p{Other_Number}", "a12²", new[] { "²" })]
    [InlineData(@"[\p{L}\p{N}]+", "a1 b", new[] { "a1", "b" })]
    [InlineData(@"[^\s\p{L}\p{N}]+", "a!? b", new[] { "!?" })]
    public void PropertyNamesAreGeneralCategoriesInAnySpelling(string pattern, string text, string[] expected)
    {
        Assert.Equal(expected, Matches(pattern, text));
    }

    /// <summary>
    /// Every long name Oniguruma accepts for a general category (and the short one) means that category, checked on a
    /// character of it (the same characters <c>CodePointRegex</c> stands in for supplementary ones, plus the
    /// separators, controls and a surrogate-free "Other").
    /// </summary>
    [Theory]
    [InlineData("Uppercase_Letter", "Lu", 'A')]
    [InlineData("Lowercase_Letter", "Ll", 'a')]
    [InlineData("Titlecase_Letter", "Lt", '\u01C5')]
    [InlineData("Modifier_Letter", "Lm", '\u02B0')]
    [InlineData("Other_Letter", "Lo", '\u05D0')]
    [InlineData("Mark", "M", '\u0300')]
    [InlineData("Nonspacing_Mark", "Mn", '\u0300')]
    [InlineData("Spacing_Mark", "Mc", '\u0903')]
    [InlineData("Enclosing_Mark", "Me", '\u20DD')]
    [InlineData("Number", "N", '7')]
    [InlineData("Decimal_Number", "Nd", '7')]
    [InlineData("Letter_Number", "Nl", '\u2160')]
    [InlineData("Other_Number", "No", '\u00B2')]
    [InlineData("Punctuation", "P", '!')]
    [InlineData("Connector_Punctuation", "Pc", '_')]
    [InlineData("Dash_Punctuation", "Pd", '-')]
    [InlineData("Open_Punctuation", "Ps", '(')]
    [InlineData("Close_Punctuation", "Pe", ')')]
    [InlineData("Initial_Punctuation", "Pi", '\u00AB')]
    [InlineData("Final_Punctuation", "Pf", '\u00BB')]
    [InlineData("Other_Punctuation", "Po", '!')]
    [InlineData("Symbol", "S", '+')]
    [InlineData("Math_Symbol", "Sm", '+')]
    [InlineData("Currency_Symbol", "Sc", '$')]
    [InlineData("Modifier_Symbol", "Sk", '^')]
    [InlineData("Other_Symbol", "So", '\u00A6')]
    [InlineData("Separator", "Z", ' ')]
    [InlineData("Space_Separator", "Zs", ' ')]
    [InlineData("Line_Separator", "Zl", '\u2028')]
    [InlineData("Paragraph_Separator", "Zp", '\u2029')]
    [InlineData("Other", "C", '\u0001')]
    [InlineData("Control", "Cc", '\u0001')]
    [InlineData("Format", "Cf", '\u00AD')]
    [InlineData("Private_Use", "Co", '\uE000')]
    [InlineData("Unassigned", "Cn", '\u0378')]
    public void EveryGeneralCategoryNameIsKnown(string longName, string shortName, char member)
    {
        string text = "\u3000x" + member; // an ideographic space (Zs) and a lowercase letter before the member
        string[] expected = longName is "Separator" or "Space_Separator" ? ["\u3000", " "]
            : longName is "Lowercase_Letter" ? ["x", "a"]
            : [member.ToString()];

        Assert.Equal(expected, Matches(@"\p{" + longName + "}", text));
        Assert.Equal(expected, Matches(@"\p{" + shortName + "}", text));
    }

    [Fact]
    public void SurrogateCategoryIsKnownAndMatchesNoPairedCodePoint()
    {
        // Cs: a paired surrogate is one supplementary code point (So here), never two Cs units; a lone one is Cs.
        Assert.Empty(Matches(@"\p{Surrogate}", "a😀b"));
        Assert.Equal(["\uD800"], Matches(@"\p{Cs}", "a\uD800b"));
    }

    [Theory]
    [InlineData(@"\h+", "0aF g9", new[] { "0aF", "9" })]
    [InlineData(@"\H+", "0aF g9", new[] { " g" })]
    [InlineData(@"[\h_]+", "a_g", new[] { "a_" })]
    [InlineData(@"\w+", "é_٣x", new[] { "é_٣x" })]        // a letter, Pc, an Arabic-Indic digit (Nd)
    [InlineData(@"\w+", "a²b", new[] { "a", "b" })]       // ² is No, not a word character
    [InlineData("\\w+", "\u0915\u0903", new[] { "\u0915\u0903" })] // ः is a spacing mark (Mc): Oniguruma's \w has it, .NET's \w does not
    [InlineData(@"\W+", "ab, c", new[] { ", " })]
    [InlineData(@"[\w,]+", "a,b c", new[] { "a,b", "c" })]
    [InlineData(@"\s+", "a \t\nb", new[] { " \t\n" })]
    [InlineData(@"\S+", "a b", new[] { "a", "b" })]
    [InlineData(@"\d+", "a12", new[] { "12" })]
    [InlineData(@"\D+", "a12", new[] { "a" })]
    [InlineData(@"\x41+", "AAB", new[] { "AA" })]
    [InlineData(@"\x{41}+", "AAB", new[] { "AA" })]
    [InlineData(@"\x{3A3}", "ΣA", new[] { "Σ" })]
    [InlineData(@"\x{FFFF}", "a\uFFFF", new[] { "\uFFFF" })] // the last code point of the BMP is still one unit
    [InlineData(@"[\x{41}-\x{43}]+", "ABCD", new[] { "ABC" })]
    [InlineData(@"\u0041", "BA", new[] { "A" })]
    [InlineData(@"\u0041+", "AA", new[] { "AA" })]
    [InlineData(@"\.+", "a...", new[] { "..." })]
    [InlineData(@"\n\r\t\f\v\a\e", "\n\r\t\f\v\a\u001B", new[] { "\n\r\t\f\v\a\u001B" })]
    [InlineData(@"\t+", "\t\t", new[] { "\t\t" })]
    [InlineData(@"[\b]", "a\bb", new[] { "\b" })]         // backspace inside a class
    [InlineData(@"\bab\b", "ab cab", new[] { "ab" })]
    [InlineData(@"\Ba", "ab ba", new[] { "a" })]
    [InlineData(@"\Aa", "aa", new[] { "a" })]
    [InlineData(@"a\z", "aa", new[] { "a" })]
    [InlineData(@"a\Z", "aa\n", new[] { "a" })]
    [InlineData(@"\Ga", "aab", new[] { "a", "a" })]
    public void EscapesMeanWhatTheyMeanInOniguruma(string pattern, string text, string[] expected)
    {
        Assert.Equal(expected, Matches(pattern, text));
    }

    [Theory]
    [InlineData("^a", "a\na b", new[] { "a", "a" })] // ^ and $ are line anchors in Oniguruma
    [InlineData("b$", "b\nab", new[] { "b", "b" })]
    [InlineData("a|b", "abc", new[] { "a", "b" })]
    [InlineData("[]a]+", "]a]b", new[] { "]a]" })]   // a ] first in a class is a literal
    [InlineData("[^]a]+", "]ab]", new[] { "b" })]
    [InlineData("[a-c]+", "abcd", new[] { "abc" })]
    [InlineData("[ab]+", "abc", new[] { "ab" })]
    [InlineData("[ab]{2}", "abab", new[] { "ab", "ab" })]
    [InlineData("[ab]?+b", "b", new string[0])]    // the possessive ? keeps the b it took
    [InlineData("[&]+", "a&&", new[] { "&&" })]          // one & is a literal; only && is the intersection operator
    public void AnchorsAlternationAndClassesCarryOver(string pattern, string text, string[] expected)
    {
        Assert.Equal(expected, Matches(pattern, text));
    }

    /// <summary>
    /// .NET matches UTF-16 units; Oniguruma code points. A supplementary letter matches <c>\p{L}</c> as one character
    /// and the match ranges are those of the original text (a pair is two units there).
    /// </summary>
    [Theory]
    [InlineData(@"\p{L}+", "a𝐀b", new[] { "a𝐀b" })]       // U+1D400 is Lu
    [InlineData(@"\p{Lu}", "a𝐀b", new[] { "𝐀" })]
    [InlineData(@"\p{L}+", "a😀b", new[] { "a", "b" })]    // U+1F600 is So
    [InlineData(@"\p{So}", "a😀b", new[] { "😀" })]
    [InlineData(@".", "😀", new[] { "😀" })]                // one code point, one match
    [InlineData(@"\p{L}+|\p{N}+", "𝐀𝐁12𝟏", new[] { "𝐀𝐁", "12𝟏" })] // 𝟏 U+1D7CF is Nd
    [InlineData(@"\p{Mn}", "a\U0001D167", new[] { "\U0001D167" })]
    [InlineData(@"\p{Mc}", "a\U0001D165", new[] { "\U0001D165" })]
    [InlineData(@"\p{Lm}", "a\U00016B40", new[] { "\U00016B40" })]
    [InlineData(@"\p{Lo}", "a\U00020000", new[] { "\U00020000" })]
    [InlineData(@"\p{Nl}", "a\U00010140", new[] { "\U00010140" })]
    [InlineData(@"\p{No}", "a\U00010107", new[] { "\U00010107" })]
    [InlineData(@"\p{Po}", "a\U00010100", new[] { "\U00010100" })]
    [InlineData(@"\p{Sm}", "a\U0001D6C1", new[] { "\U0001D6C1" })]
    [InlineData(@"\p{Sc}", "a\U0001E2FF", new[] { "\U0001E2FF" })]
    [InlineData(@"\p{Sk}", "a\U0001F3FB", new[] { "\U0001F3FB" })]
    [InlineData(@"\p{Cf}", "a\U000E0001", new[] { "\U000E0001" })]
    [InlineData(@"\p{Co}", "a\U000F0000", new[] { "\U000F0000" })]
    [InlineData(@"\p{Cn}", "a\U0001FFFE", new[] { "\U0001FFFE" })]
    [InlineData(@"\p{Ll}", "A\U0001D41A", new[] { "\U0001D41A" })]
    [InlineData(@"\p{Pd}", "a\U00010EAD", new[] { "\U00010EAD" })]
    [InlineData(@"\p{Ps}", "a\U0001F675", new string[0])]   // U+1F675 is So
    public void SupplementaryCodePointsMatchByTheirCategory(string pattern, string text, string[] expected)
    {
        Assert.Equal(expected, Matches(pattern, text));
    }

    [Fact]
    public void ALoneSurrogateStaysOneUnitBesideAPair()
    {
        // Lone halves (kept out of [InlineData]: xunit's serialisation would turn them into U+FFFD).
        Assert.Equal(["a", "𝐀"], Matches(@"\p{L}", "\uD835a𝐀"));
        Assert.Equal(["a", "𝐀"], Matches(@"\p{L}", "a\uDC00𝐀"));
        Assert.Equal(["\uD835", "😀"], Matches(@"\p{Cs}|\p{So}", "\uD835😀"));
    }

    [Theory]
    [InlineData(")", "unbalanced ')' at index 0")]
    [InlineData("a)b", "unbalanced ')' at index 1")]
    [InlineData("(a", "unbalanced '('")]
    [InlineData("((a)", "unbalanced '('")]
    [InlineData("(?:a", "unbalanced '('")]
    [InlineData("*a", "quantifier '*' at index 0 has nothing to repeat")]
    [InlineData("a|+", "quantifier '+' at index 2 has nothing to repeat")]
    [InlineData("(?", "incomplete group at index 0")]
    [InlineData("x(?<name", "unterminated group name at index 1")]
    [InlineData("(?'name", "unterminated group name at index 0")]
    [InlineData("(?#comment", "unterminated comment at index 0")]
    [InlineData("(?P<n>a)", "unsupported group construct at index 0")]
    [InlineData("(?i", "unsupported group construct at index 0")]
    [InlineData("(?ia", "unsupported group construct at index 0")]
    [InlineData("a(?m)b", "the Oniguruma (?m) option at index 1 is not supported")]
    [InlineData("(?im:a)", "the Oniguruma (?m) option at index 0 is not supported")]
    [InlineData("[a", "unterminated character class")]
    [InlineData("[a&", "unterminated character class")]    // a lone '&' at the end: no intersection to look past it for
    [InlineData("a(", "unbalanced '('")]                   // '(' as the last character
    [InlineData("(?<", "unterminated group name at index 0")]
    [InlineData("(?i=a)", "unsupported group construct at index 0")] // '=' after an option is no lookahead
    [InlineData("(*a)", "quantifier '*' at index 1 has nothing to repeat")]
    [InlineData("[", "unterminated character class")]
    [InlineData("[^", "unterminated character class")]
    [InlineData("[]", "unterminated character class")]
    [InlineData("[[:alpha:]]", "nested character class or POSIX bracket at index 1 is not supported")]
    [InlineData("[a-z&&[^aeiou]]", "class intersection '&&' at index 4 is not supported")]
    [InlineData(@"a\", "the pattern ends with a lone backslash")]
    [InlineData(@"[\", "the pattern ends with a lone backslash")]
    [InlineData(@"\p{Greek}", @"Unicode property \p{Greek} has no .NET equivalent (only general categories are supported)")]
    [InlineData(@"\p{^Han}", @"Unicode property \p{Han} has no .NET equivalent (only general categories are supported)")]
    [InlineData(@"a\p{L", @"unterminated \p{ at index 1")]
    [InlineData(@"a\p", @"incomplete \p at index 1")]
    [InlineData(@"\x{1F600}", @"supplementary-plane escape \x{1F600} is not supported")]
    [InlineData(@"\x{10000}", @"supplementary-plane escape \x{10000} is not supported")]
    [InlineData(@"a\x{zz}", @"malformed \x{...} at index 1")]
    [InlineData(@"\x{41", @"malformed \x{...} at index 0")]
    [InlineData(@"\xg1", @"malformed \x escape at index 0")]
    [InlineData(@"\x4", @"malformed \x escape at index 0")]
    [InlineData(@"a\x", @"malformed \x escape at index 1")]
    [InlineData(@"[\H]", @"\H inside a character class at index 1 is not supported")]
    [InlineData(@"[a\W]", @"\W inside a character class at index 2 is not supported")]
    [InlineData(@"\u12", @"malformed \u escape at index 0")]
    [InlineData(@"\u004", @"malformed \u escape at index 0")]
    [InlineData(@"\u00G1", @"malformed \u escape at index 0")]
    [InlineData(@"a\R", @"escape \R at index 1 is not supported")]
    [InlineData(@"\X", @"escape \X at index 0 is not supported")]
    [InlineData(@"\K", @"escape \K at index 0 is not supported")]
    [InlineData(@"[\1]", @"escape \1 at index 1 is not supported")]
    [InlineData("a😀", "a supplementary-plane literal at index 1 is not supported")]
    [InlineData("[a😀]", "a supplementary-plane literal at index 2 is not supported")]
    [InlineData("\\😀", "a supplementary-plane literal at index 0 is not supported")]
    [InlineData(@"\b+", "quantifier '+' at index 2 has nothing to repeat")] // an anchor repeats nothing
    [InlineData(@"\A*", "quantifier '*' at index 2 has nothing to repeat")]
    [InlineData("^*", "quantifier '*' at index 1 has nothing to repeat")]
    [InlineData("a|{2}", "quantifier '{' at index 2 has nothing to repeat")]
    [InlineData("a++*", "quantifier '*' at index 3 has nothing to repeat")] // a quantified atom is not repeated again
    [InlineData("(a)+?*", "quantifier '*' at index 5 has nothing to repeat")]
    public void WhatCannotBeTranslatedIsRefusedSayingWhereAndWhy(string pattern, string expected)
    {
        Assert.Equal(expected, Refusal(pattern));
    }

    [Theory]
    [InlineData(@"[\A]")]
    [InlineData(@"[\z]")]
    [InlineData(@"[\G]")]
    public void AnAnchorInsideAClassIsRefusedAndNotReadAsABackspace(string pattern)
    {
        // Only \b has a meaning inside a class (backspace); the anchors have none, and .NET refuses them there.
        Assert.StartsWith($"the pattern translated to .NET as {pattern} does not compile: ", Refusal(pattern));
    }

    [Fact]
    public void AGroupClosedByTheParenthesisAfterAnOptionIsRepeatedWhole()
    {
        // ")" pops the group's start, so a quantifier after it repeats the whole group, and (?i) opens no group.
        Assert.Equal(["abab"], Matches("(ab)+", "abab"));
        Assert.Equal(["a"], Matches("(?i)(?:a)", "a"));
        Assert.Equal("unbalanced ')' at index 4", Refusal("(?i))"));
    }

    [Fact]
    public void APatternThatTranslatesButDotNetRejectsIsRefusedWithTheTranslation()
    {
        string message = Refusal("a{2,1}");
        Assert.StartsWith("the pattern translated to .NET as a{2,1} does not compile: ", message);
        Assert.IsAssignableFrom<ArgumentException>(Assert.Throws<NotSupportedException>(() => OnigurumaPatternTranslator.Compile("a{2,1}")).InnerException);
    }

    /// <summary>The published pre-tokenization regexes of the fixture families translate to .NET forms that keep every construct.</summary>
    [Fact]
    public void TheTranslationOfTheLlama3PatternKeepsItsShape()
    {
        const string llama3 = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
        Assert.Equal(llama3, OnigurumaPatternTranslator.Translate(llama3));
        Assert.Equal(["Hello", ",", " world", "123", "4", "'S"], Matches(llama3, "Hello, world1234'S"));
        const string qwenStyle = @"\p{N}{1,3}+";
        Assert.Equal(@"(?:\p{N}{1,3})+", OnigurumaPatternTranslator.Translate(qwenStyle));
        Assert.Equal(@"(?>\p{L}+)", OnigurumaPatternTranslator.Translate(@"\p{L}++"));
        Assert.Equal(@"\P{L}", OnigurumaPatternTranslator.Translate(@"\p{^L}"));
        Assert.Equal(@"[0-9a-fA-F][^0-9a-fA-F]", OnigurumaPatternTranslator.Translate(@"\h\H"));
        Assert.Equal(@"\u0041\u00E9", OnigurumaPatternTranslator.Translate(@"\x41\x{e9}"));
        Assert.Equal(@"a{0,2}", OnigurumaPatternTranslator.Translate("a{,2}"));
        Assert.Equal(@"a\{x", OnigurumaPatternTranslator.Translate("a{x"));
        Assert.Equal("b", OnigurumaPatternTranslator.Translate("(?#c)b"));
    }
}
