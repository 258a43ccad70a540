using System.Globalization;

namespace Directer.Core.Templates.Jinja;

/// <summary>Parses tokens into statements, with jinja2's operator precedence: conditional, or, and, not,
/// comparisons, <c>+ -</c>, <c>~</c>, <c>* / // %</c>, <c>**</c>, unary, then postfix (attributes, items, calls)
/// and filters and tests.</summary>
internal sealed class JinjaParser
{
    private static readonly HashSet<string> KnownFilters =
    [
        "trim", "tojson", "length", "count", "items", "selectattr", "rejectattr", "select", "reject", "map", "join",
        "upper", "lower", "title", "capitalize", "replace", "first", "last", "default", "d", "list", "string", "int",
        "float", "unique", "safe", "abs", "round", "sum", "min", "max", "reverse", "sort", "dictsort", "indent",
        "wordcount", "e", "escape", "attr",
    ];

    private static readonly HashSet<string> KnownTests =
    [
        "defined", "undefined", "none", "boolean", "false", "true", "integer", "float", "number", "string", "mapping",
        "iterable", "sequence", "callable", "sameas", "eq", "equalto", "ne", "lt", "lessthan", "le", "gt", "greaterthan",
        "ge", "in", "odd", "even", "divisibleby", "lower", "upper", "escaped",
    ];

    private readonly List<JinjaToken> tokens;
    private int index;

    private JinjaParser(List<JinjaToken> tokens) => this.tokens = tokens;

    /// <summary>Parses a whole template.</summary>
    public static Stmt[] Parse(string source)
    {
        var parser = new JinjaParser(JinjaLexer.Tokenize(source));
        var body = parser.ParseBody([], out string? end);
        if (end is not null)
        {
            throw JinjaErrors.Syntax(parser.Current.Line, $"unexpected '{{% {end} %}}'.");
        }

        return body;
    }

    private JinjaToken Current => tokens[index];

    private JinjaToken Next() => tokens[index++];

    private bool IsOp(string op) => Current.Kind == JinjaTokenKind.Operator && Current.Value == op;

    private bool IsName(string name) => Current.Kind == JinjaTokenKind.Name && Current.Value == name;

    private bool SkipOp(string op)
    {
        if (IsOp(op))
        {
            index++;
            return true;
        }

        return false;
    }

    private bool SkipName(string name)
    {
        if (IsName(name))
        {
            index++;
            return true;
        }

        return false;
    }

    private void ExpectOp(string op)
    {
        if (!SkipOp(op))
        {
            throw JinjaErrors.Syntax(Current.Line, $"expected '{op}', found {Describe(Current)}.");
        }
    }

    private string ExpectName()
    {
        if (Current.Kind != JinjaTokenKind.Name)
        {
            throw JinjaErrors.Syntax(Current.Line, $"expected a name, found {Describe(Current)}.");
        }

        return Next().Value;
    }

    private void ExpectBlockEnd()
    {
        if (Current.Kind != JinjaTokenKind.BlockEnd)
        {
            throw JinjaErrors.Syntax(Current.Line, $"expected the end of the tag (%}}), found {Describe(Current)}.");
        }

        index++;
    }

    private static string Describe(JinjaToken token) => token.Kind switch
    {
        JinjaTokenKind.End => "the end of the template",
        JinjaTokenKind.BlockEnd => "'%}'",
        JinjaTokenKind.VariableEnd => "'}}'",
        JinjaTokenKind.String => "a string",
        _ => $"'{token.Value}'",
    };

    /// <summary>Statements until one of <paramref name="ends"/> (returned in <paramref name="end"/>, the tag name
    /// consumed but not its arguments) or the end of the template.</summary>
    private Stmt[] ParseBody(string[] ends, out string? end)
    {
        var body = new List<Stmt>();
        while (true)
        {
            var token = Current;
            switch (token.Kind)
            {
                case JinjaTokenKind.End:
                    if (ends.Length > 0)
                    {
                        throw JinjaErrors.Syntax(token.Line, $"unexpected end of template: expected {string.Join(" or ", ends.Select(e => $"'{{% {e} %}}'"))}.");
                    }

                    end = null;
                    return body.ToArray();
                case JinjaTokenKind.Data:
                    index++;
                    body.Add(new DataStmt(token.Line, token.Value));
                    break;
                case JinjaTokenKind.VariableBegin:
                    index++;
                    var value = ParseExpression();
                    if (Current.Kind != JinjaTokenKind.VariableEnd)
                    {
                        throw JinjaErrors.Syntax(Current.Line, $"expected '}}}}', found {Describe(Current)}.");
                    }

                    index++;
                    body.Add(new PrintStmt(token.Line, value));
                    break;
                case JinjaTokenKind.BlockBegin:
                    index++;
                    var tag = Current;
                    string name = ExpectName();
                    if (ends.Contains(name))
                    {
                        end = name;
                        return body.ToArray();
                    }

                    body.Add(ParseStatement(name, tag.Line));
                    break;
                default:
                    throw JinjaErrors.Syntax(token.Line, $"unexpected {Describe(token)}.");
            }
        }
    }

