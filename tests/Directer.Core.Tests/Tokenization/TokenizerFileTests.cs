using System.Text.Json.Nodes;
using Directer.Core.Templates;
using Directer.Core.Tokenization;
using Directer.Testing;

namespace Directer.Core.Tests.Tokenization;

/// <summary>
/// Loading a checkpoint's tokenizer files (<see cref="TextTokenizer.Load"/>): every declaration the loader refuses is a
/// <see cref="TokenizerLoadException"/> naming the file, the JSON path of the offending value and the problem, exactly
/// (the error is what a user reads to fix the file); the defaults of what a file may leave out; and the settings read
/// from <c>tokenizer_config.json</c> and <c>generation_config.json</c>. The files are the tiny byte-level tokenizer
/// (<see cref="TinyTokenizer"/>: 256 byte tokens, 12 merges, ids 268-270 added) with one value changed.
/// </summary>
public sealed class TokenizerFileTests : IDisposable
{
    private const string Step0 = "$.pre_tokenizer.pretokenizers[0]";
    private const string Step1 = "$.pre_tokenizer.pretokenizers[1]";

    private readonly string directory = Directory.CreateTempSubdirectory("directer-tokfile-").FullName;
    private readonly Dictionary<string, int> vocab = TinyTokenizer.Vocab();
    private int folders;

    public void Dispose() => Directory.Delete(directory, recursive: true);

    /// <summary>
    /// Sets the value at <paramref name="path"/> (dots and <c>[i]</c> under the root object) to the JSON
    /// <paramref name="json"/>, or removes it when <paramref name="json"/> is null.
    /// </summary>
    private static void Set(JsonObject root, string path, string? json)
    {
        JsonNode parent = root;
        string[] parts = path.Split('.');
        for (int p = 0; p < parts.Length; p++)
        {
            string part = parts[p];
            int bracket = part.IndexOf('[');
            string name = bracket < 0 ? part : part[..bracket];
            int? index = bracket < 0 ? null : int.Parse(part[(bracket + 1)..^1]);
            bool last = p == parts.Length - 1;
            if (last && index is null)
            {
                if (json is null)
                {
                    parent.AsObject().Remove(name);
                }
                else
                {
                    parent[name] = JsonNode.Parse(json);
                }

                return;
            }

            var child = parent[name]!;
            if (last)
            {
                if (json is null)
                {
                    child.AsArray().RemoveAt(index!.Value);
                }
                else
                {
                    child[index!.Value] = JsonNode.Parse(json);
                }

                return;
            }

            parent = index is null ? child : child[index.Value]!;
        }
    }

    private string Folder(Action<JsonObject>? edit = null, string? config = null, string? generation = null)
    {
        string dir = TinyTokenizer.Write(Path.Combine(directory, $"t{folders++}"), edit: edit);
        if (config is not null)
        {
            File.WriteAllText(Path.Combine(dir, "tokenizer_config.json"), config);
        }

        if (generation is not null)
        {
            File.WriteAllText(Path.Combine(dir, "generation_config.json"), generation);
        }

        return dir;
    }

    private static TokenizerLoadException LoadError(string dir, string file, string? location)
    {
        var error = Assert.Throws<TokenizerLoadException>(() => TextTokenizer.Load(dir));
        Assert.Equal(Path.Combine(dir, file), error.FilePath);
        Assert.Equal(location, error.Location);
        Assert.Equal(location is null ? $"{error.FilePath}: {error.Problem}" : $"{error.FilePath}: {location}: {error.Problem}", error.Message);
        return error;
    }

    private int Id(string token) => vocab[token];

    private int[] Ids(params string[] tokens) => tokens.Select(Id).ToArray();

