// What Hugging Face's Rust tokenizers (0.22.2, through its Node binding @anush008/tokenizers 0.6.0, as in
// reference/byte_fallback_reference.mjs) gives for the edited copies of the committed Mistral 7B v0.1 fixture and the
// tiny byte-level tokenizer that tests/Directer.Core.Tests/Tokenization/ByteFallbackFileVariantTests.cs and
// ByteLevelModelEdgeTests.cs build: tokens, offsets, decoded text. It prints them; the tests spell them out.
//
//   d=$(mktemp -d) && (cd $d && npm install @anush008/tokenizers@0.6.0)
//   node reference/byte_fallback_variants_reference.mjs $d
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const scratch = process.argv[2];
if (!scratch) {
  console.error("usage: node reference/byte_fallback_variants_reference.mjs SCRATCH_DIR");
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(scratch), "node_modules", "noop.js"));
const { Tokenizer } = require("@anush008/tokenizers");
const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, "..", "tests", "Directer.Core.Tests", "Fixtures", "byte-fallback", "mistral-7b-v0.1", "tokenizer.json");
const M = "\u2581";
const mistral = (edit) => {
  const spec = JSON.parse(fs.readFileSync(fixture, "utf8"));
  edit(spec);
  return Tokenizer.fromString(JSON.stringify(spec));
};
const added = (id, content, normalized) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized, special: false });

async function encode(label, tokenizer, text) {
  const e = await tokenizer.encode(text, null, { addSpecialTokens: false });
  console.log(label, JSON.stringify(text), JSON.stringify(e.getTokens()), JSON.stringify(e.getOffsets()));
}

async function decode(label, tokenizer, tokens) {
  // By token string: the binding numbers added tokens after the (sparse) vocabulary, not by their declared ids.
  const ids = tokens.map((t) => tokenizer.tokenToId(t));
  console.log(label, JSON.stringify(tokens), JSON.stringify(await tokenizer.decode(ids, false)));
}

// Metaspace split absent, true, false.
for (const split of ["", true, false]) {
  const t = mistral((s) => {
    s.normalizer = null;
    s.pre_tokenizer = { type: "Metaspace", replacement: M, prepend_scheme: "always" };
    if (split !== "") s.pre_tokenizer.split = split;
  });
  await encode(`metaspace split=${split}`, t, "a   ");
}

// Neither normalizer nor pre-tokenizer; then with normalized added tokens.
const none = (s) => { s.normalizer = null; s.pre_tokenizer = null; };
{
  const t = mistral(none);
  for (const text of ["a" + M + M + M, M + "a" + M + M, "a  b"]) await encode("none", t, text);
  const n = mistral((s) => { none(s); s.added_tokens[1].normalized = true; s.added_tokens.push(added(32000, "a b", true)); });
  for (const text of ["xa by", "x<s>y"]) await encode("none+normalized", n, text);
}

// The legacy Prepend/Replace normalizer with a normalized added token.
{
  const t = mistral((s) => s.added_tokens.push(added(32000, "a b", true)));
  for (const text of ["x a b", "a bc", "xa by"]) await encode("legacy+normalized", t, text);
}

// An added token without content (normalized: it would be ▁ after the normalizer).
{
  const t = mistral((s) => s.added_tokens.push(added(32000, "", true)));
  await encode("empty added token", t, "a b");
}

// Decoding look-alikes of byte tokens and invalid byte runs.
{
  const t = mistral((s) => { s.added_tokens.push(added(32000, "<0x41>z", false)); s.added_tokens.push(added(32001, "zzz41>", false)); });
  await encode("look-alikes", t, "<0x41>zzzz41>");
  await decode("decode", t, ["<0x41>z"]);
  await decode("decode", t, ["zzz41>"]);
  await decode("decode", t, ["<0xE6>", "<0x97>", "a"]);
  await decode("decode", t, ["<0xE6>", "<0x97>", "<0xA5>", "<0xE6>", "a"]);
  await decode("decode", t, ["<0xE6>", "<0x97>", "<0xA5>", "a"]);
}

// Decoders on ▁a ▁b.
const replace = { type: "Replace", pattern: { String: M }, content: " " };
for (const decoder of [
  { type: "Metaspace", replacement: M },
  { type: "Metaspace", replacement: M, prepend_scheme: "first" },
  { type: "Metaspace", replacement: M, prepend_scheme: "never" },
  { type: "Fuse" },
  { type: "ByteFallback" },
  { type: "Sequence", decoders: [replace, { type: "ByteFallback" }, { type: "Fuse" }, { type: "Strip", content: " ", start: 1, stop: 0 }] },
  { type: "Sequence", decoders: [replace, { type: "ByteFallback" }, { type: "Fuse" }, { type: "Strip", content: " ", start: 0, stop: 0 }] },
]) {
  await decode(`decoder ${JSON.stringify(decoder)}`, mistral((s) => { s.decoder = decoder; }), [M + "a", M + "b"]);
}