    private Stmt ParseStatement(string name, int line)
    {
        switch (name)
        {
            case "if":
                return ParseIf(line);
            case "for":
                return ParseFor(line);
            case "set":
                return ParseSet(line);
            case "macro":
                return ParseMacro(line);
            case "call":
                return ParseCallBlock(line);
            case "filter":
                var filters = ParseFilterChain(line);
                ExpectBlockEnd();
                return new FilterBlockStmt(line, filters, ParseBody(["endfilter"], out _)).Also(ExpectBlockEnd);
            case "break":
                ExpectBlockEnd();
                return new BreakStmt(line);
            case "continue":
                ExpectBlockEnd();
                return new ContinueStmt(line);
            case "generation":
                // transformers' {% generation %} marks assistant text for masks; it renders its body unchanged.
                ExpectBlockEnd();
                var generated = ParseBody(["endgeneration"], out _);
                ExpectBlockEnd();
                return new IfStmt(line, [(new LiteralExpr(line, true), generated)], []);
            case "endif" or "endfor" or "endset" or "endmacro" or "endcall" or "endfilter" or "else" or "elif" or "endgeneration" or "endraw":
                throw JinjaErrors.Syntax(line, $"unexpected '{{% {name} %}}' (no open block it could close).");
            default:
                throw JinjaErrors.Unsupported(line, $"the '{{% {name} %}}' statement");
        }
    }

    private IfStmt ParseIf(int line)
    {
        var branches = new List<(Expr, Stmt[])>();
        var condition = ParseExpression();
        ExpectBlockEnd();
        while (true)
        {
            var body = ParseBody(["elif", "else", "endif"], out string? end);
            branches.Add((condition, body));
            if (end == "elif")
            {
                condition = ParseExpression();
                ExpectBlockEnd();
                continue;
            }

            if (end == "else")
            {
                ExpectBlockEnd();
                var elseBody = ParseBody(["endif"], out _);
                ExpectBlockEnd();
                return new IfStmt(line, branches.ToArray(), elseBody);
            }

            ExpectBlockEnd();
            return new IfStmt(line, branches.ToArray(), []);
        }
    }

    private ForStmt ParseFor(int line)
    {
        var targets = new List<string>();
        bool paren = SkipOp("(");
        do
        {
            targets.Add(ExpectName());
        }
        while (SkipOp(","));
        if (paren)
        {
            ExpectOp(")");
        }

        if (!SkipName("in"))
        {
            throw JinjaErrors.Syntax(Current.Line, $"expected 'in' in the for loop, found {Describe(Current)}.");
        }

        var iterable = ParseOr(noConditional: true);
        Expr? filter = null;
        if (SkipName("if"))
        {
            filter = ParseExpression();
        }

        if (IsName("recursive"))
        {
            throw JinjaErrors.Unsupported(line, "a recursive for loop");
        }

        ExpectBlockEnd();
        var body = ParseBody(["else", "endfor"], out string? end);
        Stmt[] elseBody = [];
        if (end == "else")
        {
            ExpectBlockEnd();
            elseBody = ParseBody(["endfor"], out _);
        }

        ExpectBlockEnd();
        return new ForStmt(line, targets.ToArray(), iterable, filter, body, elseBody);
    }

    private Stmt ParseSet(int line)
    {
        string first = ExpectName();
        if (SkipOp("."))
        {
            string attribute = ExpectName();
            ExpectOp("=");
            var value = ParseExpression();
            ExpectBlockEnd();
            return new SetStmt(line, [first], attribute, value);
        }

        var targets = new List<string> { first };
        while (SkipOp(","))
        {
            targets.Add(ExpectName());
        }

        if (SkipOp("="))
        {
            var value = ParseTupleOrExpression();
            ExpectBlockEnd();
            return new SetStmt(line, targets.ToArray(), null, value);
        }

        if (targets.Count > 1)
        {
            throw JinjaErrors.Syntax(line, "a block set assigns one name.");
        }

        FilterExpr[] filters = IsOp("|") ? ParseFilterChain(line) : [];
        ExpectBlockEnd();
        var body = ParseBody(["endset"], out _);
        ExpectBlockEnd();
        return new SetBlockStmt(line, first, filters, body);
    }

