namespace Tabby.Datastore.Validation;

/// <summary>
/// Calico's label selector language (<c>==</c>, <c>!=</c>, <c>in {..}</c>, <c>not in {..}</c>,
/// <c>contains</c>, <c>starts with</c>, <c>ends with</c>, <c>has(k)</c>, <c>!</c>, <c>all()</c>,
/// <c>global()</c>, <c>&amp;&amp;</c>, <c>||</c>, parentheses, single- or double-quoted strings):
/// parsed to check resources (errors give the position) and evaluated on label sets, e.g. an
/// IPPool nodeSelector against a node's labels. An empty selector selects everything.
/// </summary>
public sealed class CalicoSelector
{
    private readonly Func<IReadOnlyDictionary<string, string>, bool> _match;

    private CalicoSelector(string text, Func<IReadOnlyDictionary<string, string>, bool> match)
    {
        Text = text;
        _match = match;
    }

    public string Text { get; }

    public bool Matches(IReadOnlyDictionary<string, string>? labels) => _match(labels ?? Empty);

    private static readonly Dictionary<string, string> Empty = [];

    public static CalicoSelector Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return new CalicoSelector("", _ => true);
        }

        var parser = new Parser(text);
        var match = parser.ParseOr();
        parser.SkipSpace();
        if (!parser.AtEnd)
        {
            throw parser.Error("unexpected text");
        }

        return new CalicoSelector(text, match);
    }

    public static bool TryParse(string? text, out CalicoSelector? selector, out string? error)
    {
        try
        {
            selector = Parse(text);
            error = null;
            return true;
        }
        catch (FormatException e)
        {
            selector = null;
            error = e.Message;
            return false;
        }
    }

    private sealed class Parser(string text)
    {
        private int _pos;

        public bool AtEnd => _pos >= text.Length;

        public FormatException Error(string what) =>
            new($"selector \"{text}\": {what} at position {_pos}" + (AtEnd ? " (end)" : $" (\"{text[_pos..Math.Min(text.Length, _pos + 10)]}\")"));

        public void SkipSpace()
        {
            while (!AtEnd && char.IsWhiteSpace(text[_pos]))
            {
                _pos++;
            }
        }

        private bool Take(string token, bool word = false)
        {
            SkipSpace();
            if (string.CompareOrdinal(text, _pos, token, 0, token.Length) != 0)
            {
                return false;
            }

            if (word && _pos + token.Length < text.Length && IsKeyChar(text[_pos + token.Length]))
            {
                return false;
            }

            _pos += token.Length;
            return true;
        }

        private void Expect(string token)
        {
            if (!Take(token))
            {
                throw Error($"expected \"{token}\"");
            }
        }

        public Func<IReadOnlyDictionary<string, string>, bool> ParseOr()
        {
            var left = ParseAnd();
            while (Take("||"))
            {
                var l = left;
                var r = ParseAnd();
                left = labels => l(labels) || r(labels);
            }

            return left;
        }

        private Func<IReadOnlyDictionary<string, string>, bool> ParseAnd()
        {
            var left = ParseUnary();
            while (Take("&&"))
            {
                var l = left;
                var r = ParseUnary();
                left = labels => l(labels) && r(labels);
            }

            return left;
        }

        private Func<IReadOnlyDictionary<string, string>, bool> ParseUnary()
        {
            SkipSpace();
            if (!AtEnd && text[_pos] == '!' && (_pos + 1 >= text.Length || text[_pos + 1] != '='))
            {
                _pos++;
                var inner = ParseUnary();
                return labels => !inner(labels);
            }

            if (Take("("))
            {
                var inner = ParseOr();
                Expect(")");
                return inner;
            }

            if (Take("all()"))
            {
                return _ => true;
            }

            if (Take("global()"))
            {
                return _ => true;
            }

            if (Take("has(", word: false))
            {
                var hasKey = ParseKey();
                Expect(")");
                return labels => labels.ContainsKey(hasKey);
            }

            var key = ParseKey();
            if (Take("=="))
            {
                var value = ParseString();
                return labels => labels.TryGetValue(key, out var v) && v == value;
            }

            if (Take("!="))
            {
                var value = ParseString();
                return labels => !labels.TryGetValue(key, out var v) || v != value;
            }

            if (Take("not", word: true))
            {
                Expect("in");
                var set = ParseSet();
                return labels => !labels.TryGetValue(key, out var v) || !set.Contains(v);
            }

            if (Take("in", word: true))
            {
                var set = ParseSet();
                return labels => labels.TryGetValue(key, out var v) && set.Contains(v);
            }

            if (Take("contains", word: true))
            {
                var value = ParseString();
                return labels => labels.TryGetValue(key, out var v) && v.Contains(value, StringComparison.Ordinal);
            }

            if (Take("starts", word: true))
            {
                Expect("with");
                var value = ParseString();
                return labels => labels.TryGetValue(key, out var v) && v.StartsWith(value, StringComparison.Ordinal);
            }

            if (Take("ends", word: true))
            {
                Expect("with");
                var value = ParseString();
                return labels => labels.TryGetValue(key, out var v) && v.EndsWith(value, StringComparison.Ordinal);
            }

            throw Error($"expected an operator after label \"{key}\" (==, !=, in, not in, contains, starts with, ends with)");
        }

        private HashSet<string> ParseSet()
        {
            Expect("{");
            var set = new HashSet<string>(StringComparer.Ordinal);
            if (Take("}"))
            {
                return set;
            }

            do
            {
                set.Add(ParseString());
            }
            while (Take(","));

            Expect("}");
            return set;
        }

        private string ParseKey()
        {
            SkipSpace();
            var start = _pos;
            while (!AtEnd && IsKeyChar(text[_pos]))
            {
                _pos++;
            }

            if (_pos == start)
            {
                throw Error("expected a label name");
            }

            return text[start.._pos];
        }

        private string ParseString()
        {
            SkipSpace();
            if (AtEnd || (text[_pos] != '\'' && text[_pos] != '"'))
            {
                throw Error("expected a quoted string");
            }

            var quote = text[_pos++];
            var end = text.IndexOf(quote, _pos);
            if (end < 0)
            {
                throw Error("unterminated string");
            }

            var value = text[_pos..end];
            _pos = end + 1;
            return value;
        }

        private static bool IsKeyChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '/' or '-';
    }
}
