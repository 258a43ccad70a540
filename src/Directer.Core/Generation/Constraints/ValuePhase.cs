namespace Directer.Core.Generation.Constraints;

/// <summary>Where a general JSON value stands (nested objects and arrays are tracked on a bit stack).</summary>
internal enum ValuePhase : byte
{
    /// <summary>Expecting a value.</summary>
    Start,

    /// <summary>Inside a string value.</summary>
    String,

    /// <summary>Inside a number.</summary>
    Number,

    /// <summary>Inside <c>true</c>, <c>false</c> or <c>null</c>.</summary>
    Literal,

    /// <summary>Just inside an array: a value or <c>]</c>.</summary>
    ArrayFirst,

    /// <summary>Just inside an object: a key or <c>}</c>.</summary>
    ObjectFirst,

    /// <summary>After a comma in an object: a key.</summary>
    ObjectKey,

    /// <summary>Inside an object key.</summary>
    KeyString,

    /// <summary>Before the colon after an object key.</summary>
    Colon,

    /// <summary>After a value inside a container: a comma or the closing bracket.</summary>
    AfterItem,
}