// The vocabulary and merges of tests/Directer.Testing/TinyTokenizer.cs: the 256 GPT-2 byte characters, then its merges.
function tinyByteLevelModel() {
  const printable = [];
  for (let c = 0x21; c <= 0x7e; c++) printable.push(c);
  for (let c = 0xa1; c <= 0xac; c++) printable.push(c);
  for (let c = 0xae; c <= 0xff; c++) printable.push(c);
  const byteChar = (b) => {
    if (printable.includes(b)) return String.fromCharCode(b);
    let n = 0;
    for (let i = 0; i < b; i++) if (!printable.includes(i)) n++;
    return String.fromCharCode(256 + n);
  };
  const merges = ["h e", "l l", "he ll", "hell o", "Ġ w", "o r", "Ġw or", "Ġwor l", "Ġworl d", "Ġ t", "Ġt h", "Ġth e"];
  const vocab = {};
  for (let b = 0; b < 256; b++) vocab[byteChar(b)] = b;
  for (const m of merges) vocab[m.replace(" ", "")] = Object.keys(vocab).length;
  return { vocab, merges };
}

// The tiny byte-level tokenizer of tests/Directer.Testing/TinyTokenizer.cs with its "digits" pre-tokenizer (Digits,
// then ByteLevel with add_prefix_space).
{
  const { vocab, merges } = tinyByteLevelModel();
  const spec = {
    version: "1.0", added_tokens: [], normalizer: { type: "NFC" }, post_processor: null,
    pre_tokenizer: { type: "Sequence", pretokenizers: [{ type: "Digits", individual_digits: true }, { type: "ByteLevel", add_prefix_space: true, trim_offsets: true, use_regex: true }] },
    decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "", fuse_unk: false, byte_fallback: false, vocab, merges },
  };
  const t = Tokenizer.fromString(JSON.stringify(spec));
  for (const text of ["hello", "1hello", "x hello", "7é", "12 the"]) await encode("bytelevel digits", t, text);
}

// Pre-tokenizer sequences on the same tiny byte-level vocabulary (PreTokenizerEdgeTests): Split pieces that a ByteLevel
// with add_prefix_space follows, and a Split after it.
{
  const { vocab, merges } = tinyByteLevelModel();
  const split = (regex) => ({ type: "Split", pattern: { Regex: regex }, behavior: "Isolated", invert: false });
  const byteLevel = { type: "ByteLevel", add_prefix_space: true, trim_offsets: false, use_regex: false };
  const sequences = {
    "split-then-bytelevel": { type: "Sequence", pretokenizers: [split("\\p{N}"), byteLevel] },
    "bytelevel-then-split": { type: "Sequence", pretokenizers: [byteLevel, split("\\p{N}")] },
    "empty-matches-then-bytelevel": { type: "Sequence", pretokenizers: [split("x*"), byteLevel] },
    "lookahead-then-bytelevel": { type: "Sequence", pretokenizers: [split("(?=b)"), byteLevel] },
  };
  for (const [name, pre] of Object.entries(sequences)) {
    const spec = {
      version: "1.0", added_tokens: [], normalizer: null, post_processor: null, pre_tokenizer: pre,
      decoder: { type: "ByteLevel", add_prefix_space: false, trim_offsets: false, use_regex: false },
      model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: "", end_of_word_suffix: "", fuse_unk: false, byte_fallback: false, vocab, merges },
    };
    const t = Tokenizer.fromString(JSON.stringify(spec));
    for (const text of ["12", "a1", "1", "a😀b", "x😀", "", "abab", "xxa"]) {
      const e = await t.encode(text, null, { addSpecialTokens: false });
      console.log(name, JSON.stringify(text), JSON.stringify(e.getTokens()), JSON.stringify(e.getIds()), JSON.stringify(e.getOffsets()));
    }
  }
}

// BPE merge order where a queued merge goes stale (ByteFallbackBpeModelTests): b c, then a b (stale: b is now bc), then
// bc d, then a bc (stale: bc is now bcd).
{
  const vocab = { a: 0, b: 1, c: 2, d: 3, bc: 4, ab: 5, bcd: 6, abc: 7 };
  const spec = {
    version: "1.0", added_tokens: [], normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null,
    model: { type: "BPE", dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null, fuse_unk: false, byte_fallback: false, vocab, merges: ["b c", "a b", "bc d", "a bc"] },
  };
  const t = Tokenizer.fromString(JSON.stringify(spec));
  for (const text of ["abcd", "abc"]) await encode("stale merges", t, text);
}
