namespace Directer.Core.Requests;

/// <summary>Where a request's settings come from, which decides how messages name a setting.</summary>
public enum RequestSettingSource
{
    /// <summary>Snake_case keys: SK execution settings, prompt YAML, <c>ChatOptions</c> (<c>Setting 'top_p'</c>).</summary>
    Settings,

    /// <summary>Command-line flags (<c>--top-p</c>).</summary>
    CommandLine,

    /// <summary>Properties of <see cref="RequestOptions"/>, as configuration binds them (<c>Steering:Beta</c>).</summary>
    Options,
}
