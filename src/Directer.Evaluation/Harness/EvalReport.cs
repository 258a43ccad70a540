namespace Directer.Evaluation.Harness;

/// <summary>The report of a run (report.json). Fields are only ever added.</summary>
public sealed record EvalReport
{
    /// <summary>The checkpoint folder.</summary>
    public required string Model { get; init; }

    /// <summary>The data file.</summary>
    public required string Data { get; init; }

    /// <summary>Rows evaluated (after --limit).</summary>
    public required int Rows { get; init; }

    /// <summary>The run's configuration (as in run.json).</summary>
    public required RunConfiguration Configuration { get; init; }

    /// <summary>This session: pairs computed now and pairs resumed from earlier sessions, and its wall time.</summary>
    public required EvalSession Session { get; init; }

    /// <summary>One entry per method, in the order given.</summary>
    public required IReadOnlyList<MethodReport> Methods { get; init; }
}