    private FilterExpr[] ParseFilterChain(int line)
    {
        var filters = new List<FilterExpr>();
        SkipOp("|");
        do
        {
            filters.Add(ParseFilter(null, line));
        }
        while (SkipOp("|"));
        return filters.ToArray();
    }

    private (string[] Names, Expr?[] Defaults) ParseParameters()
    {
        var names = new List<string>();
        var defaults = new List<Expr?>();
        ExpectOp("(");
        while (!SkipOp(")"))
        {
            if (names.Count > 0)
            {
                ExpectOp(","); // jinja2 refuses a trailing comma here, unlike in a call
            }

            names.Add(ExpectName());
            defaults.Add(SkipOp("=") ? ParseExpression() : null);
        }

        return (names.ToArray(), defaults.ToArray());
    }

    private MacroStmt ParseMacro(int line)
    {
        string name = ExpectName();
        var (parameters, defaults) = ParseParameters();
        ExpectBlockEnd();
        var body = ParseBody(["endmacro"], out _);
        ExpectBlockEnd();
        return new MacroStmt(line, name, parameters, defaults, body);
    }

    private CallBlockStmt ParseCallBlock(int line)
    {
        string[] parameters = [];
        Expr?[] defaults = [];
        if (IsOp("("))
        {
            (parameters, defaults) = ParseParameters();
        }

        var call = ParseExpression();
        if (call is not CallExpr callExpr)
        {
            throw JinjaErrors.Syntax(line, "'{% call %}' needs a macro call.");
        }

        ExpectBlockEnd();
        var body = ParseBody(["endcall"], out _);
        ExpectBlockEnd();
        return new CallBlockStmt(line, callExpr, parameters, defaults, body);
    }

    /// <summary>An expression, or an unparenthesised tuple (<c>set a, b = 1, 2</c>).</summary>
    private Expr ParseTupleOrExpression()
    {
        int line = Current.Line;
        var first = ParseExpression();
        if (!IsOp(","))
        {
            return first;
        }

        var items = new List<Expr> { first };
        while (SkipOp(","))
        {
            if (Current.Kind == JinjaTokenKind.BlockEnd)
            {
                break;
            }

            items.Add(ParseExpression());
        }

        return new TupleExpr(line, items.ToArray());
    }

    /// <summary>A full expression, including <c>a if b else c</c>.</summary>
    public Expr ParseExpression()
    {
        var expr = ParseOr(noConditional: false);
        return expr;
    }

    private Expr ParseConditionalTail(Expr then)
    {
        while (IsName("if"))
        {
            int line = Next().Line;
            var condition = ParseOr(noConditional: true);
            Expr? otherwise = SkipName("else") ? ParseExpression() : null;
            then = new ConditionalExpr(line, condition, then, otherwise);
        }

        return then;
    }

    private Expr ParseOr(bool noConditional)
    {
        var left = ParseAnd();
        while (IsName("or"))
        {
            int line = Next().Line;
            left = new BinaryExpr(line, "or", left, ParseAnd());
        }

        return noConditional ? left : ParseConditionalTail(left);
    }

    private Expr ParseAnd()
    {
        var left = ParseNot();
        while (IsName("and"))
        {
            int line = Next().Line;
            left = new BinaryExpr(line, "and", left, ParseNot());
        }

        return left;
    }

    private Expr ParseNot()
    {
        if (IsName("not"))
        {
            int line = Next().Line;
            return new UnaryExpr(line, "not", ParseNot());
        }

        return ParseCompare();
    }

    private Expr ParseCompare()
    {
        int line = Current.Line;
        var first = ParseMath1();
        var rest = new List<(string, Expr)>();
        while (true)
        {
            if (Current.Kind == JinjaTokenKind.Operator && Current.Value is "==" or "!=" or "<" or ">" or "<=" or ">=")
            {
                string op = Next().Value;
                rest.Add((op, ParseMath1()));
            }
            else if (SkipName("in"))
            {
                rest.Add(("in", ParseMath1()));
            }
            else if (IsName("not") && tokens[index + 1].Kind == JinjaTokenKind.Name && tokens[index + 1].Value == "in")
            {
                index += 2;
                rest.Add(("notin", ParseMath1()));
            }
            else
            {
                break;
            }
        }

        return rest.Count == 0 ? first : new CompareExpr(line, first, rest.ToArray());
    }

    private Expr ParseMath1()
    {
        var left = ParseConcat();
        while (Current.Kind == JinjaTokenKind.Operator && Current.Value is "+" or "-")
        {
            var op = Next();
            left = new BinaryExpr(op.Line, op.Value, left, ParseConcat());
        }

        return left;
    }

