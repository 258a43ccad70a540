using TorchSharp;

namespace Directer.Core.Generation.Rules;

/// <summary>
/// The token rules of one generation, in order (transformers' processor order: penalties, length, grammar; then
/// the stopping rules). <see cref="DecodeStep"/> runs <see cref="Apply"/> on every pass's logits; the generator
/// calls <see cref="Prepare"/> before a step and <see cref="Accept"/> with its token.
/// </summary>
internal sealed class TokenRuleChain
{
    private readonly ITokenRule[] rules;
    private readonly ITokenRule[] active;
    private int activeCount;

    public TokenRuleChain(params ITokenRule[] rules)
    {
        this.rules = rules;
        active = new ITokenRule[rules.Length];
    }

    /// <summary>A chain with no rules (every logit passes unchanged, nothing stops).</summary>
    public static TokenRuleChain Empty { get; } = new();

    /// <summary>
    /// The rules <paramref name="options"/> ask for, in order: repetition penalty, frequency/presence penalties,
    /// minimum length, <paramref name="constraint"/>, end of sequence, <paramref name="output"/> (stop sequences and
    /// strings), maximum length. Rules whose settings are off are left out.
    /// </summary>
    public static TokenRuleChain For(GenerationOptions options, IReadOnlySet<int> eos, int vocabSize, ConstraintRule? constraint, StopRule output)
    {
        var rules = new List<ITokenRule>();
        if (options.RepetitionPenalty is float repetition && repetition != 1)
        {
            rules.Add(new RepetitionPenaltyRule(repetition, vocabSize));
        }

        if ((options.FrequencyPenalty ?? 0) != 0 || (options.PresencePenalty ?? 0) != 0)
        {
            rules.Add(new OccurrencePenaltyRule(options.FrequencyPenalty ?? 0, options.PresencePenalty ?? 0, vocabSize));
        }

        if (options.MinNewTokens > 0 && eos.Any(id => id >= 0 && id < vocabSize))
        {
            rules.Add(new MinLengthRule(options.MinNewTokens, eos.Where(id => id >= 0 && id < vocabSize)));
        }

        if (constraint is not null)
        {
            rules.Add(constraint);
        }

        if (eos.Count > 0)
        {
            rules.Add(new EndOfSequenceRule(eos));
        }

        rules.Add(output);
        rules.Add(new MaxLengthRule(options.MaxNewTokens));
        return new TokenRuleChain(rules.ToArray());
    }

    /// <summary>Starts a generation.</summary>
    public void Begin(IReadOnlyList<int> promptIds)
    {
        activeCount = 0;
        foreach (var rule in rules)
        {
            rule.Begin(promptIds);
        }
    }

    /// <summary>Asks every rule whether it adjusts this step's logits.</summary>
    public void Prepare(DecodeStep step)
    {
        activeCount = 0;
        foreach (var rule in rules)
        {
            if (rule.Prepare(step))
            {
                active[activeCount++] = rule;
            }
        }
    }

    /// <summary>Runs this step's active rules over <paramref name="logits"/> in order.</summary>
    public torch.Tensor Apply(torch.Tensor logits, bool raw)
    {
        for (int i = 0; i < activeCount; i++)
        {
            logits = active[i].Apply(logits, raw);
        }

        return logits;
    }

    /// <summary>Ends the step's adjustments (their tensors die with the step's scope).</summary>
    public void EndStep() => activeCount = 0;

    /// <summary>Shows every rule the chosen token in order; the first that ends generation says why (later rules do not see it).</summary>
    public StopReason? Accept(int token)
    {
        foreach (var rule in rules)
        {
            if (rule.Accept(token) is StopReason reason)
            {
                return reason;
            }
        }

        return null;
    }
}
