using System.Globalization;
using Directer.Core.Requests;
using Directer.Core.Steering;

namespace Directer.Evaluation.Harness;

/// <summary>
/// One steering method under evaluation: <c>none</c>, <c>directer</c>, <c>static</c>, <c>pasta</c>, <c>spotlight</c>,
/// <c>instaboost</c>, or a baseline inside DIRECTER's plausibility gate (<c>static+gate</c>, <c>pasta+gate</c>...).
/// </summary>
/// <param name="Name">The canonical name (lower case, as in the report).</param>
/// <param name="Steering">The steering settings; null for <c>none</c>.</param>
public sealed record EvalMethod(string Name, SteeringSettings? Steering)
{
    private const string GateSuffix = "+gate";

    /// <summary>Parses a comma-separated method list; every method takes its parameters from <paramref name="parameters"/>.</summary>
    /// <exception cref="ArgumentException">An unknown or repeated method, or a gate on none/directer.</exception>
    public static IReadOnlyList<EvalMethod> ParseList(string list, SteeringSettings parameters)
    {
        ArgumentNullException.ThrowIfNull(list);
        var names = list.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        if (names.Length == 0)
        {
            throw new ArgumentException("--methods needs at least one method, e.g. --methods none,directer.");
        }

        var methods = names.Select(n => Parse(n, parameters)).ToList();
        var repeated = methods.GroupBy(m => m.Name).FirstOrDefault(g => g.Count() > 1);
        return repeated is null ? methods : throw new ArgumentException($"--methods lists '{repeated.Key}' twice.");
    }

    /// <summary>Parses one method name (any case), with an optional <c>+gate</c> suffix for baselines.</summary>
    public static EvalMethod Parse(string name, SteeringSettings parameters)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(parameters);
        string text = name.Trim().ToLowerInvariant();
        bool gate = text.EndsWith(GateSuffix, StringComparison.Ordinal);
        var method = RequestSettings.ParseMethod(gate ? text[..^GateSuffix.Length] : text, "--methods");
        if (gate && method is SteeringMethod.None or SteeringMethod.Directer)
        {
            throw new ArgumentException(method == SteeringMethod.Directer
                ? "'directer+gate': DIRECTER always has its plausibility gate; use 'directer'."
                : "'none+gate': there is no steering to gate; use 'none'.");
        }

        string canonical = MethodName(method) + (gate ? GateSuffix : string.Empty);
        return new EvalMethod(canonical, method == SteeringMethod.None ? null : parameters with { Method = method, Gate = gate });
    }

    /// <summary>
    /// The settings that change this method's output or speed, as invariant strings (recorded with a run and compared on
    /// resume, so that e.g. a new --alpha does not invalidate finished PASTA rows, which do not use it).
    /// </summary>
    public IReadOnlyDictionary<string, string> Settings
    {
        get
        {
            var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
            if (Steering is not { } s)
            {
                return settings;
            }

            static string F(double v) => v.ToString("R", CultureInfo.InvariantCulture);
            switch (s.Method)
            {
                case SteeringMethod.Directer:
                    settings["alpha"] = F(s.Alpha);
                    settings["max_trials"] = s.MaxTrials.ToString(CultureInfo.InvariantCulture);
                    settings["strategy"] = s.Strategy.ToString();
                    break;
                case SteeringMethod.Static:
                    settings["alpha"] = F(s.Alpha);
                    settings["layers"] = s.StaticLayers is null ? "all" : string.Join(",", s.StaticLayers);
                    break;
                case SteeringMethod.Pasta:
                    settings["pasta_a"] = F(s.PastaA);
                    break;
                case SteeringMethod.SpotLight:
                    settings["spotlight_target"] = F(s.SpotLightTarget);
                    break;
                case SteeringMethod.InstABoost:
                    settings["instaboost_m"] = F(s.InstABoostM);
                    break;
            }

            if (s.Method == SteeringMethod.Directer || s.Gate)
            {
                settings["beta"] = F(s.Beta);
            }

            return settings;
        }
    }

    private static string MethodName(SteeringMethod method) => method switch
    {
        SteeringMethod.None => "none",
        SteeringMethod.Directer => "directer",
        SteeringMethod.Static => "static",
        SteeringMethod.Pasta => "pasta",
        SteeringMethod.SpotLight => "spotlight",
        SteeringMethod.InstABoost => "instaboost",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "Unknown steering method."),
    };
}