    /// <summary>tokenizer.json with the value at a path replaced (null: removed): the error's path and problem.</summary>
    [Theory]
    [InlineData("model", null, "$.model", "required object is missing")]
    [InlineData("model.type", "\"WordPiece\"", "$.model.type", "model type \"WordPiece\" is not supported (byte-level BPE only)")]
    [InlineData("model.type", "5", "$.model.type", "expected a string, found 5")]
    [InlineData("model.dropout", "0.1", "$.model.dropout", "BPE dropout is a training-time option; a non-zero value is not supported")]
    [InlineData("model.byte_fallback", "\"yes\"", "$.model.byte_fallback", "expected true or false, found \"yes\"")]
    [InlineData("model.continuing_subword_prefix", "\"##\"", "$.model.continuing_subword_prefix", "\"##\" is not supported for byte-level BPE")]
    [InlineData("model.end_of_word_suffix", "\"</w>\"", "$.model.end_of_word_suffix", "\"</w>\" is not supported for byte-level BPE")]
    [InlineData("model.continuing_subword_prefix", "5", "$.model.continuing_subword_prefix", "expected a string, found 5")]
    [InlineData("model.ignore_merges", "1", "$.model.ignore_merges", "expected true or false, found 1")]
    [InlineData("model.vocab", null, "$.model.vocab", "required object {token: id} is missing")]
    [InlineData("model.vocab", "[]", "$.model.vocab", "required object {token: id} is missing")]
    [InlineData("model.vocab.hello", "-1", "$.model.vocab.hello", "expected a non-negative integer token id, found -1")]
    [InlineData("model.merges", "{}", "$.model.merges", "expected a JSON array, found {}")]
    [InlineData("model.merges[1]", "\"ll\"", "$.model.merges[1]", "a merge must be \"left right\", found \"ll\"")]
    [InlineData("model.merges[1]", "\"l l l\"", "$.model.merges[1]", "a merge must be \"left right\", found \"l l l\"")]
    [InlineData("model.merges[1]", "7", "$.model.merges[1]", "a merge must be \"left right\" or [\"left\", \"right\"], found 7")]
    [InlineData("model.merges[1]", "[5, \"l\"]", "$.model.merges[1][0]", "expected a string, found 5")]
    [InlineData("model.merges[1]", "[\"l\", 5]", "$.model.merges[1][1]", "expected a string, found 5")]
    [InlineData("model.merges[1]", "[\"l\", \"l x\"]", "$.model.merges[1]", "a merge part containing a space cannot be represented")]
    [InlineData("model.merges[1]", "[\"l x\", \"l\"]", "$.model.merges[1]", "a merge part containing a space cannot be represented")]
    [InlineData("normalizer", "{}", "$.normalizer.type", "required string is missing")]
    [InlineData("normalizer", "{\"type\": \"Lowercase\"}", "$.normalizer.type", "normalizer \"Lowercase\" is not supported (null or NFC)")]
    [InlineData("pre_tokenizer", null, "$.pre_tokenizer", "a byte-level BPE tokenizer needs a ByteLevel pre-tokenizer; none was declared")]
    [InlineData("pre_tokenizer.pretokenizers[1]", "{\"type\": \"Digits\"}", "$.pre_tokenizer", "a byte-level BPE tokenizer needs a ByteLevel pre-tokenizer; none was declared")]
    [InlineData("pre_tokenizer.pretokenizers", null, "$.pre_tokenizer.pretokenizers", "a Sequence needs a pretokenizers array")]
    [InlineData("pre_tokenizer.pretokenizers", "{}", "$.pre_tokenizer.pretokenizers", "a Sequence needs a pretokenizers array")]
    [InlineData("pre_tokenizer.pretokenizers[1]", "{\"type\": \"Metaspace\"}", Step1 + ".type", "pre-tokenizer \"Metaspace\" is not supported (Split, ByteLevel, Digits, Sequence)")]
    [InlineData("pre_tokenizer.pretokenizers[1]", "{}", Step1 + ".type", "required string is missing")]
    [InlineData("pre_tokenizer.pretokenizers[0].behavior", "\"Removed\"", Step0 + ".behavior", "Split behavior \"Removed\" is not supported (Isolated)")]
    [InlineData("pre_tokenizer.pretokenizers[0].behavior", "5", Step0 + ".behavior", "expected a string, found 5")]
    [InlineData("pre_tokenizer.pretokenizers[0].invert", "true", Step0 + ".invert", "an inverted Split is not supported")]
    [InlineData("pre_tokenizer.pretokenizers[0].pattern", null, Step0 + ".pattern", "required pattern is missing")]
    [InlineData("pre_tokenizer.pretokenizers[0].pattern", "{\"Regex\": 5}", Step0 + ".pattern.Regex", "expected a string, found 5")]
    [InlineData("pre_tokenizer.pretokenizers[0].pattern", "{\"String\": 5}", Step0 + ".pattern.String", "expected a string, found 5")]
    [InlineData("pre_tokenizer.pretokenizers[0].pattern", "{}", Step0 + ".pattern", "expected {\"Regex\": ...} or {\"String\": ...}, found {}")]
    [InlineData("pre_tokenizer.pretokenizers[1].add_prefix_space", "0", Step1 + ".add_prefix_space", "expected true or false, found 0")]
    [InlineData("pre_tokenizer.pretokenizers[1].use_regex", "0", Step1 + ".use_regex", "expected true or false, found 0")]
    [InlineData("decoder", "{}", "$.decoder.type", "required string is missing")]
    [InlineData("decoder", "{\"type\": \"WordPiece\"}", "$.decoder.type", "decoder \"WordPiece\" is not supported (ByteLevel)")]
    [InlineData("added_tokens", "{}", "$.added_tokens", "expected a JSON array, found {}")]
    [InlineData("added_tokens[1]", "5", "$.added_tokens[1]", "expected a JSON object, found 5")]
    [InlineData("added_tokens[1].id", null, "$.added_tokens[1].id", "required token id is missing")]
    [InlineData("added_tokens[1].id", "-1", "$.added_tokens[1].id", "expected a non-negative integer token id, found -1")]
    [InlineData("added_tokens[1].content", null, "$.added_tokens[1].content", "required string is missing")]
    [InlineData("added_tokens[1].id", "268", "$.added_tokens[1]", "added token 268 \"<|im_start|>\" repeats an id or content of an earlier added token")]
    [InlineData("added_tokens[1].content", "\"<|endoftext|>\"", "$.added_tokens[1]", "added token 269 \"<|endoftext|>\" repeats an id or content of an earlier added token")]
    [InlineData("added_tokens[1].special", "1", "$.added_tokens[1].special", "expected true or false, found 1")]
    [InlineData("added_tokens[1].lstrip", "1", "$.added_tokens[1].lstrip", "expected true or false, found 1")]
    [InlineData("added_tokens[1].rstrip", "1", "$.added_tokens[1].rstrip", "expected true or false, found 1")]
    [InlineData("added_tokens[1].single_word", "1", "$.added_tokens[1].single_word", "expected true or false, found 1")]
    [InlineData("added_tokens[1].normalized", "1", "$.added_tokens[1].normalized", "expected true or false, found 1")]
    public void ATokenizerJsonErrorNamesThePathAndTheProblem(string path, string? json, string location, string problem)
    {
        string dir = Folder(root => Set(root, path, json));
        Assert.Equal(problem, LoadError(dir, "tokenizer.json", location).Problem);
    }