    private Expr ParseConcat()
    {
        var left = ParseMath2();
        while (IsOp("~"))
        {
            int line = Next().Line;
            left = new BinaryExpr(line, "~", left, ParseMath2());
        }

        return left;
    }

    private Expr ParseMath2()
    {
        var left = ParsePow();
        while (Current.Kind == JinjaTokenKind.Operator && Current.Value is "*" or "/" or "//" or "%")
        {
            var op = Next();
            left = new BinaryExpr(op.Line, op.Value, left, ParsePow());
        }

        return left;
    }

    private Expr ParsePow()
    {
        var left = ParseUnary(withFilter: true);
        while (IsOp("**"))
        {
            int line = Next().Line;
            left = new BinaryExpr(line, "**", left, ParseUnary(withFilter: true));
        }

        return left;
    }

    private Expr ParseUnary(bool withFilter)
    {
        Expr node;
        if (Current.Kind == JinjaTokenKind.Operator && Current.Value is "-" or "+")
        {
            var op = Next();
            node = new UnaryExpr(op.Line, op.Value, ParseUnary(withFilter: false));
        }
        else
        {
            node = ParsePrimary();
        }

        node = ParsePostfix(node);
        return withFilter ? ParseFilterAndTests(node) : node;
    }

    private Expr ParsePrimary()
    {
        var token = Next();
        switch (token.Kind)
        {
            case JinjaTokenKind.Name:
                return token.Value switch
                {
                    "true" or "True" => new LiteralExpr(token.Line, true),
                    "false" or "False" => new LiteralExpr(token.Line, false),
                    "none" or "None" => new LiteralExpr(token.Line, null),
                    _ => new NameExpr(token.Line, token.Value),
                };
            case JinjaTokenKind.String:
                string text = token.Value;
                while (Current.Kind == JinjaTokenKind.String)
                {
                    text += Next().Value;
                }

                return new LiteralExpr(token.Line, text);
            case JinjaTokenKind.Integer:
                // Python's ints are unbounded: a literal past Int64 is a BigInteger, as in the runtime's arithmetic.
                return new LiteralExpr(token.Line, long.TryParse(token.Value, NumberStyles.None, CultureInfo.InvariantCulture, out long small)
                    ? (object)small
                    : System.Numerics.BigInteger.Parse(token.Value, NumberStyles.None, CultureInfo.InvariantCulture));
            case JinjaTokenKind.Float:
                return new LiteralExpr(token.Line, double.Parse(token.Value, CultureInfo.InvariantCulture));
            case JinjaTokenKind.Operator when token.Value == "(":
                if (SkipOp(")"))
                {
                    return new TupleExpr(token.Line, []);
                }

                var first = ParseExpression();
                if (SkipOp(")"))
                {
                    return first;
                }

                var items = new List<Expr> { first };
                while (SkipOp(","))
                {
                    if (IsOp(")"))
                    {
                        break;
                    }

                    items.Add(ParseExpression());
                }

                ExpectOp(")");
                return new TupleExpr(token.Line, items.ToArray());
            case JinjaTokenKind.Operator when token.Value == "[":
                var list = new List<Expr>();
                while (!SkipOp("]"))
                {
                    if (list.Count > 0)
                    {
                        ExpectOp(",");
                        if (SkipOp("]"))
                        {
                            break;
                        }
                    }

                    list.Add(ParseExpression());
                }

                return new ListExpr(token.Line, list.ToArray());
            case JinjaTokenKind.Operator when token.Value == "{":
                var entries = new List<(Expr, Expr)>();
                while (!SkipOp("}"))
                {
                    if (entries.Count > 0)
                    {
                        ExpectOp(",");
                        if (SkipOp("}"))
                        {
                            break;
                        }
                    }

                    var key = ParseExpression();
                    ExpectOp(":");
                    entries.Add((key, ParseExpression()));
                }

                return new DictExpr(token.Line, entries.ToArray());
            default:
                throw JinjaErrors.Syntax(token.Line, $"unexpected {Describe(token)} in an expression.");
        }
    }

