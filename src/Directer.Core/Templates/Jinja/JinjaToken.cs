namespace Directer.Core.Templates.Jinja;

/// <summary>The kinds of tokens the lexer produces.</summary>
internal enum JinjaTokenKind
{
    /// <summary>Literal template text (already whitespace-controlled).</summary>
    Data,

    /// <summary><c>{{</c>.</summary>
    VariableBegin,

    /// <summary><c>}}</c>.</summary>
    VariableEnd,

    /// <summary><c>{%</c>.</summary>
    BlockBegin,

    /// <summary><c>%}</c>.</summary>
    BlockEnd,

    /// <summary>An identifier or keyword.</summary>
    Name,

    /// <summary>A string literal (value already unescaped).</summary>
    String,

    /// <summary>An integer literal.</summary>
    Integer,

    /// <summary>A float literal.</summary>
    Float,

    /// <summary>An operator or punctuation.</summary>
    Operator,

    /// <summary>The end of the template.</summary>
    End,
}

/// <summary>One token and the template line it starts on.</summary>
internal readonly record struct JinjaToken(JinjaTokenKind Kind, string Value, int Line);
