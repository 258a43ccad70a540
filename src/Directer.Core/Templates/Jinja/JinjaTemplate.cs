namespace Directer.Core.Templates.Jinja;

/// <summary>A chat template parsed once, rendered many times. The engine implements the jinja2 subset Hugging Face
/// chat templates use, with transformers' environment (<c>trim_blocks</c>, <c>lstrip_blocks</c>, loop controls,
/// <c>tojson</c> as <c>json.dumps</c>, <c>raise_exception</c>, <c>strftime_now</c>, an immutable sandbox).</summary>
internal sealed class JinjaTemplate
{
    private readonly Stmt[] body;

    private JinjaTemplate(string source, Stmt[] body)
    {
        Source = source;
        this.body = body;
        ReferencedNames = CollectNames(body);
    }

    /// <summary>The template text.</summary>
    public string Source { get; }

    /// <summary>Every variable name the template reads (to tell, e.g., whether it looks at <c>tools</c>).</summary>
    public IReadOnlySet<string> ReferencedNames { get; }

    /// <summary>Parses a template.</summary>
    /// <exception cref="ChatTemplateException">A syntax error or an unsupported construct (the message names the line).</exception>
    public static JinjaTemplate Compile(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        return new JinjaTemplate(source, JinjaParser.Parse(source));
    }

    /// <summary>Renders with the given variables.</summary>
    /// <param name="variables">Template variables (runtime values: strings, <see cref="TrackedString"/>, longs,
    /// doubles, booleans, null, <see cref="List{T}"/>, <see cref="JinjaDict"/>).</param>
    /// <param name="strftimeNow">What <c>strftime_now(format)</c> returns; null for the current local time.</param>
    /// <exception cref="ChatTemplateException">The template raised, or failed on this input.</exception>
    /// <param name="describeRefusal">Turns the template's <c>raise_exception</c> message into the exception message;
    /// null keeps it as it is.</param>
    public JinjaOutput Render(IEnumerable<KeyValuePair<string, object?>> variables, Func<string, string>? strftimeNow = null, Func<string, string>? describeRefusal = null)
    {
        var output = new JinjaOutput();
        var renderer = new JinjaRenderer(output, strftimeNow ?? (format => PythonStrftime.Format(DateTime.Now, format)), describeRefusal);
        var globals = renderer.CreateGlobals();
        var context = new JinjaScope(globals);
        foreach (var (name, value) in variables)
        {
            context.Set(name, value);
        }

        renderer.Render(body, context);
        return output;
    }

    private static HashSet<string> CollectNames(Stmt[] body)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<object>(body);
        while (stack.Count > 0)
        {
            switch (stack.Pop())
            {
                case NameExpr name:
                    names.Add(name.Name);
                    break;
                case System.Collections.IEnumerable items and not string:
                    foreach (var item in items)
                    {
                        if (item is Expr or Stmt)
                        {
                            stack.Push(item);
                        }
                    }

                    break;
                case object node when node is Expr or Stmt:
                    foreach (var property in node.GetType().GetProperties())
                    {
                        var value = property.GetValue(node);
                        switch (value)
                        {
                            case Expr or Stmt:
                                stack.Push(value);
                                break;
                            case Arguments args:
                                foreach (var e in args.Positional)
                                {
                                    stack.Push(e);
                                }

                                foreach (var (_, e) in args.Named)
                                {
                                    stack.Push(e);
                                }

                                break;
                            case System.Collections.IEnumerable list and not string:
                                foreach (var item in list)
                                {
                                    PushTupleParts(stack, item);
                                }

                                break;
                        }
                    }

                    break;
            }
        }

        return names;
    }

    private static void PushTupleParts(Stack<object> stack, object? item)
    {
        switch (item)
        {
            case Expr or Stmt:
                stack.Push(item);
                break;
            case System.Runtime.CompilerServices.ITuple tuple:
                for (int i = 0; i < tuple.Length; i++)
                {
                    PushTupleParts(stack, tuple[i]);
                }

                break;
            case System.Collections.IEnumerable list and not string:
                foreach (var inner in list)
                {
                    PushTupleParts(stack, inner);
                }

                break;
        }
    }
}