    private Expr ParsePostfix(Expr node)
    {
        while (true)
        {
            if (IsOp("."))
            {
                int line = Next().Line;
                var token = Next();
                if (token.Kind == JinjaTokenKind.Name)
                {
                    node = new AttrExpr(line, node, token.Value);
                }
                else if (token.Kind == JinjaTokenKind.Integer)
                {
                    node = new ItemExpr(line, node, new LiteralExpr(line, long.Parse(token.Value, CultureInfo.InvariantCulture)));
                }
                else
                {
                    throw JinjaErrors.Syntax(line, $"expected an attribute name after '.', found {Describe(token)}.");
                }
            }
            else if (IsOp("["))
            {
                int line = Next().Line;
                node = ParseSubscript(node, line);
            }
            else if (IsOp("("))
            {
                int line = Current.Line;
                node = new CallExpr(line, node, ParseCallArguments());
            }
            else
            {
                return node;
            }
        }
    }

    private Expr ParseSubscript(Expr target, int line)
    {
        Expr? start = null;
        if (!IsOp(":"))
        {
            start = ParseExpression();
            if (SkipOp("]"))
            {
                return new ItemExpr(line, target, start);
            }
        }

        ExpectOp(":");
        Expr? stop = IsOp(":") || IsOp("]") ? null : ParseExpression();
        Expr? step = null;
        if (SkipOp(":") && !IsOp("]"))
        {
            step = ParseExpression();
        }

        ExpectOp("]");
        return new SliceExpr(line, target, start, stop, step);
    }

    private Arguments ParseCallArguments()
    {
        ExpectOp("(");
        var positional = new List<Expr>();
        var named = new List<(string, Expr)>();
        while (!SkipOp(")"))
        {
            if (positional.Count + named.Count > 0)
            {
                ExpectOp(",");
                if (SkipOp(")"))
                {
                    break;
                }
            }

            if (IsOp("*") || IsOp("**"))
            {
                throw JinjaErrors.Unsupported(Current.Line, "*args / **kwargs in a call");
            }

            if (Current.Kind == JinjaTokenKind.Name && tokens[index + 1].Kind == JinjaTokenKind.Operator && tokens[index + 1].Value == "=")
            {
                string name = Next().Value;
                index++;
                named.Add((name, ParseExpression()));
            }
            else
            {
                if (named.Count > 0)
                {
                    throw JinjaErrors.Syntax(Current.Line, "a positional argument follows a keyword argument.");
                }

                positional.Add(ParseExpression());
            }
        }

        return new Arguments(positional.ToArray(), named.ToArray());
    }

    private Expr ParseFilterAndTests(Expr node)
    {
        while (true)
        {
            if (IsOp("|"))
            {
                int line = Next().Line;
                node = ParseFilter(node, line);
            }
            else if (IsName("is"))
            {
                int line = Next().Line;
                node = ParseTest(node, line);
            }
            else if (IsOp("("))
            {
                node = new CallExpr(Current.Line, node, ParseCallArguments());
            }
            else
            {
                return node;
            }
        }
    }

    private FilterExpr ParseFilter(Expr? value, int line)
    {
        string name = ExpectName();
        while (SkipOp("."))
        {
            name += "." + ExpectName();
        }

        if (!KnownFilters.Contains(name))
        {
            throw JinjaErrors.Unsupported(line, $"the filter '{name}'");
        }

        var args = IsOp("(") ? ParseCallArguments() : Arguments.None;
        return new FilterExpr(line, value, name, args);
    }

    private TestExpr ParseTest(Expr value, int line)
    {
        bool negated = SkipName("not");
        var token = Next();
        // The aliases "==", "<", ... name tests only as strings (select('==', 1)); after "is" jinja2 wants a name.
        string name = token.Kind == JinjaTokenKind.Name
            ? token.Value
            : throw JinjaErrors.Syntax(line, $"expected a test name after 'is', found {Describe(token)}.");
        if (!KnownTests.Contains(name))
        {
            throw JinjaErrors.Unsupported(line, $"the test '{name}'");
        }

        Arguments args = Arguments.None;
        if (IsOp("("))
        {
            args = ParseCallArguments();
        }
        else if ((Current.Kind is JinjaTokenKind.String or JinjaTokenKind.Integer or JinjaTokenKind.Float
                  || (Current.Kind == JinjaTokenKind.Name && Current.Value is not ("else" or "or" or "and"))
                  || IsOp("[") || IsOp("{"))
                 && Current.Kind != JinjaTokenKind.BlockEnd)
        {
            // jinja2 allows one argument without parentheses: "x is divisibleby 3", "x is sameas none".
            args = new Arguments([ParsePostfix(ParsePrimary())], []);
        }

        return new TestExpr(line, value, name, args, negated);
    }
}

/// <summary>A tiny helper for fluent parsing steps.</summary>
internal static class JinjaParserExtensions
{
    /// <summary>Runs <paramref name="step"/> and returns <paramref name="value"/>.</summary>
    public static T Also<T>(this T value, Action step)
    {
        step();
        return value;
    }
}
