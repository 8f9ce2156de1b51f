namespace Tabby.Datastore.Validation;

/// <summary>A selector that does not parse: where (0-based character position) and what was expected.</summary>
public sealed class SelectorSyntaxException : FormatException
{
    public SelectorSyntaxException(string selector, int position, string expected, string found)
        : base($"invalid selector \"{selector}\": at position {position}: expected {expected}, found {found}")
    {
        Selector = selector;
        Position = position;
        Expected = expected;
        Found = found;
    }

    public string Selector { get; }

    public int Position { get; }

    public string Expected { get; }

    public string Found { get; }
}
