namespace Directer.Core.Generation.Constraints;

/// <summary>What a tool argument's value may be, from its JSON schema.</summary>
internal enum ArgumentKind
{
    /// <summary>Any JSON value (no simple type, or a type this grammar does not narrow).</summary>
    Any,

    /// <summary>A JSON string.</summary>
    String,

    /// <summary>A JSON number without fraction or exponent.</summary>
    Integer,

    /// <summary>A JSON number.</summary>
    Number,

    /// <summary>One of a fixed set of JSON literals (<c>enum</c>, or <c>true</c>/<c>false</c> for booleans).</summary>
    Literals,
}
