namespace Directer.Core.Requests;

/// <summary>The type of a request setting's value, which decides how it is read from each front end.</summary>
public enum RequestSettingKind
{
    /// <summary>A whole number (JSON number or numeric string; 2.5 is refused).</summary>
    Integer,

    /// <summary>A number (JSON number or numeric string; NaN is refused).</summary>
    Number,

    /// <summary>true or false (also the strings "true"/"false", as prompt YAML gives them).</summary>
    Boolean,

    /// <summary>A string or a list of strings (one string is a list of one).</summary>
    TextList,

    /// <summary>One name out of <see cref="RequestSetting.Choices"/> (any case; '_' and '-' alike).</summary>
    Choice,

    /// <summary>A response format: "text", "json_object" (or "json"), or a JSON schema object.</summary>
    ResponseFormat,
}
