using System.Buffers;
using System.Text.Json;

namespace Tabby.Datastore.Embedded;

/// <summary>
/// One line of the change log: a put or delete of one object at one revision, carrying the object
/// as written (for a delete, its last state stamped with the deletion revision). The log is the
/// write-ahead record: it is fsynced before the object file changes, so a writer that dies after
/// logging is completed ("redone") by the next writer.
/// </summary>
internal sealed record ChangeLogEntry(long Revision, ChangeOperation Operation, string KindKey, string? Namespace, string Name,
    byte[] Object, byte[]? Previous)
{
    public bool IsDelete => Operation == ChangeOperation.Delete;

    public byte[] ToLine()
    {
        var buffer = new ArrayBufferWriter<byte>(Object.Length + 256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("rev", Revision);
            writer.WriteString("op", Operation switch { ChangeOperation.Create => "create", ChangeOperation.Update => "update", _ => "delete" });
            writer.WriteString("kind", KindKey);
            if (Namespace is not null)
            {
                writer.WriteString("ns", Namespace);
            }

            writer.WriteString("name", Name);
            writer.WritePropertyName("object");
            writer.WriteRawValue(Object, skipInputValidation: true);
            if (Previous is not null)
            {
                // The state before an update: lets a filtered watch turn "no longer matches" into Deleted.
                writer.WritePropertyName("previous");
                writer.WriteRawValue(Previous, skipInputValidation: true);
            }
            writer.WriteEndObject();
        }

        buffer.Write("\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    public static ChangeLogEntry Parse(ReadOnlySpan<byte> line)
    {
        using var doc = JsonDocument.Parse(line.ToArray());
        var root = doc.RootElement;
        return new ChangeLogEntry(
            root.GetProperty("rev").GetInt64(),
            root.GetProperty("op").GetString() switch
            {
                "create" => ChangeOperation.Create,
                "update" => ChangeOperation.Update,
                "delete" => ChangeOperation.Delete,
                var other => throw new InvalidDataException($"change log: unknown op \"{other}\""),
            },
            root.GetProperty("kind").GetString()!,
            root.TryGetProperty("ns", out var ns) ? ns.GetString() : null,
            root.GetProperty("name").GetString()!,
            System.Text.Encoding.UTF8.GetBytes(root.GetProperty("object").GetRawText()),
            root.TryGetProperty("previous", out var previous) ? System.Text.Encoding.UTF8.GetBytes(previous.GetRawText()) : null);
    }
}

/// <summary>First line of the change log: identifies this file generation and what compaction dropped.</summary>
internal sealed record ChangeLogHeader(string Epoch, long CompactedThrough)
{
    public byte[] ToLine() =>
        System.Text.Encoding.UTF8.GetBytes($"{{\"tabbyChangeLog\":1,\"epoch\":\"{Epoch}\",\"compactedThrough\":{CompactedThrough}}}\n");

    public static ChangeLogHeader Parse(ReadOnlySpan<byte> line)
    {
        using var doc = JsonDocument.Parse(line.ToArray());
        var root = doc.RootElement;
        if (!root.TryGetProperty("tabbyChangeLog", out var version) || version.GetInt32() != 1)
        {
            throw new InvalidDataException("not a Tabby change log (version 1)");
        }

        return new ChangeLogHeader(root.GetProperty("epoch").GetString()!, root.GetProperty("compactedThrough").GetInt64());
    }
}

internal enum ChangeOperation
{
    Create,
    Update,
    Delete,
}
