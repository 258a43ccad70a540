namespace Directer.Evaluation.Harness;

/// <summary>What one invocation did.</summary>
/// <param name="Computed">(method, row) pairs generated in this session.</param>
/// <param name="Resumed">Pairs found finished in results.jsonl and not redone.</param>
/// <param name="Seconds">Wall time of the generation loop in this session.</param>
/// <param name="Threads">CPU threads in use (null = torch's default).</param>
public sealed record EvalSession(int Computed, int Resumed, double Seconds, int? Threads);
