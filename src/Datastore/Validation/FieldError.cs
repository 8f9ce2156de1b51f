namespace Tabby.Datastore.Validation;

/// <summary>One validation failure, naming the field by its JSON path (e.g. <c>spec.blockSize</c>).</summary>
public sealed record FieldError(string Field, string Message)
{
    public override string ToString() => $"{Field}: {Message}";
}
