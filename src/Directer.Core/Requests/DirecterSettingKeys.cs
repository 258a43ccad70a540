namespace Directer.Core.Requests;

/// <summary>
/// The snake_case keys of a request's settings, as written in <c>PromptExecutionSettings.ExtensionData</c> (prompt
/// YAML, configuration, KernelArguments) and <c>ChatOptions.AdditionalProperties</c>. Ranges, messages and the other
/// names of each setting (CLI flag, configuration path) are in <see cref="RequestSettings"/>.
/// </summary>
public static class DirecterSettingKeys
{
    /// <summary>Strings to emphasise (every occurrence in any message).</summary>
    public const string Emphasis = "emphasis";

    /// <summary>Emphasise the whole system message (bool).</summary>
    public const string EmphasizeSystemMessage = "emphasize_system_message";

    /// <summary>Honour inline [[...]] emphasis markers (bool, default true).</summary>
    public const string InlineEmphasis = "inline_emphasis";

    /// <summary>
    /// Steer inline [[...]] markers in user and tool messages too (bool, default false: only trusted text, the system
    /// message and the settings' strings, is emphasised).
    /// </summary>
    public const string UntrustedInlineEmphasis = "untrusted_inline_emphasis";

    /// <summary>"error" (default) or "ignore" when emphasised text is not in the prompt.</summary>
    public const string EmphasisNotFound = "emphasis_not_found";

    /// <summary>none, directer, static, pasta, spotlight or instaboost.</summary>
    public const string Steering = "steering";

    /// <summary>Wrap a baseline in the plausibility gate (bool).</summary>
    public const string Gate = "gate";

    /// <summary>Key scale (number &gt; 0).</summary>
    public const string Alpha = "alpha";

    /// <summary>Plausibility threshold in (0, 1].</summary>
    public const string Beta = "beta";

    /// <summary>Most steered passes per token (int &gt;= 1).</summary>
    public const string MaxTrials = "max_trials";

    /// <summary>auto, sequential, batched or batched-after-gate.</summary>
    public const string Strategy = "strategy";

    /// <summary>Sampling temperature (number &gt;= 0; 0 = greedy, the default).</summary>
    public const string Temperature = "temperature";

    /// <summary>Nucleus sampling mass in (0, 1].</summary>
    public const string TopP = "top_p";

    /// <summary>Top-k sampling (int &gt;= 1).</summary>
    public const string TopK = "top_k";

    /// <summary>Sampling seed (integer).</summary>
    public const string Seed = "seed";

    /// <summary>Most tokens to generate (int &gt;= 1).</summary>
    public const string MaxTokens = "max_tokens";

    /// <summary>Strings that end the reply (non-empty strings).</summary>
    public const string StopSequences = "stop_sequences";

    /// <summary>"text", "json_object", or a JSON schema object (requested through the prompt, not enforced).</summary>
    public const string ResponseFormat = "response_format";

    /// <summary>
    /// Constrain tool calls to the listed tools (bool, default false): inside a call, in the template's format (Hermes,
    /// Llama 3 JSON, Mistral, Granite), only tokens that keep the JSON a valid call of a listed tool (its name, argument
    /// names, required arguments and simple JSON types) can be chosen; the argument values are still the model's.
    /// Refused for templates without such a format; ignored when no tools are listed.
    /// </summary>
    public const string ConstrainToolCalls = "constrain_tool_calls";

    /// <summary>Divides (positive) or multiplies (negative) the logits of tokens already in prompt or reply (number &gt; 0; 1 = off).</summary>
    public const string RepetitionPenalty = "repetition_penalty";

    /// <summary>Subtracts this times a token's count in the reply from its logit (number in [-2, 2]; 0 = off).</summary>
    public const string FrequencyPenalty = "frequency_penalty";

    /// <summary>Subtracts this from the logit of every token already in the reply (number in [-2, 2]; 0 = off).</summary>
    public const string PresencePenalty = "presence_penalty";

    /// <summary>
    /// The chat template's <c>enable_thinking</c> variable (bool; unset = the template's own default, on for Qwen3):
    /// whether a reasoning model thinks (<c>&lt;think&gt;…&lt;/think&gt;</c>) before it answers. The reasoning is returned
    /// apart from the reply text either way.
    /// </summary>
    public const string EnableThinking = "enable_thinking";
}