    [Fact]
    public void ATokenizerJsonThatIsNotAnObjectIsRefusedAtTheRoot()
    {
        string dir = Folder();
        File.WriteAllText(Path.Combine(dir, "tokenizer.json"), "[]");
        Assert.Equal("expected a JSON object, found []", LoadError(dir, "tokenizer.json", "$").Problem);
    }

    [Fact]
    public void AFolderWithoutTokenizerFilesNamesWhatItNeeds()
    {
        string dir = Path.Combine(directory, "empty");
        Directory.CreateDirectory(dir);
        var error = LoadError(dir, "tokenizer.json", null);
        Assert.Equal("not found: a Hugging Face checkpoint folder needs tokenizer.json or a SentencePiece tokenizer.model", error.Problem);
    }

    [Fact]
    public void ATokenizerModelThatIsNotSentencePieceIsALoadErrorNamingIt()
    {
        string dir = Path.Combine(directory, "garbage-model");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "tokenizer.model"), [0x0A, 0xFF, 0xFF, 0xFF, 0x7F, 1, 2, 3]);
        var error = LoadError(dir, "tokenizer.model", null);
        Assert.StartsWith("not a SentencePiece model this loader supports (", error.Problem);
        Assert.NotNull(error.InnerException);
    }

    /// <summary>Merges whose parts or result the vocabulary lacks: a load error at the merges, not an exception of the BPE library.</summary>
    [Theory]
    [InlineData("\"q z\"")]
    [InlineData("\"\u4e00 \u4e8c\"")]
    public void MergesThatDoNotFitTheVocabularyAreALoadError(string merge)
    {
        string dir = Folder(root => Set(root, "model.merges[1]", merge));
        Assert.StartsWith("the merges do not fit the vocabulary: ", LoadError(dir, "tokenizer.json", "$.model.merges").Problem);
    }

    [Fact]
    public void ASplitRegexThatDotNetCannotRunIsALoadError()
    {
        string dir = Folder(root => Set(root, "pre_tokenizer.pretokenizers[0].pattern", "{\"Regex\": \"(\"}"));
        Assert.StartsWith("the regex cannot be translated to .NET: ", LoadError(dir, "tokenizer.json", Step0 + ".pattern").Problem);
    }

    /// <summary>The parser's contract (issue 13): a value of an unexpected JSON type is either read or a load error, never another exception.</summary>
    [Theory]
    [InlineData("model.dropout", "\"0.1\"")]
    [InlineData("model.dropout", "0")]
    public void ADropoutThatIsNotANonZeroNumberIsNoCrash(string path, string json)
    {
        string dir = Folder(root => Set(root, path, json));
        try
        {
            Assert.Equal(Ids("hello"), TextTokenizer.Load(dir).Encode("hello"));
        }
        catch (TokenizerLoadException)
        {
        }
    }

    [Fact]
    public void TheTinyTokenizerIsByteLevel()
    {
        Assert.Equal(TextTokenizerKind.ByteLevelBpe, TextTokenizer.Load(Folder()).Kind);
    }

    /// <summary>Without a normalizer the text is encoded as given: a decomposed é stays e + U+0301 (NFC would make it C3 A9).</summary>
    [Fact]
    public void WithoutANormalizerTheTextIsNotComposed()
    {
        var plain = TextTokenizer.Load(Folder(root => Set(root, "normalizer", null)));
        var nfc = TextTokenizer.Load(Folder());
        int[] decomposed = [Id("e"), Id(TinyTokenizer.ByteChar(0xCC)), Id(TinyTokenizer.ByteChar(0x81))];
        Assert.Equal(decomposed, plain.Encode("e\u0301"));
        Assert.Equal("e\u0301", plain.Decode(decomposed));
        Assert.Equal([Id(TinyTokenizer.ByteChar(0xC3)), Id(TinyTokenizer.ByteChar(0xA9))], nfc.Encode("e\u0301"));
    }

    [Fact]
    public void WithoutADecoderTheTokenizerLoadsAndDecodesBytes()
    {
        var tokenizer = TextTokenizer.Load(Folder(root => Set(root, "decoder", null)));
        Assert.Equal("hello world", tokenizer.Decode(tokenizer.Encode("hello world")));
    }

    /// <summary>
    /// <c>ignore_merges</c> (Llama 3): a pre-token that is a whole vocabulary token is that token, whatever the merges'
    /// ranks would build. " the" is Ġthe in the vocabulary; by rank, "h e" goes first and leaves Ġt + he.
    /// </summary>
    [Fact]
    public void IgnoreMergesTakesAWholeVocabularyTokenAndIsOffByDefault()
    {
        Assert.Equal(Ids("t", "he", "Ġt", "he"), TextTokenizer.Load(Folder()).Encode("the the"));
        Assert.Equal(Ids("t", "he", "Ġthe"), TextTokenizer.Load(Folder(root => Set(root, "model.ignore_merges", "true"))).Encode("the the"));
        Assert.Equal(Ids("t", "he", "Ġt", "he"), TextTokenizer.Load(Folder(root => Set(root, "model.ignore_merges", "false"))).Encode("the the"));
    }

    /// <summary>
    /// Hugging Face's defaults for what a pre-tokenizer leaves out: ByteLevel adds a prefix space and splits with GPT-2's
    /// regex; Digits keeps runs of digits together; Split is Isolated, and a <c>String</c> pattern is that literal text.
    /// A merge "o 1" (only joinable without a regex, which splits letters from digits) and "1 2" show the splitting.
    /// </summary>
    [Fact]
    public void PreTokenizerDefaultsAreHuggingFaces()
    {
        void WithDigitMerges(JsonObject root)
        {
            root["model"]!["vocab"]!["o1"] = 268;
            root["model"]!["vocab"]!["12"] = 269;
            root["model"]!["merges"]!.AsArray().Add("o 1");
            root["model"]!["merges"]!.AsArray().Add("1 2");
            root.Remove("added_tokens");
        }

        string noConfig = "{}";
        var byteLevel = TextTokenizer.Load(Folder(root =>
        {
            WithDigitMerges(root);
            root["pre_tokenizer"] = new JsonObject { ["type"] = "ByteLevel" };
        }, noConfig, noConfig));
        Assert.Equal(Ids("Ġ", "hello"), byteLevel.Encode("hello"));                 // add_prefix_space: true
        Assert.Equal(Ids("Ġ", "o", "1"), byteLevel.Encode("o1"));                   // use_regex: true
        const int o1 = 268, twelve = 269;

        var noRegex = TextTokenizer.Load(Folder(root =>
        {
            WithDigitMerges(root);
            root["pre_tokenizer"] = JsonNode.Parse("{\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"use_regex\": false}");
        }, noConfig, noConfig));
        Assert.Equal(Ids("hello"), noRegex.Encode("hello"));
        Assert.Equal([o1], noRegex.Encode("o1"));

        string digits = "{\"type\": \"Sequence\", \"pretokenizers\": [{\"type\": \"Digits\"DIGITS}, {\"type\": \"ByteLevel\", \"add_prefix_space\": false, \"use_regex\": false}]}";
        var runs = TextTokenizer.Load(Folder(root =>
        {
            WithDigitMerges(root);
            root["pre_tokenizer"] = JsonNode.Parse(digits.Replace("DIGITS", string.Empty));
        }, noConfig, noConfig));
        Assert.Equal([twelve], runs.Encode("12"));
        var single = TextTokenizer.Load(Folder(root =>
        {
            WithDigitMerges(root);
            root["pre_tokenizer"] = JsonNode.Parse(digits.Replace("DIGITS", ", \"individual_digits\": true"));
        }, noConfig, noConfig));
        Assert.Equal(Ids("1", "2"), single.Encode("12"));

        var literal = TextTokenizer.Load(Folder(root =>
        {
            Set(root, "pre_tokenizer.pretokenizers[0].pattern", "{\"String\": \"l\"}");
            Set(root, "pre_tokenizer.pretokenizers[0].behavior", null);
        }));
        Assert.Equal(Ids("he", "l", "l", "o"), literal.Encode("hello"));
    }

    /// <summary>
    /// An added token's flags as the file gives them; a flag left out is false: not special, matched on raw text (so
    /// data in a literal range never becomes it), no whitespace taken on either side, matched inside words too.
    /// </summary>
    [Fact]
    public void AddedTokenFlagsAreReadAndAFlagLeftOutIsFalse()
    {
        TextTokenizer WithToken(string flags) => TextTokenizer.Load(Folder(root =>
            root["added_tokens"]!.AsArray().Add(JsonNode.Parse("{\"id\": 271, \"content\": \"<x>\"" + flags + "}"))));

        var bare = WithToken(string.Empty);
        Assert.False(bare.IsSpecial(271));
        Assert.Equal([Id("a"), Id("Ġ"), 271, Id("Ġ"), Id("b")], bare.Encode("a <x> b"));
        Assert.Equal([Id("a"), 271, Id("b")], bare.Encode("a<x>b"));
        Assert.Equal(Ids("<", "x", ">"), bare.EncodeWithOffsets("<x>", [new CharRange(0, 3)]).Select(t => t.Id));

        Assert.True(WithToken(", \"special\": true").IsSpecial(271));
        Assert.Equal([Id("a"), 271, Id("Ġ"), Id("b")], WithToken(", \"lstrip\": true").Encode("a <x> b"));
        Assert.Equal([Id("a"), Id("Ġ"), 271, Id("b")], WithToken(", \"rstrip\": true").Encode("a <x> b"));
        Assert.Equal(Ids("a", "<", "x", ">", "b"), WithToken(", \"single_word\": true").Encode("a<x>b"));
        Assert.Equal([271], WithToken(", \"normalized\": true").EncodeWithOffsets("<x>", [new CharRange(0, 3)]).Select(t => t.Id));
    }

    [Theory]
    [InlineData("{\"eos_token\": 5}", "$.eos_token", "expected a string, found 5")]
    [InlineData("{\"eos_token\": {\"lstrip\": false}}", "$.eos_token.content", "required string is missing")]
    [InlineData("{\"eos_token\": \"<|nope|>\"}", "$.eos_token", "token \"<|nope|>\" is not in the vocabulary")]
    [InlineData("{\"bos_token\": {\"content\": \"<|nope|>\"}}", "$.bos_token", "token \"<|nope|>\" is not in the vocabulary")]
    [InlineData("{\"add_bos_token\": \"yes\"}", "$.add_bos_token", "expected true or false, found \"yes\"")]
    [InlineData("{\"add_eos_token\": 1}", "$.add_eos_token", "expected true or false, found 1")]
    [InlineData("{\"chat_template\": 5}", "$.chat_template", "expected a string or a list of {name, template}, found 5")]
    [InlineData("{\"chat_template\": [{\"name\": \"default\"}]}", "$.chat_template[0].template", "required string is missing")]
    [InlineData("{\"chat_template\": [{\"name\": \"a\", \"template\": \"x\"}, {\"template\": \"y\"}]}", "$.chat_template[1].name", "required string is missing")]
    public void ATokenizerConfigErrorNamesThePathAndTheProblem(string config, string location, string problem)
    {
        Assert.Equal(problem, LoadError(Folder(config: config), "tokenizer_config.json", location).Problem);
    }

    [Theory]
    [InlineData("{\"eos_token_id\": \"x\"}", "$.eos_token_id", "expected a non-negative integer token id, found \"x\"")]
    [InlineData("{\"eos_token_id\": [268, -1]}", "$.eos_token_id[1]", "expected a non-negative integer token id, found -1")]
    public void AGenerationConfigErrorNamesThePathAndTheProblem(string generation, string location, string problem)
    {
        Assert.Equal(problem, LoadError(Folder(generation: generation), "generation_config.json", location).Problem);
    }

    /// <summary>
    /// <c>tokenizer_config.json</c>: a token given as a string or as an object's <c>content</c>; BOS is prepended and EOS
    /// appended only when <c>add_bos_token</c>/<c>add_eos_token</c> say so (absent: false); the end ids are the config's
    /// <c>eos_token</c> alone when there is no <c>generation_config.json</c>.
    /// </summary>
    [Fact]
    public void TokenizerConfigSettingsAndTheirDefaults()
    {
        int endoftext = 268, imEnd = 270;
        var objects = TextTokenizer.Load(Folder(config: "{\"bos_token\": {\"content\": \"<|endoftext|>\"}, \"eos_token\": {\"content\": \"<|im_end|>\"}}", generation: "{}"));
        Assert.Equal(endoftext, objects.BosTokenId);
        Assert.Equal([imEnd], objects.EosTokenIds);
        Assert.False(objects.AddBosToken);
        Assert.False(objects.AddEosToken);
        Assert.Equal(Ids("hello"), objects.Encode("hello", addSpecialTokens: true));

        var both = TextTokenizer.Load(Folder(config: "{\"bos_token\": \"<|endoftext|>\", \"eos_token\": \"<|im_end|>\", \"add_bos_token\": true, \"add_eos_token\": true}", generation: "{}"));
        Assert.True(both.AddBosToken);
        Assert.True(both.AddEosToken);
        Assert.Equal([endoftext, Id("hello"), imEnd], both.Encode("hello", addSpecialTokens: true));
        Assert.Equal(Ids("hello"), both.Encode("hello"));

        // add_eos_token without any end id adds nothing.
        var noEos = TextTokenizer.Load(Folder(config: "{\"add_eos_token\": true}", generation: "{}"));
        Assert.False(noEos.AddEosToken);
        Assert.Empty(noEos.EosTokenIds);

        // The generation config's ids follow the tokenizer config's, each once.
        var united = TextTokenizer.Load(Folder(config: "{\"eos_token\": \"<|im_end|>\"}", generation: "{\"eos_token_id\": [268, 270, 5]}"));
        Assert.Equal([imEnd, endoftext, 5], united.EosTokenIds);

        var named = TextTokenizer.Load(Folder(config: "{\"chat_template\": [{\"name\": \"default\", \"template\": \"D\"}, {\"name\": \"tool_use\", \"template\": \"T\"}]}"));
        Assert.Equal("D", named.ChatTemplate);
        Assert.Equal(new Dictionary<string, string> { ["default"] = "D", ["tool_use"] = "T" }, named.NamedChatTemplates);
    }

    /// <summary>Literal ranges must be sorted, disjoint and inside the text: each bound at its edge.</summary>
    [Fact]
    public void LiteralRangesAreCheckedAtEveryEdge()
    {
        var tokenizer = TextTokenizer.Load(Folder());
        const string text = "hello";
        CharRange[][] fine = [[new(0, 5)], [new(0, 0)], [new(5, 5)], [new(0, 2), new(2, 5)], [new(1, 2), new(3, 4)]];
        foreach (var ranges in fine)
        {
            Assert.Equal(Ids("hello"), tokenizer.EncodeWithOffsets(text, ranges).Select(t => t.Id));
        }

        (CharRange[] Ranges, int Bad)[] refused =
        [
            ([new(-1, 2)], 0),
            ([new(3, 2)], 0),
            ([new(0, 6)], 0),
            ([new(0, 3), new(2, 4)], 1),
            ([new(2, 3), new(0, 1)], 1),
        ];
        foreach (var (ranges, bad) in refused)
        {
            var error = Assert.Throws<ArgumentException>(() => tokenizer.EncodeWithOffsets(text, ranges));
            Assert.Equal("literalRanges", error.ParamName);
            Assert.StartsWith($"Literal range {bad} [{ranges[bad].Start}, {ranges[bad].End}) is not a sorted, disjoint range inside the text (length 5).", error.Message);
        }

        Assert.Equal("text", Assert.Throws<ArgumentNullException>(() => tokenizer.EncodeWithOffsets(null!, [])).ParamName);
        Assert.Equal("literalRanges", Assert.Throws<ArgumentNullException>(() => tokenizer.EncodeWithOffsets(text, null!)).ParamName);
    }

    [Fact]
    public void AnIdOutsideTheVocabularyIsNamedWithTheVocabularySize()
    {
        var tokenizer = TextTokenizer.Load(Folder());
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.TokenBytes(5000));
        Assert.Equal("id", error.ParamName);
        Assert.StartsWith("Token id 5000 is not in the vocabulary (size 271).", error.Message);
    }
    /// <summary>
    /// A byte-fallback tokenizer whose special tokens are matched on normalized text (<c>normalized: true</c>): data in a
    /// literal range never becomes one either, and a token id outside the vocabulary is named when decoding through
    /// the file's decoder.
    /// </summary>
    [Fact]
    public void NormalizedSpecialTokensOfAByteFallbackTokenizerStayTextInsideLiteralRanges()
    {
        var tokenizer = TextTokenizer.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "byte-fallback", "normalized-specials"));
        Assert.Equal(2, tokenizer.TokenToId("</s>"));
        // Matched as its normalized form "▁</s>", so after a space (Hugging Face's ids for this file: ByteFallbackGoldenTests).
        Assert.Contains(2, tokenizer.Encode("a </s>"));
        var data = tokenizer.EncodeWithOffsets("a </s>", [new CharRange(2, 6)]).Select(t => t.Id).ToList();
        Assert.DoesNotContain(2, data);
        Assert.Equal("a </s>", tokenizer.Decode(data));

        var error = Assert.Throws<ArgumentOutOfRangeException>(() => tokenizer.Decode([99999]));
        Assert.Equal("ids", error.ParamName);
        Assert.StartsWith($"Token id 99999 is not in the vocabulary (size {tokenizer.VocabSize}).", error.Message);
    }
    /// <summary>
    /// A SentencePiece <c>tokenizer.model</c>'s control tokens (&lt;s&gt;, &lt;/s&gt;) match exactly where written, as the
    /// slow Llama tokenizer's added tokens do (no lstrip, rstrip or single_word): the spaces around them stay text and
    /// text on their sides, and one between letters is still matched. Its normalizer is "identity" (reference/make_sentencepiece_fixture.py),
    /// so decomposed text is not composed.
    /// </summary>
    [Fact]
    public void SentencePieceControlTokensMatchExactlyAndTextIsNotNormalized()
    {
        var tokenizer = TextTokenizer.Load(Path.Combine(AppContext.BaseDirectory, "Fixtures", "tokenizers", "sentencepiece"));
        int eos = tokenizer.TokenToId("</s>")!.Value;
        Assert.True(tokenizer.IsSpecial(eos));
        foreach (var (before, after) in new[] { ("a ", " b"), ("a  ", "  b"), ("a", "b") })
        {
            // The pieces around the token are encoded on their own, as the slow tokenizer does (legacy: each with its dummy prefix).
            Assert.Equal([.. tokenizer.Encode(before), eos, .. tokenizer.Encode(after)], tokenizer.Encode(before + "</s>" + after));
        }

        Assert.Equal("e\u0301", tokenizer.Decode(tokenizer.Encode("e\u0301")));
    }
    /// <summary>A model without <c>type</c> is BPE, and one without <c>merges</c> has none: every byte its own token.</summary>
    [Fact]
    public void AModelWithoutTypeIsBpeAndWithoutMergesHasNone()
    {
        Assert.Equal(Ids("hello"), TextTokenizer.Load(Folder(root => Set(root, "model.type", null))).Encode("hello"));
        Assert.Equal(Ids("h", "e", "l", "l", "o"), TextTokenizer.Load(Folder(root => Set(root, "model.merges", null))).Encode("hello"));
    }

    /// <summary>An empty <c>tokenizer.model</c> is valid protobuf but no model: a load error naming the file.</summary>
    [Fact]
    public void AnEmptyTokenizerModelIsALoadErrorNamingIt()
    {
        string dir = Path.Combine(directory, "empty-model");
        Directory.CreateDirectory(dir);
        File.WriteAllBytes(Path.Combine(dir, "tokenizer.model"), []);
        Assert.StartsWith("not a SentencePiece model this loader supports (", LoadError(dir, "tokenizer.model", null).Problem);
    }
}
