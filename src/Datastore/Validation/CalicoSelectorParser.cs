namespace Tabby.Datastore.Validation;

/// <summary>
/// Recursive-descent parser for Calico's selector language:
/// <code>
/// expr    := and ('||' and)*
/// and     := unary ('&amp;&amp;' unary)*
/// unary   := '!' unary | '(' expr ')' | 'all()' | 'global()' | 'has(' key ')' | key op
/// op      := ('==' | '!=' | 'contains' | 'starts with' | 'ends with') string
///          | 'in' set | 'not in' set
/// set     := '{' [string (',' string)*] '}'
/// key     := [A-Za-z0-9_./-]+        string := '...' | "..."
/// </code>
/// Errors name the 0-based position and what was expected there.
/// </summary>
internal ref struct CalicoSelectorParser
{
    private readonly string _text;
    private int _pos;

    private CalicoSelectorParser(string text)
    {
        _text = text;
        _pos = 0;
    }

    public static CalicoSelectorNode ParseExpression(string text)
    {
        var parser = new CalicoSelectorParser(text);
        var node = parser.ParseOr();
        parser.SkipSpace();
        if (parser._pos < text.Length)
        {
            throw parser.Error("'&&', '||' or the end of the selector");
        }

        return node;
    }

    private CalicoSelectorNode ParseOr()
    {
        var first = ParseAnd();
        List<CalicoSelectorNode>? operands = null;
        while (TryConsume("||"))
        {
            operands ??= [first];
            operands.Add(ParseAnd());
        }

        return operands is null ? first : new OrNode(operands);
    }

    private CalicoSelectorNode ParseAnd()
    {
        var first = ParseUnary();
        List<CalicoSelectorNode>? operands = null;
        while (TryConsume("&&"))
        {
            operands ??= [first];
            operands.Add(ParseUnary());
        }

        return operands is null ? first : new AndNode(operands);
    }

    private CalicoSelectorNode ParseUnary()
    {
        SkipSpace();
        if (Peek() == '!' && PeekAt(1) != '=')
        {
            _pos++;
            return new NotNode(ParseUnary());
        }

        if (TryConsume("("))
        {
            var inner = ParseOr();
            Expect(")", "')'");
            return inner;
        }

        var keyStart = _pos;
        var key = ReadKey();
        if (key.Length == 0)
        {
            throw Error("a label key, '!', '(', 'all()', 'global()' or 'has('");
        }

        SkipSpace();
        if (Peek() == '(')
        {
            switch (key)
            {
                case "all":
                    _pos++;
                    Expect(")", "')' after 'all('");
                    return new AllNode();
                case "global":
                    _pos++;
                    Expect(")", "')' after 'global('");
                    return new GlobalNode();
                case "has":
                    _pos++;
                    SkipSpace();
                    var hasKey = ReadKey();
                    if (hasKey.Length == 0)
                    {
                        throw Error("a label key inside has()");
                    }

                    Expect(")", "')' after the label key of has(");
                    return new HasNode(hasKey);
                default:
                    _pos = keyStart;
                    throw Error("a label key followed by an operator (only all(), global() and has(k) are functions)");
            }
        }

        return ParseOperator(key);
    }

    private CalicoSelectorNode ParseOperator(string key)
    {
        SkipSpace();
        if (TryConsume("=="))
        {
            return new CompareNode(key, CompareOperator.Equal, ReadString());
        }

        if (TryConsume("!="))
        {
            return new CompareNode(key, CompareOperator.NotEqual, ReadString());
        }

        var wordStart = _pos;
        var word = ReadKey();
        switch (word)
        {
            case "in":
                return new SetNode(key, ReadSet(), negated: false);
            case "not":
                SkipSpace();
                if (ReadKey() != "in")
                {
                    throw Error("'in' after 'not'");
                }

                return new SetNode(key, ReadSet(), negated: true);
            case "contains":
                return new CompareNode(key, CompareOperator.Contains, ReadString());
            case "starts":
                ExpectWord("with", "'with' after 'starts'");
                return new CompareNode(key, CompareOperator.StartsWith, ReadString());
            case "ends":
                ExpectWord("with", "'with' after 'ends'");
                return new CompareNode(key, CompareOperator.EndsWith, ReadString());
            default:
                _pos = wordStart;
                throw Error($"an operator after label key '{key}' (==, !=, in, not in, contains, starts with, ends with)");
        }
    }

    private List<string> ReadSet()
    {
        Expect("{", "'{' to start a set of values");
        var values = new List<string>();
        SkipSpace();
        if (TryConsume("}"))
        {
            return values;
        }

        while (true)
        {
            values.Add(ReadString());
            if (TryConsume("}"))
            {
                return values;
            }

            Expect(",", "',' or '}' in a set of values");
        }
    }

    private string ReadString()
    {
        SkipSpace();
        var quote = Peek();
        if (quote is not ('\'' or '"'))
        {
            throw Error("a quoted string");
        }

        var start = _pos;
        var end = _text.IndexOf(quote, _pos + 1);
        if (end < 0)
        {
            throw Error($"a closing {quote} for the string started here");
        }

        _pos = end + 1;
        return _text.Substring(start + 1, end - start - 1);
    }

    private string ReadKey()
    {
        var start = _pos;
        while (_pos < _text.Length && IsKeyChar(_text[_pos]))
        {
            _pos++;
        }

        return _text[start.._pos];
    }

    private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '/' or '-';

    private void ExpectWord(string word, string expected)
    {
        SkipSpace();
        var start = _pos;
        if (ReadKey() != word)
        {
            _pos = start;
            throw Error(expected);
        }
    }

    private void Expect(string token, string expected)
    {
        if (!TryConsume(token))
        {
            throw Error(expected);
        }
    }

    private bool TryConsume(string token)
    {
        SkipSpace();
        if (string.CompareOrdinal(_text, _pos, token, 0, token.Length) == 0)
        {
            _pos += token.Length;
            return true;
        }

        return false;
    }

    private void SkipSpace()
    {
        while (_pos < _text.Length && char.IsWhiteSpace(_text[_pos]))
        {
            _pos++;
        }
    }

    private readonly char Peek() => _pos < _text.Length ? _text[_pos] : '\0';

    private readonly char PeekAt(int offset) => _pos + offset < _text.Length ? _text[_pos + offset] : '\0';

    private SelectorSyntaxException Error(string expected)
    {
        SkipSpace();
        var found = _pos >= _text.Length ? "the end of the selector" : $"'{_text[_pos..Math.Min(_text.Length, _pos + 10)]}'";
        return new SelectorSyntaxException(_text, _pos, expected, found);
    }
}
